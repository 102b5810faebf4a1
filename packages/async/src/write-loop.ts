/**
 * The one write loop. Every write runs here: `batchWriteNumpy` (one chunk of all rows),
 * `writeNumpy` over an array or a stream, in-process or with worker threads, and the sync client
 * (its worker thread calls the async client). The loop cuts rows into chunks, keeps `concurrency`
 * of them in flight, re-sends transient failures (core's `writeWithRetry`), reports progress,
 * honours an AbortSignal, and keeps what results need:
 * - the rows' keys are copied into the result as chunks are dispatched, so a result never reads
 *   the caller's buffer after the call;
 * - a chunk pulled from a stream is copied into a buffer of the loop's before the next one is
 *   pulled and kept until its rows settle (re-sends read it), so a generator may refill one buffer.
 * Where a chunk is encoded and sent is the `ChunkSender`'s business: the engine in this thread,
 * or the worker pool (which needs rows and results in SharedArrayBuffers).
 */
import {
  AerospikeError,
  BatchRecords,
  KeyColumn,
  ParamError,
  RESULT_NOT_SENT,
  allRows,
  createWriteOutcome,
  describe,
  sliceWriteOutcome,
  writeWithRetry,
  type RetryEvent,
  type UserKey,
  type WriteJob,
  type WriteOutcome,
  type WritePlan,
} from '@aerospike-numpy/core'
import { StructuredArray, type Dtype } from '@aerospike-numpy/dtype'
import {
  ProgressTracker,
  StreamWriteSummary,
  runBounded,
  type ChunkSettledEvent,
  type WriteProgress,
} from './chunks.js'
import { PartialWriteError } from './errors.js'
import { checkRows, type PreparedWrite } from './write-args.js'

/** Sends one attempt at a chunk's rows (core's `Engine.write` contract). */
export interface ChunkSender {
  /** Rows and results must live in SharedArrayBuffers (another thread reads and fills them). */
  readonly shared: boolean
  write(job: WriteJob): Promise<void>
}

export interface WriteLoopOptions {
  /** `batchWriteNumpy` or `writeNumpy`, for messages. */
  op: string
  chunkSize: number
  concurrency: number
  onProgress?: ((progress: WriteProgress) => void) | undefined
  onRetry?: ((event: RetryEvent) => void) | undefined
  onChunkSettled?: ((event: ChunkSettledEvent) => void) | undefined
  beforeChunk?: ((rows: number) => void | Promise<void>) | undefined
  signal?: AbortSignal | undefined
  /**
   * Throw a failure of a whole call that left no per-row answer (`batchWriteNumpy`, as the
   * engines throw it) instead of recording its code on the rows (`writeNumpy`).
   */
  throwWholeCallFailure?: boolean
}

/** A source of arrays: an (async) iterable such as `openNpy(path)`, or an array of arrays. */
export type StructuredArrayStream = AsyncIterable<StructuredArray> | Iterable<StructuredArray>

/** One chunk on its way: its rows (owned by the loop where needed) and its results. */
interface LoopChunk {
  data: StructuredArray
  base: number
  outcome: WriteOutcome
  slab: Slab | null
}

interface Slab {
  /** Rows it holds at most. */
  rows: number
  bytes: Uint8Array
  /** For stream chunks: results of up to `rows` rows. */
  outcome: WriteOutcome | null
}

/**
 * Reused chunk buffers: one per chunk in flight (plus the one being filled), never one per chunk
 * written, so a stream of any length stays in bounded memory, with or without workers.
 */
class SlabPool {
  readonly #free: Slab[] = []
  constructor(
    readonly rowBytes: number,
    readonly shared: boolean,
    readonly withOutcome: boolean,
  ) {}

