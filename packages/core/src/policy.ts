/**
 * Write and read policies: one plain object as in the Python guide (batch-policy fields and
 * batch-write fields together), validated (unknown keys are errors) and resolved to an
 * engine-neutral form that the official adapter and the cluster engine both read.
 */
import { ParamError } from './errors.js'
import { describe, integerIn, readOptions } from './input.js'

// The POLICY_* values and the grouped `policy` object are wire's (one set for the encoders and
// for users); core's index re-exports them.
import {
  POLICY_COMMIT_LEVEL_ALL,
  POLICY_EXISTS_CREATE_OR_REPLACE,
  POLICY_EXISTS_IGNORE,
  POLICY_GEN_IGNORE,
  POLICY_KEY_DIGEST,
  POLICY_KEY_SEND,
  policy,
} from '@aerospike-numpy/wire'

/** `policy.ttl` special values (seconds otherwise). */
export const TTL_NAMESPACE_DEFAULT = 0
export const TTL_NEVER_EXPIRE = -1
export const TTL_DONT_UPDATE = -2
export const TTL_CLIENT_DEFAULT = -3

export const ttl = {
  NAMESPACE_DEFAULT: TTL_NAMESPACE_DEFAULT,
  NEVER_EXPIRE: TTL_NEVER_EXPIRE,
  DONT_UPDATE: TTL_DONT_UPDATE,
  CLIENT_DEFAULT: TTL_CLIENT_DEFAULT,
} as const

/** Fields shared by batch writes and batch reads (the official client's `BatchPolicy`). */
export interface BatchPolicyFields {
  /** Milliseconds for the whole call, retries included; 0 = no limit. Default 1000. */
  totalTimeout?: number
  /** Milliseconds of socket idle time per attempt; 0 = no limit. Default 30000. */
  socketTimeout?: number
  /** Attempts the engine itself may repeat a failed call (not rows). Default 2. */
  maxRetries?: number
  /** Milliseconds between the engine's own repeats. Default 0. */
  sleepBetweenRetries?: number
  connectTimeout?: number
  timeoutDelay?: number
  compress?: boolean
  concurrent?: boolean
  allowInline?: boolean
  allowInlineSSD?: boolean
  respondAllKeys?: boolean
  sendSetName?: boolean
  replica?: number
  readModeAP?: number
  readModeSC?: number
}

/** `batchWriteNumpy`'s `policy`: batch-policy fields plus batch-write fields, as in the guide. */
export interface WritePolicy extends BatchPolicyFields {
  /** Seconds; 0 namespace default, -1 never expire, -2 do not update, -3 client default. */
  ttl?: number
  /** `POLICY_KEY_SEND` stores the user key with the record; `POLICY_KEY_DIGEST` (default) does not. */
  key?: number
  exists?: number
  gen?: number
  /** The generation `gen: POLICY_GEN_EQ | POLICY_GEN_GT` compares with. */
  generation?: number
  commitLevel?: number
  durableDelete?: boolean
  /**
   * With `retry`: re-send rows left in doubt by a lost connection or node (they may have been
   * applied) when the write is idempotent — a plain upsert (`exists` IGNORE or CREATE_OR_REPLACE,
   * no generation check). Default true; false never re-sends a row that may have been applied.
   */
  resendInDoubt?: boolean
}

/** `batchRead`'s `policy`. `key` is accepted (the guide passes it) and has no effect on reads. */
export interface ReadPolicy extends BatchPolicyFields {
  key?: number
  readTouchTtlPercent?: number
}

interface ResolvedBatchPolicy {
  totalTimeout: number
  socketTimeout: number
  maxRetries: number
  sleepBetweenRetries: number
  /** Fields the caller set that only some engines use, passed through as given. */
  connectTimeout: number | undefined
  timeoutDelay: number | undefined
  compress: boolean
  concurrent: boolean | undefined
  allowInline: boolean | undefined
  allowInlineSSD: boolean | undefined
  respondAllKeys: boolean | undefined
  sendSetName: boolean | undefined
  replica: number | undefined
  readModeAP: number | undefined
  readModeSC: number | undefined
}

/** Validated, engine-neutral write policy, every field present. */
export interface ResolvedWritePolicy extends ResolvedBatchPolicy {
  ttl: number
  sendKey: boolean
  exists: number
  gen: number
  generation: number
  commitLevel: number
  durableDelete: boolean
  resendInDoubt: boolean
}

