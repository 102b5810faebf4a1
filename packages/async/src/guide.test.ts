/**
 * Every example of the Python guide (numpy-batch-write.md), in TypeScript, against the devserver
 * (or AEROSPIKE_HOSTS), once per engine.
 */
import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
import { rowColumns, uniqueSetName, usesDevServer } from '@aerospike-numpy/test-utils'
import { describe, expect, it } from 'vitest'
import { AerospikeError, POLICY_KEY_SEND } from './index.js'
import { testEngines, useConnectedClient } from './test-support/engines.js'

/** A small seeded generator, so failures reproduce. */
function random(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describe.each(testEngines())('the guide, engine %s', (engine) => {
  const env = useConnectedClient(engine)

  it('quick start: three rows, a generation per written record', async () => {
    const set = uniqueSetName('demo')
    const dt = dtype([
      ['_key', 'i4'],
      ['score', 'f8'],
      ['count', 'i4'],
    ])
    const data = StructuredArray.fromRows(dt, [
      [1, 0.95, 10],
      [2, 0.87, 20],
      [3, 0.72, 15],
    ])
    const results = await env.client.batchWriteNumpy(data, 'test', set, dt)
    const lines: string[] = []
    for (const br of results.batchRecords) {
      if (br.result === 0) lines.push(`Key: ${String(br.key.key)}, Gen: ${br.record!.meta.gen}`)
      else lines.push(`Failed: ${String(br.key.key)}, code=${br.result}`)
    }
    expect(lines).toEqual(['Key: 1, Gen: 1', 'Key: 2, Gen: 1', 'Key: 3, Gen: 1'])
    expect(results.batchRecords.map((br) => br.key)).toEqual(
      [1, 2, 3].map((key) => ({ ns: 'test', set, key })),
    )
    // writing again bumps the generation
    const again = await env.client.batchWriteNumpy(data, 'test', set, dt)
    expect(again.batchRecords.map((br) => br.record?.meta.gen)).toEqual([2, 2, 2])
    if (usesDevServer()) {
      const stored = await env.cluster.devserver!.getRecord('test', set, 2)
      expect(stored!.bins.map((b) => [b.name, b.particleType, b.value])).toEqual([
        ['score', 2, 0.87],
        ['count', 1, 20],
      ])
    }
  })

  it('custom key field: user_id is the key and also a bin', async () => {
    const set = uniqueSetName('demo')
    const dt = dtype([
      ['user_id', 'i8'],
      ['score', 'f8'],
    ])
    const data = StructuredArray.fromRows(dt, [
      [100, 1.5],
      [101, 2.5],
    ])
    const results = await env.client.batchWriteNumpy(data, 'test', set, dt, { keyField: 'user_id' })
    expect([...results.resultCodes]).toEqual([0, 0])
    const back = await env.client.batchRead(
      [100, 101].map((k) => ['test', set, k]),
      { dtype: dt },
    )
    expect(back.get(['test', set, 100])).toEqual({ user_id: 100n, score: 1.5 })
    expect(back.get(['test', set, 101])).toEqual({ user_id: 101n, score: 2.5 })
  })

  it('sensor ingestion: 1000 readings written and read back unchanged', async () => {
    const set = uniqueSetName('sensors')
    const dt = dtype([
      ['_key', 'i4'],
      ['temperature', 'f8'],
      ['humidity', 'f4'],
      ['pressure', 'f4'],
      ['status', 'u1'],
    ])
    const n = 1000
    const rnd = random(1)
    const data = StructuredArray.zeros(dt, n)
    data.set(
      '_key',
      Array.from({ length: n }, (_, i) => i),
    )
    data.set(
      'temperature',
      Array.from({ length: n }, () => 25 + 5 * (rnd() * 2 - 1)),
    )
    data.set(
      'humidity',
      Array.from({ length: n }, () => 30 + 60 * rnd()),
    )
    data.set(
      'pressure',
      Array.from({ length: n }, () => 1013.25 + 10 * (rnd() * 2 - 1)),
    )
    data.set('status', new Uint8Array(n).fill(1))
    const results = await env.client.batchWriteNumpy(data, 'test', set, dt)
    expect(results.batchRecords.length).toBe(n)
    expect(results.writtenCount).toBe(n)
    const readDt = dtype([
      ['temperature', 'f8'],
      ['humidity', 'f4'],
      ['pressure', 'f4'],
      ['status', 'u1'],
    ])
    const back = await env.client.batchRead(
      Array.from({ length: n }, (_, i) => ['test', set, i]),
      { dtype: readDt },
    )
    expect(back.foundCount()).toBe(n)
    for (const f of ['temperature', 'humidity', 'pressure', 'status']) {
      expect(back.batchRecords.get(f)).toEqual(data.get(f))
    }
  })

  it('vector embeddings: a V512 blob per record, read back as bytes and as 128 floats', async () => {
    const set = uniqueSetName('vectors')
    const dim = 128
    const dt = dtype([
      ['_key', 'i4'],
      ['embedding', `V${dim * 4}`],
      ['label', 'i4'],
    ])
    const n = 100
    const rnd = random(2)
    const embeddings = Float32Array.from({ length: n * dim }, () => rnd() * 2 - 1)
    const data = StructuredArray.zeros(dt, n)
    data.set(
      '_key',
      Array.from({ length: n }, (_, i) => i),
    )
    data.set(
      'embedding',
      Array.from({ length: n }, (_, i) => new Uint8Array(embeddings.buffer, i * dim * 4, dim * 4)),
    )
    data.set(
      'label',
      Array.from({ length: n }, () => Math.floor(rnd() * 10)),
    )
    const results = await env.client.batchWriteNumpy(data, 'test', set, dt)
    expect(results.writtenCount).toBe(n)
    const keys = Array.from({ length: n }, (_, i) => ['test', set, i])
    const asFloats = await env.client.batchRead(keys, {
      dtype: dtype([
        ['embedding', 'f4', [dim]],
        ['label', 'i4'],
      ]),
    })
    expect(asFloats.batchRecords.get('embedding')).toEqual(embeddings)
    expect(asFloats.batchRecords.get('label')).toEqual(data.get('label'))
    if (usesDevServer()) {
      const stored = await env.cluster.devserver!.getRecord('test', set, 7)
      const emb = stored!.bins.find((b) => b.name === 'embedding')!
      expect(emb.particleType).toBe(4)
      expect([...emb.bytes]).toEqual([...new Uint8Array(embeddings.buffer, 7 * dim * 4, dim * 4)])
    }
  })

  it('write and read roundtrip: x.mean() is 3, category.sum() is 1', async () => {
    const set = uniqueSetName('points')
    const dt = dtype([
      ['_key', 'i4'],
      ['x', 'f8'],
      ['y', 'f8'],
      ['category', 'i4'],
    ])
    const data = StructuredArray.fromRows(dt, [
      [1, 1.0, 2.0, 0],
      [2, 3.0, 4.0, 1],
      [3, 5.0, 6.0, 0],
    ])
    await env.client.batchWriteNumpy(data, 'test', set, dt)
    const readDt = dtype([
      ['x', 'f8'],
      ['y', 'f8'],
      ['category', 'i4'],
    ])
    const keys = [1, 2, 3].map((i) => ['test', set, i])
    const batch = await env.client.batchRead(keys, {
      dtype: readDt,
      policy: { key: POLICY_KEY_SEND },
    })
    const x = batch.batchRecords.get('x') as Float64Array
    const category = batch.batchRecords.get('category') as Int32Array
    expect(x.reduce((a, b) => a + b, 0) / x.length).toBe(3.0)
    expect(category.reduce((a, b) => a + b, 0)).toBe(1)
    expect([...(batch.meta.get('gen') as Uint32Array)]).toEqual([1, 1, 1])
    expect([...batch.resultCodes]).toEqual([0, 0, 0])
  })

  it('a table (columns) to a structured array', async () => {
    const set = uniqueSetName('users')
    const table = { user_id: [1, 2, 3], score: [0.95, 0.87, 0.72], level: [10, 20, 15] }
    const dt = dtype([
      ['_key', 'i4'],
      ['score', 'f8'],
      ['level', 'i4'],
    ])
    const data = StructuredArray.fromColumns(dt, {
      _key: table.user_id,
      score: table.score,
      level: table.level,
    })
    const results = await env.client.batchWriteNumpy(data, 'test', set, dt)
    expect(results.writtenCount).toBe(3)
    const back = await env.client.batchRead(
      table.user_id.map((id) => ({ ns: 'test', set, key: id })),
      {
        dtype: dtype([
          ['score', 'f8'],
          ['level', 'i4'],
        ]),
      },
    )
    expect(back.get(2)).toEqual({ score: 0.87, level: 20 })
  })

  it('retry for transient failures, then list what still failed', async () => {
    const set = uniqueSetName('demo')
    const dt = dtype([
      ['_key', 'i4'],
      ['score', 'f8'],
    ])
    const data = StructuredArray.fromRows(dt, [
      [1, 0.5],
      [2, 0.25],
    ])
    if (usesDevServer()) {
      // key 2 is busy for its first two attempts: retry 3 gets it written
      await env.cluster.devserver!.injectFault({
        namespace: 'test',
        set,
        keys: [2],
        resultCode: 14,
        times: 2,
      })
    }
    const results = await env.client.batchWriteNumpy(data, 'test', set, dt, { retry: 3 })
    const failed = results.batchRecords.filter((br) => br.result !== 0)
    expect(failed).toEqual([])
    if (usesDevServer()) expect(await env.cluster.devserver!.writeCount('test', set, 2)).toBe(3)
  })

  it('error handling: a whole-call failure is an AerospikeError, row failures are codes', async () => {
    const dt = dtype([
      ['_key', 'i4'],
      ['score', 'f8'],
    ])
    const data = StructuredArray.fromRows(dt, [[1, 0.5]])
    let caught: unknown = null
    let rowCodes: number[] = []
    try {
      const results = await env.client.batchWriteNumpy(
        data,
        'no_such_ns',
        uniqueSetName('demo'),
        dt,
      )
      rowCodes = results.batchRecords.filter((br) => br.result !== 0).map((br) => br.result)
    } catch (e) {
      caught = e
    }
    // the server refuses an unknown namespace: either for the call or per row, never silently
    if (caught !== null) {
      expect(caught).toBeInstanceOf(AerospikeError)
      expect((caught as AerospikeError).code).not.toBe(0)
    } else {
      expect(rowCodes).toEqual([20])
    }
  })

  it('chunking: a loop over slices of 1000 rows', async () => {
    const set = uniqueSetName('demo')
    const dt = dtype([
      ['_key', 'i4'],
      ['v', 'f8'],
    ])
    const n = 2500
    const data = StructuredArray.fromColumns(dt, rowColumns(n, { _key: (i) => i, v: (i) => i / 2 }))
    const chunkSize = 1000
    let written = 0
    for (let i = 0; i < data.length; i += chunkSize) {
      const chunk = data.slice(i, i + chunkSize)
      const results = await env.client.batchWriteNumpy(chunk, 'test', set, dt)
      written += results.writtenCount
    }
    expect(written).toBe(n)
    const back = await env.client.batchRead(
      [0, 999, 1000, 2499].map((k) => ['test', set, k]),
      { dtype: dtype([['v', 'f8']]) },
    )
    expect([...(back.batchRecords.get('v') as Float64Array)]).toEqual([0, 499.5, 500, 1249.5])
  })
})
