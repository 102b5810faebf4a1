import { dtype } from '@aerospike-numpy/dtype'
import { computeDigest } from '@aerospike-numpy/wire'
import { describe, expect, it } from 'vitest'
import { ConversionError, ParamError } from './errors.js'
import { ScanChunkSink, concatScanChunks, resolveScanPartitions, type ScanChunk } from './scan.js'

const dt = dtype([
  ['_key', 'i8'],
  ['x', 'f8'],
  ['n', 'i2'],
  ['s', 'S4'],
])

function be64(v: bigint): Uint8Array {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigInt64(0, v)
  return b
}

/** A fake wire record: bytes holding a digest, a key field and ops, as the engine sees them. */
function wireRecord(key: number | string | null, bins: [string, number, Uint8Array][]) {
  const enc = new TextEncoder()
  const parts: number[] = []
  const digest = computeDigest('demo', 1, be64(BigInt(typeof key === 'number' ? key : 0)))
  parts.push(...digest)
  let keyAt = -1
  let keyLength = 0
  if (key !== null) {
    keyAt = parts.length
    const kb = typeof key === 'number' ? be64(BigInt(key)) : enc.encode(key)
    parts.push(typeof key === 'number' ? 1 : 3, ...kb)
    keyLength = 1 + kb.length
  }
  const ops: {
    name: number
    nameLength: number
    type: number
    value: number
    valueLength: number
  }[] = []
  for (const [name, type, value] of bins) {
    const nb = enc.encode(name)
    const at = parts.length
    parts.push(...nb, ...value)
    ops.push({
      name: at,
      nameLength: nb.length,
      type,
      value: at + nb.length,
      valueLength: value.length,
    })
  }
  const bytes = Uint8Array.from(parts)
  return { bytes, view: new DataView(bytes.buffer), digest, keyAt, keyLength, ops }
}

function feed(
  sink: ScanChunkSink,
  rec: ReturnType<typeof wireRecord>,
  gen = 1,
  ttl = 100,
): boolean {
  if (!sink.beginRecord(rec.bytes, 0, gen, ttl)) return false
  if (rec.keyAt >= 0) sink.keyParticle(rec.bytes, rec.view, rec.keyAt, rec.keyLength)
  for (const op of rec.ops) {
    sink.binParticle(rec.bytes, rec.view, op.name, op.nameLength, op.type, op.value, op.valueLength)
  }
  sink.endRecord()
  return true
}

function sinkFor(chunkRows: number, maxRecords = 0, keyField?: string, d = dt) {
  const chunks: ScanChunk[] = []
  const sink = new ScanChunkSink({
    dtype: d,
    chunkRows,
    maxRecords,
    namespace: 'test',
    set: 'demo',
    onChunk: (c) => chunks.push(c),
    ...(keyField === undefined ? {} : { keyField }),
  })
  return { sink, chunks }
}

const f64 = (x: number): Uint8Array => {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setFloat64(0, x)
  return b
}

describe('scan partitions', () => {
  it('resolves every form', () => {
    expect(resolveScanPartitions(undefined)).toHaveLength(4096)
    expect(resolveScanPartitions({ begin: 4090, count: 6 }).map((p) => p.id)).toEqual([
      4090, 4091, 4092, 4093, 4094, 4095,
    ])
    expect(resolveScanPartitions([7, 3]).map((p) => p.id)).toEqual([3, 7])
    const digest = Uint8Array.from({ length: 20 }, (_, i) => (i === 0 ? 5 : 0))
    const resumed = resolveScanPartitions([
      { id: 5, digest },
      { id: 6, digest: null },
    ])
    expect(resumed[0]!.digest).toEqual(digest)
    expect(resumed[0]!.digest).not.toBe(digest) // copied: the caller may reuse theirs
    expect(resumed[1]!.digest).toBeNull()
  })

  it('refuses bad input naming it', () => {
    expect(() => resolveScanPartitions({ begin: 4095, count: 2 })).toThrow(/partitions.count/)
    expect(() => resolveScanPartitions({ begin: -1, count: 2 })).toThrow(/partitions.begin/)
    expect(() => resolveScanPartitions([1, 1])).toThrow(
      /partitions\[1\]: partition 1 is listed twice/,
    )
    expect(() => resolveScanPartitions([4096])).toThrow(ParamError)
    expect(() => resolveScanPartitions([])).toThrow(/empty/)
    expect(() => resolveScanPartitions([{ id: 1, digest: new Uint8Array(20) }])).toThrow(
      /belongs to partition 0, not 1/,
    )
    expect(() => resolveScanPartitions([{ id: 1, digest: new Uint8Array(3) }])).toThrow(/20-byte/)
    expect(() => resolveScanPartitions('all')).toThrow(ParamError)
  })
})

