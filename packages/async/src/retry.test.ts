/**
 * Retry against injected transient failures (devserver only: a real server cannot be told to
 * fail). Write attempts per key are counted by the devserver, so "only failed rows are re-sent"
 * is checked, not assumed.
 */
import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
import {
  getTestCluster,
  rowColumns,
  skipUnlessDevServer,
  uniqueSetName,
  type TestCluster,
} from '@aerospike-numpy/test-utils'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { AsyncClient } from './client.js'
import type { RetryEvent } from './index.js'
import { TEST_POLICY, connectClient, testEngines } from './test-support/engines.js'

const dt = dtype([
  ['_key', 'i4'],
  ['v', 'f8'],
])

const rows = (n: number): StructuredArray =>
  StructuredArray.fromColumns(dt, rowColumns(n, { _key: (i) => i, v: (i) => i + 0.5 }))

describe.skipIf(skipUnlessDevServer()).each(testEngines())('retry, engine %s', (engine) => {
  let cluster: TestCluster
  let server: NonNullable<TestCluster['devserver']>
  let client: AsyncClient

  beforeAll(async () => {
    cluster = await getTestCluster()
    server = cluster.devserver!
    client = await connectClient(cluster, engine)
  })
  afterEach(async () => {
    await server.clearFaults()
  })
  afterAll(async () => {
    await client?.close()
    await cluster?.close()
  })

  const writeCounts = (set: string, keys: number[]) =>
    Promise.all(keys.map((k) => server.writeCount('test', set, k)))

  it('re-sends only the rows that failed transiently, with the 10, 20 ms backoff', async () => {
    const set = uniqueSetName('retry')
    await server.injectFault({ namespace: 'test', set, keys: [3, 7], resultCode: 14, times: 2 })
    const events: RetryEvent[] = []
    const started = performance.now()
    const results = await client.batchWriteNumpy(rows(10), 'test', set, dt, {
      retry: 3,
      policy: TEST_POLICY,
      onRetry: (e) => events.push(e),
    })
    const elapsed = performance.now() - started
    expect(results.writtenCount).toBe(10)
    expect(events).toEqual([
      { attempt: 1, rows: 2, delayMs: 10 },
      { attempt: 2, rows: 2, delayMs: 20 },
    ])
    // the schedule was slept, not skipped (a lower bound, not a speed claim)
    expect(elapsed).toBeGreaterThanOrEqual(30)
    expect(await writeCounts(set, [0, 3, 5, 7, 9])).toEqual([1, 3, 1, 3, 1])
    expect(results.batchRecords[3]!.record!.meta.gen).toBe(1)
  })

  it.each([9, 14, 18, 8, 11])('transient code %i is retried', async (code) => {
    const set = uniqueSetName('retry')
    await server.injectFault({ namespace: 'test', set, keys: [1], resultCode: code, times: 1 })
    const results = await client.batchWriteNumpy(rows(3), 'test', set, dt, {
      retry: 1,
      policy: TEST_POLICY,
    })
    expect([...results.resultCodes]).toEqual([0, 0, 0])
    expect(await writeCounts(set, [0, 1, 2])).toEqual([1, 2, 1])
  })

  it('permanent failures are never re-sent', async () => {
    const set = uniqueSetName('retry')
    await server.injectFault({ namespace: 'test', set, keys: [2], resultCode: 13 })
    await server.injectFault({ namespace: 'test', set, keys: [4], resultCode: 5 })
    const events: RetryEvent[] = []
    const results = await client.batchWriteNumpy(rows(6), 'test', set, dt, {
      retry: 3,
      policy: TEST_POLICY,
      onRetry: (e) => events.push(e),
    })
    expect([...results.resultCodes]).toEqual([0, 0, 13, 0, 5, 0])
    expect(events).toEqual([])
    expect(await writeCounts(set, [2, 4])).toEqual([1, 1])
    expect(results.failures.map((f) => [f.key.key, f.result])).toEqual([
      [2, 13],
      [4, 5],
    ])
  })

  it('retry 0 leaves transient failures failed', async () => {
    const set = uniqueSetName('retry')
    await server.injectFault({ namespace: 'test', set, keys: [0], resultCode: 18, times: 1 })
    const results = await client.batchWriteNumpy(rows(2), 'test', set, dt, {
      retry: 0,
      policy: TEST_POLICY,
    })
    expect([...results.resultCodes]).toEqual([18, 0])
    expect(results.batchRecords[0]).toMatchObject({ result: 18, record: null })
    expect(await writeCounts(set, [0, 1])).toEqual([1, 1])
  })

  it('stops re-sending before totalTimeout would be exceeded', async () => {
    const set = uniqueSetName('retry')
    await server.injectFault({ namespace: 'test', set, keys: [0], resultCode: 14 })
    const events: RetryEvent[] = []
    const results = await client.batchWriteNumpy(rows(1), 'test', set, dt, {
      retry: 20,
      policy: { totalTimeout: 150, socketTimeout: 150 },
      onRetry: (e) => events.push(e),
    })
    expect(results.resultCodes[0]).toBe(14)
    // 10 + 20 + 40 = 70 ms fits; 70 + 80 = 150 would not: at most 3 re-sends, far fewer than 20
    expect(events.length).toBeLessThanOrEqual(3)
    expect(events.map((e) => e.delayMs)).toEqual([10, 20, 40].slice(0, events.length))
    expect(await server.writeCount('test', set, 0)).toBe(1 + events.length)
  })

  it('writeNumpy retries per chunk and accounts for every row', async () => {
    const set = uniqueSetName('retry')
    await server.injectFault({
      namespace: 'test',
      set,
      fraction: 0.1,
      seed: 7,
      resultCode: 14,
      times: 1,
    })
    await server.injectFault({ namespace: 'test', set, keys: [1234], resultCode: 13 })
    const n = 3000
    const results = await client.writeNumpy(rows(n), 'test', set, dt, {
      chunkSize: 500,
      concurrency: 3,
      retry: 2,
      policy: TEST_POLICY,
    })
    expect(results.length).toBe(n)
    expect(results.writtenCount).toBe(n - 1)
    expect(results.failures.map((f) => [f.row, f.result])).toEqual([[1234, 13]])
    const counts = await writeCounts(
      set,
      Array.from({ length: n }, (_, i) => i),
    )
    const resent = counts.filter((c) => c === 2).length
    // about a tenth of the keys failed once and were re-sent once; none more than twice
    expect(resent).toBeGreaterThan(n * 0.05)
    expect(resent).toBeLessThan(n * 0.2)
    expect(Math.max(...counts)).toBe(2)
  })
})
