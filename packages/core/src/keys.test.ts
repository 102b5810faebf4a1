import { describe, expect, it } from 'vitest'
import { computeDigest } from '@aerospike-numpy/wire'
import { ParamError } from './errors.js'
import {
  batchKeyLabel,
  KeyBatch,
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

  it('a batch holds every key form, mixed, with the digests the server computes', () => {
    const long = 'k'.repeat(300) // longer than the reused digest buffer of a set
    const inputs: unknown[] = [
      ['test', 'a', 1],
      ['test', 'a', -1],
      ['test', 'a', Number.MAX_SAFE_INTEGER],
      ['test', 'a', -(2 ** 53) + 1],
      ['test', 'a', 2n ** 63n - 1n],
      ['test', 'a', 'x'],
      ['test', 'a', long],
      ['test', 'a', 'y'],
      ['test', 'a', Uint8Array.of(1, 2, 3)],
      ['bar', 'a', 1],
      { ns: 'test', set: 'b', key: 'x' },
      { ns: 'test', key: 5 },
      { ns: 'test', set: 'a', digest: userKeyDigest('a', 99) },
      ['test', 'a', 2],
    ]
    const batch = resolveKeys(inputs)
    expect(batch.length).toBe(inputs.length)
    expect(batch.groups).toEqual([
      { namespace: 'test', set: 'a' },
      { namespace: 'bar', set: 'a' },
      { namespace: 'test', set: 'b' },
      { namespace: 'test', set: '' },
    ])
    expect([...batch.groupOf]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 0, 0])
    for (let i = 0; i < inputs.length; i++) {
      // resolveKey is the one-key path: the batch must agree with it key by key
      const one = resolveKey(inputs[i], i)
      expect(batch.key(i)).toEqual(one)
      expect(hex(batch.digest(i))).toBe(hex(one.digest))
      if (one.key !== null) expect(hex(one.digest)).toBe(hex(userKeyDigest(one.set, one.key)))
    }
    expect(batch.userKeys[12]).toBeNull()
    expect(batchKeyLabel(batch, 0)).toBe('test/a/1')
    expect(batchKeyLabel(batch, 12)).toBe(`test/a/digest ${hex(userKeyDigest('a', 99))}`)
    expect(KeyBatch.from(batch.toArray()).digests).toEqual(batch.digests)
  })

  it('an error names the position of the key in the batch', () => {
    const good = Array.from({ length: 5 }, (_, i) => ['test', 's', i])
    expect(() => resolveKeys([...good, ['test', 's', 1.5]])).toThrow(/keys\[5\]/)
    expect(() => resolveKeys([...good, ['tes\0t', 's', 1]])).toThrow(/keys\[5\] namespace/)
    expect(() =>
      resolveKeys([...good, { ns: 'test', set: 's', key: 2, digest: userKeyDigest('s', 3) }]),
    ).toThrow(/keys\[5\] has a digest that does not match its key/)
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

  it('a KeyBatch is taken as keys again, checked again', () => {
    const batch = resolveKeys([
      ['test', 'a', 1],
      ['test', 'a', 'two'],
      ['bar', 'b', Uint8Array.of(3)],
    ])
    const again = resolveKeys(batch)
    expect(again).not.toBe(batch)
    expect(again.toArray()).toEqual(batch.toArray())
    // Its arrays are the caller's and may change after it was made: refused, not read past.
    batch.groupOf[1] = 7
    expect(() => resolveKeys(batch)).toThrow(ParamError)
    expect(() => resolveKeys(batch)).toThrow(/key 1 names group 7 of 2/)
  })

  it.each([
    [
      'a namespace with a NUL',
      () => [[{ namespace: 'te\0st', set: 's' }], 1, 20, [1]],
      /key group 0 namespace/,
    ],
    ['a group that is not an object', () => [[42], 1, 20, [1]], /key group 0/],
    [
      'digests of the wrong size',
      () => [[{ namespace: 'test', set: 's' }], 1, 19, [1]],
      /20 digest bytes/,
    ],
    ['too few user keys', () => [[{ namespace: 'test', set: 's' }], 2, 40, [1]], /2 user keys/],
    [
      'a float user key',
      () => [[{ namespace: 'test', set: 's' }], 1, 20, [1.5]],
      /keys\[0\] key 1.5 is not an integer key/,
    ],
    [
      'an object user key',
      () => [[{ namespace: 'test', set: 's' }], 1, 20, [{}]],
      /keys\[0\] key must be an integer/,
    ],
    [
      'a group index out of range',
      () => [[{ namespace: 'test', set: 's' }], 1, 20, [1], 3],
      /names group 3 of 1/,
    ],
  ])('a KeyBatch made by hand is checked: %s', (_what, parts, message) => {
    const [groups, n, digestBytes, userKeys, group = 0] = parts() as [
      unknown[],
      number,
      number,
      unknown[],
      number?,
    ]
    const make = () =>
      new KeyBatch(
        groups as never,
        new Uint32Array(n).fill(group),
        new Uint8Array(digestBytes),
        userKeys as never,
      )
    expect(make).toThrow(ParamError)
    expect(make).toThrow(message)
  })

  it('a KeyBatch refuses look-alike arrays (a Proxy passes instanceof, not isView)', () => {
    const groups = [{ namespace: 'test', set: 's' }]
    const proxy = new Proxy(new Uint32Array(1), {})
    expect(() => new KeyBatch(groups, proxy, new Uint8Array(20), [1])).toThrow(
      /groupOf must be a Uint32Array/,
    )
    expect(() => new KeyBatch(groups, new Uint32Array(1), [] as never, [1])).toThrow(
      /digests must be a Uint8Array/,
    )
  })
})
