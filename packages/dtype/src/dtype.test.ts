import { describe, expect, it } from 'vitest'
import { dtype } from './dtype.js'
import type { Dtype } from './dtype.js'
import { DtypeSpecError } from './errors.js'

describe('dtype', () => {
  it('parses simple strings with byte-order prefixes', () => {
    expect(dtype('i4').str).toBe('<i4')
    expect(dtype('>u2').str).toBe('>u2')
    expect(dtype('|S16').str).toBe('|S16')
    expect(dtype('>i1').str).toBe('|i1')
    expect(dtype('U8').itemsize).toBe(32)
    expect(dtype('?').str).toBe('|b1')
    expect(dtype('M8[ns]').toString()).toBe('datetime64[ns]')
    expect(dtype('f2').alignment).toBe(2)
  })

  it('lays out field lists, sub-arrays and align like numpy', () => {
    const d = dtype(
      [
        ['a', 'i1'],
        ['b', 'i4'],
        ['c', 'f4', [2, 3]],
      ],
      { align: true },
    )
    expect(d.fields?.map((f) => f.offset)).toEqual([0, 4, 8])
    expect(d.itemsize).toBe(32)
    expect(d.alignment).toBe(4)
    expect(d.field('c')?.dtype.shape).toEqual([2, 3])
    expect(d.descr).toEqual([
      ['a', '|i1'],
      ['', '|V3'],
      ['b', '<i4'],
      ['c', '<f4', [2, 3]],
    ])
  })

  it('refuses malformed text and bad layouts with DtypeSpecError', () => {
    expect(() => dtype('i3')).toThrow(DtypeSpecError)
    expect(() => dtype('x9')).toThrow(DtypeSpecError)
    expect(() => dtype('S0')).toThrow(/positive size/)
    expect(() => dtype("[('a', '<i4'")).toThrow(/at character/)
    expect(() => dtype({ names: ['a', 'b'], formats: ['i4', 'i4'], offsets: [0, 2] })).toThrow(
      /overlap/,
    )
    expect(() =>
      dtype([
        ['a', 'i4'],
        ['a', 'f4'],
      ]),
    ).toThrow(/more than once/)
  })

  it('accepts the sub-array, field-list and dict spellings of the same layout', () => {
    const a = dtype([
      ['_key', 'i4'],
      ['emb', 'f4', [4]],
    ])
    const b = dtype([
      ['_key', '<i4'],
      ['emb', ['<f4', 4]],
    ])
    const c = dtype({ names: ['_key', 'emb'], formats: ['i4', ['f4', [4]]] })
    const d = dtype("[('_key', '<i4'), ('emb', '<f4', (4,))]")
    for (const x of [b, c, d]) expect(x.equals(a)).toBe(true)
    expect(dtype([['x', a]]).field('x')?.dtype).toBe(a)
    expect(dtype(['f4', []]).str).toBe('<f4')
    expect(dtype(['f4', [2, 3]]).toString()).toBe("('<f4', (2, 3))")
    expect(a.field('emb')?.dtype.base.str).toBe('<f4')
    expect(a.names).toEqual(['_key', 'emb'])
    expect(a.isStructured && !a.isSubarray).toBe(true)
  })

  it('names the field and the position in its errors', () => {
    expect(() =>
      dtype([
        ['a', 'i4'],
        ['b', 'f3'],
      ]),
    ).toThrow(/"f3".*field 'b'/)
    expect(() => dtype([['a', [['x', 'q9']]]])).toThrow(/field 'a' › field 'x'/)
    expect(() => dtype('i4,f8,x')).toThrow(DtypeSpecError)
    expect(() => dtype("[('a', '<i4'), ('b' '<f8')]")).toThrow(/at character 20/)
    expect(() => dtype(['f4', [2, 0]])).toThrow(/dimension 0 must be positive/)
    expect(() => dtype(['f4', [-1]])).toThrow(/must be positive/)
    expect(() => dtype({ names: ['a'], formats: ['i4'], offsets: [-4] })).toThrow(/offset -4/)
    expect(() => dtype({ names: ['a'], formats: ['i4'], itemsize: 2 })).toThrow(
      /need 4 bytes, more than itemsize 2/,
    )
    expect(() => dtype({ names: ['a'], formats: ['i4'], titles: ['T'] })).toThrow(
      /titles are not supported/,
    )
    expect(() => dtype({ names: ['a'], formats: ['i4'], shape: [1] } as never)).toThrow(
      /unknown key "shape"/,
    )
    expect(() => dtype([])).toThrow(/at least one field/)
    expect(() => dtype('f16')).toThrow(expect.objectContaining({ code: 'DTYPE_UNSUPPORTED' }))
    expect(() => dtype('q7x')).toThrow(expect.objectContaining({ code: 'DTYPE_SYNTAX' }))
    expect(() => dtype('foo')).toThrow(expect.objectContaining({ code: 'DTYPE_UNKNOWN_KIND' }))
    expect(() => dtype(42 as never)).toThrow(expect.objectContaining({ code: 'DTYPE_BAD_SPEC' }))
  })

  it('compares with numpy equality', () => {
    expect(dtype('<i4').equals(dtype('=i4'))).toBe(true)
    expect(dtype('<i4').equals(dtype('>i4'))).toBe(false)
    expect(dtype('>i1').equals(dtype('<i1'))).toBe(true)
    expect(dtype('M8[ns]').equals(dtype('M8[us]'))).toBe(false)
    expect(dtype('V8').equals(dtype([['a', 'i8']]))).toBe(false)
    // The aligned flag is not part of equality; the layout is.
    const aligned = dtype(
      [
        ['a', 'i1'],
        ['b', 'i4'],
      ],
      { align: true },
    )
    expect(
      aligned.equals(
        dtype({ names: ['a', 'b'], formats: ['i1', 'i4'], offsets: [0, 4], itemsize: 8 }),
      ),
    ).toBe(true)
    expect(
      aligned.equals(
        dtype([
          ['a', 'i1'],
          ['b', 'i4'],
        ]),
      ),
    ).toBe(false)
    expect(
      dtype([
        ['a', 'i4'],
        ['b', 'i4'],
      ]).equals(
        dtype([
          ['b', 'i4'],
          ['a', 'i4'],
        ]),
      ),
    ).toBe(false)
  })

  it('refuses a null options object and bad align values instead of a raw TypeError', () => {
    expect(() => dtype('i4', null as never)).toThrow(DtypeSpecError)
    expect(() => dtype('i4', null as never)).toThrow(/dtype options must be an object, got null/)
    expect(() => dtype('i4', { align: 1 } as never)).toThrow(/align must be true or false/)
    expect(() => dtype('i4', { aligned: true } as never)).toThrow(/unknown dtype options key/)
  })

  it('refuses holes in sparse spec arrays instead of skipping them', () => {
    // eslint-disable-next-line no-sparse-arrays
    const formats = [, 'i4']
    expect(() => dtype({ names: ['a', 'b'], formats } as never)).toThrow(DtypeSpecError)
    expect(() => dtype({ names: ['a', 'b'], formats } as never)).toThrow(
      /cannot make a dtype from undefined \(field 'a'\)/,
    )
    // eslint-disable-next-line no-sparse-arrays
    expect(() => dtype({ names: [, 'b'], formats: ['i4', 'i4'] } as never)).toThrow(
      /'names', an array of strings/,
    )
    // eslint-disable-next-line no-sparse-arrays
    expect(() => dtype([, ['b', 'i4']] as never)).toThrow(/field 0 must be \[name, format\]/)
    // eslint-disable-next-line no-sparse-arrays
    expect(() => dtype(['f4', [, 2]] as never)).toThrow(DtypeSpecError)
  })

  it("refuses Object.prototype's member names as type codes", () => {
    for (const name of ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__']) {
      expect(() => dtype(name)).toThrow(DtypeSpecError)
    }
  })

  it('wraps what a Proxy or getter in the spec throws into DtypeSpecError, with the cause', () => {
    const boom = new Error('boom')
    const spec = Object.defineProperty({ formats: ['i4'] }, 'names', {
      enumerable: true,
      get() {
        throw boom
      },
    })
    let error: unknown
    try {
      dtype(spec as never)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(DtypeSpecError)
    expect((error as DtypeSpecError).message).toMatch(/the dtype spec could not be read: boom/)
    expect((error as DtypeSpecError).cause).toBe(boom)
  })

  it('answers equals() with false for anything that is not a Dtype', () => {
    const d = dtype('i4')
    for (const other of [null, undefined, 'i4', {}, new Proxy({}, {})]) {
      expect(d.equals(other as unknown as Dtype)).toBe(false)
    }
  })
})