  take(rows: number): Slab {
    const free = this.#free.pop()
    // a slab too small for this chunk is dropped, not kept: the count of slabs stays bounded
    if (free !== undefined && free.rows >= rows) return free
    const size = this.rowBytes * rows
    return {
      rows,
      bytes: new Uint8Array(this.shared ? new SharedArrayBuffer(size) : new ArrayBuffer(size)),
      outcome: this.withOutcome ? createWriteOutcome(rows, this.shared) : null,
    }
  }

  give(slab: Slab | null): void {
    if (slab !== null) this.#free.push(slab)
  }
}

/** The rows of `chunk` copied back to back into `into` (a slab), as a new array over it. */
function ownRows(chunk: StructuredArray, into: Uint8Array): StructuredArray {
  const size = chunk.dtype.itemsize
  if (chunk.stride === size) {
    into.set(chunk.bytes)
  } else {
    const src = new Uint8Array(chunk.buffer)
    for (let i = 0, p = chunk.byteOffset; i < chunk.length; i++, p += chunk.stride) {
      into.set(src.subarray(p, p + size), i * size)
    }
  }
  return StructuredArray.fromBuffer(chunk.dtype, into.buffer, { length: chunk.length })
}

/** The first `length` rows of a slab's outcome, reset to "not sent". */
function freshOutcome(outcome: WriteOutcome, length: number): WriteOutcome {
  const o = sliceWriteOutcome(outcome, 0, length)
  o.resultCodes.fill(RESULT_NOT_SENT)
  o.generations.fill(0)
  o.ttls.fill(0)
  o.inDoubt.fill(0)
  return o
}

function keyReader(plan: WritePlan, data: StructuredArray, base: number): (i: number) => UserKey {
  const src = new Uint8Array(data.buffer)
  return (i) => plan.key.value(src, data.byteOffset + i * data.stride, base + i)
}

/**
 * What stops a write early, and whether anything was sent. A callback that throws stops the
 * write like an abort (no new chunks, no more re-sends); its error is reported once the rows in
 * flight have settled.
 */
class LoopControl {
  stopped: { error: unknown } | null = null
  /** Some row may have reached the server. */
  sent = false
  /** batchWriteNumpy's whole-call failure, thrown as it is. */
  wholeCallFailure: AerospikeError | null = null
  readonly #signal: AbortSignal | undefined

  constructor(signal: AbortSignal | undefined) {
    this.#signal = signal
  }

  get halted(): boolean {
    return this.stopped !== null || this.#signal?.aborted === true
  }

  stop(error: unknown): void {
    this.stopped ??= { error }
  }

  /** The caller's callback, with what it throws turned into a stop. */
  guard<A>(callback: ((arg: A) => void) | undefined): ((arg: A) => void) | undefined {
    if (callback === undefined) return undefined
    return (arg) => {
      if (this.stopped !== null) return
      try {
        callback(arg)
      } catch (error) {
        this.stop(error)
      }
    }
  }
}

interface Settle<C> {
  settled(chunk: C): void
  skipped(chunk: C): void
}

export function writeLoop(
  sender: ChunkSender,
  prep: PreparedWrite,
  data: StructuredArray,
  options: WriteLoopOptions,
): Promise<BatchRecords>
export function writeLoop(
  sender: ChunkSender,
  prep: PreparedWrite,
  data: StructuredArrayStream,
  options: WriteLoopOptions,
): Promise<StreamWriteSummary>
export function writeLoop(
  sender: ChunkSender,
  prep: PreparedWrite,
  data: StructuredArray | StructuredArrayStream,
  options: WriteLoopOptions,
): Promise<BatchRecords | StreamWriteSummary>
/** Write `data` (validated: dtype, rows) through `sender`; see the module comment. */
export async function writeLoop(
  sender: ChunkSender,
  prep: PreparedWrite,
  data: StructuredArray | StructuredArrayStream,
  options: WriteLoopOptions,
): Promise<BatchRecords | StreamWriteSummary> {
  const control = new LoopControl(options.signal)
  const run =
    data instanceof StructuredArray
      ? arrayRun(sender, prep, data, options, control)
      : streamRun(sender, prep, data, options, control)
  let aborted = false
  try {
    aborted = await drive(run.chunks, sender, prep, options, control, run)
  } catch (error) {
    if (error === control.wholeCallFailure) throw error
    control.stop(error)
  }
  const results = run.results(aborted)
  if (control.stopped !== null) {
    if (!control.sent) throw control.stopped.error
    throw new PartialWriteError(control.stopped.error, results, options.op)
  }
  return results
}

