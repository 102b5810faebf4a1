/**
 * `scanNumpy`, `scanNumpyAll` and `batchReadNumpy` through `AsyncClient`, once per engine,
 * against the devserver (or AEROSPIKE_HOSTS). Fault cases need the devserver.
 */
import { userKeyDigest } from '@aerospike-numpy/core'
import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
import { getTestCluster, skipUnlessDevServer, uniqueSetName } from '@aerospike-numpy/test-utils'
import { beforeAll, describe, expect, it } from 'vitest'
import { AsyncClient } from './client.js'
import {
  AbortError,
  ConversionError,
  NotConnectedError,
  ParamError,
  POLICY_KEY_SEND,
  ScanIncompleteError,
  type ScanChunk,
} from './index.js'
import { TEST_POLICY, testEngines, useConnectedClient } from './test-support/engines.js'

const dt = dtype([
  ['_key', 'i4'],
  ['temperature', 'f8'],
  ['humidity', 'f4'],
  ['status', 'u1'],
])
const N = 2000

function sensorRows(n: number, from = 0): StructuredArray {
  const a = StructuredArray.zeros(dt, n)
  a.set(
    '_key',
    Int32Array.from({ length: n }, (_, i) => from + i),
  )
  a.set(
    'temperature',
    Float64Array.from({ length: n }, (_, i) => (i === 0 ? 1.0 : 20 + (from + i) / 8)),
  )
  a.set(
    'humidity',
    Float32Array.from({ length: n }, (_, i) => (from + i) / 4),
  )
  a.set(
    'status',
    Uint8Array.from({ length: n }, (_, i) => (from + i) % 250),
  )
  return a
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')

/** Rows by digest; a digest seen twice fails the test. */
function byDigest(chunk: ScanChunk): Map<string, number> {
  const map = new Map<string, number>()
  for (let i = 0; i < chunk.length; i++) {
    const d = hex(chunk.digests.subarray(i * 20, i * 20 + 20))
    expect(map.has(d), `row ${d} twice`).toBe(false)
    map.set(d, i)
  }
  return map
}

/** Every key of `keys` once, values as sensorRows wrote them; `_key` filled where it was sent. */
function expectSensorRows(
  chunk: ScanChunk,
  set: string,
  keys: number[],
  sent: (k: number) => boolean,
): void {
  const rows = byDigest(chunk)
  expect(chunk.length).toBe(keys.length)
  const key = chunk.records.get('_key') as Int32Array
  const temperature = chunk.records.get('temperature') as Float64Array
  const humidity = chunk.records.get('humidity') as Float32Array
  const status = chunk.records.get('status') as Uint8Array
  for (const k of keys) {
    const row = rows.get(hex(userKeyDigest(set, k)))
    expect(row, `key ${k}`).toBeDefined()
    expect(key[row!]).toBe(sent(k) ? k : 0)
    expect(temperature[row!]).toBe(k === 0 ? 1.0 : 20 + k / 8)
    expect(humidity[row!]).toBe(Math.fround(k / 4))
    expect(status[row!]).toBe(k % 250)
  }
}

async function concat(iterable: AsyncIterable<ScanChunk>): Promise<ScanChunk[]> {
  const chunks: ScanChunk[] = []
  for await (const chunk of iterable) chunks.push(chunk)
  return chunks
}

const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i)

