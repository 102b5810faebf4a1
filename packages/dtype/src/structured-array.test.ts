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

  it('reads and writes every kind: U, S, V, bool, complex, datetime, f2', () => {
    const all = dtype([
      ['u', '<U3'],
      ['U', '>U2'],
      ['s', 'S3'],
      ['v', 'V2'],
      ['b', '?'],
      ['c', '>c8'],
      ['t', 'M8[ns]'],
      ['h', 'f2'],
    ])
    const rows = [
      {
        u: 'a🙂',
        U: 'xy',
        s: 'ab',
        v: new Uint8Array([1, 2]),
        b: true,
        c: { re: 1.5, im: -2 },
        t: 1700000000000000000n,
        h: 65504,
      },
      {
        u: '',
        U: 'é',
        s: new Uint8Array([0, 1, 2]),
        v: new Uint8Array([9]),
        b: false,
        c: [0.25, 4],
        t: -1,
        h: -0.1,
      },
    ]
    const a = StructuredArray.fromRows(all, rows)
    expect(a.get('u')).toEqual(['a🙂', ''])
    expect(a.get('U')).toEqual(['xy', 'é'])
    expect((a.get('s') as Uint8Array[]).map((b) => [...b])).toEqual([
      [97, 98, 0],
      [0, 1, 2],
    ])
    expect((a.get('v') as Uint8Array[]).map((b) => [...b])).toEqual([
      [1, 2],
      [9, 0],
    ])
    expect(a.get('b')).toEqual(new Uint8Array([1, 0]))
    expect(a.get('c')).toEqual(new Float32Array([1.5, -2, 0.25, 4]))
    expect(a.get('t')).toEqual(new BigInt64Array([1700000000000000000n, -1n]))
    expect(a.get('h')).toEqual(new Float32Array([65504, -0.0999755859375]))
    expect(a.row(1)).toMatchObject({ u: '', b: false, c: { re: 0.25, im: 4 }, t: -1n })
    expect(() => StructuredArray.fromRows(all, [{ ...rows[0], u: 'abcd' }])).toThrow(
      /more than 3 characters/,
    )
    expect(() => StructuredArray.fromRows(all, [{ ...rows[0], b: 2 }])).toThrow(/not a boolean/)
    expect(() => StructuredArray.fromRows(all, [{ ...rows[0], t: 1.5 }])).toThrow(
      /not an integer count of ns/,
    )
  })

  it('takes typed arrays of any numeric type, copying bytes only when that is exact', () => {
    const d = dtype([
      ['i', '<i2'],
      ['f', '<f4'],
      ['g', '>f8'],
      ['q', '<u8'],
    ])
    const a = StructuredArray.zeros(d, 3)
    a.set('i', new Int16Array([1, -2, 3]))
    a.set('f', new Float64Array([0.1, 1e40, -0]))
    a.set('g', new Float32Array([0.5, 2, 3]))
    a.set('q', new BigUint64Array([1n, 2n ** 64n - 1n, 0n]))
    expect(a.get('i')).toEqual(new Int16Array([1, -2, 3]))
    expect(a.get('f')).toEqual(new Float32Array([0.1, Infinity, -0]))
    expect(a.get('g')).toEqual(new Float64Array([0.5, 2, 3]))
    expect(a.get('q')).toEqual(new BigUint64Array([1n, 2n ** 64n - 1n, 0n]))
    // A wider typed array into a narrow int column is checked value by value.
    expect(() => a.set('i', new Int32Array([1, 70000, 3]))).toThrow(
      /row 1, field "i": 70000 does not fit <i2/,
    )
    expect(() => a.set('q', new Float64Array([1, -1, 0]))).toThrow(
      /row 1, field "q": -1 does not fit <u8/,
    )
    expect(() => a.set('f', new Float32Array(2))).toThrow(ArrayValueError)
    // Strided views read and write through the same paths.
    const every = StructuredArray.fromBuffer(d, a.buffer, { stride: 2 * d.itemsize, length: 2 })
    expect(every.get('i')).toEqual(new Int16Array([1, 3]))
    every.set('f', new Float32Array([7, 8]))
    expect(a.get('f')).toEqual(new Float32Array([7, Infinity, 8]))
  })

  it('reads nested structs as views, and plain dtypes through values()', () => {
    const d = dtype([
      ['k', 'u1'],
      [
        'p',
        [
          ['x', '>i4'],
          ['y', 'f8'],
        ],
      ],
    ])
    const a = StructuredArray.fromRows(d, [
      [1, { x: 10, y: 0.5 }],
      [2, [20, 1.5]],
    ])
    const p = a.get('p') as StructuredArray
    expect(p.stride).toBe(d.itemsize)
    expect(p.get('x')).toEqual(new Int32Array([10, 20]))
    p.set('y', [9, 8])
    expect(a.row(1)).toEqual({ k: 2, p: { x: 20, y: 8 } })
    const copy = StructuredArray.zeros(d, 2)
    copy.set('p', p)
    expect(copy.row(1)).toEqual({ k: 0, p: { x: 20, y: 8 } })
    expect(StructuredArray.fromColumns(d, { k: [1, 2], p }).row(0)).toEqual(a.row(0))
    expect(() => copy.set('p', p.slice(1))).toThrow(/1 rows given for p of 2 rows/)
    expect(() => copy.set('p', StructuredArray.zeros([['x', 'i4']], 2))).toThrow(/have dtype/)
    const plain = StructuredArray.fromRows('>u2', [1, 2, 65535])
    expect(plain.values()).toEqual(new Uint16Array([1, 2, 65535]))
    expect([...plain.bytes]).toEqual([0, 1, 0, 2, 255, 255])
    plain.setValues([3, 4, 5])
    expect([...plain]).toEqual([3, 4, 5])
    expect(() => plain.get('x')).toThrow(/no field named "x"/)
  })

  it('builds from columns with sub-arrays flat or per row, in a SharedArrayBuffer on request', () => {
    const d = dtype([
      ['_key', 'i4'],
      ['emb', 'f4', 2],
    ])
    const a = StructuredArray.fromColumns(
      d,
      {
        _key: [1, 2],
        emb: [
          [1, 2],
          [3, 4],
        ],
      },
      { shared: true },
    )
    expect(a.buffer).toBeInstanceOf(SharedArrayBuffer)
    const b = StructuredArray.fromColumns(d, {
      _key: new Int32Array([1, 2]),
      emb: new Float32Array([1, 2, 3, 4]),
    })
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true)
    expect(() => StructuredArray.fromColumns(d, { _key: [1, 2], emb: [1, 2, 3] })).toThrow(
      /not a multiple of 2/,
    )
    expect(() => StructuredArray.fromColumns(d, { _key: [1], emb: [1, 2, 3, 4] })).toThrow(
      /has 2 rows, others have 1/,
    )
    expect(() => StructuredArray.fromColumns(d, { _key: [1] })).toThrow(
      /missing column for field "emb"/,
    )
    expect(() => StructuredArray.fromColumns(d, { _key: [1], emb: [1, 2], x: [] })).toThrow(
      /no field named "x"/,
    )
  })

  it('checks fromBuffer offsets, strides and lengths, and slices like Array.prototype.slice', () => {
    const buf = new ArrayBuffer(64)
    expect(StructuredArray.fromBuffer(dt, buf).length).toBe(4)
    expect(StructuredArray.fromBuffer(dt, buf, { byteOffset: 8 }).length).toBe(3)
    expect(StructuredArray.fromBuffer(dt, buf, { byteOffset: 8, stride: 24 }).length).toBe(2)
    expect(StructuredArray.fromBuffer(dt, new Uint8Array(buf, 60)).length).toBe(0)
    expect(() => StructuredArray.fromBuffer(dt, buf, { stride: 8 })).toThrow(
      /stride 8 is smaller than the itemsize 16/,
    )
    expect(() => StructuredArray.fromBuffer(dt, buf, { byteOffset: 65 })).toThrow(
      /beyond the 64-byte buffer/,
    )
    expect(() => StructuredArray.fromBuffer(dt, buf, { byteOffset: 1.5 })).toThrow(ArrayValueError)
    const a = StructuredArray.fromBuffer(dt, buf)
    expect(a.slice(1, 3).length).toBe(2)
    expect(a.slice(-3, -1).byteOffset).toBe(16)
    expect(a.slice(3, 1).length).toBe(0)
    expect(a.slice(0, 100).length).toBe(4)
  })

  it('refuses a source that is not a buffer with ArrayValueError, not a raw TypeError', () => {
    for (const bad of ['abc', null, undefined, 12, {}, { byteLength: 8 }, [1, 2]]) {
      expect(() => StructuredArray.fromBuffer(dt, bad as never)).toThrow(ArrayValueError)
    }
    expect(() => StructuredArray.fromBuffer(dt, 'abc' as never)).toThrow(
      /source must be an ArrayBuffer, a SharedArrayBuffer or a view of one/,
    )
    expect(() => StructuredArray.fromBuffer(dt, new ArrayBuffer(32), null as never)).toThrow(
      /options must be an object/,
    )
    expect(StructuredArray.fromBuffer(dt, new SharedArrayBuffer(32)).length).toBe(2)
  })

  it("keeps a field named '__proto__' as a field and reads object rows' own keys only", () => {
    const odd = dtype([
      ['__proto__', 'i4'],
      ['constructor', 'f8'],
    ])
    const row = JSON.parse('{"__proto__": 7, "constructor": 0.5}') as Record<string, unknown>
    const a = StructuredArray.fromRows(odd, [row, [8, 1.5]])
    expect(a.get('__proto__')).toEqual(new Int32Array([7, 8]))
    const back = a.row(0) as Record<string, unknown>
    expect(Object.keys(back)).toEqual(['__proto__', 'constructor'])
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype)
    expect(back['__proto__']).toBe(7)
    // An inherited `constructor` is not the row's value for the field of that name.
    expect(() => StructuredArray.fromRows(odd, [{ ['__proto__']: 1 }])).toThrow(
      /missing field "constructor"/,
    )
  })

  it('turns what a getter or Proxy in the rows throws into ArrayValueError, with the cause', () => {
    const boom = new Error('boom')
    const row = Object.defineProperty({ _key: 1, count: 2 }, 'score', {
      enumerable: true,
      get() {
        throw boom
      },
    })
    let error: unknown
    try {
      StructuredArray.fromRows(dt, [row])
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ArrayValueError)
    expect((error as ArrayValueError).message).toMatch(/rows could not be read: boom/)
    expect((error as ArrayValueError).cause).toBe(boom)
    expect(() => StructuredArray.fromRows(dt, null as never)).toThrow(/rows must be an array/)
    expect(() => StructuredArray.zeros(dt, 1, null as never)).toThrow(/options must be an object/)
    expect(() => StructuredArray.zeros(dt, 1).get(1n as never)).toThrow(
      /field name must be a string/,
    )
  })
})
