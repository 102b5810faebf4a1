// Exact values; every bit pattern and rounding tie is also checked against numpy in numpy-diff.test.ts.
import { describe, expect, it } from 'vitest'

import { doubleToHalfBits, halfBitsToDouble } from './half.js'

describe('binary16', () => {
  it('encodes and decodes known values, rounding half to even', () => {
    const cases: [number, number][] = [
      [0, 0x0000],
      [-0, 0x8000],
      [1, 0x3c00],
      [-2, 0xc000],
      [0.5, 0x3800],
      [65504, 0x7bff],
      [2 ** -14, 0x0400],
      [2 ** -24, 0x0001],
      [Infinity, 0x7c00],
      [-Infinity, 0xfc00],
    ]
    for (const [x, bits] of cases) {
      expect(doubleToHalfBits(x)).toBe(bits)
      expect(Object.is(halfBitsToDouble(bits), x)).toBe(true)
    }
    expect(doubleToHalfBits(65520)).toBe(0x7c00) // the tie above the largest half goes to infinity
    expect(doubleToHalfBits(65519.99)).toBe(0x7bff)
    expect(doubleToHalfBits(1 + 2 ** -11)).toBe(0x3c00) // tie: to even
    expect(doubleToHalfBits(1 + 3 * 2 ** -11)).toBe(0x3c02) // tie: to even (up)
    expect(doubleToHalfBits(2 ** -25)).toBe(0x0000) // tie below the smallest subnormal: to even (zero)
    expect(doubleToHalfBits(3 * 2 ** -25)).toBe(0x0002)
    expect(Number.isNaN(halfBitsToDouble(doubleToHalfBits(NaN)))).toBe(true)
  })
})