describe.each(testEngines())('scans, engine %s', (engine) => {
  const env = useConnectedClient(engine)
  const set = uniqueSetName(`scan_${engine}`)
  // Keys below N/2 written with key SEND (stored with the record), the rest as digests only.
  const sent = (k: number): boolean => k < N / 2
  beforeAll(async () => {
    const data = sensorRows(N)
    for (const [part, policy] of [
      [data.slice(0, N / 2), { ...TEST_POLICY, key: POLICY_KEY_SEND }],
      [data.slice(N / 2), TEST_POLICY],
    ] as const) {
      const written = await env.client.writeNumpy(part, 'test', set, dt, { policy })
      expect(written.failedCount).toBe(0)
    }
  })

  it('scanNumpyAll: every row once, values equal, the key where it was sent, meta', async () => {
    const all = await env.client.scanNumpyAll('test', set, { dtype: dt })
    expectSensorRows(all, set, range(N), sent)
    expect((all.meta.get('gen') as Uint32Array).every((g) => g === 1)).toBe(true)
    expect((all.meta.get('ttl') as Uint32Array).every((t) => t > 0)).toBe(true)
    expect(all.digests.length).toBe(N * 20)
  })

  it('scanNumpy yields chunks of chunkRows (the last one shorter); together every row once', async () => {
    const chunks = await concat(env.client.scanNumpy('test', set, { dtype: dt, chunkRows: 300 }))
    expect(chunks.slice(0, -1).every((c) => c.length === 300)).toBe(true)
    expect(chunks.reduce((n, c) => n + c.length, 0)).toBe(N)
    const merged = StructuredArray.zeros(dt, N)
    const digests = new Uint8Array(N * 20)
    let at = 0
    for (const c of chunks) {
      merged.bytes.set(c.records.bytes, at * dt.itemsize)
      digests.set(c.digests, at * 20)
      at += c.length
    }
    expectSensorRows(
      { records: merged, digests, meta: chunks[0]!.meta, length: N },
      set,
      range(N),
      sent,
    )
  })

  it('maxRecords, partitions and bins', async () => {
    const some = await env.client.scanNumpyAll('test', set, { dtype: dt, maxRecords: 17 })
    expect(some.length).toBe(17)
    byDigest(some)
    const part = await env.client.scanNumpyAll('test', set, {
      dtype: dt,
      partitions: { begin: 0, count: 2048 },
    })
    const expected = range(N).filter((k) => {
      const d = userKeyDigest(set, k)
      return ((d[0]! | (d[1]! << 8)) & 4095) < 2048
    })
    expectSensorRows(part, set, expected, sent)
    const one = await env.client.scanNumpyAll('test', set, { dtype: dt, bins: ['status'] })
    expect(one.length).toBe(N)
    expect((one.records.get('temperature') as Float64Array).every((x) => x === 0)).toBe(true)
  })

  it('onProgress reports rows and partitions; the last event has them all', async () => {
    const events: { rows: number; partitionsDone: number; partitionsTotal: number }[] = []
    await env.client.scanNumpyAll('test', set, {
      dtype: dt,
      chunkRows: 500,
      onProgress: (p) => events.push(p),
    })
    expect(events.length).toBeGreaterThanOrEqual(4)
    expect(events[events.length - 1]).toMatchObject({
      rows: N,
      partitionsDone: 4096,
      partitionsTotal: 4096,
    })
  })

  it('leaving the loop early stops the scan; the client closes', async () => {
    let seen = 0
    for await (const chunk of env.client.scanNumpy('test', set, { dtype: dt, chunkRows: 100 })) {
      seen += chunk.length
      if (seen >= 300) break
    }
    expect(seen).toBe(300)
    const other = await new AsyncClient({ hosts: env.cluster.hosts, engine }).connect()
    const iterator = other
      .scanNumpy('test', set, { dtype: dt, chunkRows: 100 })
      [Symbol.asyncIterator]()
    await iterator.next()
    await iterator.return!()
    await other.close()
  })

  it('a signal aborts with AbortError', async () => {
    const controller = new AbortController()
    controller.abort()
    await expect(
      env.client.scanNumpyAll('test', set, { dtype: dt, signal: controller.signal }),
    ).rejects.toBeInstanceOf(AbortError)
    const later = new AbortController()
    const chunks: ScanChunk[] = []
    await expect(
      (async () => {
        for await (const chunk of env.client.scanNumpy('test', set, {
          dtype: dt,
          chunkRows: 100,
          signal: later.signal,
        })) {
          chunks.push(chunk)
          later.abort()
        }
      })(),
    ).rejects.toBeInstanceOf(AbortError)
    expect(chunks.length).toBeGreaterThanOrEqual(1)
  })

  it('a value that does not fit is a ConversionError naming the digest and field', async () => {
    const narrow = dtype([
      ['_key', 'i4'],
      ['humidity', 'i1'],
    ])
    const error = await env.client
      .scanNumpyAll('test', set, { dtype: narrow })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConversionError)
    expect((error as Error).message).toMatch(
      /record test\/.* digest [0-9a-f]{40}, field 'humidity'/,
    )
  })

  it('refuses bad options before sending anything', () => {
    const c = env.client
    expect(() => c.scanNumpy('test', set, {} as never)).toThrow(/needs options.dtype/)
    expect(() => c.scanNumpy('test', set, { dtype: dt, chunkRows: 0 })).toThrow(ParamError)
    expect(() => c.scanNumpy('test', set, { dtype: dt, partitions: [4096] })).toThrow(
      /partitions\[0\]/,
    )
    expect(() => c.scanNumpy('test', set, { dtype: dt, nope: 1 } as never)).toThrow(
      /unknown scanNumpy options key 'nope'/,
    )
    expect(() => c.scanNumpy('', set, { dtype: dt })).toThrow(/namespace/)
    expect(() => c.scanNumpy('test', set, { dtype: dt, policy: { totalTimeout: -1 } })).toThrow(
      /policy.totalTimeout/,
    )
    expect(() => c.scanNumpy('test', set, { dtype: dt, signal: 'stop' as never })).toThrow(
      /AbortSignal/,
    )
    const disconnected = new AsyncClient({ hosts: env.cluster.hosts, engine })
    expect(() => disconnected.scanNumpy('test', set, { dtype: dt })).toThrow(NotConnectedError)
  })

  describe.skipIf(skipUnlessDevServer())(
    'unfinished partitions (devserver only: scan faults)',
    () => {
      it('are reported after every readable row; passing them back resumes exactly there', async () => {
        const devserver = env.cluster.devserver!
        const victims = [
          ...new Set(
            range(60).map((k) => {
              const d = userKeyDigest(set, k)
              return (d[0]! | (d[1]! << 8)) & 4095
            }),
          ),
        ]
        await devserver.failScanPartitions({ partitions: victims, times: 1000 })
        let error: unknown
        const chunks: ScanChunk[] = []
        try {
          for await (const chunk of env.client.scanNumpy('test', set, {
            dtype: dt,
            policy: { maxRetries: 1, sleepBetweenRetries: 0 },
          })) {
            chunks.push(chunk)
          }
        } catch (e) {
          error = e
        } finally {
          await devserver.clearFaults()
        }
        expect(error).toBeInstanceOf(ScanIncompleteError)
        const incomplete = error as ScanIncompleteError
        expect(incomplete.code).toBe(11)
        const unfinished = incomplete.unfinished.map((p) => p.id)
        if (engine === 'wire') {
          expect(unfinished).toEqual([...victims].sort((a, b) => a - b))
        } else {
          // The official client fails a query of a run of partitions as a whole: every partition
          // of the failed runs is reported (each with where it got to).
          for (const v of victims) expect(unfinished).toContain(v)
        }
        const read = chunks.reduce((n, c) => n + c.length, 0)
        expect(incomplete.rows).toBe(read)
        const rest = await env.client.scanNumpyAll('test', set, {
          dtype: dt,
          partitions: incomplete.unfinished,
        })
        expect(read + rest.length).toBe(N)
        const seen = new Set<string>()
        for (const c of [...chunks, rest]) {
          for (const d of byDigest(c).keys()) {
            expect(seen.has(d)).toBe(false)
            seen.add(d)
          }
        }
      })

      it.skipIf(engine === 'official')(
        'a consumer that falls behind holds the scan back (the wire engine stops reading)',
        async () => {
          const big = uniqueSetName('backpressure')
          await env.client.writeNumpy(sensorRows(20_000), 'test', big, dt, { policy: TEST_POLICY })
          let produced = 0
          let consumed = 0
          let ahead = 0
          for await (const chunk of env.client.scanNumpy('test', big, {
            dtype: dt,
            chunkRows: 100,
            onProgress: (p) => {
              produced = p.chunks
            },
          })) {
            consumed++
            ahead = Math.max(ahead, produced - consumed)
            if (consumed <= 5) await new Promise((resolve) => setTimeout(resolve, 50))
            expect(chunk.length).toBeLessThanOrEqual(100)
          }
          expect(consumed).toBe(200)
          // Without backpressure all 200 chunks would be read during the first pause.
          expect(ahead).toBeLessThan(60)
        },
      )
    },
  )
})

