// A node SIGKILLed mid-scan on a real 3-node cluster (replication factor 2), both engines: the
// scan either resumes the lost node's partitions on the nodes that take them over, or reports
// them in a ScanIncompleteError; resuming those from `error.unfinished` then gives every row
// exactly once, with its values and stored key. These tests kill and restart real nodes, so they
// run only against a cluster they control (`.ci/run`'s fault phase passes it; see test-utils'
// server-control) and skip elsewhere, saying why.
import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
import { stepTimer, uniqueSetName } from '@aerospike-numpy/test-utils'
import * as nodeLoss from '@aerospike-numpy/test-utils/node-loss'
import { describe, expect, it } from 'vitest'
import type { EngineName } from './config.js'
import { ScanIncompleteError, type ScanChunk } from './index.js'
import { useControlledClients } from './test-support/controlled.js'
import { testEngines } from './test-support/engines.js'

const dt = dtype(nodeLoss.NODE_LOSS_FIELDS)
const N = 200_000
const xOf = nodeLoss.nodeLossX
const nOf = nodeLoss.nodeLossN
const rows = (n: number): StructuredArray =>
  StructuredArray.fromColumns(dt, nodeLoss.nodeLossColumns(n))

const WRITE_POLICY = { ...nodeLoss.NODE_LOSS_WRITE_POLICY, key: 1 } as const
/** Retries long enough for the cluster to hand the lost node's partitions over (seconds). */
const SCAN_POLICY = { socketTimeout: 30_000, maxRetries: 20, sleepBetweenRetries: 1000 } as const

/** Times each key was seen, and rows whose values or key were wrong. */
class Seen {
  readonly count = new Uint8Array(N)
  readonly wrong: number[] = []
  rows = 0

  take(chunk: ScanChunk): void {
    const key = chunk.records.get('_key') as Int32Array
    const x = chunk.records.get('x') as Float64Array
    const n = chunk.records.get('n') as Int32Array
    for (let i = 0; i < chunk.length; i++) {
      const k = key[i]!
      this.rows++
      if (k < 0 || k >= N || x[i] !== xOf(k) || n[i] !== nOf(k)) {
        if (this.wrong.length < 20) this.wrong.push(k)
        continue
      }
      this.count[k]!++
    }
  }

  expectEveryRowOnce(engine: EngineName): void {
    expect(this.wrong, `${engine}: rows with a wrong key or values`).toEqual([])
    const twice: number[] = []
    const missing: number[] = []
    for (let k = 0; k < N; k++) {
      if (this.count[k]! > 1 && twice.length < 20) twice.push(k)
      if (this.count[k] === 0 && missing.length < 20) missing.push(k)
    }
    expect(twice, `${engine}: keys read twice`).toEqual([])
    expect(missing, `${engine}: keys never read`).toEqual([])
    expect(this.rows).toBe(N)
  }
}

const ENGINES = testEngines()

describe('a node killed mid-scan on a real 3-node cluster', () => {
  const controlled = useControlledClients(ENGINES)

  for (const engine of ENGINES) {
    it(
      `${engine}: every row exactly once, resumed by the scan or from the partitions it reports`,
      async () => {
        const cluster = controlled.cluster
        const client = controlled.client(engine)
        const step = stepTimer(`${engine}: SIGKILL mid-scan`)
        await cluster.restore()
        const set = uniqueSetName(`scankill_${engine}`)
        // The rows the scan reads: chunks that fail on a loaded machine are sent again (the write
        // is not what this test is about; once a chunk of 1,000 timed out with every fault file
        // running at once).
        const written = await client.writeNumpy(rows(N), 'test', set, dt, {
          policy: WRITE_POLICY,
          retry: nodeLoss.NODE_LOSS_RETRY,
        })
        expect(written.failedCount).toBe(0)
        step('written')

        const seen = new Seen()
        let chunks = 0
        let killed: Promise<void> | undefined
        let error: unknown = null
        try {
          for await (const chunk of client.scanNumpy('test', set, {
            dtype: dt,
            chunkRows: 5_000,
            policy: SCAN_POLICY,
          })) {
            seen.take(chunk)
            chunks++
            // A few chunks in, while every node's request is open (a slow consumer pauses them).
            if (chunks === 3) killed = cluster.stopNode(1, { kill: true })
            if (chunks <= 6) await killed
            await new Promise((resolve) => setTimeout(resolve, 20))
          }
        } catch (e) {
          error = e
        }
        expect(killed, `${engine}: the node was killed before the scan ended`).toBeDefined()
        await killed
        step(
          `scan: ${seen.rows} rows, ${chunks} chunks, ${error === null ? 'complete' : String(error)}`,
        )
        if (error !== null) {
          // The only acceptable failure: the partitions it could not finish, reported.
          expect(error).toBeInstanceOf(ScanIncompleteError)
          const incomplete = error as ScanIncompleteError
          expect(incomplete.unfinished.length).toBeGreaterThan(0)
          expect(incomplete.rows).toBe(seen.rows)
          await cluster.waitStable()
          const rest = await client.scanNumpyAll('test', set, {
            dtype: dt,
            partitions: incomplete.unfinished,
            policy: SCAN_POLICY,
          })
          seen.take(rest)
          step(`resumed ${incomplete.unfinished.length} partitions: ${rest.length} rows`)
        }
        seen.expectEveryRowOnce(engine)

        // The rows go before the node comes back, so its return migrates next to nothing (it comes
        // back empty: the namespace is in memory), and the two nodes left stop re-copying them.
        await cluster.truncate('test', set)
        step('truncated on two nodes')
        await cluster.restore()
        step('node back, stable')
      },
      nodeLoss.FAULT_TEST_TIMEOUT_MS,
    )
  }
})
