/**
 * `writeNumpy({ workers })`: the worker pool as a place chunks are sent from. The rows, the dtype
 * and the errors cross the thread boundary unchanged; one pool per client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dtype, StructuredArray, type Dtype } from '@aerospike-numpy/dtype'
import {
  connectOfficialClient,
  getTestCluster,
  loadOfficialClient,
  rowColumns,
  skipUnlessDevServer,
  uniqueSetName,
  type OfficialClient,
  type TestCluster,
} from '@aerospike-numpy/test-utils'
import { AsyncClient } from '../client.js'
import { ResultCode } from '../index.js'
import { TEST_POLICY, storedBinNames } from '../test-support/engines.js'
import { WriteWorkerPool } from './pool.js'

const sensor = dtype([
  ['_key', 'i4'],
  ['temperature', 'f8'],
  ['humidity', 'f4'],
  ['pressure', 'f4'],
  ['status', 'u1'],
])

const rows = (n: number, shared = false): StructuredArray =>
  StructuredArray.fromColumns(
    sensor,
    rowColumns(n, {
      _key: (i) => i,
      temperature: (i) => i / 10,
      humidity: () => 0,
      pressure: () => 0,
      status: (i) => i % 5,
    }),
    { shared },
  )

describe('writeNumpy with workers', () => {
  let tc: TestCluster
  let client: AsyncClient
  let official: OfficialClient
  beforeAll(async () => {
    tc = await getTestCluster({ nodes: 3 })
    client = await new AsyncClient({ hosts: tc.hosts, engine: 'wire' }).connect()
    official = await connectOfficialClient(tc)
  })
  afterAll(async () => {
    await client?.close()
    await official?.close()
    await tc?.close()
  })

  it('writes every row through the pool, reports progress, and leaves the event loop free', async () => {
    const set = uniqueSetName('workers')
    const n = 30_000
    const data = rows(n)
    const progress: number[] = []
    let ticks = 0
    const timer = setInterval(() => ticks++, 5)
    const result = await client.writeNumpy(data, 'test', set, sensor, {
      workers: 2,
      chunkSize: 2000,
      concurrency: 2,
      policy: TEST_POLICY,
      onProgress: (p) => progress.push(p.rowsDone),
    })
    clearInterval(timer)
    expect(result.failures.slice(0, 3)).toEqual([])
    expect(result.writtenCount).toBe(n)
    expect(progress.at(-1)).toBe(n)
    expect(progress.length).toBe(n / 2000)
    expect(ticks).toBeGreaterThan(0)
    const back = await client.batchRead(
      [0, 1234, 29_999].map((k) => ['test', set, k]),
      {
        dtype: dtype([
          ['temperature', 'f8'],
          ['status', 'u1'],
        ]),
        policy: TEST_POLICY,
      },
    )
    expect([...(back.batchRecords.get('temperature') as Float64Array)]).toEqual([0, 123.4, 2999.9])
    expect([...(back.batchRecords.get('status') as Uint8Array)]).toEqual([0, 4, 4])
  })

  it('writes a stream of chunks', async () => {
    const set = uniqueSetName('wstream')
    const data = rows(5000, true)
    async function* source() {
      for (let s = 0; s < 5000; s += 1500) yield data.slice(s, Math.min(5000, s + 1500))
    }
    const summary = await client.writeNumpy(source(), 'test', set, sensor, {
      workers: 2,
      chunkSize: 1000,
      policy: TEST_POLICY,
    })
    expect(summary.rowCount).toBe(5000)
    expect(summary.writtenCount).toBe(5000)
  })

  it('validityField reaches the workers: clear bits leave bins out', async () => {
    const set = uniqueSetName('wvalid')
    const dt = dtype([
      ['_key', 'i4'],
      ['a', 'f8'],
      ['b', 'i2'],
      ['_valid', 'u1'],
    ])
    const data = StructuredArray.zeros(dt, 10)
    data.set(
      '_key',
      Int32Array.from({ length: 10 }, (_, i) => i),
    )
    data.set(
      '_valid',
      Uint8Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? 0b01 : 0b10)),
    )
    const result = await client.writeNumpy(data, 'test', set, dt, {
      workers: 1,
      validityField: '_valid',
    })
    expect(result.writtenCount).toBe(10)
    expect(await storedBinNames(tc, 'test', set, 4)).toEqual(['a'])
    expect(await storedBinNames(tc, 'test', set, 5)).toEqual(['b'])
  })

  it('calls beforeChunk before and onChunkSettled after each chunk, array and stream', async () => {
    const set = uniqueSetName('whooks')
    for (const input of ['array', 'stream'] as const) {
      const data = rows(4_500)
      const paced: number[] = []
      const settled: Array<[number, number, number]> = []
      async function* source() {
        for (let s = 0; s < 4_500; s += 2_000) yield data.slice(s, Math.min(4_500, s + 2_000))
      }
      const options = {
        workers: 2,
        chunkSize: 1000,
        beforeChunk: (n: number) => {
          paced.push(n)
        },
        onChunkSettled: ({
          rowBase,
          data: chunk,
          outcome,
        }: {
          rowBase: number
          data: StructuredArray
          outcome: { resultCodes: Int32Array }
        }) => {
          expect((chunk.get('_key') as Int32Array)[0]).toBe(rowBase)
          settled.push([rowBase, chunk.length, outcome.resultCodes.filter((c) => c === 0).length])
        },
      }
      if (input === 'array') await client.writeNumpy(data, 'test', set, sensor, options)
      else await client.writeNumpy(source(), 'test', set, sensor, options)
      expect(paced.reduce((a, b) => a + b, 0)).toBe(4_500)
      settled.sort((a, b) => a[0] - b[0])
      // the stream's 2,000-row arrays cut at 1,000 (the last chunk 500), as the array is
      const expected = [0, 1000, 2000, 3000, 4000]
      expect(settled.map((c) => c[0])).toEqual(expected)
      expect(settled.every(([, len, ok]) => len === ok)).toBe(true)
      expect(settled.reduce((a, c) => a + c[1], 0)).toBe(4_500)
    }
  })

  it('refuses bad worker counts and the official engine, before anything starts', async () => {
    for (const workers of [0, 65, 1.5, '2']) {
      await expect(
        client.writeNumpy(rows(10), 'test', 'x', sensor, { workers: workers as number }),
      ).rejects.toThrow(/workers must be an integer from 1 to 64/)
    }
    const other = new AsyncClient({ hosts: tc.hosts, engine: 'official' })
    await expect(other.writeNumpy(rows(10), 'test', 'x', sensor, { workers: 2 })).rejects.toThrow(
      /engine: 'wire'/,
    )
  })

  /** The bins the server holds for key 1 of `set`, and their values. */
  async function storedBins(set: string): Promise<Record<string, unknown>> {
    const { Key } = await loadOfficialClient()
    const record = await official.get(new Key('test', set, 1) as never)
    return record.bins as Record<string, unknown>
  }

  const layouts: [string, Dtype][] = [
    [
      'aligned (padding after _key)',
      dtype(
        [
          ['_key', 'i4'],
          ['x', 'f8'],
        ],
        { align: true },
      ),
    ],
    [
      'dict form with offsets and itemsize',
      dtype({ names: ['_key', 'x'], formats: ['i4', 'f8'], offsets: [0, 8], itemsize: 24 }),
    ],
    [
      'dict form with out-of-order offsets',
      dtype({ names: ['x', '_key'], formats: ['f8', 'i4'], offsets: [8, 0], itemsize: 16 }),
    ],
    [
      'nested aligned struct',
      dtype(
        [
          ['_key', 'i2'],
          [
            'x',
            [
              ['a', 'u1'],
              ['b', 'f8'],
            ],
          ],
        ],
        { align: true },
      ),
    ],
  ]

  it.each(layouts)(
    '%s: the same bins as without workers (padding never becomes a bin)',
    async (_name, dt) => {
      const data = StructuredArray.zeros(dt, 3)
      data.set('_key', [1, 2, 3])
      // fill the padding with bytes that would show if it were written
      const padded = new Uint8Array(data.buffer)
      const marks = new Uint8Array(dt.itemsize).fill(0xee)
      for (const f of dt.fields!) marks.fill(0, f.offset, f.offset + f.dtype.itemsize)
      for (let r = 0; r < 3; r++) {
        for (let b = 0; b < dt.itemsize; b++) if (marks[b] !== 0) padded[r * dt.itemsize + b] = 0xee
      }
      if (dt.field('x')!.dtype.kind === 'f') data.set('x', [0.5, 1.5, 2.5])
      const inProcess = uniqueSetName('layout')
      const pooled = uniqueSetName('layoutw')
      const a = await client.writeNumpy(data, 'test', inProcess, dt, { policy: TEST_POLICY })
      const b = await client.writeNumpy(data, 'test', pooled, dt, {
        workers: 2,
        policy: TEST_POLICY,
      })
      expect([...a.resultCodes]).toEqual([0, 0, 0])
      expect([...b.resultCodes]).toEqual([0, 0, 0])
      const expected = await storedBins(inProcess)
      expect(Object.keys(expected)).toEqual(['x'])
      expect(await storedBins(pooled)).toEqual(expected)
    },
  )

  it('a namespace the cluster does not serve: per-row code 20, as without workers', async () => {
    const set = uniqueSetName('unserved')
    const inProcess = await client.writeNumpy(rows(1_500), 'no_such_ns', set, sensor, {
      chunkSize: 500,
      policy: TEST_POLICY,
    })
    const pooled = await client.writeNumpy(rows(1_500), 'no_such_ns', set, sensor, {
      chunkSize: 500,
      workers: 2,
      policy: TEST_POLICY,
    })
    expect([...inProcess.countByResult()]).toEqual([[ResultCode.ERR_NAMESPACE_NOT_FOUND, 1_500]])
    expect([...pooled.countByResult()]).toEqual([...inProcess.countByResult()])
    expect(pooled.failures[0]).toMatchObject({ row: 0, key: { key: 0 }, result: 20 })
  })

  it('one pool per client: reused by later calls, replaced for another size, closed by close()', async () => {
    const own = await new AsyncClient({ hosts: tc.hosts, engine: 'wire' }).connect()
    const opened = WriteWorkerPool.opened
    const closed = WriteWorkerPool.closed
    const set = uniqueSetName('pools')
    for (let i = 0; i < 3; i++) {
      const r = await own.writeNumpy(rows(100), 'test', set, sensor, {
        workers: 2,
        policy: TEST_POLICY,
      })
      expect(r.writtenCount).toBe(100)
    }
    expect(WriteWorkerPool.opened - opened).toBe(1)
    // two calls at once share it
    await Promise.all([
      own.writeNumpy(rows(100), 'test', set, sensor, { workers: 2, policy: TEST_POLICY }),
      own.writeNumpy(rows(100), 'test', set, sensor, { workers: 2, policy: TEST_POLICY }),
    ])
    expect(WriteWorkerPool.opened - opened).toBe(1)
    await own.writeNumpy(rows(100), 'test', set, sensor, { workers: 3, policy: TEST_POLICY })
    expect(WriteWorkerPool.opened - opened).toBe(2)
    await own.close()
    expect(WriteWorkerPool.closed - closed).toBe(2)
  })
})

