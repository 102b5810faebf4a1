import { StructuredArray, dtype } from '@aerospike-numpy/dtype'
import { describe, expect, it } from 'vitest'
import { createReadOutcome, type ReadSink } from './engine.js'
import { ConversionError, ParamError } from './errors.js'
import { resolveKeys } from './keys.js'
import { NumpyBatchRecords, createReadSink, readMetaDtype, resolveReadBins } from './read.js'

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

/** One bin as the wire engine hands it over: name and particle in one message buffer. */
function put(
  sink: ReadSink,
  row: number,
  name: string,
  type: number,
  value: Uint8Array,
  offset = 0,
  length = value.length - offset,
): void {
  const nameBytes = new TextEncoder().encode(name)
  const bytes = new Uint8Array(3 + nameBytes.length + value.length)
  bytes.set(nameBytes, 3)
  const at = 3 + nameBytes.length
  bytes.set(value, at)
  const view = new DataView(bytes.buffer)
  sink.binParticle(row, bytes, view, 3, nameBytes.length, type, at + offset, length)
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
    put(sink, 0, 'x', 2, beDouble(1.5), 0, 8)
    put(sink, 0, 'n', 1, be64(-300n), 0, 8)
    put(sink, 0, 'big', 1, be64(2n ** 62n), 0, 8)
    put(sink, 0, 's', 4, Uint8Array.of(0, 1, 120, 121, 122, 0, 1), 2, 3)
    put(sink, 0, 'h', 2, beDouble(0.5), 0, 8)
    put(sink, 1, 'x', 1, be64(7n), 0, 8) // an integer bin into a float field, exact
    put(sink, 1, 'unknown', 1, be64(7n), 0, 8) // bins not in the dtype are ignored
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
    const call = () => put(sink, 0, 'v', type, bytes)
    expect(call).toThrow(ConversionError)
    expect(call).toThrow(message)
  })

  it.each([
    ['<i8', [-(2n ** 63n), 2n ** 63n - 1n, -1n, 0n]],
    ['>i8', [-(2n ** 63n), 2n ** 63n - 1n, -1n, 1n]],
    ['<u8', [2n ** 63n - 1n, 0n, 1n, 255n]],
    ['>u8', [2n ** 63n - 1n, 256n]],
    ['<i4', [-(2n ** 31n), 2n ** 31n - 1n, -1n, 0n]],
    ['>u4', [2n ** 32n - 1n, 0n, 65536n]],
    ['<u4', [2n ** 32n - 1n, 1n]],
    ['<i2', [-32768n, 32767n, -1n]],
    ['<u2', [65535n, 0n]],
    ['|i1', [-128n, 127n]],
    ['|u1', [255n, 0n]],
    ['|b1', [0n, 1n]],
  ])('integer particles into %s are exact at the edges of its range', (kind, values) => {
    const ks = resolveKeys(values.map((_, i) => ['test', 'points', i]))
    const { sink, array } = createReadSink(dtype([['v', kind]]), ks)
    values.forEach((v, i) => put(sink, i, 'v', 1, be64(v)))
    const got = Array.from(array.get('v') as ArrayLike<number | bigint | boolean>, (x) =>
      BigInt(x as number),
    )
    expect(got).toEqual(values)
  })

  it.each([
    ['<i4', 2n ** 31n, /value 2147483648 does not fit/],
    ['<i4', -(2n ** 31n) - 1n, /value -2147483649 does not fit/],
    ['<u4', 2n ** 32n, /value 4294967296 does not fit/],
    ['<u4', -1n, /negative value -1 cannot go into unsigned/],
    ['>u8', -(2n ** 63n), /negative value -9223372036854775808 cannot go into unsigned/],
    ['|u1', -1n, /negative value -1/],
    ['|b1', 2n, /value 2 is not 0 or 1/],
  ])('an integer particle out of the range of %s is an error', (kind, value, message) => {
    const { sink, array } = createReadSink(dtype([['v', kind]]), keys)
    expect(() => put(sink, 0, 'v', 1, be64(value))).toThrow(message)
    // nothing was written into the row
    expect([...new Uint8Array(array.buffer)].every((b) => b === 0)).toBe(true)
  })

  it.each([
    ['<f8', [1.5, -0, Number.NaN, -Infinity, 5e-324, 1.7976931348623157e308]],
    ['>f8', [1.5, -2.25, Infinity]],
    ['<f4', [0.5, -Infinity, Number.NaN, 3.4028234663852886e38]],
    ['>f4', [0.1]],
  ])('float particles into %s keep their value (f4 rounds)', (kind, values) => {
    const ks = resolveKeys(values.map((_, i) => ['test', 'points', i]))
    const { sink, array } = createReadSink(dtype([['v', kind]]), ks)
    values.forEach((v, i) => put(sink, i, 'v', 2, beDouble(v)))
    const expected = kind.endsWith('4') ? values.map((v) => Math.fround(v)) : values
    expect(Array.from(array.get('v') as Float64Array)).toEqual(expected)
    if (kind === '<f8') expect(Object.is((array.get('v') as Float64Array)[1], -0)).toBe(true)
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

  it('keeps a meta array given as it is, and refuses one of another layout or length', () => {
    const { array } = createReadSink(dtype([['x', 'f8']]), keys)
    const meta = StructuredArray.fromColumns(readMetaDtype(), {
      gen: Uint32Array.of(4, 0, 1),
      ttl: Uint32Array.of(100, 0, 7),
    })
    const resultCodes = Int32Array.of(0, 2, 0)
    const r = new NumpyBatchRecords(array, keys, { resultCodes, meta })
    expect(r.meta).toBe(meta)
    expect([...(r.meta.get('ttl') as Uint32Array)]).toEqual([100, 0, 7])
    expect(
      () => new NumpyBatchRecords(array, keys, { resultCodes, meta: meta.slice(0, 2) }),
    ).toThrow(/3 rows of .*got 2 rows/)
    const swapped = StructuredArray.zeros(
      dtype([
        ['ttl', '<u4'],
        ['gen', '<u4'],
      ]),
      3,
    )
    expect(() => new NumpyBatchRecords(array, keys, { resultCodes, meta: swapped })).toThrow(
      ParamError,
    )
    const notAnArray = { resultCodes, meta: { length: 3 } as unknown as StructuredArray }
    expect(() => new NumpyBatchRecords(array, keys, notAnArray)).toThrow(ParamError)
    // A Proxy whose prototype cannot be read is refused the same way, not with a raw TypeError.
    const hostile = new Proxy(meta, {
      getPrototypeOf() {
        throw new Error('no prototype')
      },
    })
    expect(() => new NumpyBatchRecords(array, keys, { resultCodes, meta: hostile })).toThrow(
      ParamError,
    )
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
