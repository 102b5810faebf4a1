import { describe, expect, it } from 'vitest'

import { DtypeSpecError } from './errors.js'
import { PyTuple, parsePyLiteral, pyReprShape, pyReprString } from './pyliteral.js'

describe('Python literals', () => {
  it('parses the values .npy headers hold', () => {
    const v = parsePyLiteral(
      "{'descr': [('a', '<i4'), ('b', '>f8', (2, 3))], 'fortran_order': False, 'shape': (10L,), }",
    )
    expect(v).toBeInstanceOf(Map)
    const m = v as Map<string, unknown>
    expect(m.get('fortran_order')).toBe(false)
    expect(m.get('shape')).toEqual(new PyTuple([10]))
    expect(m.get('descr')).toEqual([
      new PyTuple(['a', '<i4']),
      new PyTuple(['b', '>f8', new PyTuple([2, 3])]),
    ])
    expect(parsePyLiteral('(1)')).toBe(1)
    expect(parsePyLiteral('()')).toEqual(new PyTuple([]))
    expect(parsePyLiteral('99999999999999999999')).toBe(99999999999999999999n)
    expect(parsePyLiteral(String.raw`'a\'b\x41\u00e9\U0001F642\n\\'`)).toBe("a'bAé🙂\n\\")
    expect(parsePyLiteral(`"it's"`)).toBe("it's")
  })

  it('refuses malformed text with the character position', () => {
    for (const [text, at] of [
      ["{'a': 1", 7],
      ["{'a' 1}", 5],
      ['[1, 2', 5],
      ["'abc", 4],
      ['(1, 2', 5],
      ['{1: 2}', 1],
      ['007', 0],
      ['1 2', 2],
      ['nope', 0],
    ] as const) {
      expect(() => parsePyLiteral(text)).toThrow(DtypeSpecError)
      expect(() => parsePyLiteral(text)).toThrow(new RegExp(`at character ${at}$`))
    }
    expect(() => parsePyLiteral('['.repeat(1000))).toThrow(/nesting deeper than 64/)
  })

  it('writes repr() as Python 3 does', () => {
    expect(pyReprString('abc')).toBe("'abc'")
    expect(pyReprString("it's")).toBe(`"it's"`)
    expect(pyReprString('a"b')).toBe(`'a"b'`)
    expect(pyReprString(`a'b"c`)).toBe(String.raw`'a\'b"c'`)
    expect(pyReprString('tab\there\n\\')).toBe(String.raw`'tab\there\n\\'`)
    expect(pyReprString('\u0000\u007f\u0080\u00a0é')).toBe(String.raw`'\x00\x7f\x80\xa0é'`)
    expect(pyReprString('\u2028ключ🙂')).toBe(String.raw`'\u2028ключ🙂'`)
    expect(pyReprShape([3])).toBe('(3,)')
    expect(pyReprShape([3, 4])).toBe('(3, 4)')
    expect(pyReprShape([])).toBe('()')
  })
})