describe.skipIf(skipUnlessDevServer())(
  'writeNumpy with workers, the only node stopped mid-write (devserver: node control)',
  () => {
    let tc: TestCluster
    beforeAll(async () => {
      // a cluster of its own: its node is stopped
      tc = await getTestCluster({ nodes: 1, namespaces: ['test', 'stopped'] })
    })
    afterAll(async () => {
      await tc?.close()
    })

    it('every row gets a result: written, or the connection failure, never a rejected call', async () => {
      const client = await new AsyncClient({ hosts: tc.hosts, engine: 'wire' }).connect()
      try {
        const n = 30_000
        let stopping: Promise<void> | null = null
        const result = await client.writeNumpy(rows(n), 'test', uniqueSetName('stop'), sensor, {
          workers: 2,
          chunkSize: 500,
          concurrency: 1,
          policy: { totalTimeout: 5_000, socketTimeout: 5_000 },
          onProgress: (p) => {
            if (p.rowsDone >= 5_000) stopping ??= tc.devserver!.stopNode(0)
          },
        })
        await stopping
        expect(result.length).toBe(n)
        expect(result.writtenCount).toBeGreaterThanOrEqual(5_000)
        expect(result.writtenCount).toBeLessThan(n)
        const failed = result.failures
        expect(failed.length).toBe(n - result.writtenCount)
        // the rows in flight lose their connection (-10); later ones find no node (1, cluster empty)
        const lost = new Set<number>([
          ResultCode.ERR_CONNECTION,
          ResultCode.ERR_SERVER,
          ResultCode.ERR_INVALID_NODE,
          ResultCode.ERR_TIMEOUT,
          ResultCode.NO_RESPONSE,
        ])
        expect(failed.filter((f) => !lost.has(f.result))).toEqual([])
      } finally {
        await client.close()
      }
    })
  },
)
