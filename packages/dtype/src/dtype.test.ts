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
})
