import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NamespaceNotFoundError } from '@aerospike-numpy/core'
import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
import { getTestCluster, uniqueSetName, type TestCluster } from '@aerospike-numpy/test-utils'
import { AsyncClient } from '../client.js'
import { storedBinNames } from '../test-support/engines.js'
import { shareRows } from './write-numpy-workers.js'

const sensor = dtype([
  ['_key', 'i4'],
  ['temperature', 'f8'],
  ['humidity', 'f4'],
  ['pressure', 'f4'],
  ['status', 'u1'],
])

function rows(n: number, shared = false): StructuredArray {
  const a = StructuredArray.zeros(sensor, n, { shared })
  a.set(
    '_key',
    Int32Array.from({ length: n }, (_, i) => i),
  )
  a.set(
    'temperature',
    Float64Array.from({ length: n }, (_, i) => i / 10),
  )
  a.set(
    'status',
    Uint8Array.from({ length: n }, (_, i) => i % 5),
  )
  return a
}

describe('shareRows', () => {
  it('uses a shared array as is and copies a plain one once, chunk by chunk', () => {
    const shared = rows(10, true)
    const s = shareRows(shared.slice(2, 8))
    expect(s.rows.buffer).toBe(shared.buffer)
    expect(s.rows.byteOffset).toBe(2 * sensor.itemsize)
    const plain = rows(10).slice(3, 8)
    const p = shareRows(plain)
    expect(p.rows.buffer).toBeInstanceOf(SharedArrayBuffer)
    expect(p.rows.byteOffset).toBe(0)
    const copy = new Uint8Array(p.rows.buffer)
    p.prepare(0, 2)
    expect(
      Buffer.from(copy.subarray(0, 2 * sensor.itemsize)).equals(
        Buffer.from(plain.bytes.subarray(0, 2 * sensor.itemsize)),
      ),
    ).toBe(true)
    expect(copy.subarray(2 * sensor.itemsize).every((b) => b === 0)).toBe(true)
    p.prepare(2, 5)
    expect(Buffer.from(copy).equals(Buffer.from(plain.bytes))).toBe(true)
  })
})

describe('writeNumpy with workers', () => {
  let tc: TestCluster
  let client: AsyncClient
  beforeAll(async () => {
    tc = await getTestCluster({ nodes: 3 })
    client = await new AsyncClient({ hosts: tc.hosts, engine: 'wire' }).connect()
  })
  afterAll(async () => {
    await client?.close()
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
      policy: { totalTimeout: 20_000 },
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
      },
    )
    expect([...(back.batchRecords.get('temperature') as Float64Array)]).toEqual([0, 123.4, 2999.9])
    expect([...(back.batchRecords.get('status') as Uint8Array)]).toEqual([0, 4, 4])
  })

  it('writes a stream of chunks (each shared once)', async () => {
    const set = uniqueSetName('wstream')
    const data = rows(5000, true)
    async function* source() {
      for (let s = 0; s < 5000; s += 1500) yield data.slice(s, Math.min(5000, s + 1500))
    }
    const summary = await client.writeNumpy(source(), 'test', set, sensor, {
      workers: 2,
      chunkSize: 1000,
    })
    expect(summary.rowCount).toBe(5000)
    expect(summary.writtenCount).toBe(5000)
  })

  it('a dtype with gaps between fields (align: true) writes only its fields', async () => {
    const set = uniqueSetName('wgaps')
    // numpy align=True: 7 padding bytes after 'status', which must not become a bin
    const aligned = dtype(
      [
        ['_key', 'i4'],
        ['status', 'u1'],
        ['temperature', 'f8'],
      ],
      { align: true },
    )
    const a = StructuredArray.zeros(aligned, 20)
    a.set(
      '_key',
      Int32Array.from({ length: 20 }, (_, i) => i),
    )
    a.set(
      'temperature',
      Float64Array.from({ length: 20 }, (_, i) => i / 4),
    )
    const result = await client.writeNumpy(a, 'test', set, aligned, { workers: 1 })
    expect(result.writtenCount).toBe(20)
    expect(await storedBinNames(tc, 'test', set, 3)).toEqual(['status', 'temperature'])
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
      const expected = input === 'array' ? [0, 1000, 2000, 3000, 4000] : [0, 1000, 2000, 3000, 4000] // 2,000-row chunks rechunked at 1,000; the last is 500
      expect(settled.map((c) => c[0])).toEqual(expected)
      expect(settled.every(([, len, ok]) => len === ok)).toBe(true)
      expect(settled.reduce((a, c) => a + c[1], 0)).toBe(4_500)
    }
  })

  it('honours an AbortSignal: rows not sent are reported as not written', async () => {
    const set = uniqueSetName('wabort')
    const n = 20_000
    const controller = new AbortController()
    const result = await client.writeNumpy(rows(n), 'test', set, sensor, {
      workers: 1,
      chunkSize: 500,
      concurrency: 1,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.chunksDone === 2) controller.abort()
      },
    })
    expect(result.aborted).toBe(true)
    const codes = new Set(result.resultCodes)
    expect(codes).toEqual(new Set([0, -5]))
    expect(result.writtenCount).toBeGreaterThanOrEqual(1000)
    expect(result.writtenCount).toBeLessThan(n)
    expect(result.writtenCount + result.failedCount).toBe(n)
  })

  it("a worker's failure arrives as core's AerospikeError class and code, not a plain Error", async () => {
    const outcome = await client.writeNumpy(rows(10), 'nope', 'x', sensor, { workers: 2 }).then(
      (result) => result,
      (error: unknown) => error,
    )
    if (outcome instanceof Error) {
      // The whole call failed in a worker: the error crossed the thread as the same class.
      expect(outcome).toBeInstanceOf(NamespaceNotFoundError)
      expect(outcome).toMatchObject({ code: 20, codeName: 'ERR_NAMESPACE_NOT_FOUND' })
    } else {
      // Or, as without workers, every row reports the namespace's code.
      expect(new Set((outcome as { resultCodes: Int32Array }).resultCodes)).toEqual(new Set([20]))
    }
  })

  it('refuses bad worker counts and the official engine, before anything starts', async () => {
    await expect(client.writeNumpy(rows(10), 'test', 'x', sensor, { workers: 0 })).rejects.toThrow(
      /workers must be an integer/,
    )
    const official = new AsyncClient({ hosts: tc.hosts, engine: 'official' })
    await expect(
      official.writeNumpy(rows(10), 'test', 'x', sensor, { workers: 2 }),
    ).rejects.toThrow(/engine: 'wire'/)
  })
})
