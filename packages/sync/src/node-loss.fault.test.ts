// Node loss on a real 3-node cluster (replication factor 2) through the blocking client: a node
// SIGKILLed while `writeNumpy` blocks the calling thread (another process stops it), reads during
// the loss and once stable; and a process that loses every node, with the blocking client and the
// async client's two engines in it (one loss of the whole cluster for all three clients). These tests stop and restart real
// nodes, so they run only against a cluster they control (`.ci/run`'s fault phase passes it; see
// test-utils' server-control) and skip elsewhere, saying why.
import { spawn } from 'node:child_process'

import { AerospikeError } from '@aerospike-numpy/async'
import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
import {
  controlledClusterSkipReason,
  formatTally,
  openControlledCluster,
  stepTimer,
  tallyNodeLoss,
  tallyReadDuringLoss,
  uniqueSetName,
  type ControlledCluster,
} from '@aerospike-numpy/test-utils'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'

import { client, type Client } from './client.js'

const skipReason = controlledClusterSkipReason()

const dt = dtype([
  ['_key', 'i4'],
  ['x', 'f8'],
  ['n', 'i4'],
])
const readDt = dtype([
  ['x', 'f8'],
  ['n', 'i4'],
])
const xOf = (i: number): number => i * 0.5 + 0.25
const nOf = (i: number): number => i ^ 0x5a5a

function rows(n: number): StructuredArray {
  const a = StructuredArray.zeros(dt, n)
  a.set(
    '_key',
    Int32Array.from({ length: n }, (_, i) => i),
  )
  a.set(
    'x',
    Float64Array.from({ length: n }, (_, i) => xOf(i)),
  )
  a.set(
    'n',
    Int32Array.from({ length: n }, (_, i) => nOf(i)),
  )
  return a
}

/**
 * Long enough for a cluster to notice a lost node and hand its partitions over, and for a
 * restarted node to catch up, on a loaded 2-core machine (seconds, up to minutes): re-sends stop
 * at `totalTimeout`, 500 ms apart once the backoff is at its cap.
 */
const WRITE_POLICY = { totalTimeout: 120_000, socketTimeout: 30_000 } as const
const RETRY = { attempts: 300 } as const
const READ_POLICY = { totalTimeout: 60_000, socketTimeout: 30_000, maxRetries: 2 } as const
const READ_CHUNK = 50_000
/** Node restarts and migrations take minutes on a loaded 2-core machine. */
const FAULT_TEST_TIMEOUT_MS = 15 * 60_000

/** Reads keys 0..n-1 back in chunks; a chunk's whole-call failure is its rows' code. */
function readBack(c: Client, set: string, n: number): { codes: Int32Array; equal: Uint8Array } {
  const codes = new Int32Array(n)
  const equal = new Uint8Array(n)
  for (let start = 0; start < n; start += READ_CHUNK) {
    const end = Math.min(n, start + READ_CHUNK)
    const keys = Array.from({ length: end - start }, (_, k) => ['test', set, start + k])
    try {
      const r = c.batchRead(keys, { dtype: readDt, policy: READ_POLICY })
      const x = r.batchRecords.get('x') as Float64Array
      const nn = r.batchRecords.get('n') as Int32Array
      for (let k = 0; k < r.length; k++) {
        const i = start + k
        codes[i] = r.resultCodes[k]!
        equal[i] = codes[i] === 0 && x[k] === xOf(i) && nn[k] === nOf(i) ? 1 : 0
      }
    } catch (error) {
      if (!(error instanceof AerospikeError)) throw error
      codes.fill(error.code, start, end)
    }
  }
  return { codes, equal }
}

