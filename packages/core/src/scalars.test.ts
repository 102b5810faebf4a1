import { describe, expect, it } from 'vitest'
import { halfToNumber, invalidUtf8At, numberToHalf, trimTrailingNuls } from './scalars.js'

describe('half floats', () => {
  it('round-trips every finite half exactly', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      const exponent = (bits >> 10) & 0x1f
      if (exponent === 0x1f) continue
      expect(numberToHalf(halfToNumber(bits))).toBe(bits === 0x8000 ? 0x8000 : bits)
    }
  })

  it('rounds half to even, overflows to infinity, keeps NaN', () => {
    expect(halfToNumber(numberToHalf(1 + 2 ** -11))).toBe(1) // tie → even
    expect(halfToNumber(numberToHalf(1 + 3 * 2 ** -11))).toBe(1 + 2 ** -9)
    expect(halfToNumber(numberToHalf(65519))).toBe(65504)
    expect(halfToNumber(numberToHalf(65520))).toBe(Infinity)
    expect(halfToNumber(numberToHalf(-1e9))).toBe(-Infinity)
    expect(Number.isNaN(halfToNumber(numberToHalf(Number.NaN)))).toBe(true)
    expect(halfToNumber(numberToHalf(2 ** -24))).toBe(2 ** -24)
    expect(halfToNumber(numberToHalf(2 ** -26))).toBe(0)
  })
})

describe('UTF-8 validation', () => {
  const check = (bytes: number[]) => invalidUtf8At(Uint8Array.from(bytes), 0, bytes.length)
  it('agrees with a fatal TextDecoder', () => {
    const decoder = new TextDecoder('utf-8', { fatal: true })
    const cases = [
      [0x41],
      [0xc3, 0xa9],
      [0xe2, 0x82, 0xac],
      [0xf0, 0x9f, 0x98, 0x80],
      [0xc0, 0x80], // overlong
      [0xe0, 0x80, 0x80], // overlong
      [0xed, 0xa0, 0x80], // surrogate
      [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
      [0xe2, 0x82], // truncated
      [0xff],
      [0x41, 0x80],
    ]
    for (const c of cases) {
      let valid = true
      try {
        decoder.decode(Uint8Array.from(c))
      } catch {
        valid = false
      }
      expect(check(c) === -1).toBe(valid)
    }
    expect(check([0x41, 0x42, 0xff])).toBe(2)
  })

  it('trims trailing NULs only', () => {
    const b = Uint8Array.of(0, 65, 0, 66, 0, 0)
    expect(trimTrailingNuls(b, 0, 6)).toBe(4)
    expect(trimTrailingNuls(b, 0, 1)).toBe(0)
  })
})
