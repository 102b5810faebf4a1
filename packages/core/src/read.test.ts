import { dtype } from '@aerospike-numpy/dtype'
import { describe, expect, it } from 'vitest'
import { createReadOutcome } from './engine.js'
import { ConversionError, ParamError } from './errors.js'
import { resolveKeys } from './keys.js'
import { NumpyBatchRecords, createReadSink, resolveReadBins } from './read.js'

const keys = resolveKeys([1, 2, 3].map((i) => ['test', 'points', i]))

function be64(v: bigint): Uint8Array {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigInt64(0, v, false)
  return b
}
function beDouble(v: number): Uint8Array {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setFloat64(0, v, false)
  return b
}

describe('read sink', () => {
  it('decodes wire particles into fields; missing rows and bins stay zero', () => {
    const dt = dtype([
      ['x', 'f8'],
      ['n', '>i2'],
      ['big', 'u8'],
      ['s', 'S4'],
      ['h', 'f2'],
    ])
    const { sink, array } = createReadSink(dt, keys)
    sink.setParticle(0, 'x', 2, beDouble(1.5), 0, 8)
    sink.setParticle(0, 'n', 1, be64(-300n), 0, 8)
    sink.setParticle(0, 'big', 1, be64(2n ** 62n), 0, 8)
    sink.setParticle(0, 's', 4, Uint8Array.of(0, 1, 120, 121, 122, 0, 1), 2, 3)
    sink.setParticle(0, 'h', 2, beDouble(0.5), 0, 8)
    sink.setParticle(1, 'x', 1, be64(7n), 0, 8) // an integer bin into a float field, exact
    sink.setParticle(1, 'unknown', 1, be64(7n), 0, 8) // bins not in the dtype are ignored
    expect([...(array.get('x') as Float64Array)]).toEqual([1.5, 7, 0])
    expect([...(array.get('n') as Int16Array)]).toEqual([-300, 0, 0])
    expect([...(array.get('big') as BigUint64Array)]).toEqual([2n ** 62n, 0n, 0n])
    expect(Array.from(array.get('h') as ArrayLike<number>)).toEqual([0.5, 0, 0])
    const s = array.get('s') as unknown as Uint8Array[]
    expect([...s[0]!]).toEqual([120, 121, 122, 0])
  })

  it('decodes the official client JS values', () => {
    const dt = dtype([
      ['x', 'f8'],
      ['c', 'i4'],
      ['b', 'V2'],
      ['i', 'i8'],
    ])
    const { sink, array } = createReadSink(dt, keys)
    sink.setValue(0, 'x', 1) // a float 1.0 comes back as the number 1
    sink.setValue(0, 'c', 5)
    sink.setValue(0, 'b', Buffer.from([9, 8]))
    sink.setValue(0, 'i', 2n ** 60n)
    sink.setValue(1, 'x', null)
    expect(array.row(0)).toMatchObject({ x: 1, c: 5, i: 2n ** 60n })
  })

  it.each([
    [
      'u1',
      1,
      be64(256n),
      /key test\/points\/1, field 'v': value 256 does not fit '\|u1' \(0\.\.255\)/,
    ],
    ['u8', 1, be64(-1n), /negative value -1 cannot go into unsigned/],
    ['i4', 2, beDouble(Number.NaN), /float NaN cannot go into integer field/],
    ['i4', 2, beDouble(1.5), /has a fraction/],
    ['i2', 2, beDouble(1e6), /does not fit '<i2'/],
    ['f4', 2, beDouble(1e300), /overflows 'f4'/],
    ['f4', 1, be64(16777217n), /cannot be represented exactly in '<f4'/],
    ['S2', 4, Uint8Array.of(1, 2, 3), /3 bytes do not fit the 2-byte field/],
    ['f8', 4, Uint8Array.of(1), /a blob or string bin cannot go into/],
    ['S4', 1, be64(1n), /an integer bin cannot go into a '\|S4' field/],
    ['f8', 20, Uint8Array.of(0x90), /particle type 20 \(list\)/],
  ])('lossy %s from particle %i is an error naming key and field', (kind, type, bytes, message) => {
    const { sink } = createReadSink(dtype([['v', kind]]), keys)
    const call = () => sink.setParticle(0, 'v', type, bytes, 0, bytes.length)
    expect(call).toThrow(ConversionError)
    expect(call).toThrow(message)
  })

  it('rejects read dtypes with fields no bin can fill', () => {
    expect(() => createReadSink(dtype([['t', 'U3']]), keys)).toThrow(ParamError)
    expect(() => createReadSink(dtype('f8'), keys)).toThrow(/not structured/)
  })
})

