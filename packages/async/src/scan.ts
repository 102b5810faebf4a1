/**
 * `scanNumpy` and `scanNumpyAll`: a whole set (or some partitions) read partition-parallel into
 * structured arrays. Options are checked here, before anything is sent; the engine streams
 * records into core's chunk sink; chunks reach the caller through a small queue whose fill level
 * holds the engine back (it stops reading its sockets), so a slow consumer does not make the scan
 * buffer the whole set.
 */
import {
  AbortError,
  DEFAULT_KEY_FIELD,
  DEFAULT_SCAN_CHUNK_ROWS,
  MAX_BIN_NAME_BYTES,
  MAX_SCAN_CHUNK_ROWS,
  ParamError,
  ScanChunkSink,
  ScanIncompleteError,
  concatScanChunks,
  resolveScanPartitions,
  resolveScanPolicy,
  resultCodeName,
  type Engine,
  type ScanChunk,
  type ScanJob,
  type ScanOutcome,
  type ScanPartition,
  type ScanPartitionsInput,
  type ScanPolicy,
  type ResolvedScanPolicy,
} from '@aerospike-numpy/core'
import {
  binsForReadDtype,
  describe,
  validateNamespace,
  validateSetName,
} from '@aerospike-numpy/core/internal'
import type { Dtype } from '@aerospike-numpy/dtype'
import { checkDtype, checkOptionKeys } from './write-args.js'

export interface ScanProgress {
  /** Rows delivered so far. */
  rows: number
  /** Chunks delivered so far. */
  chunks: number
  /** Partitions read to their end so far. */
  partitionsDone: number
  partitionsTotal: number
}

export interface ScanNumpyOptions {
  /** The read dtype: one field per bin (fields starting with `_` are not read as bins). */
  dtype: Dtype
  /** The field that receives each record's stored user key (written with `key: SEND`). Default `_key`. */
  keyField?: string
  /** Bins to ask for. Default: the dtype's fields not starting with `_` (none: metadata and keys only). */
  bins?: readonly string[]
  /** `{ begin, count }`, a list of partition ids, or `error.unfinished` of an incomplete scan. Default: all 4096. */
  partitions?: ScanPartitionsInput
  /** Node requests in flight at once. Default: every node at once. */
  concurrency?: number
  /** Rows per yielded chunk. Default 65536. */
  chunkRows?: number
  /** At most this many rows. */
  maxRecords?: number
  signal?: AbortSignal
  /** Called every `chunkRows` rows (as chunks fill), and once at the end. */
  onProgress?: (progress: ScanProgress) => void
  policy?: ScanPolicy
}

const OPTION_KEYS = [
  'dtype',
  'keyField',
  'bins',
  'partitions',
  'concurrency',
  'chunkRows',
  'maxRecords',
  'signal',
  'onProgress',
  'policy',
] as const

/** Chunks queued for the consumer before the engine holds back. */
const QUEUED_CHUNKS = 2
/** The most `scanNumpyAll` allocates up front from the nodes' record counts. */
const MAX_RESERVE_BYTES = 512 * 1024 * 1024

/** How the scan functions reach the client's engine (tracked, so `close()` waits for them). */
export interface ScanRunner {
  readonly engine: Engine
  track<T>(call: (engine: Engine) => Promise<T>): Promise<T>
}

interface PreparedScan {
  namespace: string
  set: string
  dtype: Dtype
  keyField: string
  bins: readonly string[] | null
  partitions: ScanPartition[]
  concurrency: number
  chunkRows: number
  maxRecords: number
  signal: AbortSignal | undefined
  onProgress: ((progress: ScanProgress) => void) | undefined
  policy: ResolvedScanPolicy
}

function positiveInt(value: unknown, name: string, max: number): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new ParamError(`${name} must be an integer 1..${max}, got ${describe(value)}`)
  }
  return value
}

