import { createHash, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { Ripemd160 } from './ripemd160.js'

function reference(bytes: Uint8Array): string {
  return createHash('ripemd160').update(bytes).digest('hex')
}

function ours(bytes: Uint8Array, offset = 0, length = bytes.length): string {
  const out = new Uint8Array(24)
  new Ripemd160().digest(bytes, offset, length, out, 2)
  return Buffer.from(out.subarray(2, 22)).toString('hex')
}

describe('Ripemd160', () => {
  it('matches the published test vectors', () => {
    const enc = (s: string): Uint8Array => new TextEncoder().encode(s)
    expect(ours(enc(''))).toBe('9c1185a5c5e9fc54612808977ee8f548b2258d31')
    expect(ours(enc('abc'))).toBe('8eb208f7e05d987a9b044a8e98c6b087f15a0bfc')
    expect(
      ours(enc('12345678901234567890123456789012345678901234567890123456789012345678901234567890')),
    ).toBe('9b752e45573d4b39f4dbd3323cab82bf63326bfb')
  })

  it('matches node:crypto for every length 0..300 and for offsets into a larger buffer', () => {
    const hasher = new Ripemd160()
    const out = new Uint8Array(20)
    for (let n = 0; n <= 300; n++) {
      const bytes = randomBytes(n + 7)
      hasher.digest(bytes, 3, n, out, 0)
      expect(Buffer.from(out).toString('hex'), `length ${n}`).toBe(
        reference(bytes.subarray(3, 3 + n)),
      )
    }
  })

  it('gives the key digests of the protocol reference', () => {
    const enc = (s: string): Uint8Array => new TextEncoder().encode(s)
    const key = (set: string, type: number, keyBytes: Uint8Array): Uint8Array =>
      Uint8Array.from([...enc(set), type, ...keyBytes])
    expect(ours(key('demo', 3, enc('key1')))).toBe('ec91192d4b7f8ce35d5d78d34bca65cbaaaac960')
    expect(ours(key('', 3, enc('key1')))).toBe('579f05ecf9e6a9e796f4da2ab0b1323364df5c10')
    const int123444 = new Uint8Array(8)
    new DataView(int123444.buffer).setBigInt64(0, 123444n)
    expect(ours(key('set', 1, int123444))).toBe('6fa3f682162b45d3a96cd8a5adc86e20c68c3a9c')
  })
})
