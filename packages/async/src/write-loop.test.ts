/**
 * The one write loop, on every path that runs it: in-process on both engines and in the worker
 * pool. What a caller's buffers and callbacks may do without losing rows or results.
 */
import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
import {
  getTestCluster,
  skipUnlessDevServer,
  uniqueSetName,
  usesDevServer,
  type TestCluster,
} from '@aerospike-numpy/test-utils'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { AsyncClient } from './client.js'
import type { ChunkSettledEvent, WriteProgress } from './chunks.js'
import {
  AerospikeError,
  BatchRecords,
  ParamError,
  POLICY_EXISTS_UPDATE,
  ResultCode,
  StreamWriteSummary,
} from './index.js'
import { TEST_POLICY, connectClient, testEngines } from './test-support/engines.js'

const dt = dtype([
  ['_key', 'i4'],
  ['v', 'f8'],
  ['n', 'i4'],
])
const readDt = dtype([
  ['v', 'f8'],
  ['n', 'i4'],
])

/** Rows keyed `keyBase + i` with values derived from the key. */
function rows(n: number, keyBase = 0, into?: StructuredArray): StructuredArray {
  const data = into ?? StructuredArray.zeros(dt, n)
  data.set(
    '_key',
    Int32Array.from({ length: n }, (_, i) => keyBase + i),
  )
  data.set(
    'v',
    Float64Array.from({ length: n }, (_, i) => (keyBase + i) / 4),
  )
  data.set(
    'n',
    Int32Array.from({ length: n }, (_, i) => -(keyBase + i)),
  )
  return data
}

/** Reads keys 0..n-1 back; every one must be present with the values `rows` gave it. */
async function expectAllOnServer(client: AsyncClient, set: string, n: number): Promise<void> {
  for (let start = 0; start < n; start += 5000) {
    const keys = Array.from({ length: Math.min(5000, n - start) }, (_, i) => [
      'test',
      set,
      start + i,
    ])
    const back = await client.batchRead(keys, {
      dtype: readDt,
      policy: { totalTimeout: 20_000, socketTimeout: 20_000 },
    })
    const missing = [...back.resultCodes].filter((c) => c !== 0).length
    expect(missing, `rows ${start}..${start + keys.length - 1} missing`).toBe(0)
    const v = back.batchRecords.get('v') as Float64Array
    const nn = back.batchRecords.get('n') as Int32Array
    for (let i = 0; i < keys.length; i++) {
      if (v[i] !== (start + i) / 4 || nn[i] !== -(start + i)) {
        throw new Error(`row ${start + i} has v=${v[i]} n=${nn[i]} on the server`)
      }
    }
  }
}

/** A generator that yields one buffer, refilled with the next rows each time (as readers do). */
function* refilled(total: number, size: number): Generator<StructuredArray> {
  const buffer = StructuredArray.zeros(dt, size)
  for (let start = 0; start < total; start += size) {
    const n = Math.min(size, total - start)
    yield rows(n, start, n === size ? buffer : buffer.slice(0, n))
  }
}

type Path = { engine: 'official' | 'wire'; workers?: number }
const PATHS: Path[] = [
  ...testEngines().map((engine) => ({ engine })),
  ...(testEngines().includes('wire') ? [{ engine: 'wire' as const, workers: 2 }] : []),
]
const label = (p: Path): string =>
  `${p.engine}${p.workers === undefined ? '' : `, workers ${p.workers}`}`