describe('scan chunk sink', () => {
  it('fills chunks of chunkRows, the last one partial; the key field gets the stored key', () => {
    const { sink, chunks } = sinkFor(2)
    const records = [0, 1, 2, 3, 4].map((i) =>
      wireRecord(i % 2 === 0 ? i : null, [
        ['x', 2, f64(i / 2)],
        ['n', 1, be64(BigInt(-i))],
        ['s', 3, new TextEncoder().encode(`v${i}`)],
        ['other', 1, be64(9n)],
      ]),
    )
    for (const [i, r] of records.entries()) expect(feed(sink, r, i + 1, 1000 + i)).toBe(true)
    expect(chunks).toHaveLength(2)
    sink.flush()
    expect(chunks.map((c) => c.length)).toEqual([2, 2, 1])
    const all = concatScanChunks(dt, chunks)
    expect(all.length).toBe(5)
    expect([...(all.records.get('_key') as BigInt64Array)]).toEqual([0n, 0n, 2n, 0n, 4n])
    expect([...(all.records.get('x') as Float64Array)]).toEqual([0, 0.5, 1, 1.5, 2])
    expect([...(all.records.get('n') as Int16Array)]).toEqual([0, -1, -2, -3, -4])
    expect([...(all.meta.get('gen') as Uint32Array)]).toEqual([1, 2, 3, 4, 5])
    expect([...(all.meta.get('ttl') as Uint32Array)]).toEqual([1000, 1001, 1002, 1003, 1004])
    for (let i = 0; i < 5; i++) {
      expect([...all.digests.subarray(i * 20, i * 20 + 20)]).toEqual([...records[i]!.digest])
    }
    expect(sink.rows).toBe(5)
  })

  it('a reserved chunk takes every row it has room for; onRows reports every chunkRows rows', () => {
    const chunks: ScanChunk[] = []
    const at: number[] = []
    const sink: ScanChunkSink = new ScanChunkSink({
      dtype: dt,
      chunkRows: 2,
      maxRecords: 0,
      namespace: 'test',
      set: 'demo',
      onChunk: (c) => chunks.push(c),
      onRows: () => at.push(sink.rows),
    })
    sink.reserve(5)
    for (let i = 0; i < 7; i++) feed(sink, wireRecord(i, [['x', 2, f64(i)]]))
    sink.flush()
    // 5 rows in the reserved chunk, then chunks of chunkRows (reported by onChunk alone).
    expect(chunks.map((c) => c.length)).toEqual([5, 2])
    expect(at).toEqual([2, 4])
    const all = concatScanChunks(dt, chunks)
    expect([...(all.records.get('x') as Float64Array)]).toEqual([0, 1, 2, 3, 4, 5, 6])
    expect([...(all.records.get('_key') as BigInt64Array)]).toEqual([0n, 1n, 2n, 3n, 4n, 5n, 6n])
    // Only before the first record.
    const late = sinkFor(2)
    feed(late.sink, wireRecord(1, [['x', 2, f64(1)]]))
    late.sink.reserve(100)
    for (let i = 0; i < 3; i++) feed(late.sink, wireRecord(1, [['x', 2, f64(1)]]))
    late.sink.flush()
    expect(late.chunks.map((c) => c.length)).toEqual([2, 2])
  })

  it('stops at maxRecords', () => {
    const { sink, chunks } = sinkFor(10, 3)
    const r = wireRecord(1, [['x', 2, f64(1)]])
    expect([1, 2, 3, 4].map(() => feed(sink, r))).toEqual([true, true, true, false])
    expect(sink.stopped).toBe(true)
    sink.flush()
    expect(chunks[0]!.length).toBe(3)
  })

  it('names the digest and field of a value that does not fit', () => {
    const { sink } = sinkFor(4)
    const r = wireRecord(7, [['n', 1, be64(70000n)]])
    const hexDigest = Buffer.from(r.digest).toString('hex')
    let error: unknown
    try {
      feed(sink, r)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ConversionError)
    expect((error as Error).message).toContain(`record test/demo digest ${hexDigest}`)
    expect((error as Error).message).toContain("field 'n'")
    // a string key cannot go into an integer key field
    const { sink: s2 } = sinkFor(4)
    expect(() => feed(s2, wireRecord('abc', []))).toThrow(/field '_key'/)
  })

  it('a key field without "_" is also read as a bin; official values go the same way', () => {
    const d = dtype([
      ['id', 'S8'],
      ['x', 'f4'],
    ])
    const { sink, chunks } = sinkFor(4, 0, 'id', d)
    sink.beginRecord(new Uint8Array(20), 0, 3, 9)
    sink.keyValue('k1')
    sink.binValue('x', 1.5)
    sink.binValue('missing', 2)
    sink.endRecord()
    sink.beginRecord(new Uint8Array(20), 0, 3, 9)
    sink.binValue('id', Buffer.from('bin'))
    sink.endRecord()
    sink.flush()
    const rows = chunks[0]!.records
    expect(rows.row(0)).toMatchObject({ x: 1.5 })
    expect(Buffer.from((rows.row(0) as { id: Uint8Array }).id).toString()).toMatch(/^k1\0*$/)
    expect(Buffer.from((rows.row(1) as { id: Uint8Array }).id).toString()).toMatch(/^bin\0*$/)
  })

  it('refuses a read dtype no bin can fill', () => {
    expect(() => sinkFor(4, 0, undefined, dtype([['u', 'U4']]))).toThrow(ParamError)
    expect(() => sinkFor(4, 0, undefined, dtype('f8'))).toThrow(/not structured/)
  })
})
