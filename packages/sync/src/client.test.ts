import { execFile } from 'node:child_process'
import { readFile } from 'node:fs'
import { promisify } from 'node:util'

import {
  AerospikeError,
  AsyncClient,
  BatchRecords,
  ClientError,
  NotConnectedError,
  NumpyBatchRecords,
  ParamError,
  PartialWriteError,
  POLICY_EXISTS_UPDATE,
  ResultCode,
  TimeoutError,
} from '@aerospike-numpy/async'
import { dtype, StructuredArray, type Dtype } from '@aerospike-numpy/dtype'
import {
  getTestCluster,
  skipUnlessDevServer,
  uniqueSetName,
  type TestCluster,
} from '@aerospike-numpy/test-utils'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'

import { Client, client } from './client.js'
import { SyncCallTimeoutError, SyncWorkerExitedError, SyncWorkerStartError } from './errors.js'

// Integration tests of the blocking client: a real worker thread running the async client with
// the wire engine, against the devserver (or AEROSPIKE_HOSTS). Only the death tests wrap the real
// host module, to make its thread die while a real call is in flight.

const workerUrl = new URL('../dist/worker.js', import.meta.url)
const dyingHost = new URL('./test-fixtures/dying-host.mjs', import.meta.url).href
/** Generous: a loaded 2-core CI machine must not turn these tests into timeouts. */
const policy = { totalTimeout: 20_000, socketTimeout: 20_000 }

const dt = dtype([
  ['_key', 'i4'],
  ['score', 'f8'],
  ['count', 'i4'],
])
const readDt = dtype([
  ['score', 'f8'],
  ['count', 'i4'],
])

function rows(n: number, firstKey = 1, into: Dtype = dt): StructuredArray {
  return StructuredArray.fromColumns(into, {
    _key: Int32Array.from({ length: n }, (_, i) => firstKey + i),
    score: Float64Array.from({ length: n }, (_, i) => (firstKey + i) / 8),
    count: Int32Array.from({ length: n }, (_, i) => (firstKey + i) * 3),
  })
}

function keysOf(set: string, first: number, n: number): [string, string, number][] {
  return Array.from({ length: n }, (_, i): [string, string, number] => ['test', set, first + i])
}

let cluster: TestCluster
let asyncClient: AsyncClient
const opened: Client[] = []

function open(extra: Record<string, unknown> = {}): Client {
  const c = client({ hosts: cluster.hosts, ...extra }).connect()
  opened.push(c)
  return c
}

function openDying(extra: Record<string, unknown> = {}): Client {
  const c = new Client(
    { hosts: cluster.hosts, ...extra },
    { workerUrl, hostModule: dyingHost },
  ).connect()
  opened.push(c)
  return c
}

beforeAll(async () => {
  cluster = await getTestCluster()
  asyncClient = await new AsyncClient({ hosts: cluster.hosts, engine: 'wire' }).connect()
})
afterEach(async () => {
  for (const c of opened.splice(0)) c.close()
  await cluster.devserver?.setLatency(0)
  await cluster.devserver?.clearFaults()
})
afterAll(async () => {
  await asyncClient?.close()
  await cluster?.close()
})

