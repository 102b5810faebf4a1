import {
  CITRUSLEAF_EPOCH,
  TTL_DONT_UPDATE,
  TTL_NAMESPACE_DEFAULT,
  TTL_NEVER_EXPIRE,
} from './constants.js'
import { WireError } from './errors.js'

/** Seconds since the Citrusleaf epoch (2010-01-01T00:00:00Z). */
export function clepochNow(nowMs: number = Date.now()): number {
  return Math.floor(nowMs / 1000) - CITRUSLEAF_EPOCH
}

export interface VoidTimeOptions {
  /** Current time in Unix milliseconds (default Date.now()). */
  nowMs?: number
  /** Namespace default-ttl in seconds used for record_ttl 0; 0 = never expire (default). */
  defaultTtl?: number
  /** The record's current void time, kept for record_ttl 0xFFFFFFFE (DONT_UPDATE). */
  currentVoidTime?: number
}

/**
 * The void time (seconds since the Citrusleaf epoch, 0 = never) for a request's record_ttl,
 * applying the special values: 0 namespace default, 0xFFFFFFFF never, 0xFFFFFFFE unchanged.
 */
export function voidTimeFromTtl(ttl: number, options: VoidTimeOptions = {}): number {
  if (!Number.isInteger(ttl) || ttl < 0 || ttl > 0xffffffff) {
    throw new WireError('BAD_VALUE', 0, `record ttl ${ttl} is not a u32`)
  }
  const now = clepochNow(options.nowMs)
  if (ttl === TTL_NEVER_EXPIRE) return 0
  if (ttl === TTL_DONT_UPDATE) {
    if (options.currentVoidTime !== undefined) return options.currentVoidTime
    ttl = TTL_NAMESPACE_DEFAULT
  }
  if (ttl === TTL_NAMESPACE_DEFAULT) {
    const fallback = options.defaultTtl ?? 0
    return fallback === 0 ? 0 : now + fallback
  }
  const voidTime = now + ttl
  if (voidTime > 0xffffffff)
    throw new WireError('BAD_VALUE', 0, `ttl ${ttl} overflows the void time`)
  return voidTime
}

/** TTL as the client reports it: 0xFFFFFFFF for never, else at least 1 second. */
export function ttlFromVoidTime(voidTime: number, nowMs: number = Date.now()): number {
  if (voidTime === 0) return TTL_NEVER_EXPIRE
  return Math.max(1, voidTime - clepochNow(nowMs))
}

/** True when a record with this void time has expired at `nowMs`. */
export function isExpired(voidTime: number, nowMs: number = Date.now()): boolean {
  return voidTime !== 0 && voidTime <= clepochNow(nowMs)
}
