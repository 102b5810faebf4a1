import { describe, expect, it } from 'vitest'
import { invalidUtf8At, trimTrailingNuls } from './scalars.js'

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