/** Checks every argument before anything is sent. */
export function prepareScan(
  namespace: unknown,
  set: unknown,
  options: unknown,
  where = 'scanNumpy',
): PreparedScan {
  const o = checkOptionKeys(options, OPTION_KEYS, `${where} options`)
  if (o.dtype === undefined) {
    throw new ParamError(`${where} needs options.dtype, the structured dtype to read into`)
  }
  const dt = checkDtype(o.dtype)
  const keyField = o.keyField ?? DEFAULT_KEY_FIELD
  if (typeof keyField !== 'string' || keyField === '') {
    throw new ParamError(`keyField must be a non-empty field name, got ${describe(keyField)}`)
  }
  let bins: readonly string[] | null
  if (o.bins === undefined) {
    bins = binsForReadDtype(dt)
  } else {
    if (!Array.isArray(o.bins) || o.bins.some((b) => typeof b !== 'string' || b === '')) {
      throw new ParamError(`bins must be an array of bin names, got ${describe(o.bins)}`)
    }
    for (const b of o.bins as string[]) {
      if (Buffer.byteLength(b) > MAX_BIN_NAME_BYTES) {
        throw new ParamError(`bin name '${b}' is longer than ${MAX_BIN_NAME_BYTES} bytes`)
      }
    }
    bins = [...(o.bins as string[])]
  }
  const signal = o.signal
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new ParamError(`signal must be an AbortSignal, got ${describe(signal)}`)
  }
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') {
    throw new ParamError(`onProgress must be a function, got ${describe(o.onProgress)}`)
  }
  return {
    namespace: validateNamespace(namespace),
    set: validateSetName(set),
    dtype: dt,
    keyField,
    bins,
    partitions: resolveScanPartitions(o.partitions),
    concurrency: positiveInt(o.concurrency, 'concurrency', 4096) ?? 0,
    chunkRows:
      positiveInt(o.chunkRows, 'chunkRows', MAX_SCAN_CHUNK_ROWS) ?? DEFAULT_SCAN_CHUNK_ROWS,
    maxRecords: positiveInt(o.maxRecords, 'maxRecords', Number.MAX_SAFE_INTEGER) ?? 0,
    signal: signal as AbortSignal | undefined,
    onProgress: o.onProgress as PreparedScan['onProgress'],
    policy: resolveScanPolicy(o.policy),
  }
}

/** Chunks between the engine (producer) and the caller; `ready()` holds the engine back. */
class ChunkQueue {
  readonly #chunks: ScanChunk[] = []
  readonly #limit: number
  #roomWaiters: (() => void)[] = []
  #dataWaiter: (() => void) | null = null
  #ended = false

  constructor(limit: number) {
    this.#limit = limit
  }

  push(chunk: ScanChunk): void {
    this.#chunks.push(chunk)
    this.#wake()
  }

  end(): void {
    this.#ended = true
    this.#wake()
    this.#releaseRoom()
  }

  /** The consumer is behind: as many chunks wait as the limit allows. */
  get full(): boolean {
    return !this.#ended && this.#chunks.length >= this.#limit
  }