describe('NumpyBatchRecords', () => {
  it('exposes meta, result codes, foundCount and get by any key form', () => {
    const dt = dtype([['x', 'f8']])
    const { sink, array } = createReadSink(dt, keys)
    sink.setValue(0, 'x', 1.25)
    sink.setValue(2, 'x', 3.5)
    const outcome = createReadOutcome(3)
    outcome.resultCodes.set([0, 2, 0])
    outcome.generations.set([4, 0, 1])
    outcome.ttls.set([100, 0, 4294967295])
    const r = new NumpyBatchRecords(array, keys, outcome)
    expect(r.length).toBe(3)
    expect(r.foundCount()).toBe(2)
    expect([...(r.meta.get('gen') as Uint32Array)]).toEqual([4, 0, 1])
    expect([...(r.meta.get('ttl') as Uint32Array)]).toEqual([100, 0, 4294967295])
    expect(r.get(['test', 'points', 1])).toEqual({ x: 1.25 })
    expect(r.get({ ns: 'test', set: 'points', key: 3 })).toEqual({ x: 3.5 })
    expect(r.get(3)).toEqual({ x: 3.5 })
    expect(r.get(2)).toBeUndefined()
    expect(r.get(['test', 'other', 1])).toBeUndefined()
  })
})

describe('resolveReadBins', () => {
  const readDt = dtype([
    ['x', 'f8'],
    ['_k', 'i8'],
  ])

  it("asks for the read dtype's bin fields, or the bins given", () => {
    expect(resolveReadBins(readDt, undefined)).toEqual(['x'])
    expect(resolveReadBins(dtype([['_only', 'i4']]), undefined)).toBeNull()
    expect(resolveReadBins(readDt, ['x', 'y'])).toEqual(['x', 'y'])
    expect(resolveReadBins(readDt, [])).toEqual([])
  })

  it('refuses read dtype fields and bins no bin name can match, naming them', () => {
    // A lone surrogate would be sent as U+FFFD: the field would silently read 0.
    expect(() => resolveReadBins(dtype([['a\ud800', 'f8']]), undefined)).toThrow(
      /read dtype field "a\\ud800": the name has a lone surrogate/,
    )
    expect(() => resolveReadBins(readDt, ['x', 'a\udbff'])).toThrow(
      /bins\[1\] "a\\udbff": the name has a lone surrogate/,
    )
    expect(() => resolveReadBins(readDt, ['sixteen_chars_xx'])).toThrow(/at most 15 bytes/)
    expect(() => resolveReadBins(readDt, [''])).toThrow(/bins\[0\] "": a bin name cannot be empty/)
    expect(() => resolveReadBins(readDt, ['x', 3])).toThrow(/bins\[1\] must be a bin name/)
    expect(() => resolveReadBins(readDt, 'x')).toThrow(/bins must be an array/)
    for (const bad of [['a\ud800'], 'x', [1]]) {
      expect(() => resolveReadBins(readDt, bad)).toThrow(ParamError)
    }
  })

  it('asks for at most 65,535 bins', () => {
    const names = (n: number) => Array.from({ length: n }, (_, i) => `b${i}`)
    expect(resolveReadBins(readDt, names(65_535))!.length).toBe(65_535)
    expect(() => resolveReadBins(readDt, names(65_536))).toThrow(/^bins: 65,536 bins, more than/)
    const wide = dtype(names(65_536).map((n): [string, string] => [n, 'u1']))
    expect(() => resolveReadBins(wide, undefined)).toThrow(/read dtype has too many bin fields/)
  })
})
