import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
import { describe, expect, it } from 'vitest'
import {
  PARTICLE_BLOB,
  PARTICLE_FLOAT,
  PARTICLE_INTEGER,
  PARTICLE_STRING,
} from '@aerospike-numpy/wire'
import { ParamError } from './errors.js'
import { binPresent, checkRowValues, compileWritePlan } from './plan.js'

function rowCtx(data: StructuredArray, row: number) {
  const src = new Uint8Array(data.buffer)
  const view = new DataView(data.buffer)
  return { src, view, rowOffset: data.byteOffset + row * data.stride }
}

function wireValue(
  data: StructuredArray,
  row: number,
  binIndex: number,
  keyField = '_key',
): Uint8Array {
  const plan = compileWritePlan(data.dtype, keyField)
  const bin = plan.bins[binIndex]!
  const { src, view, rowOffset } = rowCtx(data, row)
  const out = new Uint8Array(bin.valueSize + 3)
  bin.writeValue(src, view, rowOffset, row, out, new DataView(out.buffer), 3)
  return out.subarray(3)
}

describe('compileWritePlan', () => {
  it('maps the quick-start dtype: _key is key only, other fields are bins in order', () => {
    const dt = dtype([
      ['_key', 'i4'],
      ['score', 'f8'],
      ['count', 'i4'],
    ])
    const plan = compileWritePlan(dt)
    expect(plan.keyField).toBe('_key')
    expect(plan.key.particleType).toBe(PARTICLE_INTEGER)
    expect(plan.bins.map((b) => [b.name, b.particleType, b.valueSize])).toEqual([
      ['score', PARTICLE_FLOAT, 8],
      ['count', PARTICLE_INTEGER, 8],
    ])
  })

  it('a custom key field without _ is also a bin; _ fields other than the key are not bins', () => {
    const dt = dtype([
      ['user_id', 'i8'],
      ['_note', 'S4'],
      ['score', 'f8'],
    ])
    const plan = compileWritePlan(dt, 'user_id')
    expect(plan.bins.map((b) => b.name)).toEqual(['user_id', 'score'])
    const dt2 = dtype([
      ['_id', 'i8'],
      ['score', 'f8'],
    ])
    expect(compileWritePlan(dt2, '_id').bins.map((b) => b.name)).toEqual(['score'])
  })

  it('floats of every width become FLOAT particles holding the exact value', () => {
    const dt = dtype([
      ['_key', 'i4'],
      ['h', 'f2'],
      ['s', '>f4'],
      ['d', 'f8'],
    ])
    const data = StructuredArray.fromRows(dt, [[1, 1.5, 0.1, 1.0]])
    const as = (bytes: Uint8Array) =>
      new DataView(bytes.buffer, bytes.byteOffset).getFloat64(0, false)
    expect(as(wireValue(data, 0, 0))).toBe(1.5)
    expect(as(wireValue(data, 0, 1))).toBe(Math.fround(0.1))
    expect(as(wireValue(data, 0, 2))).toBe(1.0)
    const plan = compileWritePlan(dt)
    const { src, view, rowOffset } = rowCtx(data, 0)
    expect(plan.bins.map((b) => b.value(src, view, rowOffset, 0))).toEqual([
      1.5,
      Math.fround(0.1),
      1,
    ])
  })

  it('integers of every width and byte order become 8-byte big-endian INTEGER values', () => {
    const dt = dtype([
      ['_key', 'i4'],
      ['a', 'i1'],
      ['b', '>u2'],
      ['c', '<i4'],
      ['d', '>i8'],
      ['e', 'u4'],
    ])
    const data = StructuredArray.fromRows(dt, [
      [1, -5, 65535, -2147483648, -(2n ** 63n), 4294967295],
    ])
    const int = (bytes: Uint8Array) =>
      new DataView(bytes.buffer, bytes.byteOffset).getBigInt64(0, false)
    expect([0, 1, 2, 3, 4].map((i) => int(wireValue(data, 0, i)))).toEqual([
      -5n,
      65535n,
      -2147483648n,
      -(2n ** 63n),
      4294967295n,
    ])
  })

  it('i8/u8: numbers while exact, bigint beyond 2^53, u8 above 2^63-1 is an error naming row and field', () => {
    const dt = dtype([
      ['_key', 'i4'],
      ['i', 'i8'],
      ['u', 'u8'],
    ])
    const data = StructuredArray.fromRows(dt, [
      [1, 2 ** 53 - 1, 2 ** 53 - 1],
      [2, -(2n ** 53n), 2n ** 53n],
      [3, 2n ** 63n - 1n, 2n ** 63n - 1n],
      [4, 0, 2n ** 63n],
    ])
    const plan = compileWritePlan(dt)
    const values = (row: number) => {
      const { src, view, rowOffset } = rowCtx(data, row)
      return plan.bins.map((b) => b.value(src, view, rowOffset, row))
    }
    expect(values(0)).toEqual([2 ** 53 - 1, 2 ** 53 - 1])
    expect(values(1)).toEqual([-(2n ** 53n), 2n ** 53n])
    expect(values(2)).toEqual([2n ** 63n - 1n, 2n ** 63n - 1n])
    expect(() => values(3)).toThrow(
      /row 3, field 'u': u8 value 9223372036854775808 is above 2\^63-1/,
    )
    expect(() => wireValue(data, 3, 1)).toThrow(ParamError)
    expect(() => checkRowValues(plan, data)).toThrow(/row 3, field 'u'/)
  })

  it('S, V, sub-arrays and nested structs are blobs of the full field width', () => {
    const dt = dtype([
      ['_key', 'i4'],
      ['s', 'S6'],
      ['v', 'V3'],
      ['emb', 'f4', [2]],
      [
        'pt',
        [
          ['x', 'u1'],
          ['y', 'u1'],
        ],
      ],
    ])
    const plan = compileWritePlan(dt)
    expect(plan.bins.map((b) => [b.particleType, b.valueSize])).toEqual([
      [PARTICLE_BLOB, 6],
      [PARTICLE_BLOB, 3],
      [PARTICLE_BLOB, 8],
      [PARTICLE_BLOB, 2],
    ])
    const data = StructuredArray.zeros(dt, 1)
    data.set('s', [new TextEncoder().encode('ab')])
    data.set('emb', [1.5, -2])
    expect([...wireValue(data, 0, 0)]).toEqual([97, 98, 0, 0, 0, 0])
    const emb = wireValue(data, 0, 2)
    const f = new DataView(emb.buffer, emb.byteOffset, 8)
    expect([f.getFloat32(0, true), f.getFloat32(4, true)]).toEqual([1.5, -2])
  })

  it('keys: ints → INTEGER (8 bytes BE), S → STRING with NULs trimmed, V → BLOB', () => {
    const dt = dtype([
      ['_key', 'S8'],
      ['x', 'f8'],
    ])
    const data = StructuredArray.zeros(dt, 2)
    data.set('_key', [new TextEncoder().encode('héllo'), Uint8Array.of(0xff, 0x41)])
    const plan = compileWritePlan(dt)
    expect(plan.key.particleType).toBe(PARTICLE_STRING)
    const { src, rowOffset } = rowCtx(data, 0)
    const out = new Uint8Array(plan.key.maxKeyBytes)
    const n = plan.key.writeKeyBytes(src, rowOffset, 0, out, 0)
    expect(new TextDecoder().decode(out.subarray(0, n))).toBe('héllo')
    expect(plan.key.value(src, rowOffset, 0)).toBe('héllo')
    const second = rowCtx(data, 1)
    expect(() => plan.key.value(src, second.rowOffset, 1)).toThrow(
      /row 1, field '_key': string key is not valid UTF-8/,
    )
    expect(() => checkRowValues(plan, data)).toThrow(ParamError)

    const vdt = dtype([
      ['_key', 'V4'],
      ['x', 'f8'],
    ])
    expect(compileWritePlan(vdt).key.particleType).toBe(PARTICLE_BLOB)
    const idt = dtype([
      ['_key', '>i2'],
      ['x', 'f8'],
    ])
    const idata = StructuredArray.fromRows(idt, [[-2, 0]])
    const iplan = compileWritePlan(idt)
    const c = rowCtx(idata, 0)
    const kout = new Uint8Array(8)
    expect(iplan.key.writeKeyBytes(c.src, c.rowOffset, 0, kout, 0)).toBe(8)
    expect([...kout]).toEqual([255, 255, 255, 255, 255, 255, 255, 254])
    expect(iplan.key.value(c.src, c.rowOffset, 0)).toBe(-2)
  })

  it('a u8 key above 2^63-1 is an error naming row and field; below it is an exact key', () => {
    const dt = dtype([
      ['_key', 'u8'],
      ['x', 'f8'],
    ])
    const data = StructuredArray.fromRows(dt, [
      [2n ** 63n - 1n, 0],
      [2n ** 63n, 0],
    ])
    const plan = compileWritePlan(dt)
    const first = rowCtx(data, 0)
    expect(plan.key.value(first.src, first.rowOffset, 0)).toBe(2n ** 63n - 1n)
    expect(() => checkRowValues(plan, data, 100)).toThrow(
      /row 101, field '_key': u8 value 9223372036854775808/,
    )
  })

  it.each([
    ['f8', /key field '_key'.*is a float/],
    ['U4', /key field '_key'.*kind 'U'/],
    ['?', /key field '_key'.*kind 'b'/],
  ])('rejects a %s key field', (kind, message) => {
    expect(() =>
      compileWritePlan(
        dtype([
          ['_key', kind],
          ['x', 'f8'],
        ]),
      ),
    ).toThrow(message)
  })

  it.each([
    ['U4', /'S<n>'/],
    ['O', /Python object pointers/],
    ['?', /'u1'/],
    ['M8[s]', /'i8'/],
    ['m8[s]', /'i8'/],
    ['c8', /sub-array/],
  ])('rejects a %s bin field and says what to use instead', (kind, hint) => {
    const make = () =>
      compileWritePlan(
        dtype([
          ['_key', 'i4'],
          ['bad', kind],
        ]),
      )
    expect(make).toThrow(ParamError)
    expect(make).toThrow(/field 'bad'/)
    expect(make).toThrow(hint)
  })

  it('rejects a missing key field, long bin names, dtypes without bins or fields', () => {
    expect(() =>
      compileWritePlan(
        dtype([
          ['id', 'i4'],
          ['x', 'f8'],
        ]),
      ),
    ).toThrow(/key field '_key' is not in the dtype \(fields: id, x\)/)
    expect(() =>
      compileWritePlan(
        dtype([
          ['_key', 'i4'],
          ['a_very_long_bin_name', 'f8'],
        ]),
      ),
    ).toThrow(/at most 15 bytes/)
    expect(() =>
      compileWritePlan(
        dtype([
          ['_key', 'i4'],
          ['ééééééé€', 'f8'],
        ]),
      ),
    ).toThrow(/at most 15 bytes/)
    expect(() =>
      compileWritePlan(
        dtype([
          ['_key', 'i4'],
          ['a\u0000b', 'f8'],
        ]),
      ),
    ).toThrow(/"a\\u0000b": a bin name cannot contain a NUL character/)
    expect(() =>
      compileWritePlan(
        dtype([
          ['_key', 'i4'],
          ['_x', 'f8'],
        ]),
      ),
    ).toThrow(/no bin fields/)
    expect(() => compileWritePlan(dtype('i4'))).toThrow(/not structured/)
  })
})