  ready(): Promise<void> {
    if (!this.full) return Promise.resolve()
    return new Promise((resolve) => this.#roomWaiters.push(resolve))
  }

  /** The next chunk, or null once the producer ended and everything was taken. */
  async next(): Promise<ScanChunk | null> {
    for (;;) {
      const chunk = this.#chunks.shift()
      if (chunk !== undefined) {
        if (this.#chunks.length < this.#limit) this.#releaseRoom()
        return chunk
      }
      if (this.#ended) return null
      await new Promise<void>((resolve) => (this.#dataWaiter = resolve))
    }
  }

  #wake(): void {
    const waiter = this.#dataWaiter
    this.#dataWaiter = null
    waiter?.()
  }

  #releaseRoom(): void {
    const waiters = this.#roomWaiters
    this.#roomWaiters = []
    for (const resolve of waiters) resolve()
  }
}

/** The error a scan that did not read every partition ends with. */
function incompleteError(
  scan: PreparedScan,
  outcome: ScanOutcome,
  rows: number,
): ScanIncompleteError {
  const unfinished = outcome.unfinished
  const code = unfinished[unfinished.length - 1]!.code
  const ids = unfinished.slice(0, 10).map((p) => p.id)
  const more = unfinished.length > 10 ? `, … (${unfinished.length} in all)` : ''
  return new ScanIncompleteError(
    code,
    `scan of ${scan.namespace}/${scan.set} did not finish ${unfinished.length} of ${scan.partitions.length} partitions (last error ${resultCodeName(code)} ${code}): partitions ${ids.join(', ')}${more}; ${rows} rows were read, none twice. Pass error.unfinished as the partitions option to resume them.`,
    unfinished.map((p) => ({ id: p.id, digest: p.digest, code: p.code })),
    rows,
  )
}

/**
 * Runs one scan: the engine in the background, chunks through `queue`. Resolves with the
 * outcome once the engine has stopped (its connections closed).
 */
function startScan(
  runner: ScanRunner,
  scan: PreparedScan,
  queue: ChunkQueue | null,
  onChunk: (chunk: ScanChunk) => void,
  controller: AbortController,
  pageRecords: number,
  oneArray = false,
): { sink: ScanChunkSink; done: Promise<ScanOutcome>; progress: () => ScanProgress } {
  let chunks = 0
  let partitionsDone = 0
  const progress = (): ScanProgress => ({
    rows: sink.rows,
    chunks,
    partitionsDone,
    partitionsTotal: scan.partitions.length,
  })
  const sink = new ScanChunkSink({
    dtype: scan.dtype,
    keyField: scan.keyField,
    chunkRows: scan.chunkRows,
    maxRecords: scan.maxRecords,
    namespace: scan.namespace,
    set: scan.set,
    onChunk(chunk) {
      chunks++
      onChunk(chunk)
      scan.onProgress?.(progress())
    },
    // One array fills no chunks along the way: progress every chunkRows rows instead.
    onRows: scan.onProgress === undefined ? undefined : () => scan.onProgress?.(progress()),
  })
  const job: ScanJob = {
    namespace: scan.namespace,
    set: scan.set,
    bins: scan.bins,
    partitions: scan.partitions,
    maxRecords: scan.maxRecords,
    concurrency: scan.concurrency,
    pageRecords,
    policy: scan.policy,
    sink,
    signal: controller.signal,
    full: queue === null ? () => false : () => queue.full,
    ready: queue === null ? () => Promise.resolve() : () => queue.ready(),
    onPartitionsDone(done) {
      partitionsDone = done
    },
  }
  if (oneArray) {
    // Room for every row in the first chunk (a little more than the nodes count, within a
    // sane size), so the rows need no copying together afterwards.
    const maxRows = Math.floor(MAX_RESERVE_BYTES / Math.max(1, scan.dtype.itemsize))
    job.onEstimate = (records) => sink.reserve(Math.min(maxRows, Math.ceil(records * 1.02) + 1024))
  }
  const done = runner.track(async (engine) => {
    if (engine.scan === undefined) {
      throw new ParamError(`engine '${engine.kind}' cannot scan`)
    }
    const outcome = await engine.scan(job)
    sink.flush()
    if (outcome.unfinished.length === 0 && !outcome.stopped) {
      partitionsDone = scan.partitions.length
    }
    scan.onProgress?.(progress())
    return outcome
  })
  return { sink, done, progress }
}

/** A function, so TypeScript does not keep an earlier check's narrowing (the signal may fire meanwhile). */
function aborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true
}

function abortError(scan: PreparedScan, rows: number): AbortError {
  return new AbortError(
    `scan of ${scan.namespace}/${scan.set} aborted by its signal after ${rows} rows`,
  )
}

/**
 * The chunks of a scan as an async iterable. Each iteration runs the scan anew; leaving the loop
 * early (`break`, an error) stops the scan and closes its requests.
 */
export function scanNumpy(
  runner: ScanRunner,
  namespace: string,
  set: string,
  options: ScanNumpyOptions,
): AsyncIterable<ScanChunk> {
  const scan = prepareScan(namespace, set, options)
  // Fail now, not at the first `next()`, when there is no connection.
  void runner.engine
  return {
    [Symbol.asyncIterator]: () => iterate(runner, scan),
  }
}

async function* iterate(runner: ScanRunner, scan: PreparedScan): AsyncGenerator<ScanChunk> {
  const controller = new AbortController()
  const userSignal = scan.signal
  const onAbort = (): void => controller.abort()
  if (aborted(userSignal)) throw abortError(scan, 0)
  userSignal?.addEventListener('abort', onAbort, { once: true })
  const queue = new ChunkQueue(QUEUED_CHUNKS)
  let failure: unknown = null
  const { sink, done } = startScan(runner, scan, queue, (chunk) => queue.push(chunk), controller, 0)
  const settled = done.then(
    (outcome) => {
      queue.end()
      return outcome
    },
    (error: unknown) => {
      failure = error
      queue.end()
      return null
    },
  )
  try {
    for (;;) {
      const chunk = await queue.next()
      if (chunk === null) break
      yield chunk
    }
    const outcome = await settled
    if (failure !== null) throw failure
    if (aborted(userSignal)) throw abortError(scan, sink.rows)
    if (outcome !== null && outcome.unfinished.length > 0) {
      throw incompleteError(scan, outcome, sink.rows)
    }
  } finally {
    userSignal?.removeEventListener('abort', onAbort)
    // The consumer may have left early: stop the engine (and release it if it waits for room)
    // and wait until its requests are closed.
    controller.abort()
    queue.end()
    await settled
  }
}

/** Every row of a scan in one chunk. */
export async function scanNumpyAll(
  runner: ScanRunner,
  namespace: string,
  set: string,
  options: ScanNumpyOptions,
): Promise<ScanChunk> {
  const scan = prepareScan(namespace, set, options, 'scanNumpyAll')
  if (aborted(scan.signal)) throw abortError(scan, 0)
  const controller = new AbortController()
  const onAbort = (): void => controller.abort()
  scan.signal?.addEventListener('abort', onAbort, { once: true })
  const chunks: ScanChunk[] = []
  try {
    const { sink, done } = startScan(
      runner,
      scan,
      null,
      (chunk) => chunks.push(chunk),
      controller,
      0,
      true,
    )
    const outcome = await done
    if (aborted(scan.signal)) throw abortError(scan, sink.rows)
    if (outcome.unfinished.length > 0) throw incompleteError(scan, outcome, sink.rows)
    return concatScanChunks(scan.dtype, chunks)
  } finally {
    scan.signal?.removeEventListener('abort', onAbort)
    controller.abort()
  }
}
