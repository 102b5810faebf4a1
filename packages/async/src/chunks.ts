/**
 * Building blocks of bulk writes, shared by `writeNumpy` and the worker-pool path: option
 * validation, chunk ranges, a bounded in-flight runner, progress accounting and the stream summary.
 */
import {
  ParamError,
  ResultCode,
  type Key,
  type UserKey,
  type WriteFailure,
  type WriteOutcome,
  type WriteSummary,
  type RetryEvent,
} from '@aerospike-numpy/core'
import { describe, instanceOf, integerIn } from '@aerospike-numpy/core/internal'
import type { StructuredArray } from '@aerospike-numpy/dtype'
import { checkOptionKeys, type BatchWriteOptions } from './write-args.js'

export const DEFAULT_CHUNK_SIZE = 1000
export const DEFAULT_CONCURRENCY = 4
const MAX_CHUNK_SIZE = 1_000_000
const MAX_CONCURRENCY = 1024

export interface WriteProgress {
  /** Rows with a final outcome so far (written or failed). */
  rowsDone: number
  rowsWritten: number
  rowsFailed: number
  /** All rows of the input; null for a stream (unknown until it ends). */
  totalRows: number | null
  chunksDone: number
}

export interface WriteNumpyOptions extends BatchWriteOptions {
  /** Rows per batch call. Default 1000. */
  chunkSize?: number
  /** Batch calls in flight at once (with `workers`: per worker). Default 4. */
  concurrency?: number
  /** Called after each chunk completes. */
  onProgress?: (progress: WriteProgress) => void
  /** Called before each re-send of failed rows (see `retry`). */
  onRetry?: (event: RetryEvent) => void
  /** Stops sending new chunks; rows not sent end with `ERR_CLIENT_ABORT` (-5). */
  signal?: AbortSignal
  /** Encode and write in a pool of this many worker threads (wire engine). */
  workers?: number
  /**
   * Awaited before each chunk is first sent (re-sends of its failed rows are not paced again),
   * with the chunk's row count: a place for rate limits. While it waits, the chunk holds its slot
   * of `concurrency`. A throw or rejection stops the write: no new chunk is sent, the chunks in
   * flight settle, and the call rejects with it (a `PartialWriteError` once rows were sent).
   */
  beforeChunk?: (rows: number) => void | Promise<void>
  /**
   * Called once per chunk sent, when every row of it has its final outcome (after retries), in
   * the order chunks settle; also for a chunk pulled from a stream but not sent because `signal`
   * aborted (its rows carry `ERR_CLIENT_ABORT`, -5). Chunks never started are not reported. The
   * event's arrays are valid only during the call; the chunk's rows are no longer read after it
   * returns, so a stream may then refill the chunk's buffer. It is called before `onProgress`.
   * A throw stops the write as `beforeChunk`'s does.
   */
  onChunkSettled?: (event: ChunkSettledEvent) => void
}

/** What `onChunkSettled` receives. */
export interface ChunkSettledEvent {
  /** Row of the whole input (array or stream) where this chunk starts. */
  rowBase: number
  /**
   * The chunk's rows, as written: a view of the input array, or of the write's own copy of a
   * stream's chunk (a stream's chunks are copied when pulled, so the source may reuse its buffer).
   */
  data: StructuredArray
  /** Final per-row result codes, generations, TTLs and in-doubt flags, indexed by chunk row. */
  outcome: WriteOutcome
}

export const WRITE_NUMPY_OPTION_KEYS = [
  'keyField',
  'validityField',
  'policy',
  'retry',
  'chunkSize',
  'concurrency',
  'onProgress',
  'onRetry',
  'signal',
  'workers',
  'beforeChunk',
  'onChunkSettled',
] as const

export interface ResolvedBulkOptions {
  chunkSize: number
  concurrency: number
  onProgress: ((progress: WriteProgress) => void) | undefined
  onRetry: ((event: RetryEvent) => void) | undefined
  signal: AbortSignal | undefined
  beforeChunk: ((rows: number) => void | Promise<void>) | undefined
  onChunkSettled: ((event: ChunkSettledEvent) => void) | undefined
}

function positiveInt(value: unknown, name: string, max: number, fallback: number): number {
  return value === undefined ? fallback : integerIn(value, 1, max, name)
}

/** Validate `writeNumpy`'s options (unknown keys are errors). */
export function resolveBulkOptions(
  options: unknown,
): ResolvedBulkOptions & Record<string, unknown> {
  const o = checkOptionKeys(options, WRITE_NUMPY_OPTION_KEYS, 'writeNumpy options')
  const chunkSize = positiveInt(o.chunkSize, 'chunkSize', MAX_CHUNK_SIZE, DEFAULT_CHUNK_SIZE)
  const concurrency = positiveInt(
    o.concurrency,
    'concurrency',
    MAX_CONCURRENCY,
    DEFAULT_CONCURRENCY,
  )
  for (const name of ['onProgress', 'onRetry', 'beforeChunk', 'onChunkSettled'] as const) {
    if (o[name] !== undefined && typeof o[name] !== 'function') {
      throw new ParamError(`${name} must be a function, got ${describe(o[name])}`)
    }
  }
  const signal = o.signal
  if (signal !== undefined && !instanceOf(signal, AbortSignal)) {
    throw new ParamError(`signal must be an AbortSignal, got ${describe(signal)}`)
  }
  return {
    ...o,
    chunkSize,
    concurrency,
    onProgress: o.onProgress as ResolvedBulkOptions['onProgress'],
    onRetry: o.onRetry as ResolvedBulkOptions['onRetry'],
    signal: signal as AbortSignal | undefined,
    beforeChunk: o.beforeChunk as ResolvedBulkOptions['beforeChunk'],
    onChunkSettled: o.onChunkSettled as ResolvedBulkOptions['onChunkSettled'],
  }
}

