// The blocking client's scans and key-column reads against the devserver (or AEROSPIKE_HOSTS):
// the same rows, chunks and errors as the async client, with a plain iterator.
import { AsyncClient, ScanIncompleteError, type ScanChunk } from '@aerospike-numpy/async'
import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
import {
  getTestCluster,
  skipUnlessDevServer,
  uniqueSetName,
  type TestCluster,
} from '@aerospike-numpy/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { client, type Client } from './client.js'

const policy = { totalTimeout: 20_000, socketTimeout: 20_000 }
const dt = dtype([
  ['_key', 'i4'],
  ['score', 'f8'],
  ['count', 'i4'],
])
const N = 1500

function rows(n: number): StructuredArray {
  return StructuredArray.fromColumns(dt, {
    _key: Int32Array.from({ length: n }, (_, i) => i),
    score: Float64Array.from({ length: n }, (_, i) => i / 8),
    count: Int32Array.from({ length: n }, (_, i) => i * 3),
  })
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/** key → [score, count] of every row, checking no digest comes twice. */
function contents(chunks: ScanChunk[]): Map<number, [number, number]> {
  const out = new Map<number, [number, number]>()
  const digests = new Set<string>()
  for (const chunk of chunks) {
    const key = chunk.records.get('_key') as Int32Array
    const score = chunk.records.get('score') as Float64Array
    const count = chunk.records.get('count') as Int32Array
    for (let i = 0; i < chunk.length; i++) {
      const d = hex(chunk.digests.subarray(i * 20, i * 20 + 20))
      expect(digests.has(d)).toBe(false)
      digests.add(d)
      out.set(key[i]!, [score[i]!, count[i]!])
    }
  }
  return out
}

let cluster: TestCluster
let c: Client
const set = uniqueSetName('sync_scan')

beforeAll(async () => {
  cluster = await getTestCluster()
  // Written by the async client; every key stored with its record.
  const writer = await new AsyncClient({ hosts: cluster.hosts }).connect()
  const written = await writer.writeNumpy(rows(N), 'test', set, dt, {
    policy: { ...policy, key: 1 },
  })
  expect(written.failedCount).toBe(0)
  await writer.close()
  c = client({ hosts: cluster.hosts }).connect()
})

afterAll(async () => {
  c?.close()
  await cluster?.close()
})

describe('blocking scans', () => {
  it('scanNumpyAll: every row once, with its stored key and values', () => {
    const all = c.scanNumpyAll('test', set, { dtype: dt })
    expect(all.length).toBe(N)
    const seen = contents([all])
    for (let k = 0; k < N; k++) expect(seen.get(k)).toEqual([k / 8, k * 3])
    expect((all.meta.get('gen') as Uint32Array).every((g) => g === 1)).toBe(true)
  })

  it('scanNumpy is a plain iterator of chunks; onProgress events arrive with them', () => {
    const events: number[] = []
    const chunks: ScanChunk[] = []
    for (const chunk of c.scanNumpy('test', set, {
      dtype: dt,
      chunkRows: 200,
      onProgress: (p) => events.push(p.rows),
    })) {
      chunks.push(chunk)
    }
    expect(chunks.slice(0, -1).every((ch) => ch.length === 200)).toBe(true)
    const seen = contents(chunks)
    expect(seen.size).toBe(N)
    expect(events[events.length - 1]).toBe(N)
  })

  it('leaving the loop early stops the scan; the client goes on', () => {
    let n = 0
    for (const chunk of c.scanNumpy('test', set, { dtype: dt, chunkRows: 100 })) {
      n += chunk.length
      if (n >= 300) break
    }
    expect(n).toBe(300)
    expect(c.scanNumpyAll('test', set, { dtype: dt, maxRecords: 7 }).length).toBe(7)
  })

  it('refuses bad options on the calling thread, and signal', () => {
    expect(() => c.scanNumpy('test', set, { dtype: dt, chunkRows: -1 })).toThrow(/chunkRows/)
    expect(() =>
      c.scanNumpyAll('test', set, { dtype: dt, signal: new AbortController().signal } as never),
    ).toThrow(/signal is not supported by the blocking client/)
  })

  it('batchReadNumpy reads a key column in key order', () => {
    const result = c.batchReadNumpy(Int32Array.of(5, 100000, 2), 'test', set, {
      dtype: dtype([['count', 'i4']]),
    })
    expect([...result.resultCodes]).toEqual([0, 2, 0])
    expect([...(result.batchRecords.get('count') as Int32Array)]).toEqual([15, 0, 6])
    const byArray = c.batchReadNumpy(rows(3), 'test', set, { dtype: dtype([['score', 'f8']]) })
    expect([...(byArray.batchRecords.get('score') as Float64Array)]).toEqual([0, 1 / 8, 2 / 8])
    expect(() =>
      c.batchReadNumpy(Float32Array.of(1), 'test', set, { dtype: dtype([['score', 'f8']]) }),
    ).toThrow(/Float32Array/)
    // A result's keys, read again as they are (checked on this thread, resolved once).
    const again = c.batchRead(result.keyBatch, { dtype: dtype([['count', 'i4']]) })
    expect([...again.resultCodes]).toEqual([0, 2, 0])
    expect([...(again.batchRecords.get('count') as Int32Array)]).toEqual([15, 0, 6])
    expect(again.keys).toEqual(result.keys)
    result.keyBatch.groupOf[0] = 9
    expect(() => c.batchRead(result.keyBatch, { dtype: dtype([['count', 'i4']]) })).toThrow(
      /key 0 names group 9 of 1/,
    )
  })

  it.skipIf(skipUnlessDevServer())(
    'an incomplete scan throws ScanIncompleteError with its unfinished partitions (devserver only: scan faults)',
    async () => {
      await cluster.devserver!.failScanPartitions({ partitions: [1, 2, 3], times: 100 })
      let error: unknown
      let read = 0
      try {
        for (const chunk of c.scanNumpy('test', set, {
          dtype: dt,
          policy: { maxRetries: 0 },
        })) {
          read += chunk.length
        }
      } catch (e) {
        error = e
      } finally {
        await cluster.devserver!.clearFaults()
      }
      expect(error).toBeInstanceOf(ScanIncompleteError)
      const incomplete = error as ScanIncompleteError
      expect(incomplete.code).toBe(11)
      expect(incomplete.unfinished).toEqual([
        { id: 1, digest: null, code: 11 },
        { id: 2, digest: null, code: 11 },
        { id: 3, digest: null, code: 11 },
      ])
      const rest = c.scanNumpyAll('test', set, { dtype: dt, partitions: incomplete.unfinished })
      expect(read + rest.length).toBe(N)
    },
  )
})