describe.each(testEngines())('batchReadNumpy, engine %s', (engine) => {
  const env = useConnectedClient(engine)
  const set = uniqueSetName(`brn_${engine}`)
  const strDt = dtype([
    ['_key', 'S8'],
    ['v', 'f8'],
  ])
  const blobDt = dtype([
    ['_key', 'V3'],
    ['v', 'f8'],
  ])
  beforeAll(async () => {
    await env.client.writeNumpy(sensorRows(50), 'test', set, dt, { policy: TEST_POLICY })
    const strings = StructuredArray.fromRows(strDt, [
      [new TextEncoder().encode('a'), 1.5],
      [new TextEncoder().encode('bb'), 2.5],
    ])
    await env.client.batchWriteNumpy(strings, 'test', `${set}_s`, strDt, { policy: TEST_POLICY })
    const blobs = StructuredArray.fromRows(blobDt, [[Uint8Array.of(1, 2, 3), 9.5]])
    await env.client.batchWriteNumpy(blobs, 'test', `${set}_b`, blobDt, { policy: TEST_POLICY })
  })

  const readDt = dtype([
    ['temperature', 'f8'],
    ['status', 'u1'],
  ])

  it('reads an integer typed array of keys, in key order; missing keys are code 2', async () => {
    const keys = Int32Array.of(3, 49, 1000, 0)
    const result = await env.client.batchReadNumpy(keys, 'test', set, { dtype: readDt })
    expect([...result.resultCodes]).toEqual([0, 0, 2, 0])
    expect([...(result.batchRecords.get('temperature') as Float64Array)]).toEqual([
      20 + 3 / 8,
      20 + 49 / 8,
      0,
      1.0,
    ])
    expect(result.get(['test', set, 49])).toMatchObject({ status: 49 })
    const big = await env.client.batchReadNumpy(BigInt64Array.of(7n), 'test', set, {
      dtype: readDt,
    })
    expect(big.get(7)).toMatchObject({ status: 7 })
  })

  it("reads a result's keyBatch again: the same keys, not resolved again", async () => {
    const first = await env.client.batchReadNumpy(['bb', 'zz', 'a'], 'test', `${set}_s`, {
      dtype: dtype([['v', 'f8']]),
    })
    const again = await env.client.batchRead(first.keyBatch, { dtype: dtype([['v', 'f8']]) })
    expect([...again.resultCodes]).toEqual([0, 2, 0])
    expect([...(again.batchRecords.get('v') as Float64Array)]).toEqual([2.5, 0, 1.5])
    expect(again.keys).toEqual(first.keys)
  })

  it('reads the key column of a StructuredArray (keyField), strings and Buffers', async () => {
    const data = sensorRows(5, 10)
    const fromArray = await env.client.batchReadNumpy(data, 'test', set, { dtype: readDt })
    expect([...(fromArray.batchRecords.get('status') as Uint8Array)]).toEqual([10, 11, 12, 13, 14])
    const renamed = dtype([
      ['id', 'i4'],
      ['x', 'f8'],
    ])
    const ids = StructuredArray.fromRows(renamed, [
      [12, 0],
      [2, 0],
    ])
    const byField = await env.client.batchReadNumpy(ids, 'test', set, {
      dtype: readDt,
      keyField: 'id',
    })
    expect([...(byField.batchRecords.get('status') as Uint8Array)]).toEqual([12, 2])
    const strings = await env.client.batchReadNumpy(['bb', 'zz', 'a'], 'test', `${set}_s`, {
      dtype: dtype([['v', 'f8']]),
    })
    expect([...strings.resultCodes]).toEqual([0, 2, 0])
    expect([...(strings.batchRecords.get('v') as Float64Array)]).toEqual([2.5, 0, 1.5])
    const blobs = await env.client.batchReadNumpy([Buffer.from([1, 2, 3])], 'test', `${set}_b`, {
      dtype: dtype([['v', 'f8']]),
    })
    expect(blobs.get(Uint8Array.of(1, 2, 3))).toEqual({ v: 9.5 })
  })

  it('refuses keys Aerospike cannot hold, naming them', async () => {
    const c = env.client
    await expect(
      c.batchReadNumpy(Float64Array.of(1), 'test', set, { dtype: readDt }),
    ).rejects.toThrow(/Float64Array/)
    await expect(
      c.batchReadNumpy(BigUint64Array.of(2n ** 63n), 'test', set, { dtype: readDt }),
    ).rejects.toThrow(/keys\[0\]/)
    await expect(c.batchReadNumpy([1, {}], 'test', set, { dtype: readDt })).rejects.toThrow(
      /keys\[1\]/,
    )
    await expect(
      c.batchReadNumpy(Buffer.from('ab'), 'test', set, { dtype: readDt }),
    ).rejects.toThrow(ParamError)
    await expect(
      c.batchReadNumpy(sensorRows(1), 'test', set, { dtype: readDt, keyField: 'nope' }),
    ).rejects.toThrow(/key field 'nope'/)
    await expect(c.batchReadNumpy([1], 'test', set, {} as never)).rejects.toThrow(/options.dtype/)
  })
})

describe('leaving a scan early on a cluster of several nodes', () => {
  it('stops nodes not started yet too (one node at a time, the queue full)', async () => {
    const cluster = await getTestCluster({ nodes: 3 })
    const c = await new AsyncClient({ hosts: cluster.hosts }).connect()
    try {
      const set = uniqueSetName('early')
      await c.writeNumpy(sensorRows(3000), 'test', set, dt, { policy: TEST_POLICY })
      let chunks = 0
      for await (const chunk of c.scanNumpy('test', set, {
        dtype: dt,
        chunkRows: 10,
        concurrency: 1,
      })) {
        expect(chunk.length).toBe(10)
        // let the first node fill the queue before leaving
        await new Promise((resolve) => setTimeout(resolve, 100))
        if (++chunks === 2) break
      }
      expect(chunks).toBe(2)
    } finally {
      await c.close()
      await cluster.close()
    }
  })
})
