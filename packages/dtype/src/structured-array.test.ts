import { describe, expect, it } from 'vitest'
import { dtype } from './dtype.js'
import { ArrayValueError } from './errors.js'
import { StructuredArray } from './structured-array.js'

const dt = dtype([
  ['_key', 'i4'],
  ['score', 'f8'],
  ['count', 'i4'],
])

describe('StructuredArray', () => {
  it('builds from rows as arrays or objects and reads columns as typed-array copies', () => {
    const a = StructuredArray.fromRows(dt, [[1, 0.95, 10], { _key: 2, score: 0.87, count: 20 }])
    expect(a.length).toBe(2)
    expect(a.stride).toBe(16)
    expect(a.get('_key')).toEqual(new Int32Array([1, 2]))
    expect(a.get('score')).toEqual(new Float64Array([0.95, 0.87]))
    expect(a.row(1)).toEqual({ _key: 2, score: 0.87, count: 20 })
    const col = a.get('count') as Int32Array
    col[0] = 99
    expect(a.row(0)).toEqual({ _key: 1, score: 0.95, count: 10 })
  })

  it('lays rows out byte for byte as numpy does', () => {
    const a = StructuredArray.fromRows(dt, [[1, 0.5, -2]])
    const v = new DataView(a.buffer)
    expect(v.getInt32(0, true)).toBe(1)
    expect(v.getFloat64(4, true)).toBe(0.5)
    expect(v.getInt32(12, true)).toBe(-2)
  })

  it('reads and writes big-endian fields', () => {
    const be = dtype([
      ['a', '>i4'],
      ['b', '>f8'],
      ['c', '>u8'],
      ['h', '>f2'],
    ])
    const a = StructuredArray.fromRows(be, [[0x01020304, 1.5, 2n ** 64n - 1n, 0.5]])
    expect([...a.bytes.subarray(0, 4)]).toEqual([1, 2, 3, 4])
    expect(new DataView(a.buffer).getFloat64(4, false)).toBe(1.5)
    expect(a.get('c')).toEqual(new BigUint64Array([2n ** 64n - 1n]))
    expect([...a.bytes.subarray(20, 22)]).toEqual([0x38, 0x00])
    expect(a.row(0)).toEqual({ a: 0x01020304, b: 1.5, c: 2n ** 64n - 1n, h: 0.5 })
  })

  it('slices without copying and iterates rows', () => {
    const a = StructuredArray.fromColumns(dt, {
      _key: [1, 2, 3],
      score: [0.1, 0.2, 0.3],
      count: new Int32Array([7, 8, 9]),
    })
    const s = a.slice(1)
    expect(s.length).toBe(2)
    expect(s.buffer).toBe(a.buffer)
    expect(s.byteOffset).toBe(16)
    s.set('count', [80, 90])
    expect(a.get('count')).toEqual(new Int32Array([7, 80, 90]))
    expect([...s].map((r) => (r as { _key: number })._key)).toEqual([2, 3])
    expect(a.slice(-1).row(0)).toEqual({ _key: 3, score: 0.3, count: 90 })
  })

  it('reads rows from a strided buffer', () => {
    const bytes = new Uint8Array(4 + 3 * 20)
    const v = new DataView(bytes.buffer)
    for (let i = 0; i < 3; i++) {
      v.setInt32(4 + i * 20, i + 1, true)
      v.setFloat64(8 + i * 20, i / 2, true)
      v.setInt32(16 + i * 20, -i, true)
    }
    const a = StructuredArray.fromBuffer(dt, bytes, { byteOffset: 4, stride: 20 })
    expect(a.length).toBe(3)
    expect(a.get('_key')).toEqual(new Int32Array([1, 2, 3]))
    expect(a.get('score')).toEqual(new Float64Array([0, 0.5, 1]))
    expect(a.copy().stride).toBe(16)
    expect(a.copy().get('count')).toEqual(new Int32Array([0, -1, -2]))
  })

  it('handles sub-array fields flat or nested', () => {
    const emb = dtype([
      ['_key', 'i8'],
      ['emb', 'f4', [2, 2]],
    ])
    const a = StructuredArray.fromRows(emb, [
      [1n, [1, 2, 3, 4]],
      [
        2,
        [
          [5, 6],
          [7, 8],
        ],
      ],
    ])
    expect(a.get('_key')).toEqual(new BigInt64Array([1n, 2n]))
    expect(a.get('emb')).toEqual(new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]))
    a.set('emb', new Float32Array(8).fill(1))
    expect(a.get('emb')).toEqual(new Float32Array(8).fill(1))
  })

  it('refuses bad values, naming the row and field', () => {
    expect(() =>
      StructuredArray.fromRows(dt, [
        [1, 0.5, 1],
        [2 ** 31, 0.5, 1],
      ]),
    ).toThrow(/row 1, field "_key".*does not fit <i4/)
    expect(() => StructuredArray.fromRows(dt, [{ _key: 1, score: 'x', count: 1 }])).toThrow(
      ArrayValueError,
    )
    expect(() => StructuredArray.fromRows(dt, [{ _key: 1, score: 1 }])).toThrow(
      /missing field "count"/,
    )
    expect(() => StructuredArray.fromRows(dt, [{ _key: 1, score: 1, count: 1, extra: 2 }])).toThrow(
      /no field named "extra"/,
    )
    expect(() => StructuredArray.fromRows(dt, [[1, 2]])).toThrow(/2 values given for 3 fields/)
    expect(() => StructuredArray.fromRows(dtype([['s', 'S2']]), [['abc']])).toThrow(
      /3 bytes do not fit \|S2/,
    )
    const a = StructuredArray.zeros(dt, 2)
    expect(() => a.row(2)).toThrow(ArrayValueError)
    expect(() => a.get('nope')).toThrow(/no field named "nope"/)
    expect(() => a.set('count', [1])).toThrow(/1 values given/)
    expect(() => StructuredArray.fromBuffer(dt, new Uint8Array(20), { length: 2 })).toThrow(
      /need 32 bytes/,
    )
    expect(() => StructuredArray.zeros(dt, -1)).toThrow(ArrayValueError)
  })
})