/** [start, end) ranges of `chunkSize` rows covering `length` rows. */
export function chunkRanges(length: number, chunkSize: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = []
  for (let start = 0; start < length; start += chunkSize) {
    ranges.push([start, Math.min(length, start + chunkSize)])
  }
  return ranges
}

/** Slices (views, no copy) of at most `chunkSize` rows of each array a stream yields. */
export async function* rechunk(
  source: AsyncIterable<StructuredArray> | Iterable<StructuredArray>,
  chunkSize: number,
): AsyncGenerator<StructuredArray> {
  for await (const array of source) {
    if (array.length <= chunkSize) {
      if (array.length > 0) yield array
      continue
    }
    for (const [start, end] of chunkRanges(array.length, chunkSize)) yield array.slice(start, end)
  }
}

/**
 * Runs `task` for each item, at most `concurrency` at once, pulling the next item only when a
 * slot is free (a stream is read no faster than it is written). Stops pulling when `signal`
 * aborts or `shouldStop()` turns true; items already pulled but not started go to `onSkipped`.
 * The first error thrown by a task (or by the source) stops pulling and is re-thrown once the
 * tasks in flight have settled.
 */
export async function runBounded<T>(
  source: AsyncIterable<T> | Iterable<T>,
  concurrency: number,
  task: (item: T) => Promise<void>,
  options: {
    signal?: AbortSignal | undefined
    onSkipped?: (item: T) => void
    shouldStop?: () => boolean
  } = {},
): Promise<{ aborted: boolean }> {
  const inFlight = new Set<Promise<void>>()
  let failure: { error: unknown } | null = null
  let aborted = false
  try {
    for await (const item of source) {
      if (options.signal?.aborted === true) {
        aborted = true
        options.onSkipped?.(item)
        break
      }
      if (options.shouldStop?.() === true) {
        options.onSkipped?.(item)
        break
      }
      const p: Promise<void> = task(item)
        .catch((error: unknown) => {
          failure ??= { error }
        })
        .finally(() => inFlight.delete(p))
      inFlight.add(p)
      if (inFlight.size >= concurrency) await Promise.race(inFlight)
      if (failure !== null || options.shouldStop?.() === true) break
    }
  } finally {
    // never return (or throw a source's error) with writes still in flight
    await Promise.all(inFlight)
  }
  if (failure !== null) throw (failure as { error: unknown }).error
  return { aborted: aborted || options.signal?.aborted === true }
}

/** Counts rows as chunks complete and reports them through `onProgress`. */
export class ProgressTracker {
  readonly #progress: WriteProgress
  readonly #onProgress: ((progress: WriteProgress) => void) | undefined

  constructor(totalRows: number | null, onProgress?: (progress: WriteProgress) => void) {
    this.#progress = { rowsDone: 0, rowsWritten: 0, rowsFailed: 0, totalRows, chunksDone: 0 }
    this.#onProgress = onProgress
  }

  /** Account one finished chunk from its result codes. */
  chunkDone(resultCodes: Int32Array): void {
    let written = 0
    for (const code of resultCodes) if (code === 0) written++
    this.addChunk(written, resultCodes.length - written)
  }

  addChunk(written: number, failed: number): void {
    const p = this.#progress
    p.rowsDone += written + failed
    p.rowsWritten += written
    p.rowsFailed += failed
    p.chunksDone++
    this.#onProgress?.({ ...p })
  }

  snapshot(): WriteProgress {
    return { ...this.#progress }
  }
}

/** Result of a streamed `writeNumpy`: counts and the failed rows, no object per written row. */
export class StreamWriteSummary implements WriteSummary {
  rowCount = 0
  writtenCount = 0
  readonly failures: WriteFailure[] = []
  aborted = false
  readonly namespace: string
  readonly set: string

  constructor(namespace: string, set: string) {
    this.namespace = namespace
    this.set = set
  }

  get failedCount(): number {
    return this.rowCount - this.writtenCount
  }

  /** Add a finished chunk whose first row is row `rowBase` of the stream. */
  addChunk(rowBase: number, outcome: WriteOutcome, keyAt: (row: number) => UserKey): void {
    const codes = outcome.resultCodes
    this.rowCount += codes.length
    for (let i = 0; i < codes.length; i++) {
      if (codes[i] === 0) {
        this.writtenCount++
        continue
      }
      const key: Key = { ns: this.namespace, set: this.set, key: keyAt(i) }
      this.failures.push({
        row: rowBase + i,
        key,
        result: codes[i]!,
        inDoubt: outcome.inDoubt[i] === 1,
      })
    }
  }

  /** Rows of a chunk that was read from the stream but not sent (abort). */
  addSkipped(rowBase: number, length: number, keyAt: (row: number) => UserKey): void {
    this.rowCount += length
    for (let i = 0; i < length; i++) {
      this.failures.push({
        row: rowBase + i,
        key: { ns: this.namespace, set: this.set, key: keyAt(i) },
        result: ResultCode.ERR_CLIENT_ABORT,
        inDoubt: false,
      })
    }
  }

  /** Rows per result code, e.g. `{ 0: 998, 14: 2 }`. */
  countByResult(): Map<number, number> {
    const counts = new Map<number, number>()
    if (this.writtenCount > 0) counts.set(0, this.writtenCount)
    for (const f of this.failures) counts.set(f.result, (counts.get(f.result) ?? 0) + 1)
    return counts
  }

  sortFailures(): void {
    this.failures.sort((a, b) => a.row - b.row)
  }
}
