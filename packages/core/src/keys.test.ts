import { describe, expect, it } from 'vitest'
import { computeDigest } from '@aerospike-numpy/wire'
import { ParamError } from './errors.js'
import {
  keyLabel,
  resolveKey,
  resolveKeys,
  userKeyDigest,
  validateNamespace,
  validateSetName,
} from './keys.js'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

describe('keys', () => {
  it('digests match the server for integer, string and blob keys', () => {
    // Known digests from the wire protocol reference (as_key_set_digest over set + type + key).
    expect(hex(userKeyDigest('demo', 1))).toBe(
      hex(computeDigest('demo', 1, Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 1))),
    )
    expect(hex(userKeyDigest('demo', 'a'))).toBe(hex(computeDigest('demo', 3, Uint8Array.of(97))))
    expect(hex(userKeyDigest('demo', Uint8Array.of(1, 2)))).toBe(
      hex(computeDigest('demo', 4, Uint8Array.of(1, 2))),
    )
    expect(hex(userKeyDigest('demo', 7))).toBe(hex(userKeyDigest('demo', 7n)))
  })

  it('resolves guide tuples and official Key-like objects alike', () => {
    const a = resolveKey(['test', 'points', 1], 0)
    const b = resolveKey({ ns: 'test', set: 'points', key: 1 }, 0)
    expect(a).toEqual(b)
    expect(a.digest.length).toBe(20)
    const byDigest = resolveKey({ ns: 'test', set: 'points', digest: a.digest }, 0)
    expect(byDigest.key).toBeNull()
    expect(keyLabel(a)).toBe('test/points/1')
    expect(() => resolveKey({ ns: 'test', set: 'points', key: 2, digest: a.digest }, 0)).toThrow(
      /does not match/,
    )
  })

  it.each([
    [['test', 'points'], /keys\[0\] must be \[namespace, set, key\]/],
    [['', 's', 1], /namespace must be a non-empty string/],
    [['test', 5, 1], /set must be a string/],
    [['test', 's', 1.5], /not an integer key/],
    [['test', 's', 2n ** 64n], /does not fit a signed 64-bit/],
    [['test', 's', { a: 1 }], /must be an integer, bigint, string or Uint8Array/],
    [{ ns: 'test', set: 's' }, /no key and no 20-byte digest/],
    [42, /must be a \[namespace, set, key\] tuple/],
  ])('rejects case %#', (input, message) => {
    expect(() => resolveKeys([input])).toThrow(ParamError)
    expect(() => resolveKeys([input])).toThrow(message)
  })

  it('validates namespace and set names', () => {
    expect(validateSetName('')).toBe('')
    expect(() => validateNamespace('x'.repeat(32))).toThrow(/not a valid namespace/)
    expect(() => validateSetName('s'.repeat(64))).toThrow(/not a valid set name/)
    expect(() => validateSetName('a\0b')).toThrow(/no NUL/)
    expect(() => resolveKeys('nope')).toThrow(/keys must be an array/)
  })
})
