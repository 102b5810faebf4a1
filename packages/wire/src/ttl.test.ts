import { describe, expect, it } from 'vitest'
import { CITRUSLEAF_EPOCH, TTL_DONT_UPDATE, TTL_NEVER_EXPIRE } from './constants.js'
import { WireError } from './errors.js'
import { clepochNow, isExpired, ttlFromVoidTime, voidTimeFromTtl } from './ttl.js'

const NOW_MS = (CITRUSLEAF_EPOCH + 1_000_000) * 1000 + 999 // 1e6 s after 2010-01-01, plus 999 ms

describe('void time and TTL', () => {
  it('counts seconds from 2010-01-01T00:00:00Z', () => {
    expect(CITRUSLEAF_EPOCH).toBe(Date.UTC(2010, 0, 1) / 1000)
    expect(clepochNow(NOW_MS)).toBe(1_000_000)
  })

  it('turns request TTLs into void times, with the special values', () => {
    expect(voidTimeFromTtl(60, { nowMs: NOW_MS })).toBe(1_000_060)
    expect(voidTimeFromTtl(TTL_NEVER_EXPIRE, { nowMs: NOW_MS })).toBe(0)
    expect(voidTimeFromTtl(0, { nowMs: NOW_MS })).toBe(0)
    expect(voidTimeFromTtl(0, { nowMs: NOW_MS, defaultTtl: 100 })).toBe(1_000_100)
    expect(voidTimeFromTtl(TTL_DONT_UPDATE, { nowMs: NOW_MS, currentVoidTime: 5 })).toBe(5)
    expect(voidTimeFromTtl(TTL_DONT_UPDATE, { nowMs: NOW_MS, defaultTtl: 10 })).toBe(1_000_010)
  })

  it('refuses TTLs that are not u32 or overflow the void time', () => {
    expect(() => voidTimeFromTtl(-5)).toThrow(WireError)
    expect(() => voidTimeFromTtl(1.5)).toThrow(WireError)
    expect(() => voidTimeFromTtl(0xfffffff0, { nowMs: NOW_MS })).toThrow(WireError)
  })

  it('turns void times back into TTLs as the client does', () => {
    expect(ttlFromVoidTime(0, NOW_MS)).toBe(TTL_NEVER_EXPIRE)
    expect(ttlFromVoidTime(1_000_060, NOW_MS)).toBe(60)
    expect(ttlFromVoidTime(999_000, NOW_MS)).toBe(1)
  })

  it('knows when a record has expired', () => {
    expect(isExpired(0, NOW_MS)).toBe(false)
    expect(isExpired(1_000_001, NOW_MS)).toBe(false)
    expect(isExpired(1_000_000, NOW_MS)).toBe(true)
  })
})
