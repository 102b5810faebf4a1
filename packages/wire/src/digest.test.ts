import { describe, expect, it } from 'vitest'
import { PARTICLE_BLOB, PARTICLE_FLOAT, PARTICLE_INTEGER, PARTICLE_STRING } from './constants.js'
import { WireError } from './errors.js'
import {
  computeDigest,
  decodeKeyField,
  encodeKeyField,
  encodeUserKey,
  keyDigest,
  partitionId,
} from './digest.js'
import { toHex } from './test-support/bytes.js'

// Reference doc §5 (agrees with the Go/Rust/PHP/Ruby client test vectors).
const VECTORS: Array<[string, string | number, string, number | null]> = [
  ['set', '', '2819b1ff6e346a43b4f5f6b77a88bc3eaac22a83', null],
  ['set', 's', '607cddba7cd111745ef0a3d783d57f0e83c8f311', null],
  ['set', 0, '93d943aae37b017ad7e011b0c1d2e2143c2fb37d', null],
  ['set', 123444, '6fa3f682162b45d3a96cd8a5adc86e20c68c3a9c', null],
  ['demo', 'key1', 'ec91192d4b7f8ce35d5d78d34bca65cbaaaac960', 492],
  ['', 'key1', '579f05ecf9e6a9e796f4da2ab0b1323364df5c10', 3927],
]

describe('key digests', () => {
  for (const [set, key, digest, partition] of VECTORS) {
    it(`set ${JSON.stringify(set)} key ${JSON.stringify(key)}`, () => {
      const computed = keyDigest(set, key)
      expect(computed).toHaveLength(20)
      expect(toHex(computed)).toBe(digest)
      const expectedPartition =
        (parseInt(digest.slice(0, 2), 16) | (parseInt(digest.slice(2, 4), 16) << 8)) & 4095
      expect(partitionId(computed)).toBe(expectedPartition)
      if (partition !== null) expect(partitionId(computed)).toBe(partition)
    })
  }

  it('the second key of the reference batch example', () => {
    expect(toHex(keyDigest('demo', 'key2'))).toBe('266fc5c994ab9d0aa1c367d99abce6d89e977083')
  })

  it('number and bigint integer keys hash the same; blob keys use type 4', () => {
    expect(toHex(keyDigest('set', 123444n))).toBe(toHex(keyDigest('set', 123444)))
    const blob = Uint8Array.of(1, 2, 3)
    expect(toHex(keyDigest('set', blob))).toBe(toHex(computeDigest('set', PARTICLE_BLOB, blob)))
    expect(toHex(keyDigest('set', -1))).toBe(
      toHex(
        computeDigest(
          'set',
          PARTICLE_INTEGER,
          Uint8Array.from(Buffer.from('ffffffffffffffff', 'hex')),
        ),
      ),
    )
  })

  it('a set given as bytes equals the string form', () => {
    const keyBytes = new TextEncoder().encode('key1')
    expect(toHex(computeDigest(new TextEncoder().encode('demo'), PARTICLE_STRING, keyBytes))).toBe(
      VECTORS[4]![2],
    )
  })

  it('refuses non-integer number keys and out-of-range integers', () => {
    expect(() => keyDigest('set', 1.5)).toThrow(WireError)
    expect(() => keyDigest('set', 2n ** 63n)).toThrow(WireError)
  })

  it('partitionId reads at an offset and refuses short input', () => {
    const buf = Uint8Array.of(9, 0xff, 0xff)
    expect(partitionId(buf, 1)).toBe(4095)
    expect(() => partitionId(buf, 2)).toThrow(WireError)
  })
})

describe('FIELD_KEY data', () => {
  it('round-trips string, integer, bigint and blob keys', () => {
    for (const key of ['key1', 7, -(2 ** 40), 2n ** 62n, Uint8Array.of(0, 1)]) {
      const field = encodeKeyField(key)
      expect(field[0]).toBe(encodeUserKey(key).particleType)
      const decoded = decodeKeyField(field, 0, field.length)
      expect(decoded.key).toEqual(key)
    }
  })

  it('decodes double keys and rejects a short integer key', () => {
    const field = Uint8Array.from([PARTICLE_FLOAT, ...Buffer.from('3ff8000000000000', 'hex')])
    expect(decodeKeyField(field, 0, field.length)).toEqual({
      particleType: PARTICLE_FLOAT,
      key: 1.5,
    })
    expect(() => decodeKeyField(Uint8Array.of(PARTICLE_INTEGER, 1), 0, 2)).toThrow(WireError)
    expect(() => decodeKeyField(Uint8Array.of(), 0, 0)).toThrow(WireError)
  })
})