interface Run<C, R> extends Settle<C> {
  chunks: Iterable<C> | AsyncIterable<C>
  results(aborted: boolean): R
}

function arrayRun(
  sender: ChunkSender,
  prep: PreparedWrite,
  array: StructuredArray,
  o: WriteLoopOptions,
  control: LoopControl,
): Run<LoopChunk, BatchRecords> {
  const n = array.length
  const outcome = createWriteOutcome(n, sender.shared)
  const keys = new KeyColumn(prep.plan.key, n)
  // The pool needs the rows in shared memory: a chunk is copied there (once) unless they are.
  const slabs =
    sender.shared && !(array.buffer instanceof SharedArrayBuffer)
      ? new SlabPool(array.dtype.itemsize, true, false)
      : null
  const tracker = new ProgressTracker(n, control.guard(o.onProgress))
  const onChunkSettled = control.guard(o.onChunkSettled)
  let pulled = 0
  function* chunks(): Generator<LoopChunk> {
    for (let start = 0; start < n; start += o.chunkSize) {
      const end = Math.min(n, start + o.chunkSize)
      const view = array.slice(start, end)
      keys.capture(view, end - start, start)
      pulled = end
      const slab = slabs?.take(end - start) ?? null
      yield {
        data: slab === null ? view : ownRows(view, slab.bytes),
        base: start,
        outcome: sliceWriteOutcome(outcome, start, end),
        slab,
      }
    }
  }
  return {
    chunks: chunks(),
    settled(chunk) {
      onChunkSettled?.({ rowBase: chunk.base, data: chunk.data, outcome: chunk.outcome })
      tracker.chunkDone(chunk.outcome.resultCodes)
      slabs?.give(chunk.slab)
    },
    skipped(chunk) {
      // its rows keep RESULT_NOT_SENT
      onChunkSettled?.({ rowBase: chunk.base, data: chunk.data, outcome: chunk.outcome })
      slabs?.give(chunk.slab)
    },
    results(aborted) {
      // rows never pulled (abort, stop): their keys too, the result must not read `array` later
      if (pulled < n) keys.capture(array.slice(pulled, n), n - pulled, pulled)
      return new BatchRecords({
        namespace: prep.namespace,
        set: prep.set,
        outcome,
        keys,
        aborted,
      })
    },
  }
}

function streamRun(
  sender: ChunkSender,
  prep: PreparedWrite,
  source: StructuredArrayStream,
  o: WriteLoopOptions,
  control: LoopControl,
): Run<LoopChunk, StreamWriteSummary> {
  const dt = prep.plan.dtype
  const summary = new StreamWriteSummary(prep.namespace, prep.set)
  const slabs = new SlabPool(dt.itemsize, sender.shared, true)
  const tracker = new ProgressTracker(null, control.guard(o.onProgress))
  const onChunkSettled = control.guard(o.onChunkSettled)
  async function* chunks(): AsyncGenerator<LoopChunk> {
    let nextRow = 0
    for await (const item of source) {
      checkStreamItem(item, dt, prep.plan, nextRow)
      for (let start = 0; start < item.length; start += o.chunkSize) {
        const end = Math.min(item.length, start + o.chunkSize)
        const slab = slabs.take(end - start)
        yield {
          // copied before the source is asked for more: it may refill the same buffer
          data: ownRows(item.slice(start, end), slab.bytes),
          base: nextRow + start,
          outcome: freshOutcome(slab.outcome!, end - start),
          slab,
        }
      }
      nextRow += item.length
    }
  }
  return {
    chunks: chunks(),
    settled(chunk) {
      summary.addChunk(chunk.base, chunk.outcome, keyReader(prep.plan, chunk.data, chunk.base))
      onChunkSettled?.({ rowBase: chunk.base, data: chunk.data, outcome: chunk.outcome })
      tracker.chunkDone(chunk.outcome.resultCodes)
      slabs.give(chunk.slab)
    },
    skipped(chunk) {
      onChunkSettled?.({ rowBase: chunk.base, data: chunk.data, outcome: chunk.outcome })
      summary.addSkipped(
        chunk.base,
        chunk.data.length,
        keyReader(prep.plan, chunk.data, chunk.base),
      )
      slabs.give(chunk.slab)
    },
    results(aborted) {
      summary.aborted = aborted
      summary.sortFailures()
      return summary
    },
  }
}