describe('client(config).connect()', () => {
  it('chains as in the guide and returns plain results', () => {
    const c = client({ hosts: cluster.hosts })
    opened.push(c)
    expect(c.isConnected()).toBe(false)
    expect(c.connect()).toBe(c)
    expect(c.isConnected()).toBe(true)

    const set = uniqueSetName('sync_quick')
    const data = StructuredArray.fromRows(dt, [
      [1, 0.95, 10],
      [2, 0.87, 20],
      [3, 0.72, 15],
    ])
    const results = c.batchWriteNumpy(data, 'test', set, dt)
    expect(results).toBeInstanceOf(BatchRecords)
    expect(results.batchRecords.map((br) => [br.key.key, br.result, br.record?.meta.gen])).toEqual([
      [1, 0, 1],
      [2, 0, 1],
      [3, 0, 1],
    ])

    const back = c.batchRead(keysOf(set, 1, 4), { dtype: readDt })
    expect(back).toBeInstanceOf(NumpyBatchRecords)
    expect(back.batchRecords.dtype).toBe(readDt)
    expect([...(back.batchRecords.get('score') as Float64Array)]).toEqual([0.95, 0.87, 0.72, 0])
    expect([...back.resultCodes]).toEqual([0, 0, 0, 2])
    expect(back.get(['test', set, 2])).toEqual({ score: 0.87, count: 20 })
    expect(back.foundCount()).toBe(3)

    c.close()
    expect(c.isConnected()).toBe(false)
    c.close() // twice is fine
  })

  it('gives the same results as the async client', async () => {
    const c = open()
    const syncSet = uniqueSetName('sync_same')
    const asyncSet = uniqueSetName('async_same')
    const data = rows(500)
    const fromSync = c.batchWriteNumpy(data, 'test', syncSet, dt, { policy })
    const fromAsync = await asyncClient.batchWriteNumpy(data, 'test', asyncSet, dt, { policy })
    expect([...fromSync.resultCodes]).toEqual([...fromAsync.resultCodes])
    expect([...fromSync.generations]).toEqual([...fromAsync.generations])
    expect([...fromSync.inDoubt]).toEqual([...fromAsync.inDoubt])
    expect(fromSync.batchRecords[499]!.key).toEqual({ ns: 'test', set: syncSet, key: 500 })

    const readSync = c.batchRead(keysOf(syncSet, 1, 510), { dtype: readDt })
    const readAsync = await asyncClient.batchRead(keysOf(asyncSet, 1, 510), { dtype: readDt })
    expect(readSync.batchRecords.bytes).toEqual(readAsync.batchRecords.bytes)
    expect([...readSync.resultCodes]).toEqual([...readAsync.resultCodes])
    expect([...(readSync.meta.get('gen') as Uint32Array)]).toEqual([
      ...(readAsync.meta.get('gen') as Uint32Array),
    ])
    expect(readSync.keys.map((k) => k.key)).toEqual(readAsync.keys.map((k) => k.key))
  })
  it('never loads the official addon (its worker runs only the wire engine)', () => {
    const c = open()
    const set = uniqueSetName('sync_addon')
    c.batchWriteNumpy(rows(3), 'test', set, dt)
    c.writeNumpy(rows(3), 'test', set, dt)
    c.batchRead(keysOf(set, 1, 3), { dtype: readDt })
    // Shared libraries are per process: nothing in this test file loads the addon on purpose.
    const { sharedObjects } = process.report.getReport() as unknown as { sharedObjects: string[] }
    expect(sharedObjects.filter((path) => /aerospike\.node$/.test(path))).toEqual([])
  })
})

