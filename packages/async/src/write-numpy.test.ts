/**
 * Bulk writes: 200,000 rows from an array and a streamed `.npy` file, with progress, abort and
 * whole-chunk failures; every row ends written or reported.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { dtype, openNpy, StructuredArray, writeNpy } from '@aerospike-numpy/dtype'
import {
  getTestCluster,
  uniqueSetName,
  usesDevServer,
  type TestCluster,
} from '@aerospike-numpy/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AsyncClient } from './client.js'
import type { WriteProgress } from './chunks.js'
import { ResultCode } from './index.js'
import { TEST_POLICY, connectClient, storedBinNames, testEngines } from './test-support/engines.js'

const sensor = dtype([
  ['_key', 'i4'],
  ['temperature', 'f8'],
  ['humidity', 'f4'],
  ['pressure', 'f4'],
  ['status', 'u1'],
])

function sensorRows(n: number, keyBase = 0): StructuredArray {
  const data = StructuredArray.zeros(sensor, n)
  data.set(
    '_key',
    Int32Array.from({ length: n }, (_, i) => keyBase + i),
  )
  data.set(
    'temperature',
    Float64Array.from({ length: n }, (_, i) => 20 + (i % 100) / 10),
  )
  data.set(
    'humidity',
    Float32Array.from({ length: n }, (_, i) => 30 + (i % 60)),
  )
  data.set(
    'pressure',
    Float32Array.from({ length: n }, (_, i) => 1000 + (i % 30)),
  )
  data.set(
    'status',
    Uint8Array.from({ length: n }, (_, i) => i % 3),
  )
  return data
}

/** Checks progress reports: counts only grow, and the last one covers every row. */
function expectProgress(seen: WriteProgress[], total: number, totalRows: number | null): void {
  expect(seen.length).toBeGreaterThan(1)
  for (let i = 1; i < seen.length; i++) {
    expect(seen[i]!.rowsDone).toBeGreaterThan(seen[i - 1]!.rowsDone)
    expect(seen[i]!.chunksDone).toBe(seen[i - 1]!.chunksDone + 1)
  }
  const last = seen[seen.length - 1]!
  expect(last).toMatchObject({ rowsDone: total, totalRows })
  expect(last.rowsWritten + last.rowsFailed).toBe(total)
}

