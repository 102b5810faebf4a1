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
  openControlledCluster,
  stepTimer,
  uniqueSetName,
  type ControlledCluster,
} from '@aerospike-numpy/test-utils'
import * as nodeLoss from '@aerospike-numpy/test-utils/node-loss'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'

import { client, type Client } from './client.js'

const skipReason = controlledClusterSkipReason()

const dt = dtype(nodeLoss.NODE_LOSS_FIELDS)
const readDt = dtype(nodeLoss.NODE_LOSS_READ_FIELDS)
const rows = (n: number): StructuredArray =>
  StructuredArray.fromColumns(dt, nodeLoss.nodeLossColumns(n))

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
        retry: nodeLoss.NODE_LOSS_RETRY,
        policy: nodeLoss.NODE_LOSS_WRITE_POLICY,
      })
      const writeEnded = Date.now()
      step('write')
      const { stoppedAt } = await kill.done
      expect(stoppedAt, 'the node died while the write ran').toBeLessThan(writeEnded)

      // During the loss (the cluster is still moving partitions): each row read or reported.
      const during = await nodeLoss.readBack(c!, readDt, set, nodeLoss.NODE_LOSS_READ_CHUNK)
      const t1 = nodeLoss.tallyReadDuringLoss(
        during.codes,
        during.equal,
        written.resultCodes.subarray(0, nodeLoss.NODE_LOSS_READ_CHUNK),
      )
      expect(t1.wrongValues).toEqual([])
      expect(t1.notFound).toEqual([])
      for (const e of during.errors) expect(e).toBeInstanceOf(AerospikeError)
      step('read during the loss')

      // Node 1 down, the other two stable: every row has a copy.
      await cluster.waitStable()
      step('stable on two nodes')
      const back = await nodeLoss.readBack(c!, readDt, set, n)
      const t = nodeLoss.tallyNodeLoss({
        writeCodes: written.resultCodes,
        inDoubt: written.inDoubt,
        readCodes: back.codes,
        readEqual: back.equal,
      })
      console.info(`sync client (wire engine), SIGKILL, retry: ${nodeLoss.formatTally(t)}`)
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
    nodeLoss.FAULT_TEST_TIMEOUT_MS,
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
    nodeLoss.FAULT_TEST_TIMEOUT_MS,
  )
})
