/**
 * The seam between `AsyncClient` and the engines that talk to a cluster: the official client's
 * adapter (in `async`) and the pure-TypeScript cluster engine. Both implement `Engine`; results
 * land in typed arrays indexed by row (writes) or key position (reads).
 */
import type { StructuredArray } from '@aerospike-numpy/dtype'
import type { KeyBatch } from './keys.js'
import type { WritePlan } from './plan.js'
import type { ResolvedReadPolicy, ResolvedWritePolicy } from './policy.js'

export type EngineKind = 'official' | 'wire'

export interface Engine {
  readonly kind: EngineKind
  connect(): Promise<void>
  close(): Promise<void>
  isConnected(): boolean
  /**
   * Fills `job.outcome` for `job.rows`; throws an `AerospikeError` only for a failure of the
   * whole call (nothing per row is known then).
   */
  write(job: WriteJob): Promise<void>
  /** Fills `job.outcome` and feeds found bins to `job.sink`; throws only for a whole-call failure. */
  read(job: ReadJob): Promise<void>
}

export interface WriteJob {
  plan: WritePlan
  data: StructuredArray
  /** Row indices of `data` to send: all rows, or the subset being retried. */
  rows: Uint32Array
  namespace: string
  set: string
  policy: ResolvedWritePolicy
  /** Indexed by row of `data`. */
  outcome: WriteOutcome
}

/** Per-row write results, indexed by row of the job's `data`. */
export interface WriteOutcome {
  resultCodes: Int32Array
  generations: Uint32Array
  ttls: Uint32Array
  /** 1 where a failed write may nevertheless have been applied. */
  inDoubt: Uint8Array
}

export type UserKey = number | bigint | string | Uint8Array

export interface ResolvedKey {
  namespace: string
  set: string
  /** null when only the digest is known. */
  key: UserKey | null
  /** RIPEMD-160 over set name, key particle type and key bytes (20 bytes). */
  digest: Uint8Array
}

export interface ReadJob {
  /** The keys, resolved: digests in one buffer, namespace and set per key by group. */
  keys: KeyBatch
  /** null: all bins. */
  bins: readonly string[] | null
  policy: ResolvedReadPolicy
  /** core's decoder into a StructuredArray (see read.ts). */
  sink: ReadSink
  /** Indexed by key position. */
  outcome: ReadOutcome
}

export interface ReadOutcome {
  resultCodes: Int32Array
  generations: Uint32Array
  ttls: Uint32Array
}

export interface ReadSink {
  /**
   * Wire engine: one bin of key `row` straight from the response, its name
   * `bytes[nameOffset, +nameLength)` (UTF-8, never decoded to a string) and its raw particle
   * `bytes[valueOffset, +valueLength)`; `view` spans `bytes` with the same offsets.
   */
  binParticle(
    row: number,
    bytes: Uint8Array,
    view: DataView,
    nameOffset: number,
    nameLength: number,
    particleType: number,
    valueOffset: number,
    valueLength: number,
  ): void
  /** Official engine: the JS value the official client returned for a bin. */
  setValue(row: number, bin: string, value: unknown): void
}

/** Result code stored before a row is attempted: not yet sent, so not written. */
export const RESULT_NOT_SENT = -5 // ERR_CLIENT_ABORT: nothing was sent for the row

/**
 * Result arrays for `length` rows, every row RESULT_NOT_SENT. `shared`: over SharedArrayBuffers,
 * for an engine in another thread to fill in place.
 */
export function createWriteOutcome(length: number, shared = false): WriteOutcome {
  const memory = (bytes: number): ArrayBufferLike =>
    shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes)
  const outcome: WriteOutcome = {
    resultCodes: new Int32Array(memory(length * 4)),
    generations: new Uint32Array(memory(length * 4)),
    ttls: new Uint32Array(memory(length * 4)),
    inDoubt: new Uint8Array(memory(length)),
  }
  outcome.resultCodes.fill(RESULT_NOT_SENT)
  return outcome
}

/** Views of rows [start, end) of an outcome (no copy), for a chunk written on its own. */
export function sliceWriteOutcome(outcome: WriteOutcome, start: number, end: number): WriteOutcome {
  return {
    resultCodes: outcome.resultCodes.subarray(start, end),
    generations: outcome.generations.subarray(start, end),
    ttls: outcome.ttls.subarray(start, end),
    inDoubt: outcome.inDoubt.subarray(start, end),
  }
}

export function createReadOutcome(length: number): ReadOutcome {
  return {
    resultCodes: new Int32Array(length),
    generations: new Uint32Array(length),
    ttls: new Uint32Array(length),
  }
}

/** 0, 1, …, n-1 */
export function allRows(length: number): Uint32Array {
  const rows = new Uint32Array(length)
  for (let i = 0; i < length; i++) rows[i] = i
  return rows
}
