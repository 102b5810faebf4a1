import { describe, expect, it } from 'vitest'
import { dtype } from './dtype.js'
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
})