describe.each(PATHS.map((p) => [label(p), p] as const))('the write loop, %s', (_label, path) => {
  let cluster: TestCluster
  let client: AsyncClient
  const workers = path.workers === undefined ? {} : { workers: path.workers }

  beforeAll(async () => {
    cluster = await getTestCluster()
    client = await connectClient(cluster, path.engine)
  })
  afterEach(async () => {
    await cluster.devserver?.clearFaults()
  })
  afterAll(async () => {
    await client?.close()
    await cluster?.close()
  })

  it('refuses what is not a StructuredArray or a stream of them, before anything is sent', async () => {
    const set = uniqueSetName('notarray')
    const bad: [unknown, RegExp][] = [
      [[{ _key: 1, v: 2, n: 3 }], /item 0 is .*not a StructuredArray.*fromRows/],
      [new Float64Array(10), /Float64Array.*not a StructuredArray/],
      [[null], /item 0 is null/],
      [[rows(2), 'x'], /item 1 is/],
      [42, /must be a StructuredArray or an \(async\) iterable/],
    ]
    for (const [data, message] of bad) {
      const error = await client
        .writeNumpy(data as StructuredArray, 'test', set, dt, { ...workers, policy: TEST_POLICY })
        .then(
          () => null,
          (e: unknown) => e,
        )
      expect(error, String(message)).toBeInstanceOf(ParamError)
      expect((error as Error).message).toMatch(message)
    }
    // a generator whose first item is not an array: refused before any row is sent
    function* objects(): Generator<unknown> {
      yield { _key: 1, v: 2, n: 3 }
    }
    await expect(
      client.writeNumpy(objects() as Iterable<StructuredArray>, 'test', set, dt, workers),
    ).rejects.toThrow(ParamError)
    const back = await client.batchRead([['test', set, 1]], { dtype: readDt, policy: TEST_POLICY })
    expect(back.resultCodes[0]).toBe(ResultCode.ERR_RECORD_NOT_FOUND)
  })

  it('a generator refilling one buffer: every row stored, failures name their own keys', async () => {
    const set = uniqueSetName('refill')
    const n = 20_000
    // Rows that fail for good: every key but these exists with other values, and the stream
    // writes with exists: UPDATE (2, not found, for these; idempotent if a re-send repeats one).
    const missing = [5, 1_500, 3_333, 19_999]
    const keep = Int32Array.from({ length: n }, (_, i) => i).filter((k) => !missing.includes(k))
    const before = StructuredArray.fromColumns(dt, {
      _key: keep,
      v: new Float64Array(keep.length).fill(-1),
      n: new Int32Array(keep.length),
    })
    const present = await client.writeNumpy(before, 'test', set, dt, {
      retry: 3,
      policy: TEST_POLICY,
    })
    expect(present.writtenCount).toBe(keep.length)
    if (usesDevServer()) {
      // transient faults that retries must re-send from the rows of their own chunk
      await cluster.devserver!.injectFault({
        namespace: 'test',
        set,
        fraction: 0.05,
        seed: 11,
        resultCode: 14,
        times: 1,
      })
    }
    const summary = await client.writeNumpy(refilled(n, 1_000), 'test', set, dt, {
      ...workers,
      chunkSize: 1_000,
      concurrency: 4,
      retry: 3,
      policy: { ...TEST_POLICY, exists: POLICY_EXISTS_UPDATE },
    })
    expect(summary.rowCount).toBe(n)
    expect(summary.failures.map((f) => [f.row, f.key.key, f.result])).toEqual(
      missing.map((k) => [k, k, ResultCode.ERR_RECORD_NOT_FOUND]),
    )
    expect(summary.writtenCount).toBe(n - missing.length)
    // write the missing rows too, then every row must hold its own values
    await client.batchWriteNumpy(
      StructuredArray.fromRows(
        dt,
        missing.map((k) => [k, k / 4, -k]),
      ),
      'test',
      set,
      dt,
      { policy: TEST_POLICY },
    )
    await expectAllOnServer(client, set, n)
  })

  it('a later chunk of another dtype: the rows sent settle and the error carries them', async () => {
    const set = uniqueSetName('laterbad')
    const other = dtype([
      ['_key', 'i4'],
      ['v', 'f4'],
      ['n', 'i4'],
    ])
    async function* source(): AsyncGenerator<StructuredArray> {
      yield rows(1_000, 0)
      yield rows(1_000, 1_000)
      yield StructuredArray.zeros(other, 10)
      yield rows(1_000, 2_000)
    }
    const error = await client
      .writeNumpy(source(), 'test', set, dt, {
        ...workers,
        chunkSize: 500,
        policy: TEST_POLICY,
      })
      .then(
        () => null,
        (e: unknown) => e as AerospikeError & { results: StreamWriteSummary },
      )
    expect(error).toBeInstanceOf(AerospikeError)
    // ParamError promises nothing was sent: not this one
    expect(error).not.toBeInstanceOf(ParamError)
    expect(error!.name).toBe('PartialWriteError')
    expect(error!.inDoubt).toBe(true)
    expect(error!.cause).toBeInstanceOf(ParamError)
    expect((error!.cause as Error).message).toMatch(/at row 2000 has dtype/)
    expect(error!.message).toMatch(/2000 of 2000 rows written/)
    expect(error!.results).toBeInstanceOf(StreamWriteSummary)
    expect(error!.results.writtenCount).toBe(2_000)
    expect(error!.results.failures).toEqual([])
    await expectAllOnServer(client, set, 2_000)
  })

  it('a later chunk with a key that is not UTF-8: the same, naming the row', async () => {
    const set = uniqueSetName('laterutf8')
    const sdt = dtype([
      ['_key', 'S8'],
      ['v', 'f8'],
    ])
    const good = StructuredArray.zeros(sdt, 600)
    good.set(
      '_key',
      Array.from({ length: 600 }, (_, i) => new TextEncoder().encode(`k${i}`)),
    )
    const bad = StructuredArray.zeros(sdt, 3)
    bad.set('_key', [
      new Uint8Array([0x6b, 0x31]),
      new Uint8Array([0xff, 0xfe]),
      new Uint8Array([0x6b]),
    ])
    const error = await client
      .writeNumpy([good, bad], 'test', set, sdt, {
        ...workers,
        chunkSize: 200,
        policy: TEST_POLICY,
      })
      .then(
        () => null,
        (e: unknown) => e as AerospikeError & { results: StreamWriteSummary },
      )
    expect(error).not.toBeInstanceOf(ParamError)
    expect(error!.inDoubt).toBe(true)
    expect((error!.cause as Error).message).toMatch(
      /row 601, field '_key': string key is not valid UTF-8/,
    )
    expect(error!.results.writtenCount).toBe(600)
  })

  it('the first chunk bad: a ParamError, nothing sent', async () => {
    const set = uniqueSetName('firstbad')
    const other = dtype([
      ['_key', 'i4'],
      ['v', 'f4'],
      ['n', 'i4'],
    ])
    await expect(
      client.writeNumpy([StructuredArray.zeros(other, 3), rows(10)], 'test', set, dt, workers),
    ).rejects.toThrow(ParamError)
    const back = await client.batchRead([['test', set, 0]], { dtype: readDt, policy: TEST_POLICY })
    expect(back.resultCodes[0]).toBe(ResultCode.ERR_RECORD_NOT_FOUND)
  })

  it('onProgress throws: the rows sent settle, the error carries its cause and the results', async () => {
    const set = uniqueSetName('cbthrow')
    const n = 10_000
    const boom = new Error('progress display failed')
    const seen: WriteProgress[] = []
    const error = await client
      .writeNumpy(rows(n), 'test', set, dt, {
        ...workers,
        chunkSize: 500,
        concurrency: 2,
        policy: TEST_POLICY,
        onProgress: (p) => {
          seen.push(p)
          if (p.chunksDone === 3) throw boom
        },
      })
      .then(
        () => null,
        (e: unknown) => e as AerospikeError & { results: BatchRecords },
      )
    expect(error!.name).toBe('PartialWriteError')
    expect(error!.cause).toBe(boom)
    expect(error!.inDoubt).toBe(true)
    // the callback is not called again once it threw
    expect(seen.length).toBe(3)
    const results = error!.results
    expect(results).toBeInstanceOf(BatchRecords)
    expect(results.length).toBe(n)
    const counts = results.countByResult()
    expect(counts.get(0)).toBeGreaterThanOrEqual(1_500)
    expect((counts.get(0) ?? 0) + (counts.get(ResultCode.ERR_CLIENT_ABORT) ?? 0)).toBe(n)
    // what it says was written is on the server; what it says was not sent is not
    const written = [...results.resultCodes].map((c, i) => (c === 0 ? i : -1)).filter((i) => i >= 0)
    await expectAllOnServer(client, set, written.length)
    const notSent = results.resultCodes.indexOf(ResultCode.ERR_CLIENT_ABORT)
    const back = await client.batchRead([['test', set, notSent]], {
      dtype: readDt,
      policy: TEST_POLICY,
    })
    expect(back.resultCodes[0]).toBe(ResultCode.ERR_RECORD_NOT_FOUND)
    expect(results.batchRecords[notSent]!.key.key).toBe(notSent)
  })

  it.skipIf(skipUnlessDevServer())(
    'onRetry throws: no more re-sends, the rows keep their codes, the error carries them (devserver: injected faults)',
    async () => {
      const set = uniqueSetName('retrythrow')
      await cluster.devserver!.injectFault({ namespace: 'test', set, keys: [7], resultCode: 14 })
      const boom = new Error('retry logger failed')
      let calls = 0
      const error = await client
        .writeNumpy(rows(2_000), 'test', set, dt, {
          ...workers,
          retry: 5,
          policy: TEST_POLICY,
          onRetry: () => {
            calls++
            throw boom
          },
        })
        .then(
          () => null,
          (e: unknown) => e as AerospikeError & { results: BatchRecords },
        )
      expect(error!.cause).toBe(boom)
      expect(calls).toBe(1)
      expect(error!.results.writtenCount).toBe(1_999)
      expect(error!.results.failures.map((f) => [f.row, f.result])).toEqual([[7, 14]])
      expect(await cluster.devserver!.writeCount('test', set, 7)).toBe(1)
    },
  )

  it('onChunkSettled: each chunk once, with its rows and codes, from a refilled buffer; beforeChunk paces every chunk', async () => {
    const set = uniqueSetName('hooks')
    const chunks: { rowBase: number; firstKey: number; length: number; codes: number[] }[] = []
    const paced: number[] = []
    const summary = await client.writeNumpy(refilled(2_500, 1_000), 'test', set, dt, {
      ...workers,
      chunkSize: 400,
      concurrency: 3,
      policy: TEST_POLICY,
      beforeChunk: async (n) => {
        paced.push(n)
        await new Promise((resolve) => setTimeout(resolve, 1))
      },
      onChunkSettled: ({ rowBase, data, outcome }: ChunkSettledEvent) =>
        chunks.push({
          rowBase,
          // the rows as written, though the source has refilled its buffer since
          firstKey: (data.get('_key') as Int32Array)[0]!,
          length: data.length,
          codes: [...outcome.resultCodes],
        }),
    })
    expect(summary.writtenCount).toBe(2_500)
    // the source's arrays of 1000, 1000 and 500 rows, cut into chunks of at most 400
    const lengths = [400, 400, 200, 400, 400, 200, 400, 100]
    const bases = [0, 400, 800, 1_000, 1_400, 1_800, 2_000, 2_400]
    expect(paced).toEqual(lengths)
    expect(chunks.sort((a, b) => a.rowBase - b.rowBase)).toEqual(
      bases.map((rowBase, i) => ({
        rowBase,
        firstKey: rowBase,
        length: lengths[i]!,
        codes: new Array(lengths[i]!).fill(0),
      })),
    )
  })

  it('beforeChunk throws before anything is sent: its error, nothing written', async () => {
    const set = uniqueSetName('pacethrow')
    const boom = new Error('rate limiter down')
    await expect(
      client.writeNumpy(rows(100), 'test', set, dt, {
        ...workers,
        beforeChunk: () => {
          throw boom
        },
      }),
    ).rejects.toBe(boom)
    const back = await client.batchRead([['test', set, 0]], { dtype: readDt, policy: TEST_POLICY })
    expect(back.resultCodes[0]).toBe(ResultCode.ERR_RECORD_NOT_FOUND)
  })
})