describe('compileWritePlan with a validity field', () => {
  const dt = dtype([
    ['_key', 'i4'],
    ['a', 'u8'],
    ['b', 'f8'],
    ['_valid', 'V1'],
  ])

  it('reads bit b of the row bitmap as "bin b is written"', () => {
    const plan = compileWritePlan(dt, '_key', '_valid')
    expect(plan.validity).toMatchObject({ offset: dt.field('_valid')!.offset })
    const data = StructuredArray.zeros(dt, 2)
    const v = dt.field('_valid')!.offset
    new Uint8Array(data.buffer)[v] = 0b10
    const src = new Uint8Array(data.buffer)
    expect([0, 1].map((b) => binPresent(plan, src, 0, b))).toEqual([false, true])
    expect(binPresent(compileWritePlan(dt), src, 0, 0)).toBe(true)
  })

  it('refuses a field that is missing, a bin, or too narrow for the bins', () => {
    expect(() => compileWritePlan(dt, '_key', '_nope')).toThrow(/'?"_nope"'? is not a field/)
    expect(() => compileWritePlan(dt, '_key', 'a')).toThrow(/must be a field starting with '_'/)
    const wide = dtype([
      ['_key', 'i4'],
      ...Array.from({ length: 9 }, (_, i): [string, string] => [`b${i}`, 'i1']),
      ['_valid', 'V1'],
    ])
    expect(() => compileWritePlan(wide, '_key', '_valid')).toThrow(
      /at least 2 byte\(s\) for 9 bins/,
    )
  })

  it('checkRowValues refuses a row without any bin, and skips absent u8 values', () => {
    const plan = compileWritePlan(dt, '_key', '_valid')
    const data = StructuredArray.zeros(dt, 3)
    const bytes = new Uint8Array(data.buffer)
    const v = dt.field('_valid')!.offset
    bytes[v] = 0b11
    bytes[data.stride + v] = 0b10 // 'a' absent, and too big for an int64: not checked
    new DataView(data.buffer).setBigUint64(
      data.stride + dt.field('a')!.offset,
      2n ** 64n - 1n,
      true,
    )
    bytes[2 * data.stride + v] = 0b11
    expect(() => checkRowValues(plan, data)).not.toThrow()
    bytes[2 * data.stride + v] = 0
    expect(() => checkRowValues(plan, data, 10)).toThrow(
      /row 12: its '_valid' bits mark every bin absent/,
    )
  })
})
