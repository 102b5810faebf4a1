/**
 * Write results. The engines fill typed arrays (result code, generation, TTL, in-doubt flag per
 * row); `BatchRecords` exposes them as they are and builds the per-row `BatchRecord` objects of
 * the official client's shape only when `batchRecords` is first read.
 */
import type { UserKey, WriteOutcome } from './engine.js'
import { resultCodeName } from './codes.js'
import { KeyColumn } from './key-column.js'

/** A record key in the official client's shape (`Aerospike.Key`). */
export interface Key {
  ns: string
  set: string
  key: UserKey | null
  digest?: Uint8Array
}

export interface RecordMeta {
  gen: number
  /** Seconds left; -1 never expires (as the official client reports it). */
  ttl: number
}

/** The u32 TTL of the typed arrays (0xFFFFFFFF: never expires) as the official client reports it. */
function officialTtl(ttl: number): number {
  return ttl === 0xffff_ffff ? -1 : ttl
}

export interface BatchRecord {
  key: Key
  /** 0 when written, else the result code (server codes ≥ 1, client codes < 0). */
  result: number
  /** Present when written. Writes read no bins, so `bins` is empty (as the official client's batchWrite). */
  record: { key: Key; bins: Record<string, unknown>; meta: RecordMeta } | null
  /** The write failed but may have been applied (e.g. a timeout after sending). */
  inDoubt: boolean
}

/** One row that did not end written. */
export interface WriteFailure {
  /** Row index in the caller's array (or across the whole stream). */
  row: number
  key: Key
  result: number
  inDoubt: boolean
}

/** Counts and failures of a write; `BatchRecords` has them, and a streamed `writeNumpy` returns only them. */
export interface WriteSummary {
  readonly rowCount: number
  readonly writtenCount: number
  readonly failedCount: number
  /** Every row that did not end written, in row order. */
  readonly failures: readonly WriteFailure[]
  /** The write was stopped by an AbortSignal; rows not sent carry `ERR_CLIENT_ABORT` (-5). */
  readonly aborted: boolean
}

export interface BatchRecordsInit {
  namespace: string
  set: string
  outcome: WriteOutcome
  /**
   * The rows' user keys: a column captured during the call (so the result never reads the
   * caller's buffer), or a function of the row (called lazily, only for rows a caller looks at).
   */
  keys: KeyColumn | ((row: number) => UserKey)
  aborted?: boolean
}

export class BatchRecords implements WriteSummary {
  readonly namespace: string
  readonly set: string
  /** One per row, in row order. */
  readonly resultCodes: Int32Array
  readonly generations: Uint32Array
  readonly ttls: Uint32Array
  /** 1 where a failed write may have been applied. */
  readonly inDoubt: Uint8Array
  readonly aborted: boolean
  /** The captured keys, when the result was built from a `KeyColumn`. */
  readonly keyColumn: KeyColumn | null
  readonly #keyAt: (row: number) => UserKey
  #records: BatchRecord[] | null = null
  #failures: WriteFailure[] | null = null
  #written = -1

  constructor(init: BatchRecordsInit) {
    this.namespace = init.namespace
    this.set = init.set
    this.resultCodes = init.outcome.resultCodes
    this.generations = init.outcome.generations
    this.ttls = init.outcome.ttls
    this.inDoubt = init.outcome.inDoubt
    this.aborted = init.aborted ?? false
    if (init.keys instanceof KeyColumn) {
      const column = init.keys
      this.keyColumn = column
      this.#keyAt = (row) => column.keyAt(row)
    } else {
      this.keyColumn = null
      this.#keyAt = init.keys
    }
  }

  static empty(namespace: string, set: string): BatchRecords {
    return new BatchRecords({
      namespace,
      set,
      outcome: {
        resultCodes: new Int32Array(0),
        generations: new Uint32Array(0),
        ttls: new Uint32Array(0),
        inDoubt: new Uint8Array(0),
      },
      keys: () => {
        throw new RangeError('no rows')
      },
    })
  }

  get length(): number {
    return this.resultCodes.length
  }

  get rowCount(): number {
    return this.resultCodes.length
  }

  /** One `BatchRecord` per row, in row order (built on first access, then cached). */
  get batchRecords(): BatchRecord[] {
    if (this.#records === null) {
      const n = this.length
      const records = new Array<BatchRecord>(n)
      for (let i = 0; i < n; i++) records[i] = this.record(i)
      this.#records = records
    }
    return this.#records
  }

  /** The `BatchRecord` of row i, built on demand. */
  record(row: number): BatchRecord {
    if (!Number.isInteger(row) || row < 0 || row >= this.length) {
      throw new RangeError(`row ${row} is outside 0..${this.length - 1}`)
    }
    if (this.#records !== null) return this.#records[row]!
    const key: Key = { ns: this.namespace, set: this.set, key: this.#keyAt(row) }
    const result = this.resultCodes[row]!
    return {
      key,
      result,
      record:
        result === 0
          ? {
              key,
              bins: {},
              meta: { gen: this.generations[row]!, ttl: officialTtl(this.ttls[row]!) },
            }
          : null,
      inDoubt: this.inDoubt[row] === 1,
    }
  }

  get writtenCount(): number {
    if (this.#written < 0) {
      let written = 0
      for (const code of this.resultCodes) if (code === 0) written++
      this.#written = written
    }
    return this.#written
  }

  get failedCount(): number {
    return this.length - this.writtenCount
  }

  get failures(): readonly WriteFailure[] {
    if (this.#failures === null) {
      const failures: WriteFailure[] = []
      const codes = this.resultCodes
      for (let i = 0; i < codes.length; i++) {
        if (codes[i] !== 0) {
          failures.push({
            row: i,
            key: { ns: this.namespace, set: this.set, key: this.#keyAt(i) },
            result: codes[i]!,
            inDoubt: this.inDoubt[i] === 1,
          })
        }
      }
      this.#failures = failures
    }
    return this.#failures
  }

  /** Rows per result code, e.g. `{ 0: 998, 14: 2 }`. */
  countByResult(): Map<number, number> {
    const counts = new Map<number, number>()
    for (const code of this.resultCodes) counts.set(code, (counts.get(code) ?? 0) + 1)
    return counts
  }

  toString(): string {
    const parts = [...this.countByResult()].map(([code, n]) => `${resultCodeName(code)}: ${n}`)
    return `BatchRecords(${this.length} rows; ${parts.join(', ')})`
  }
}
