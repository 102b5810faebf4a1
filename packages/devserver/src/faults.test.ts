import { describe, expect, it } from 'vitest'

import { keyDigest } from '@aerospike-numpy/wire'

import { FaultTable, seededShare, validateFaultRule } from './faults.js'
import { digestKey } from './store.js'

function digestKeyOf(i: number): string {
  return digestKey(keyDigest('set', i))
}

describe('seededShare', () => {
  it('lies in [0, 1), is stable, and spreads evenly', () => {
    const buckets = new Array(10).fill(0)
    for (let i = 0; i < 5000; i++) {
      const share = seededShare(3, digestKeyOf(i))
      expect(share).toBeGreaterThanOrEqual(0)
      expect(share).toBeLessThan(1)
      expect(seededShare(3, digestKeyOf(i))).toBe(share)
      buckets[Math.floor(share * 10)]++
    }
    for (const count of buckets) {
      expect(count).toBeGreaterThan(400)
      expect(count).toBeLessThan(600)
    }
  })

  it('depends on the seed', () => {
    const differing = Array.from(
      { length: 100 },
      (_, i) => seededShare(1, digestKeyOf(i)) !== seededShare(2, digestKeyOf(i)),
    )
    expect(differing.filter(Boolean).length).toBeGreaterThan(95)
  })
})

describe('FaultTable', () => {
  const base = {
    namespace: null,
    set: null,
    digests: null,
    fraction: 1,
    seed: 0,
    times: Infinity,
    ops: 'all' as const,
  }

  it('fails the first `times` attempts per key, counted separately per key', () => {
    const table = new FaultTable()
    table.add({ ...base, resultCode: 14, times: 2 })
    expect([1, 2, 3].map(() => table.check('test', 's', 'a', true))).toEqual([14, 14, 0])
    expect(table.check('test', 's', 'b', true)).toBe(14)
  })

  it('matches namespace, set, keys and op kind', () => {
    const table = new FaultTable()
    table.add({
      ...base,
      namespace: 'test',
      set: 's',
      digests: new Set(['k']),
      resultCode: 9,
      ops: 'write',
    })
    expect(table.check('test', 's', 'k', true)).toBe(9)
    expect(table.check('test', 's', 'k', false)).toBe(0)
    expect(table.check('bar', 's', 'k', true)).toBe(0)
    expect(table.check('test', 'other', 'k', true)).toBe(0)
    expect(table.check('test', 's', 'other', true)).toBe(0)
    table.clear()
    expect(table.check('test', 's', 'k', true)).toBe(0)
  })

  it('validates rules, naming the bad field', () => {
    expect(validateFaultRule({ resultCode: 14 })).toBeNull()
    expect(validateFaultRule({ resultCode: 0 })).toMatch(/resultCode/)
    expect(validateFaultRule({ resultCode: 256 })).toMatch(/resultCode/)
    expect(validateFaultRule({ resultCode: 14, fraction: -0.1 })).toMatch(/fraction/)
    expect(validateFaultRule({ resultCode: 14, times: 0 })).toMatch(/times/)
    expect(validateFaultRule({ resultCode: 14, seed: 1.5 })).toMatch(/seed/)
    expect(validateFaultRule({ resultCode: 14, ops: 'x' as 'all' })).toMatch(/ops/)
  })
})