describe('arrays crossing the thread boundary', () => {
  it('leaves the caller’s array untouched and usable', () => {
    const c = open()
    const data = rows(100)
    const before = data.bytes.slice()
    c.batchWriteNumpy(data, 'test', uniqueSetName('sync_keep'), dt)
    expect(data.buffer.byteLength).toBe(before.byteLength)
    expect(data.bytes).toEqual(before)
  })

  it('writes SharedArrayBuffer-backed, sliced and strided arrays correctly', () => {
    const c = open()
    const set = uniqueSetName('sync_layouts')

    const shared = StructuredArray.zeros(dt, 50, { shared: true })
    shared.set(
      '_key',
      Int32Array.from({ length: 50 }, (_, i) => 1 + i),
    )
    shared.set(
      'score',
      Float64Array.from({ length: 50 }, (_, i) => i + 0.5),
    )
    shared.set(
      'count',
      Int32Array.from({ length: 50 }, (_, i) => i),
    )
    expect(shared.buffer).toBeInstanceOf(SharedArrayBuffer)
    expect(c.batchWriteNumpy(shared, 'test', set, dt).writtenCount).toBe(50)

    // rows 101..110 only, from the middle of a larger buffer
    const sliced = rows(100, 71).slice(30, 40)
    const slicedResult = c.batchWriteNumpy(sliced, 'test', set, dt)
    expect(slicedResult.batchRecords.map((br) => br.key.key)).toEqual(
      Array.from({ length: 10 }, (_, i) => 101 + i),
    )

    // every other row of a buffer: stride twice the itemsize
    const wide = rows(40, 201)
    const strided = StructuredArray.fromBuffer(dt, wide.buffer, {
      stride: dt.itemsize * 2,
      length: 20,
    })
    const stridedResult = c.batchWriteNumpy(strided, 'test', set, dt)
    expect(stridedResult.batchRecords.map((br) => br.key.key)).toEqual(
      Array.from({ length: 20 }, (_, i) => 201 + 2 * i),
    )

    const back = c.batchRead(
      [...keysOf(set, 1, 50), ...keysOf(set, 101, 10), ...keysOf(set, 201, 40)],
      { dtype: readDt },
    )
    const score = back.batchRecords.get('score') as Float64Array
    expect(back.get(['test', set, 7])).toEqual({ score: 6.5, count: 6 })
    expect(back.get(['test', set, 105])).toEqual({ score: 105 / 8, count: 315 })
    expect(back.get(['test', set, 203])).toEqual({ score: 203 / 8, count: 609 })
    expect(back.get(['test', set, 202])).toBeUndefined() // skipped by the stride
    expect(score.length).toBe(100)
  })

  it('writes a large array with writeNumpy and replays progress after the call', () => {
    const c = open()
    const n = 30_000
    const events: { rowsDone: number; chunksDone: number }[] = []
    let returned = false
    const data = rows(n)
    const result = c.writeNumpy(data, 'test', uniqueSetName('sync_bulk'), dt, {
      chunkSize: 1000,
      concurrency: 4,
      policy,
      onProgress: (p) => {
        expect(returned).toBe(false)
        events.push(p)
      },
    })
    returned = true
    expect(result).toBeInstanceOf(BatchRecords)
    expect(result.writtenCount).toBe(n)
    expect(events).toHaveLength(30)
    expect(events.map((e) => e.chunksDone)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1))
    expect(events.at(-1)).toMatchObject({ rowsDone: n, rowsWritten: n, totalRows: n })
  })
})

describe('writeNumpy with workers', () => {
  it('runs the async client’s worker pool from the client’s worker', () => {
    const c = open()
    const n = 8000
    const data = StructuredArray.zeros(dt, n, { shared: true })
    data.set(
      '_key',
      Int32Array.from({ length: n }, (_, i) => i + 1),
    )
    let events = 0
    const result = c.writeNumpy(data, 'test', uniqueSetName('sync_pool'), dt, {
      workers: 2,
      chunkSize: 1000,
      policy,
      onProgress: () => events++,
    })
    expect(result).toBeInstanceOf(BatchRecords)
    expect(result.writtenCount).toBe(n)
    expect(result.batchRecords[n - 1]!.key.key).toBe(n)
    expect(events).toBeGreaterThan(0)
  })
})

