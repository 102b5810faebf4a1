/**
 * Failures injected by the devserver: failed rows go to the dead-letter file with their source
 * row, key, code and in-doubt flag; re-ingesting that file completes the set. --max-errors stops
 * cleanly (rows in flight settle, the checkpoint is saved) and --resume finishes the run.
 * (The devserver's fault injection has no counterpart on a real server: skipped there.)
 */
import { readFileSync } from 'node:fs'
import { uniqueSetName, usesDevServer } from '@aerospike-numpy/test-utils'
import { describe, expect, it } from 'vitest'
import { ingest } from './ingest.js'
import { presentKeys, run, useHarness } from './test-support/cluster.js'
import { readings, writeArrowReadings, writeNpyReadings } from './test-support/fixtures.js'

const N = 4_000

describe.skipIf(!usesDevServer())(
  'dead letters (devserver fault injection; a real server cannot be made to fail chosen keys)',
  () => {
    const h = useHarness()

    it('failed rows are logged with row, key, code; re-ingesting the file completes the set', async () => {
      const path = h.file('dl.arrow')
      writeArrowReadings(path, readings(N), 'file')
      const set = uniqueSetName('dl')
      const bad = [3, 777, 2_321, 3_999]
      const server = h.cluster.devserver!
      // 13 (record too big) is permanent: never retried; only the first attempt per key fails
      await server.injectFault({ namespace: 'test', set, keys: bad, resultCode: 13, times: 1 })
      // 14 (key busy) is transient: retried, and the throttle backs off
      await server.injectFault({
        namespace: 'test',
        set,
        keys: [100, 200],
        resultCode: 14,
        times: 1,
      })
      const deadLetter = h.file('dl.jsonl')
      const first = await h.ingest(path, set, {
        key: 'sensor_id',
        deadLetter,
        verify: 'all',
      })
      expect(first).toMatchObject({
        sourceRows: N,
        written: N - bad.length,
        failed: bad.length,
        inDoubt: 0,
        exitCode: 1,
        deadLetter: { path: deadLetter, rows: bad.length },
        // the rows not written are left out of verification, the others match
        verify: { rowsVerified: N - bad.length, mismatches: 0 },
      })
      expect(first.throttle.backoffs).toBeGreaterThanOrEqual(1)
      const lines = readFileSync(deadLetter, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
      expect(lines[0]).toMatchObject({
        format: 'aerospike-numpy-dead-letter',
        keyField: 'sensor_id',
        set,
      })
      const entries = lines.slice(1).sort((a, b) => a.row - b.row)
      expect(entries.map((e) => [e.row, e.key, e.result, e.resultName, e.inDoubt])).toEqual(
        bad.map((k) => [k, k, 13, 'ERR_RECORD_TOO_BIG', false]),
      )
      expect(await presentKeys(h.client, set, N)).toBe(N - bad.length)

      // the dead-letter file is a source: exactly those rows, with their data
      const retry = await run(h.args(deadLetter, set, '--verify', 'all', '--json', '--quiet'))
      expect(retry.code).toBe(0)
      expect(JSON.parse(retry.stdout)).toMatchObject({
        format: 'dead-letter',
        sourceRows: bad.length,
        written: bad.length,
        verify: { rowsVerified: bad.length, mismatches: 0 },
      })
      expect(await presentKeys(h.client, set, N + 100)).toBe(N)
      const all = await h.ingest(path, set, {
        key: 'sensor_id',
        verify: 'all',
        chunkSize: 1000,
      })
      expect(all.verify).toMatchObject({ rowsVerified: N, mismatches: 0 })
    })

    it('--max-errors stops cleanly with the checkpoint saved; --resume finishes', async () => {
      const path = h.file('maxerr.npy')
      writeNpyReadings(path, readings(N))
      const set = uniqueSetName('maxerr')
      const server = h.cluster.devserver!
      await server.injectFault({ namespace: 'test', set, fraction: 0.05, seed: 7, resultCode: 13 })
      const checkpoint = h.file('maxerr.ckpt')
      const deadLetter = h.file('maxerr.jsonl')
      const base = {
        file: path,
        hosts: h.cluster.hostsString,
        namespace: 'test',
        set,
        key: 'sensor_id',
        chunkSize: 200,
        concurrency: 1,
        checkpoint,
        deadLetter,
      }
      const stopped = await ingest({ ...base, maxErrors: { rows: 20 } })
      expect(stopped.stoppedBy).toBe('max-errors')
      expect(stopped.exitCode).toBe(1)
      expect(stopped.failed).toBeGreaterThan(20)
      expect(stopped.notAttempted).toBeGreaterThan(0)
      expect(stopped.written + stopped.failed + stopped.inDoubt + stopped.notAttempted).toBe(N)
      await server.clearFaults()
      const resumed = await ingest({ ...base, resume: true, verify: 'all' })
      // chunks whose failed rows are in the dead-letter file are settled: only the rest is sent
      expect(resumed).toMatchObject({
        written: N - stopped.failed,
        failed: stopped.failed,
        notAttempted: 0,
        exitCode: 1,
        deadLetter: { rows: stopped.failed },
      })
      expect(resumed.sentThisRun).toBe(stopped.notAttempted)
      expect(resumed.verify).toMatchObject({ rowsVerified: N - stopped.failed, mismatches: 0 })
      const retry = await h.ingest(deadLetter, set, {
        verify: 'all',
      })
      expect(retry).toMatchObject({ written: stopped.failed, exitCode: 0 })
      expect(await presentKeys(h.client, set, N + 100)).toBe(N)
    })
  },
)