export interface ResolvedReadPolicy extends ResolvedBatchPolicy {
  sendKey: boolean
  readTouchTtlPercent: number | undefined
}

/** The official client's batch defaults. */
const DEFAULT_TOTAL_TIMEOUT_MS = 1000
const DEFAULT_SOCKET_TIMEOUT_MS = 30_000
const DEFAULT_MAX_RETRIES = 2

type Check = (value: unknown, key: string, where: string) => void

const nonNegativeInt: Check = (value, key, where) => {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ParamError(`${where}.${key} must be a non-negative integer, got ${describe(value)}`)
  }
}
const bool: Check = (value, key, where) => {
  if (typeof value !== 'boolean') {
    throw new ParamError(`${where}.${key} must be a boolean, got ${describe(value)}`)
  }
}
const oneOf =
  (allowed: Record<string, number>): Check =>
  (value, key, where) => {
    const values = Object.values(allowed)
    if (typeof value !== 'number' || !values.includes(value)) {
      const list = Object.entries(allowed)
        .map(([n, v]) => `${v} (${n})`)
        .join(', ')
      throw new ParamError(`${where}.${key} must be one of ${list}, got ${describe(value)}`)
    }
  }
const ttlCheck: Check = (value, key, where) => {
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < TTL_CLIENT_DEFAULT ||
    value > 0xffff_ffff
  ) {
    throw new ParamError(
      `${where}.${key} must be an integer number of seconds (0 namespace default, -1 never expire, -2 do not update, -3 client default), got ${describe(value)}`,
    )
  }
}
const percent: Check = (value, key, where) => {
  integerIn(value, -1, 100, `${where}.${key}`)
}

const BATCH_CHECKS: Record<keyof BatchPolicyFields, Check> = {
  totalTimeout: nonNegativeInt,
  socketTimeout: nonNegativeInt,
  maxRetries: nonNegativeInt,
  sleepBetweenRetries: nonNegativeInt,
  connectTimeout: nonNegativeInt,
  timeoutDelay: nonNegativeInt,
  compress: bool,
  concurrent: bool,
  allowInline: bool,
  allowInlineSSD: bool,
  respondAllKeys: bool,
  sendSetName: bool,
  replica: oneOf(policy.replica),
  readModeAP: oneOf(policy.readModeAP),
  readModeSC: nonNegativeInt,
}

const WRITE_CHECKS: Record<keyof WritePolicy, Check> = {
  ...BATCH_CHECKS,
  ttl: ttlCheck,
  key: oneOf(policy.key),
  exists: oneOf(policy.exists),
  gen: oneOf(policy.gen),
  generation: nonNegativeInt,
  commitLevel: oneOf(policy.commitLevel),
  durableDelete: bool,
  resendInDoubt: bool,
}

const READ_CHECKS: Record<keyof ReadPolicy, Check> = {
  ...BATCH_CHECKS,
  key: oneOf(policy.key),
  readTouchTtlPercent: percent,
}

function validate(
  input: unknown,
  checks: Record<string, Check>,
  where: string,
): Record<string, unknown> {
  // A snapshot of known own keys: `__proto__`, `constructor` or `toString` (a JSON.parse result
  // can carry them) are unknown keys, not Object.prototype's members.
  const obj = readOptions(input, Object.keys(checks), where)
  for (const key of Object.keys(obj)) {
    const value = obj[key]
    if (value !== undefined) checks[key]!(value, key, where)
  }
  return obj
}

function resolveBatch(p: BatchPolicyFields): ResolvedBatchPolicy {
  return {
    totalTimeout: p.totalTimeout ?? DEFAULT_TOTAL_TIMEOUT_MS,
    socketTimeout: p.socketTimeout ?? DEFAULT_SOCKET_TIMEOUT_MS,
    maxRetries: p.maxRetries ?? DEFAULT_MAX_RETRIES,
    sleepBetweenRetries: p.sleepBetweenRetries ?? 0,
    connectTimeout: p.connectTimeout,
    timeoutDelay: p.timeoutDelay,
    compress: p.compress ?? false,
    concurrent: p.concurrent,
    allowInline: p.allowInline,
    allowInlineSSD: p.allowInlineSSD,
    respondAllKeys: p.respondAllKeys,
    sendSetName: p.sendSetName,
    replica: p.replica,
    readModeAP: p.readModeAP,
    readModeSC: p.readModeSC,
  }
}