describe('blocking', () => {
  it('runs no timer, immediate, promise or I/O callback of the calling thread during a call', async () => {
    const c = open()
    // Make the call last: injected latency on the devserver, many rows on a real cluster.
    await cluster.devserver?.setLatency(150)
    const ran: string[] = []
    setTimeout(() => ran.push('timeout'), 0)
    const interval = setInterval(() => ran.push('interval'), 1)
    setImmediate(() => ran.push('immediate'))
    void Promise.resolve().then(() => ran.push('promise'))
    queueMicrotask(() => ran.push('microtask'))
    readFile(new URL(import.meta.url), () => ran.push('io'))
    const started = performance.now()
    const result = c.batchWriteNumpy(rows(20_000), 'test', uniqueSetName('sync_block'), dt, {
      policy,
    })
    const elapsed = performance.now() - started
    const ranDuringCall = [...ran]
    // Once the thread is free again, every one of them runs.
    for (let i = 0; i < 200 && !ran.includes('io'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    clearInterval(interval)

    expect(result.writtenCount).toBe(20_000)
    // The timers were due long before the call returned, yet none ran.
    expect(elapsed).toBeGreaterThan(5)
    expect(ranDuringCall).toEqual([])
    expect(ran).toEqual(
      expect.arrayContaining(['timeout', 'interval', 'immediate', 'promise', 'microtask', 'io']),
    )
  })
})

describe('errors', () => {
  const badCalls: [string, (c: Client | AsyncClient) => unknown][] = [
    ['dtype mismatch', (c) => c.batchWriteNumpy(rows(2), 'test', 'errs', readDt)],
    ['empty namespace', (c) => c.batchWriteNumpy(rows(2), '', 'errs', dt)],
    [
      'unknown option',
      (c) => c.batchWriteNumpy(rows(2), 'test', 'errs', dt, { bogus: 1 } as never),
    ],
    [
      'missing key field',
      (c) => c.batchWriteNumpy(rows(2), 'test', 'errs', dt, { keyField: 'nope' }),
    ],
    ['bad retry', (c) => c.batchWriteNumpy(rows(2), 'test', 'errs', dt, { retry: -1 })],
    [
      'bad policy key',
      (c) => c.batchWriteNumpy(rows(2), 'test', 'errs', dt, { policy: { bogus: 1 } as never }),
    ],
    [
      'U bin field',
      (c) => {
        const text = dtype([
          ['_key', 'i4'],
          ['name', 'U8'],
        ])
        return c.batchWriteNumpy(StructuredArray.zeros(text, 2), 'test', 'errs', text)
      },
    ],
    [
      'u8 key beyond int64',
      (c) => {
        const big = dtype([
          ['_key', 'u8'],
          ['x', 'f8'],
        ])
        const data = StructuredArray.zeros(big, 3)
        data.set('_key', BigUint64Array.of(1n, 2n ** 64n - 1n, 3n))
        return c.batchWriteNumpy(data, 'test', 'errs', big)
      },
    ],
    ['batchRead without dtype', (c) => c.batchRead(keysOf('errs', 1, 2), {} as never)],
    ['batchRead bad key', (c) => c.batchRead([['test', 'errs']], { dtype: readDt })],
    [
      'writeNumpy bad chunkSize',
      (c) => c.writeNumpy(rows(2), 'test', 'errs', dt, { chunkSize: 0 }),
    ],
    ['namespace not served (server)', (c) => c.batchWriteNumpy(rows(2), 'no_such_ns', 'errs', dt)],
  ]

  it.each(badCalls)(
    '%s: same class, name, code and message as the async client',
    async (_what, call) => {
      const c = open()
      let syncError: unknown
      try {
        call(c)
      } catch (error) {
        syncError = error
      }
      let asyncError: unknown
      try {
        await call(asyncClient)
      } catch (error) {
        asyncError = error
      }
      expect(asyncError).toBeInstanceOf(AerospikeError)
      expect(syncError).toBeInstanceOf(AerospikeError)
      const s = syncError as AerospikeError
      const a = asyncError as AerospikeError
      expect(Object.getPrototypeOf(s)).toBe(Object.getPrototypeOf(a))
      expect({ name: s.name, code: s.code, codeName: s.codeName, message: s.message }).toEqual({
        name: a.name,
        code: a.code,
        codeName: a.codeName,
        message: a.message,
      })
      expect(typeof s.code).toBe('number')
      // The stack shows the worker's frames and where this thread made the call.
      expect(s.stack).toContain('client.test.ts')
      // The client still works after an error.
      expect(c.batchWriteNumpy(rows(1), 'test', uniqueSetName('sync_after'), dt).writtenCount).toBe(
        1,
      )
    },
  )

  it('reports a connection failure like the async client', async () => {
    const hosts: [string, number][] = [['127.0.0.1', 1]]
    const c = client({ hosts })
    opened.push(c)
    let syncError: unknown
    try {
      c.connect()
    } catch (error) {
      syncError = error
    }
    const asyncError = await new AsyncClient({ hosts, engine: 'wire' })
      .connect()
      .catch((e: unknown) => e)
    expect(syncError).toBeInstanceOf(AerospikeError)
    expect((syncError as AerospikeError).name).toBe((asyncError as AerospikeError).name)
    expect((syncError as AerospikeError).code).toBe((asyncError as AerospikeError).code)
    expect(c.isConnected()).toBe(false)
  })

  it('refuses what cannot cross a thread or cannot work while blocked, naming it', () => {
    expect(() => client({ hosts: cluster.hosts, engine: 'official' as never })).toThrow(
      /always runs the 'wire' engine/,
    )
    for (const callTimeout of [0, -5, Number.NaN, '100']) {
      expect(() => client({ hosts: cluster.hosts, callTimeout: callTimeout as never })).toThrow(
        ParamError,
      )
    }
    // config errors of the async client surface at client(), as new AsyncClient() throws them
    expect(() => client('127.0.0.1:3000' as never)).toThrow(/config must be an object/)
    expect(() => client({ hosts: [['127.0.0.1', 70000]] })).toThrow(ParamError)

    const c = open()
    expect(() => c.batchWriteNumpy('rows' as never, 'test', 'errs', dt)).toThrow(
      /data must be a StructuredArray, got "rows"/,
    )
    expect(() => c.batchWriteNumpy(rows(1), 'test', 'errs', [['_key', 'i4']] as never)).toThrow(
      /dtype must be a Dtype/,
    )
    expect(() =>
      c.writeNumpy(rows(1), 'test', 'errs', dt, { signal: new AbortController().signal } as never),
    ).toThrow(/signal is not supported by the blocking client/)
    expect(() => c.writeNumpy([rows(1)] as never, 'test', 'errs', dt)).toThrow(
      /takes a StructuredArray; a stream of arrays/,
    )
    expect(() =>
      c.batchWriteNumpy(rows(1), 'test', 'errs', dt, {
        policy: { totalTimeout: () => 1 } as never,
      }),
    ).toThrow(/cannot be sent to the client's worker thread/)
    expect(() => c.writeNumpy(rows(1), 'test', 'errs', dt, { onProgress: 5 as never })).toThrow(
      /onProgress must be a function/,
    )
    // and the client is still fine
    expect(c.batchWriteNumpy(rows(2), 'test', uniqueSetName('sync_ok'), dt).writtenCount).toBe(2)
  })

  it('reports a worker that cannot start', () => {
    const missing = new URL('./no-such-worker.js', workerUrl)
    expect(
      () => new Client({ hosts: cluster.hosts }, { workerUrl: missing, hostModule: dyingHost }),
    ).toThrow(SyncWorkerStartError)
  })

  it('reports calls after close() as the async client does', () => {
    const c = open()
    c.close()
    expect(() => c.batchWriteNumpy(rows(1), 'test', 'errs', dt)).toThrow(NotConnectedError)
  })
})

describe.skipIf(skipUnlessDevServer())('per-row results and retries (devserver faults)', () => {
  it('keeps per-row codes and replays onRetry after the call', async () => {
    const c = open()
    const set = uniqueSetName('sync_faults')
    await cluster.devserver!.injectFault({ namespace: 'test', set, keys: [3, 5], resultCode: 14 })
    const failed = c.batchWriteNumpy(rows(6), 'test', set, dt, { policy })
    expect([...failed.resultCodes]).toEqual([0, 0, 14, 0, 14, 0])
    expect(failed.failures.map((f) => [f.key.key, f.result])).toEqual([
      [3, 14],
      [5, 14],
    ])
    await cluster.devserver!.clearFaults()

    const retrySet = uniqueSetName('sync_retry')
    await cluster.devserver!.injectFault({
      namespace: 'test',
      set: retrySet,
      keys: [2, 4],
      resultCode: 14,
      times: 1,
    })
    const retries: unknown[] = []
    const result = c.batchWriteNumpy(rows(6), 'test', retrySet, dt, {
      policy,
      retry: 2,
      onRetry: (event) => retries.push(event),
    })
    expect(result.writtenCount).toBe(6)
    expect(retries).toEqual([expect.objectContaining({ attempt: 1, rows: 2 })])
  })
})

describe('results of the blocking client', () => {
  const keyDt = dtype([
    ['_key', 'S6'],
    ['v', 'f8'],
  ])
  function keyed(n: number, prefix: string): StructuredArray {
    const data = StructuredArray.zeros(keyDt, n)
    data.set(
      '_key',
      Array.from({ length: n }, (_, i) => new TextEncoder().encode(`${prefix}${i}`)),
    )
    return data
  }
  // every row fails with 2 (not found): exists UPDATE on keys that are not there
  const updateOnly = { ...policy, exists: POLICY_EXISTS_UPDATE }
  const ownKeys = (n: number) =>
    Array.from({ length: n }, (_, i) => [`a${i}`, ResultCode.ERR_RECORD_NOT_FOUND])

  it('own their keys: the array refilled after the call does not change them', () => {
    const c = open()
    for (const op of ['batchWriteNumpy', 'writeNumpy'] as const) {
      const data = keyed(1_500, 'a')
      const results = c[op](data, 'test', uniqueSetName('sync_own'), keyDt, {
        policy: updateOnly,
      })
      data.bytes.fill(0x7a)
      expect(results.failures.map((f) => [f.key.key, f.result])).toEqual(ownKeys(1_500))
    }
  })

  it("an onProgress that throws: PartialWriteError with every row's result", () => {
    const c = open()
    const set = uniqueSetName('sync_cbthrow')
    const boom = new Error('progress bar broke')
    let error: unknown
    try {
      c.writeNumpy(rows(2_000), 'test', set, dt, {
        policy,
        chunkSize: 500,
        onProgress: () => {
          throw boom
        },
      })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(PartialWriteError)
    const partial = error as PartialWriteError
    expect(partial.cause).toBe(boom)
    expect(partial.inDoubt).toBe(true)
    expect(partial.results.rowCount).toBe(2_000)
    expect(partial.results.writtenCount).toBe(2_000)
  })
})

describe.skipIf(skipUnlessDevServer())(
  'whole-call failures from the cluster (devserver latency)',
  () => {
    it('a timeout: same class, code and inDoubt as the async client', async () => {
      const c = open()
      await cluster.devserver!.setLatency(1500)
      const fast = { totalTimeout: 300, socketTimeout: 300, maxRetries: 0 }
      const set = uniqueSetName('sync_timeout')
      let syncError: unknown
      try {
        c.batchWriteNumpy(rows(5), 'test', set, dt, { policy: fast })
      } catch (error) {
        syncError = error
      }
      const asyncError = await asyncClient
        .batchWriteNumpy(rows(5), 'test', set, dt, { policy: fast })
        .catch((error: unknown) => error)
      expect(asyncError).toBeInstanceOf(AerospikeError)
      const s = syncError as AerospikeError
      const a = asyncError as AerospikeError
      expect(Object.getPrototypeOf(s)).toBe(Object.getPrototypeOf(a))
      expect([s.name, s.code, s.inDoubt]).toEqual([a.name, a.code, a.inDoubt])
      expect(s.code).toBe(9)
    })
  },
)

describe('several clients', () => {
  it('work independently: closing or losing one leaves the others working', () => {
    const first = open()
    const second = open()
    const third = openDying()
    const set = uniqueSetName('sync_many')
    for (let i = 0; i < 5; i++) {
      expect(first.batchWriteNumpy(rows(10, i * 100), 'test', set, dt).writtenCount).toBe(10)
      expect(second.batchWriteNumpy(rows(10, i * 100 + 50), 'test', set, dt).writtenCount).toBe(10)
    }
    expect(() => third.batchWriteNumpy(rows(10), 'test', 'exit-during-many', dt)).toThrow(
      SyncWorkerExitedError,
    )
    first.close()
    expect(second.isConnected()).toBe(true)
    expect(second.batchRead(keysOf(set, 0, 10), { dtype: readDt }).foundCount()).toBe(10)
  })

  it('lets a script that never calls close() exit by itself', async () => {
    const script = `
      import { client } from ${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)}
      import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
      const dt = dtype([['_key', 'i4'], ['score', 'f8']])
      const data = StructuredArray.fromRows(dt, [[1, 0.5], [2, 0.25]])
      const c = client({ hosts: ${JSON.stringify(cluster.hosts)} }).connect()
      console.log(String(c.batchWriteNumpy(data, 'test', ${JSON.stringify(uniqueSetName('sync_exit'))}, dt).resultCodes))
    `
    const started = performance.now()
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--input-type=module', '-e', script],
      { timeout: 30_000, cwd: new URL('..', import.meta.url) },
    )
    expect(stdout.trim()).toBe('0,0')
    expect(performance.now() - started).toBeLessThan(30_000)
  })
})

describe('a worker that dies', () => {
  it.each([
    ['exits', 'exit-during', 7, undefined],
    ['crashes', 'crash-during', 1, 'the host crashed'],
  ])(
    'mid-call (%s): a clear error, then the next call works again',
    (_how, prefix, exitCode, cause) => {
      const c = openDying()
      let error: unknown
      try {
        c.batchWriteNumpy(rows(100), 'test', uniqueSetName(prefix), dt)
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(SyncWorkerExitedError)
      expect(error).toBeInstanceOf(ClientError)
      expect(error).toBeInstanceOf(AerospikeError)
      const exited = error as SyncWorkerExitedError
      expect(exited.name).toBe('SyncWorkerExitedError')
      expect(exited.code).toBe(-1)
      expect(exited.exitCode).toBe(exitCode)
      expect(exited.inDoubt).toBe(true)
      expect(exited.message).toMatch(
        new RegExp(
          `batchWriteNumpy: .*worker thread exited \\(code ${exitCode}.*may have been written.*next call starts a new worker`,
        ),
      )
      expect((exited.cause as Error | undefined)?.message).toBe(cause)
      expect(c.isConnected()).toBe(false)

      // The next call starts a new worker, reconnects and writes.
      const set = uniqueSetName('sync_again')
      expect(c.batchWriteNumpy(rows(100), 'test', set, dt).writtenCount).toBe(100)
      expect(c.isConnected()).toBe(true)
      expect(c.batchRead(keysOf(set, 1, 100), { dtype: readDt }).foundCount()).toBe(100)
    },
  )

  it('between calls: isConnected() says so, close() does not throw', async () => {
    const c = openDying()
    expect(c.batchWriteNumpy(rows(5), 'test', uniqueSetName('exit-after'), dt).writtenCount).toBe(5)
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(c.isConnected()).toBe(false)
    expect(() => c.close()).not.toThrow()
  })

  it('between calls: the next call works again', async () => {
    const c = openDying()
    expect(c.batchWriteNumpy(rows(5), 'test', uniqueSetName('exit-after'), dt).writtenCount).toBe(5)
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(
      c.batchWriteNumpy(rows(5), 'test', uniqueSetName('sync_after_exit'), dt).writtenCount,
    ).toBe(5)
  })
})

describe.skipIf(skipUnlessDevServer())('timeouts (devserver latency)', () => {
  it('never cuts a long call by default', async () => {
    const c = open()
    await cluster.devserver!.setLatency(1500)
    const started = performance.now()
    const result = c.batchWriteNumpy(rows(10), 'test', uniqueSetName('sync_long'), dt, { policy })
    expect(performance.now() - started).toBeGreaterThanOrEqual(1400)
    expect(result.writtenCount).toBe(10)
  })

  it('honours callTimeout with a clear error, and the next call works', async () => {
    const c = open({ callTimeout: 2000 })
    await cluster.devserver!.setLatency(10_000)
    const started = performance.now()
    let error: unknown
    try {
      c.batchWriteNumpy(rows(10), 'test', uniqueSetName('sync_slow'), dt, { policy })
    } catch (e) {
      error = e
    }
    const elapsed = performance.now() - started
    expect(error).toBeInstanceOf(SyncCallTimeoutError)
    expect(error).toBeInstanceOf(TimeoutError)
    expect(error).toBeInstanceOf(AerospikeError)
    const timeout = error as SyncCallTimeoutError
    expect(timeout.code).toBe(9)
    expect(timeout.timeoutMs).toBe(2000)
    expect(timeout.inDoubt).toBe(true)
    expect(timeout.message).toMatch(/batchWriteNumpy did not finish within callTimeout 2000 ms/)
    expect(elapsed).toBeGreaterThanOrEqual(1990)
    expect(elapsed).toBeLessThan(9000)

    await cluster.devserver!.setLatency(0)
    expect(c.batchWriteNumpy(rows(10), 'test', uniqueSetName('sync_fast'), dt).writtenCount).toBe(
      10,
    )
  })
})

describe('callTimeout on any cluster', () => {
  it('stops a call held back in the worker, then works again', () => {
    const c = openDying({ callTimeout: 1500 })
    const started = performance.now()
    expect(() => c.batchWriteNumpy(rows(10), 'test', uniqueSetName('held'), dt)).toThrow(
      SyncCallTimeoutError,
    )
    const elapsed = performance.now() - started
    expect(elapsed).toBeGreaterThanOrEqual(1490)
    expect(elapsed).toBeLessThan(9000)
    expect(
      c.batchWriteNumpy(rows(10), 'test', uniqueSetName('sync_after_held'), dt).writtenCount,
    ).toBe(10)
  })
})