describe.each(testEngines())('writeNumpy, engine %s', (engine) => {
  let cluster: TestCluster
  let client: AsyncClient
  let dir: string

  beforeAll(async () => {
    cluster = await getTestCluster()
    client = await connectClient(cluster, engine)
    dir = await mkdtemp(join(tmpdir(), 'async-write-numpy-'))
  })
  afterAll(async () => {
    await client?.close()
    await cluster?.close()
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  })

  it('200,000 rows: chunked, concurrent, progress reported, every row written', async () => {
    const set = uniqueSetName('bulk')
    const n = 200_000
    const data = sensorRows(n)
    const seen: WriteProgress[] = []
    const results = await client.writeNumpy(data, 'test', set, sensor, {
      policy: TEST_POLICY,
      retry: 2,
      onProgress: (p) => seen.push(p),
    })
    expect(results.length).toBe(n)
    expect(results.writtenCount).toBe(n)
    expect(results.failures).toEqual([])
    expect(results.aborted).toBe(false)
    expect(seen.length).toBe(n / 1000)
    expectProgress(seen, n, n)
    // one BatchRecord per row, in row order, built on demand
    const records = results.batchRecords
    expect(records.length).toBe(n)
    expect(records[123_456]).toMatchObject({ key: { ns: 'test', set, key: 123_456 }, result: 0 })
    if (usesDevServer()) expect(await cluster.devserver!.recordCount('test', set)).toBe(n)
    const sample = [0, 1, 99_999, 150_001, n - 1]
    const back = await client.batchRead(
      sample.map((k) => ['test', set, k]),
      {
        dtype: dtype([
          ['temperature', 'f8'],
          ['humidity', 'f4'],
          ['status', 'u1'],
        ]),
        policy: TEST_POLICY,
      },
    )
    expect(back.foundCount()).toBe(sample.length)
    expect([...(back.batchRecords.get('temperature') as Float64Array)]).toEqual(
      sample.map((i) => 20 + (i % 100) / 10),
    )
  })

  it('a streamed .npy file larger than one chunk: counts and failures, every row accounted for', async () => {
    const set = uniqueSetName('stream')
    const n = 60_000
    const path = join(dir, `${engine}-sensors.npy`)
    await writeNpy(path, sensorRows(n))
    if (usesDevServer()) {
      await cluster.devserver!.injectFault({
        namespace: 'test',
        set,
        keys: [5, 50_000],
        resultCode: 13,
      })
    }
    const seen: WriteProgress[] = []
    const summary = await client.writeNumpy(
      openNpy(path, { chunkRows: 7_777 }),
      'test',
      set,
      sensor,
      {
        chunkSize: 2_000,
        concurrency: 4,
        policy: TEST_POLICY,
        onProgress: (p) => seen.push(p),
      },
    )
    expect(summary.rowCount).toBe(n)
    expectProgress(seen, n, null)
    if (usesDevServer()) {
      expect(summary.writtenCount).toBe(n - 2)
      expect(summary.failures).toEqual([
        { row: 5, key: { ns: 'test', set, key: 5 }, result: 13, inDoubt: false },
        { row: 50_000, key: { ns: 'test', set, key: 50_000 }, result: 13, inDoubt: false },
      ])
      expect(await cluster.devserver!.recordCount('test', set)).toBe(n - 2)
    } else {
      expect(summary.writtenCount).toBe(n)
    }
    expect(summary.failedCount).toBe(summary.failures.length)
  })

  // In this thread, and (wire engine) in the worker pool: the one write loop stops either sender.
  const workerCounts = engine === 'wire' ? [undefined, 1] : [undefined]
  it.each(workerCounts)(
    'abort (workers %s): rows not sent end with ERR_CLIENT_ABORT and are not on the server',
    async (workers) => {
      const set = uniqueSetName('abort')
      const n = 20_000
      const controller = new AbortController()
      const results = await client.writeNumpy(sensorRows(n), 'test', set, sensor, {
        ...(workers === undefined ? {} : { workers }),
        chunkSize: 500,
        concurrency: 2,
        policy: TEST_POLICY,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.chunksDone === 3) controller.abort()
        },
      })
      expect(results.aborted).toBe(true)
      const counts = results.countByResult()
      const notSent = counts.get(ResultCode.ERR_CLIENT_ABORT) ?? 0
      expect(notSent).toBeGreaterThan(0)
      expect((counts.get(0) ?? 0) + notSent).toBe(n)
      expect(results.writtenCount).toBeGreaterThanOrEqual(1500)
      const firstNotSent = results.resultCodes.indexOf(ResultCode.ERR_CLIENT_ABORT)
      const back = await client.batchRead(
        [0, firstNotSent, n - 1].map((k) => ['test', set, k]),
        { dtype: dtype([['status', 'u1']]), policy: TEST_POLICY },
      )
      expect([...back.resultCodes]).toEqual([0, 2, 2])
    },
  )

  it('abort of a stream: chunks read but not sent are reported', async () => {
    const set = uniqueSetName('abort')
    const controller = new AbortController()
    let yielded = 0
    async function* source() {
      for (let c = 0; c < 50; c++) {
        yielded++
        yield sensorRows(1_000, c * 1_000)
      }
    }
    const summary = await client.writeNumpy(source(), 'test', set, sensor, {
      chunkSize: 1_000,
      concurrency: 2,
      policy: TEST_POLICY,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.chunksDone === 2) controller.abort()
      },
    })
    expect(summary.aborted).toBe(true)
    expect(yielded).toBeLessThan(50)
    // every row read from the stream is either written or reported as not sent
    expect(summary.rowCount).toBe(yielded * 1_000)
    expect(summary.writtenCount + summary.failures.length).toBe(summary.rowCount)
    expect(summary.failures.every((f) => f.result === ResultCode.ERR_CLIENT_ABORT)).toBe(true)
  })

  it("validityField: a row's clear bits leave those bins out of its record (array and stream)", async () => {
    const set = uniqueSetName('valid')
    const withValid = dtype([...sensor.descr, ['_valid', 'u1']] as never)
    const data = StructuredArray.zeros(withValid, 12)
    const rows = sensorRows(12)
    for (const f of sensor.fields!) data.set(f.name, rows.get(f.name) as never)
    // bins in order: temperature 0, humidity 1, pressure 2, status 3
    data.set(
      '_valid',
      Uint8Array.from({ length: 12 }, (_, i) =>
        i % 3 === 0 ? 0b1111 : i % 3 === 1 ? 0b1001 : 0b0100,
      ),
    )
    const options = { validityField: '_valid', policy: TEST_POLICY }
    expect(
      (await client.writeNumpy(data.slice(0, 6), 'test', set, withValid, options)).writtenCount,
    ).toBe(6)
    const summary = await client.writeNumpy(
      [data.slice(6, 9), data.slice(9, 12)],
      'test',
      set,
      withValid,
      { ...options, chunkSize: 2 },
    )
    expect(summary).toMatchObject({ rowCount: 6, writtenCount: 6 })
    for (const key of [0, 6]) {
      expect(await storedBinNames(cluster, 'test', set, key)).toEqual([
        'humidity',
        'pressure',
        'status',
        'temperature',
      ])
    }
    for (const key of [1, 7]) {
      expect(await storedBinNames(cluster, 'test', set, key)).toEqual(['status', 'temperature'])
    }
    for (const key of [2, 11])
      expect(await storedBinNames(cluster, 'test', set, key)).toEqual(['pressure'])
    const back = await client.batchRead([['test', set, 7]], { dtype: sensor, policy: TEST_POLICY })
    expect(back.batchRecords.get('temperature')).toEqual(rows.get('temperature').slice(7, 8))
    expect(back.batchRecords.get('status')).toEqual(rows.get('status').slice(7, 8))
    // a row with no bin is refused before anything is sent
    data.set('_valid', new Uint8Array(12).fill(0b1111))
    new Uint8Array(data.buffer)[
      data.byteOffset + 4 * data.stride + withValid.field('_valid')!.offset
    ] = 0
    const other = uniqueSetName('valid')
    await expect(client.writeNumpy(data, 'test', other, withValid, options)).rejects.toThrow(
      /row 4: its '_valid' bits mark every bin absent/,
    )
    expect(await storedBinNames(cluster, 'test', other, 0)).toBeNull()
  })

  it('a failure of a whole chunk is recorded on its rows, the others are written', async () => {
    const set = uniqueSetName('bulk')
    const results = await client.writeNumpy(sensorRows(1_500), 'no_such_ns', set, sensor, {
      chunkSize: 500,
      policy: TEST_POLICY,
    })
    expect(results.length).toBe(1_500)
    expect(results.writtenCount).toBe(0)
    expect(results.failures.length).toBe(1_500)
    expect(new Set(results.failures.map((f) => f.result)).has(0)).toBe(false)
  })

  it('onChunkSettled reports every chunk once with its rows and final codes; beforeChunk paces each chunk', async () => {
    const set = uniqueSetName('hooks')
    const n = 9_500
    if (usesDevServer()) {
      await cluster.devserver!.injectFault({
        namespace: 'test',
        set,
        keys: [7, 8_001],
        resultCode: 13,
      })
    }
    const paced: number[] = []
    const settled: Array<{ rowBase: number; length: number; failedRows: number[] }> = []
    let inPace = 0
    async function* source() {
      for (let at = 0; at < n; at += 3_000) yield sensorRows(Math.min(3_000, n - at), at)
    }
    const summary = await client.writeNumpy(source(), 'test', set, sensor, {
      chunkSize: 1_000,
      concurrency: 3,
      policy: TEST_POLICY,
      beforeChunk: async (rows) => {
        inPace++
        paced.push(rows)
        await new Promise((r) => setTimeout(r, 1))
        inPace--
      },
      onChunkSettled: ({ rowBase, data, outcome }) => {
        expect(outcome.resultCodes.length).toBe(data.length)
        // the chunk's rows are the stream's rows from rowBase on
        expect((data.get('_key') as Int32Array)[0]).toBe(rowBase)
        const failedRows: number[] = []
        outcome.resultCodes.forEach((code, i) => {
          if (code !== 0) failedRows.push(rowBase + i)
        })
        settled.push({ rowBase, length: data.length, failedRows })
      },
    })
    expect(inPace).toBe(0)
    // rechunked at 1,000: 3 + 3 + 3 chunks of 1,000 and one of 500
    expect(paced.sort((a, b) => a - b)).toEqual([500, ...Array(9).fill(1_000)])
    settled.sort((a, b) => a.rowBase - b.rowBase)
    expect(settled.map((c) => c.rowBase)).toEqual([
      0, 1_000, 2_000, 3_000, 4_000, 5_000, 6_000, 7_000, 8_000, 9_000,
    ])
    expect(settled.reduce((sum, c) => sum + c.length, 0)).toBe(n)
    const failed = settled.flatMap((c) => c.failedRows)
    expect(failed).toEqual(summary.failures.map((f) => f.row))
    if (usesDevServer()) expect(failed).toEqual([7, 8_001])
  })

  it('onChunkSettled on an array, and for a stream chunk pulled but not sent after abort', async () => {
    const set = uniqueSetName('hooks')
    const seen: Array<[number, number]> = []
    await client.writeNumpy(sensorRows(2_500), 'test', set, sensor, {
      chunkSize: 1_000,
      policy: TEST_POLICY,
      onChunkSettled: ({ rowBase, data }) => seen.push([rowBase, data.length]),
    })
    expect(seen.sort((a, b) => a[0] - b[0])).toEqual([
      [0, 1_000],
      [1_000, 1_000],
      [2_000, 500],
    ])
    const controller = new AbortController()
    const notSent: number[] = []
    let settledRows = 0
    async function* source() {
      for (let c = 0; c < 20; c++) yield sensorRows(500, c * 500)
    }
    const summary = await client.writeNumpy(source(), 'test', set, sensor, {
      chunkSize: 500,
      concurrency: 2,
      policy: TEST_POLICY,
      signal: controller.signal,
      onChunkSettled: ({ rowBase, outcome }) => {
        settledRows += outcome.resultCodes.length
        if (outcome.resultCodes.every((c) => c === ResultCode.ERR_CLIENT_ABORT)) {
          notSent.push(rowBase)
        }
        controller.abort()
      },
    })
    expect(summary.aborted).toBe(true)
    // every row the stream gave settles exactly once, sent or not
    expect(settledRows).toBe(summary.rowCount)
    expect(notSent.length).toBeGreaterThan(0)
  })

  it('refuses hooks that are not functions', async () => {
    await expect(
      client.writeNumpy(sensorRows(3), 'test', 'x', sensor, {
        beforeChunk: 5 as unknown as () => void,
      }),
    ).rejects.toThrow(/beforeChunk must be a function/)
    await expect(
      client.writeNumpy(sensorRows(3), 'test', 'x', sensor, {
        onChunkSettled: 'x' as unknown as () => void,
      }),
    ).rejects.toThrow(/onChunkSettled must be a function/)
  })
})