/** A stream's item is a StructuredArray of the write's dtype whose rows can all be encoded. */
function checkStreamItem(
  item: unknown,
  dt: Dtype,
  plan: WritePlan,
  row: number,
): asserts item is StructuredArray {
  if (!(item instanceof StructuredArray)) {
    const hint =
      typeof item === 'object' && item !== null && !ArrayBuffer.isView(item)
        ? ' (to write plain rows, build an array first: StructuredArray.fromRows(dtype, rows))'
        : ''
    throw new ParamError(
      `the stream yielded ${describe(item)} at row ${row}, not a StructuredArray${hint}`,
    )
  }
  if (!item.dtype.equals(dt)) {
    throw new ParamError(
      `the stream's array at row ${row} has dtype ${String(item.dtype)}, not the dtype argument ${String(dt)}`,
    )
  }
  checkRows(plan, item, row)
}

/** Pull chunks, `concurrency` in flight, each through the retry loop; true when aborted. */
async function drive(
  chunks: Iterable<LoopChunk> | AsyncIterable<LoopChunk>,
  sender: ChunkSender,
  prep: PreparedWrite,
  o: WriteLoopOptions,
  control: LoopControl,
  settle: Settle<LoopChunk>,
): Promise<boolean> {
  const rowIndices = allRows(o.chunkSize)
  const onRetry = control.guard(o.onRetry)
  const isAborted = (): boolean => control.halted
  const { aborted } = await runBounded(
    chunks,
    o.concurrency,
    async (chunk) => {
      const length = chunk.data.length
      if (o.beforeChunk !== undefined) {
        try {
          await o.beforeChunk(length)
        } catch (error) {
          control.stop(error)
        }
        if (control.halted) {
          settle.skipped(chunk)
          return
        }
      }
      try {
        await writeWithRetry(
          sender,
          {
            plan: prep.plan,
            data: chunk.data,
            rows: rowIndices.subarray(0, length),
            namespace: prep.namespace,
            set: prep.set,
            policy: prep.policy,
            outcome: chunk.outcome,
          },
          {
            retry: prep.retry,
            ...(onRetry === undefined ? {} : { onRetry }),
            isAborted,
          },
        )
      } catch (error) {
        // A ParamError (or a bug) means the chunk could not be encoded: nothing of it was sent.
        if (!(error instanceof AerospikeError) || error instanceof ParamError) {
          settle.skipped(chunk)
          throw error
        }
        // writeWithRetry has put the error's code on every row of the chunk.
        control.sent = true
        if (o.throwWholeCallFailure === true) {
          control.wholeCallFailure = error
          throw error
        }
      }
      control.sent = true
      settle.settled(chunk)
    },
    {
      signal: o.signal,
      onSkipped: (chunk) => settle.skipped(chunk),
      shouldStop: () => control.stopped !== null,
    },
  )
  return aborted
}