/** Validate a `batchWriteNumpy`/`writeNumpy` policy object; unknown keys and bad values throw `ParamError`. */
export function resolveWritePolicy(input?: unknown): ResolvedWritePolicy {
  const p = validate(input, WRITE_CHECKS, 'policy') as WritePolicy
  const gen = p.gen ?? POLICY_GEN_IGNORE
  if (gen !== POLICY_GEN_IGNORE && p.generation === undefined) {
    throw new ParamError('policy.gen compares with policy.generation, which is missing')
  }
  if (p.generation !== undefined && p.generation > 0xffff) {
    throw new ParamError(`policy.generation must be at most 65535, got ${p.generation}`)
  }
  return {
    ...resolveBatch(p),
    ttl: p.ttl ?? TTL_NAMESPACE_DEFAULT,
    sendKey: (p.key ?? POLICY_KEY_DIGEST) === POLICY_KEY_SEND,
    exists: p.exists ?? POLICY_EXISTS_IGNORE,
    gen,
    generation: p.generation ?? 0,
    commitLevel: p.commitLevel ?? POLICY_COMMIT_LEVEL_ALL,
    durableDelete: p.durableDelete ?? false,
    resendInDoubt: p.resendInDoubt ?? true,
  }
}

/**
 * Whether a row may be sent twice: only a plain upsert counts. A create-only write would fail
 * the second time with 5 (key exists), and the other `exists` rules and generation checks make
 * the outcome of the second send depend on the record's state in between.
 */
export function isIdempotentWrite(p: ResolvedWritePolicy): boolean {
  return (
    p.gen === POLICY_GEN_IGNORE &&
    (p.exists === POLICY_EXISTS_IGNORE || p.exists === POLICY_EXISTS_CREATE_OR_REPLACE)
  )
}

/** Validate a `batchRead` policy object. */
export function resolveReadPolicy(input?: unknown): ResolvedReadPolicy {
  const p = validate(input, READ_CHECKS, 'policy') as ReadPolicy
  return {
    ...resolveBatch(p),
    sendKey: (p.key ?? POLICY_KEY_DIGEST) === POLICY_KEY_SEND,
    readTouchTtlPercent: p.readTouchTtlPercent,
  }
}

/** `scanNumpy`'s `policy` (the official client's `QueryPolicy` fields that apply). */
export interface ScanPolicy {
  /** Milliseconds for the whole scan, retries included; 0 (default) = no limit. */
  totalTimeout?: number
  /** Milliseconds without a byte from a node before its request fails (and is resumed). Default 30000. */
  socketTimeout?: number
  /** Rounds of re-sending unfinished partitions after failures. Default 5. */
  maxRetries?: number
  /** Milliseconds between those rounds (a cluster needs seconds to take over a lost node's partitions). Default 1000. */
  sleepBetweenRetries?: number
  /** Records per second each node may return (0 = no limit). */
  recordsPerSecond?: number
  /** Ask nodes to compress their answers. */
  compress?: boolean
}

export interface ResolvedScanPolicy {
  totalTimeout: number
  socketTimeout: number
  maxRetries: number
  sleepBetweenRetries: number
  recordsPerSecond: number
  compress: boolean
}

const SCAN_CHECKS: Record<keyof ScanPolicy, Check> = {
  totalTimeout: nonNegativeInt,
  socketTimeout: nonNegativeInt,
  maxRetries: nonNegativeInt,
  sleepBetweenRetries: nonNegativeInt,
  recordsPerSecond: nonNegativeInt,
  compress: bool,
}

/** Validate a scan policy object. */
export function resolveScanPolicy(input?: unknown): ResolvedScanPolicy {
  const p = validate(input, SCAN_CHECKS, 'policy') as ScanPolicy
  for (const key of ['totalTimeout', 'socketTimeout', 'recordsPerSecond'] as const) {
    const value = p[key]
    if (value !== undefined && value > 0xffff_ffff) {
      throw new ParamError(`policy.${key} must be at most ${0xffff_ffff}, got ${value}`)
    }
  }
  return {
    totalTimeout: p.totalTimeout ?? 0,
    socketTimeout: p.socketTimeout ?? DEFAULT_SOCKET_TIMEOUT_MS,
    maxRetries: p.maxRetries ?? 5,
    sleepBetweenRetries: p.sleepBetweenRetries ?? 1000,
    recordsPerSecond: p.recordsPerSecond ?? 0,
    compress: p.compress ?? false,
  }
}
