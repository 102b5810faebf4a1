/**
 * The seam between `AsyncClient` and the engines that talk to a cluster: the official client's
 * adapter (in `async`) and the pure-TypeScript cluster engine. Both implement `Engine`; results
 * land in typed arrays indexed by row (writes) or key position (reads).
 */
import type { StructuredArray } from '@aerospike-numpy/dtype'
import type { KeyBatch } from './keys.js'
import type { WritePlan } from './plan.js'
import type { ResolvedReadPolicy, ResolvedScanPolicy, ResolvedWritePolicy } from './policy.js'

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
  /**
   * Reads the job's partitions, feeding every record to `job.sink` exactly once. Partitions it
   * could not finish (after its retries) are reported in the outcome, not thrown; it throws an
   * `AerospikeError` for a failure no retry can mend (unknown namespace, a refused request, a
   * value the sink refuses).
   */
  scan?(job: ScanJob): Promise<ScanOutcome>
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

/** A partition to scan: from its start, or after the record with `digest` (a resumed scan). */
export interface ScanPartition {
  id: number
  digest: Uint8Array | null
}

/** A partition a scan could not finish: where it got to and the last error code it saw. */
export interface ScanPartitionStatus {
  id: number
  /** The last record read from it (resume after it), or null when none was read. */
  digest: Uint8Array | null
  code: number
}

export interface ScanJob {
  namespace: string
  /** '' for every record of the namespace. */
  set: string
  /** null: every bin; []: no bin data (metadata and keys only). */
  bins: readonly string[] | null
  partitions: readonly ScanPartition[]
  /** At most this many records in all (0: no limit). */
  maxRecords: number
  /** Node requests (wire) or partition queries (official) in flight at once; 0: one per node. */
  concurrency: number
  /** Records one node request may return before the engine asks again (0: no limit). */
  pageRecords: number
  policy: ResolvedScanPolicy
  sink: ScanSink
  /** Aborted when the scan must stop (the caller's signal, a consumer that left, an error). */
  signal: AbortSignal
  /**
   * True when the consumer is behind: an engine stops reading (a paused socket, no new request)
   * until `ready()` resolves, so a slow consumer holds the scan back instead of it buffering.
   */
  full(): boolean
  /** Resolves when the consumer can take more records. */
  ready(): Promise<void>
  /** Partitions finished so far (for progress). */
  onPartitionsDone?(done: number): void
  /**
   * Asked for when the caller wants every row in one array: the engine reports about how many
   * records the scan will read (from the nodes' counts), before the first one, if it can.
   */
  onEstimate?(records: number): void
}

export interface ScanOutcome {
  /** Partitions not read to their end, in partition order (empty when the scan finished). */
  unfinished: ScanPartitionStatus[]
  /** The scan stopped early: `signal` aborted or `maxRecords` reached. */
  stopped: boolean
}

/**
 * Where a scan's records go, one at a time: `beginRecord`, its key and bins, `endRecord`. The
 * wire engine hands over raw bytes (`keyParticle`, `binParticle`), the official engine the
 * client's JS values (`keyValue`, `binValue`).
 */
export interface ScanSink {
  /**
   * Starts a record; `digest[digestOffset, +20)` is its digest. False when the scan takes no more
   * records (`maxRecords` reached, or stopped): the engine drops the record and stops.
   */
  beginRecord(digest: Uint8Array, digestOffset: number, generation: number, ttl: number): boolean
  /** FIELD_KEY data: particle type byte + key bytes. `view` spans `bytes` with the same offsets. */
  keyParticle(bytes: Uint8Array, view: DataView, offset: number, length: number): void
  keyValue(value: unknown): void
  /** One bin: name `bytes[nameOffset, +nameLength)` (UTF-8), value `bytes[valueOffset, +valueLength)`. */
  binParticle(
    bytes: Uint8Array,
    view: DataView,
    nameOffset: number,
    nameLength: number,
    particleType: number,
    valueOffset: number,
    valueLength: number,
  ): void
  binValue(name: string, value: unknown): void
  endRecord(): void
}
