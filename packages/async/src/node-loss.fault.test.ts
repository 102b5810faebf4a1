// Node loss on a real 3-node cluster (replication factor 2), both engines: a node SIGKILLed or
// stopped mid-write and brought back mid-write. (A process that loses every node, with both
// engines and the blocking client, is in sync's node-loss.fault.test.ts: one loss for all three.)
// These tests stop and restart real nodes, so they run only against a cluster they control
// (`.ci/run`'s fault phase passes it; see test-utils' server-control) and skip elsewhere, saying
// why.
import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
import { stepTimer, uniqueSetName } from '@aerospike-numpy/test-utils'
import * as nodeLoss from '@aerospike-numpy/test-utils/node-loss'
import { describe, expect, it } from 'vitest'
import { AerospikeError, type BatchRecords } from './index.js'
import { useControlledClients } from './test-support/controlled.js'
import { testEngines } from './test-support/engines.js'

const dt = dtype(nodeLoss.NODE_LOSS_FIELDS)
const readDt = dtype(nodeLoss.NODE_LOSS_READ_FIELDS)
const rows = (n: number): StructuredArray =>
  StructuredArray.fromColumns(dt, nodeLoss.nodeLossColumns(n))

function tally(written: BatchRecords, read: nodeLoss.ReadBack): nodeLoss.NodeLossTally {
  return nodeLoss.tallyNodeLoss({
    writeCodes: written.resultCodes,
    inDoubt: written.inDoubt,
    readCodes: read.codes,
    readEqual: read.equal,
  })
}

/** Holds for any write cut by a node loss, once the cluster is stable and every row read back. */
function expectConsistent(t: nodeLoss.NodeLossTally): void {
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
  const controlled = useControlledClients(ENGINES)

  it(
    'SIGKILL mid-write: with retry every row ends written; without re-sends in doubt, rows not written are reported and in doubt wherever they may be on the server; reads during the loss and once stable',
    async () => {
      const cluster = controlled.cluster
      const step = stepTimer('SIGKILL mid-write')
      await cluster.restore()
      step('cluster stable')
      const nResent = 300_000
      const nKept = 100_000
      const sets = ENGINES.map((engine) => ({
        engine,
        resent: uniqueSetName(`kill_${engine}`),
        kept: uniqueSetName(`kill_nores_${engine}`),
      }))
      // The kill must land while all the writes run, whichever engine the machine's load favours:
      // it watches the smaller write of the official engine (the slower one on a quiet machine,
      // where the wire engine writes several times faster) and comes a few per cent into it. The
      // stopped node holds about two thirds of the rows written so far (masters and replicas).
      const watched = sets.find((s) => s.engine === 'official') ?? sets[0]!
      const kill = cluster.stopNodeWhen(1, {
        namespace: 'test',
        set: watched.kept,
        objects: 2_000,
        kill: true,
      })
      await kill.ready
      const timed = async <T>(write: Promise<T>): Promise<{ result: T; ended: number }> => {
        const result = await write
        return { result, ended: Date.now() }
      }
      const writes = await Promise.all(
        sets.map(async ({ engine, resent, kept }) => {
          const c = controlled.client(engine)
          const [a, b] = await Promise.all([
            timed(
              c.writeNumpy(rows(nResent), 'test', resent, dt, {
                retry: nodeLoss.NODE_LOSS_RETRY,
                policy: nodeLoss.NODE_LOSS_WRITE_POLICY,
              }),
            ),
            timed(
              c.writeNumpy(rows(nKept), 'test', kept, dt, {
                retry: nodeLoss.NODE_LOSS_RETRY,
                policy: { ...nodeLoss.NODE_LOSS_WRITE_POLICY, resendInDoubt: false },
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
        const n = nodeLoss.NODE_LOSS_READ_CHUNK
        const during = await nodeLoss.readBack(controlled.client(w.engine), readDt, w.resent, n)
        const t = nodeLoss.tallyReadDuringLoss(during.codes, during.equal, w.a.result.resultCodes)
        expect(t.wrongValues, `${w.engine}: read during the loss`).toEqual([])
        expect(t.notFound, `${w.engine}: read during the loss`).toEqual([])
        for (const e of during.errors) {
          expect(e).toBeInstanceOf(AerospikeError)
          expect(e.message).not.toBe('')
        }
      }
      step('reads during the loss')

      // Node 1 down, the other two stable: every row has a copy.
      await cluster.waitStable()
      step('stable on two nodes')
      // Read back through the wire engine: this checks the server's contents, and the official
      // client's per-row cost would multiply the time of this step.
      const reader = controlled.client(ENGINES.includes('wire') ? 'wire' : ENGINES[0]!)
      const cut: Record<string, number> = {}
      for (const w of writes) {
        const ta = tally(w.a.result, await nodeLoss.readBack(reader, readDt, w.resent, nResent))
        const tb = tally(w.b.result, await nodeLoss.readBack(reader, readDt, w.kept, nKept))
        console.info(`engine ${w.engine}, SIGKILL, retry: ${nodeLoss.formatTally(ta)}`)
        console.info(
          `engine ${w.engine}, SIGKILL, retry, resendInDoubt false: ${nodeLoss.formatTally(tb)}`,
        )
        expectConsistent(ta)
        expect(ta.written, `${w.engine}: every row written`).toBe(nResent)
        expectConsistent(tb)
        cut[w.engine] = tb.failed
      }
      // The kill cuts the rows an engine had in flight to the node: on a loaded machine one engine
      // may have had none there at that moment (its later rows found the node refused, a failure
      // re-sent at once), so the check that the loss was seen is over both engines.
      expect(
        Object.values(cut).reduce((sum, n) => sum + n, 0),
        `the kill cut rows of the writes without re-sends (${JSON.stringify(cut)})`,
      ).toBeGreaterThan(0)
      step('read back')

      // Migrations on the node's return stay short when the rows are gone.
      for (const w of writes) {
        await cluster.truncate('test', w.resent)
        await cluster.truncate('test', w.kept)
      }
      await cluster.restore()
      step('node back, stable')
    },
    nodeLoss.FAULT_TEST_TIMEOUT_MS,
  )

  it(
    'a clean stop, then the node back mid-write: every row written, and no stale routing once stable',
    async () => {
      const cluster = controlled.cluster
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
          const summary = await controlled.client(engine).writeNumpy(source(), 'test', set, dt, {
            chunkSize: chunk,
            retry: nodeLoss.NODE_LOSS_RETRY,
            policy: nodeLoss.NODE_LOSS_WRITE_POLICY,
          })
          return { engine, set, summary }
        }),
      )
      step('writes')
      await cluster.waitStable()
      step('stable')
      const reader = controlled.client(ENGINES.includes('wire') ? 'wire' : ENGINES[0]!)
      for (const { engine, set, summary } of results) {
        expect(summary.failures.slice(0, 20), engine).toEqual([])
        expect(summary.writtenCount, engine).toBe(n)
        const read = await nodeLoss.readBack(reader, readDt, set, n)
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
        const strict = { ...nodeLoss.NODE_LOSS_WRITE_POLICY, maxRetries: 0 }
        const c = controlled.client(engine)
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
    nodeLoss.FAULT_TEST_TIMEOUT_MS,
  )
})