describe('node loss on a real 3-node cluster, blocking client', () => {
  let fc: ControlledCluster | undefined
  let c: Client | undefined

  beforeEach((ctx) => {
    if (skipReason !== null) ctx.skip(skipReason)
  })
  beforeAll(async () => {
    if (skipReason !== null) return
    fc = await openControlledCluster()
    c = client({ hosts: fc.hostsString }).connect()
  }, 20 * 60_000)
  afterAll(async () => {
    c?.close()
    await fc?.close()
  }, 5 * 60_000)

  it(
    'SIGKILL while writeNumpy blocks: every row ends written (retry); reads during the loss and once stable',
    async () => {
      const cluster = fc!
      const step = stepTimer('blocking client, SIGKILL mid-write')
      await cluster.restore()
      step('cluster stable')
      const set = uniqueSetName('sync_kill')
      const n = 300_000
      // Node 0 holds about two thirds of the rows written so far (masters and replicas): the kill
      // comes a few per cent into the write. Another process kills it: this thread is blocked.
      const kill = cluster.stopNodeWhen(1, { namespace: 'test', set, objects: 10_000, kill: true })
      await kill.ready
      const written = c!.writeNumpy(rows(n), 'test', set, dt, {
        retry: RETRY,
        policy: WRITE_POLICY,
      })
      const writeEnded = Date.now()
      step('write')
      const { stoppedAt } = await kill.done
      expect(stoppedAt, 'the node died while the write ran').toBeLessThan(writeEnded)

      // During the loss (the cluster is still moving partitions): each row read or reported.
      const during = readBack(c!, set, READ_CHUNK)
      const t1 = tallyReadDuringLoss(
        during.codes,
        during.equal,
        written.resultCodes.subarray(0, READ_CHUNK),
      )
      expect(t1.wrongValues).toEqual([])
      expect(t1.notFound).toEqual([])
      step('read during the loss')

      // Node 1 down, the other two stable: every row has a copy.
      await cluster.waitStable()
      step('stable on two nodes')
      const back = readBack(c!, set, n)
      const t = tallyNodeLoss({
        writeCodes: written.resultCodes,
        inDoubt: written.inDoubt,
        readCodes: back.codes,
        readEqual: back.equal,
      })
      console.info(`sync client (wire engine), SIGKILL, retry: ${formatTally(t)}`)
      expect(t.unread).toEqual([])
      expect(t.lostWrites).toEqual([])
      expect(t.wrongValues).toEqual([])
      expect(t.unflagged).toEqual([])
      expect(t.written).toBe(n)
      expect(t.present).toBe(n)
      step('read back')

      // Migrations on the node's return stay short when the rows are gone.
      await cluster.truncate('test', set)
      await cluster.restore()
      step('node back, stable')
    },
    FAULT_TEST_TIMEOUT_MS,
  )

  it(
    'a process that loses every node gets clear errors within its timeouts from every client, and exits after close()',
    async () => {
      const cluster = fc!
      const step = stepTimer('every node lost')
      await cluster.restore()
      step('cluster stable')
      const set = uniqueSetName('sync_lose_all')
      const script = `
      import { client } from ${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)}
      import { AerospikeError, AsyncClient } from '@aerospike-numpy/async'
      import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
      const hosts = ${JSON.stringify(cluster.hostsString)}
      const set = ${JSON.stringify(set)}
      const dt = dtype([['_key', 'i4'], ['x', 'f8']])
      const data = StructuredArray.fromRows(dt, [[1, 0.5], [2, 0.25], [3, 0.125]])
      const policy = { totalTimeout: 3000, socketTimeout: 3000 }
      const blocking = client({ hosts }).connect()
      const clients = { blocking: {
        write: async () => blocking.batchWriteNumpy(data, 'test', set, dt, { policy }),
        read: async () => blocking.batchRead([['test', set, 1]], { dtype: dt, policy }),
        close: async () => blocking.close(),
      } }
      for (const engine of ['wire', 'official']) {
        const c = await new AsyncClient({ hosts, engine, log: { level: -1 } }).connect()
        clients[engine] = {
          write: () => c.batchWriteNumpy(data, 'test', set, dt, { policy }),
          read: () => c.batchRead([['test', set, 1]], { dtype: dt, policy }),
          close: () => c.close(),
        }
      }
      for (const [name, c] of Object.entries(clients)) {
        if ((await c.write()).writtenCount !== 3) throw new Error(name + ': the first write failed')
      }
      console.log('ready')
      await new Promise((resolve) => process.stdin.once('data', resolve))
      process.stdin.destroy()
      const attempt = async (call) => {
        const started = Date.now()
        try {
          await call()
          return { ok: true }
        } catch (e) {
          return { ok: false, aerospike: e instanceof AerospikeError, name: e.name, code: e.code, message: e.message, ms: Date.now() - started }
        }
      }
      const out = {}
      for (const [name, c] of Object.entries(clients)) {
        out[name] = { write: await attempt(c.write), read: await attempt(c.read) }
        await c.close()
      }
      console.log(JSON.stringify(out))
    `
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
        cwd: new URL('..', import.meta.url),
        stdio: ['pipe', 'pipe', 'pipe'],
      })
      let stdout = ''
      let stderr = ''
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
      child.stdin.on('error', () => {}) // a child that died early: its exit code tells
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString()
          if (stdout.includes('ready\n')) resolve()
        })
        void exited.then(() => reject(new Error(`the child exited before it was ready: ${stderr}`)))
      })
      for (let i = 0; i < cluster.nodeCount; i++) await cluster.stopNode(i, { kill: true })
      child.stdin.end('g')
      // A hang guard, not a speed claim: a process that does not exit after close() fails here.
      const guard = setTimeout(() => child.kill('SIGKILL'), 90_000)
      const code = await exited
      clearTimeout(guard)
      expect(code, `the process did not exit by itself after close(): ${stderr}`).toBe(0)
      const out = JSON.parse(stdout.split('\n').filter(Boolean).at(-1)!) as Record<
        string,
        Record<
          string,
          {
            ok: boolean
            aerospike: boolean
            name: string
            code: number
            message: string
            ms: number
          }
        >
      >
      console.info(`every node lost: ${JSON.stringify(out)}`)
      expect(Object.keys(out)).toEqual(['blocking', 'wire', 'official'])
      for (const [name, calls] of Object.entries(out)) {
        for (const call of ['write', 'read']) {
          const r = calls[call]!
          expect(r, `${name} ${call}`).toMatchObject({ ok: false, aerospike: true })
          expect([-10, -8, 9, -15, 1], `${name} ${call}: ${r.name} ${r.code}`).toContain(r.code)
          expect(r.message.length).toBeGreaterThan(10)
          // within its totalTimeout (3 s), with room for a loaded machine
          expect(r.ms).toBeLessThan(30_000)
        }
      }
      step('calls failed, process exited')
      await cluster.restore()
      step('nodes back, stable')
    },
    FAULT_TEST_TIMEOUT_MS,
  )
})
