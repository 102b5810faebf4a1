// Node loss on a real 3-node cluster (replication factor 2), both engines: a node SIGKILLed or
// stopped mid-write and brought back mid-write. (A process that loses every node, with both
// engines and the blocking client, is in sync's node-loss.fault.test.ts: one loss for all three.)
// These tests stop and restart real nodes, so they run only against a cluster they control
// (`.ci/run`'s fault phase passes it; see test-utils' server-control) and skip elsewhere, saying
// why.
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
  type NodeLossTally,
} from '@aerospike-numpy/test-utils'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { AsyncClient } from './client.js'
import type { EngineName } from './config.js'
import { AerospikeError, type BatchRecords } from './index.js'
import { testEngines } from './test-support/engines.js'

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

interface ReadBack {
  codes: Int32Array
  equal: Uint8Array
  /** Whole-call failures (the official client rejects a batch when one node fails). */
  errors: AerospikeError[]
}

/** Reads keys 0..n-1 of the set back, in chunks; a chunk's whole-call failure is its rows' code. */
async function readBack(client: AsyncClient, set: string, n: number): Promise<ReadBack> {
  const codes = new Int32Array(n)
  const equal = new Uint8Array(n)
  const errors: AerospikeError[] = []
  for (let start = 0; start < n; start += READ_CHUNK) {
    const end = Math.min(n, start + READ_CHUNK)
    const keys = Array.from({ length: end - start }, (_, k) => ['test', set, start + k])
    try {
      const r = await client.batchRead(keys, { dtype: readDt, policy: READ_POLICY })
      const x = r.batchRecords.get('x') as Float64Array
      const nn = r.batchRecords.get('n') as Int32Array
      for (let k = 0; k < r.length; k++) {
        const i = start + k
        codes[i] = r.resultCodes[k]!
        equal[i] = codes[i] === 0 && x[k] === xOf(i) && nn[k] === nOf(i) ? 1 : 0
      }
    } catch (error) {
      if (!(error instanceof AerospikeError)) throw error
      errors.push(error)
      codes.fill(error.code, start, end)
    }
  }
  return { codes, equal, errors }
}

function tally(written: BatchRecords, read: ReadBack): NodeLossTally {
  return tallyNodeLoss({
    writeCodes: written.resultCodes,
    inDoubt: written.inDoubt,
    readCodes: read.codes,
    readEqual: read.equal,
  })
}

/** Holds for any write cut by a node loss, once the cluster is stable and every row read back. */
function expectConsistent(t: NodeLossTally): void {
  expect(t.unread, 'rows whose read-back failed').toEqual([])
  expect(t.lostWrites, 'rows reported written but not on the server').toEqual([])
  expect(t.wrongValues, 'rows on the server with other values').toEqual([])
  expect(t.unflagged, 'rows on the server reported failed and not in doubt').toEqual([])
  expect(t.present - t.written).toBeGreaterThanOrEqual(0)
  expect(t.present - t.written).toBeLessThanOrEqual(t.inDoubt)
}

const ENGINES = testEngines()

// Both engines write at once, through the same node loss: one loss, one recovery, for both.
describe('node loss on a real 3-node cluster', () => {
  let fc: ControlledCluster | undefined
  const clients = new Map<EngineName, AsyncClient>()

  beforeEach((ctx) => {
    if (skipReason !== null) ctx.skip(skipReason)
  })
  beforeAll(async () => {
    if (skipReason !== null) return
    fc = await openControlledCluster()
    for (const engine of ENGINES) {
      const client = new AsyncClient({ hosts: fc.hostsString, engine, log: { level: -1 } })
      clients.set(engine, await client.connect())
    }
  }, 20 * 60_000)
  afterAll(async () => {
    for (const client of clients.values()) await client.close()
    await fc?.close()
  }, 5 * 60_000)

  it(
    'SIGKILL mid-write: with retry every row ends written; without re-sends in doubt, rows not written are reported and in doubt wherever they may be on the server; reads during the loss and once stable',
    async () => {
      const cluster = fc!
      const step = stepTimer('SIGKILL mid-write')
      await cluster.restore()
      step('cluster stable')
      const nResent = 300_000
      const nKept = 50_000
      const sets = ENGINES.map((engine) => ({
        engine,
        resent: uniqueSetName(`kill_${engine}`),
        kept: uniqueSetName(`kill_nores_${engine}`),
      }))
      // Node 0 holds about two thirds of the rows written so far (masters and replicas): the kill
      // comes a few per cent into the writes.
      const kill = cluster.stopNodeWhen(1, {
        namespace: 'test',
        set: sets[0]!.resent,
        objects: 10_000,
        kill: true,
      })
      await kill.ready
      const timed = async <T>(write: Promise<T>): Promise<{ result: T; ended: number }> => {
        const result = await write
        return { result, ended: Date.now() }
      }
      const writes = await Promise.all(
        sets.map(async ({ engine, resent, kept }) => {
          const c = clients.get(engine)!
          const [a, b] = await Promise.all([
            timed(
              c.writeNumpy(rows(nResent), 'test', resent, dt, {
                retry: RETRY,
                policy: WRITE_POLICY,
              }),
            ),
            timed(
              c.writeNumpy(rows(nKept), 'test', kept, dt, {
                retry: RETRY,
                policy: { ...WRITE_POLICY, resendInDoubt: false },
              }),
            ),
          ])
          return { engine, resent, kept, a, b }
        }),
      )
      step('writes')
      const { stoppedAt } = await kill.done
      for (const w of writes) {
        expect(stoppedAt, `${w.engine}: the node died while the writes ran`).toBeLessThan(
          Math.min(w.a.ended, w.b.ended),
        )
      }

      // During the loss (the cluster is still moving partitions): each row read or reported.
      for (const w of writes) {
        const n = READ_CHUNK
        const during = await readBack(clients.get(w.engine)!, w.resent, n)
        const t = tallyReadDuringLoss(during.codes, during.equal, w.a.result.resultCodes)
        expect(t.wrongValues, `${w.engine}: read during the loss`).toEqual([])
        expect(t.notFound, `${w.engine}: read during the loss`).toEqual([])
        for (const e of during.errors) expect(e.message).not.toBe('')
      }
      step('reads during the loss')

      // Node 1 down, the other two stable: every row has a copy.
      await cluster.waitStable()
      step('stable on two nodes')
      // Read back through the wire engine: this checks the server's contents, and the official
      // client's per-row cost would multiply the time of this step.
      const reader = clients.get('wire') ?? clients.get(ENGINES[0]!)!
      for (const w of writes) {
        const ta = tally(w.a.result, await readBack(reader, w.resent, nResent))
        const tb = tally(w.b.result, await readBack(reader, w.kept, nKept))
        console.info(`engine ${w.engine}, SIGKILL, retry: ${formatTally(ta)}`)
        console.info(`engine ${w.engine}, SIGKILL, retry, resendInDoubt false: ${formatTally(tb)}`)
        expectConsistent(ta)
        expect(ta.written, `${w.engine}: every row written`).toBe(nResent)
        expectConsistent(tb)
        expect(
          tb.failed,
          `${w.engine}: the kill cut rows of the write without re-sends`,
        ).toBeGreaterThan(0)
      }
      step('read back')

      // Migrations on the node's return stay short when the rows are gone.
      for (const w of writes) {
        await cluster.truncate('test', w.resent)
        await cluster.truncate('test', w.kept)
      }
      await cluster.restore()
      step('node back, stable')
    },
    FAULT_TEST_TIMEOUT_MS,
  )

  it(
    'a clean stop, then the node back mid-write: every row written, and no stale routing once stable',
    async () => {
      const cluster = fc!
      const step = stepTimer('clean stop, back mid-write')
      await cluster.restore()
      step('cluster stable')
      const n = 60_000
      const chunk = 2_000
      const data = rows(n)
      // Every engine's stream pauses on the same events: the first to reach a third of its rows
      // stops node 1 (without waiting), the first to reach two thirds waits for that and starts it.
      let stopping: Promise<void> | undefined
      let restarting: Promise<void> | undefined
      async function* source(): AsyncGenerator<StructuredArray> {
        for (let start = 0; start < n; start += chunk) {
          if (start === n / 3) stopping ??= cluster.stopNode(1)
          if (start === (2 * n) / 3) {
            restarting ??= (async () => {
              await stopping
              await cluster.startNode(1)
            })()
            await restarting
          }
          yield data.slice(start, start + chunk)
        }
      }
      const results = await Promise.all(
        ENGINES.map(async (engine) => {
          const set = uniqueSetName(`stop_${engine}`)
          const summary = await clients.get(engine)!.writeNumpy(source(), 'test', set, dt, {
            chunkSize: chunk,
            retry: RETRY,
            policy: WRITE_POLICY,
          })
          return { engine, set, summary }
        }),
      )
      step('writes')
      await cluster.waitStable()
      step('stable')
      const reader = clients.get('wire') ?? clients.get(ENGINES[0]!)!
      for (const { engine, set, summary } of results) {
        expect(summary.failures.slice(0, 20), engine).toEqual([])
        expect(summary.writtenCount, engine).toBe(n)
        const read = await readBack(reader, set, n)
        expect(read.errors, engine).toEqual([])
        expect(
          read.codes.every((code) => code === 0),
          engine,
        ).toBe(true)
        expect(
          read.equal.every((e) => e === 1),
          engine,
        ).toBe(true)

        // The client has the new map: a write and a read with no repeats at all go through.
        const fresh = uniqueSetName(`stop_after_${engine}`)
        const strict = { ...WRITE_POLICY, maxRetries: 0 }
        const c = clients.get(engine)!
        const after = await c.batchWriteNumpy(rows(10_000), 'test', fresh, dt, { policy: strict })
        expect(after.failures.slice(0, 20), engine).toEqual([])
        const keys = Array.from({ length: 10_000 }, (_, i) => ['test', fresh, i])
        const back = await c.batchRead(keys, { dtype: readDt, policy: strict })
        expect(back.foundCount(), engine).toBe(10_000)
        await cluster.truncate('test', set)
        await cluster.truncate('test', fresh)
      }
      step('read back')
    },
    FAULT_TEST_TIMEOUT_MS,
  )
})
