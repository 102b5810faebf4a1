/**
 * `AsyncClient`: the Promise API. It validates arguments, compiles write plans and drives an
 * `Engine` (core's seam): the wire engine (default) or the official client's adapter, each loaded
 * only when chosen — a process that never picks 'official' never loads the native addon.
 */
import {
  BatchRecords,
  NumpyBatchRecords,
  ParamError,
  createReadOutcome,
  createReadSink,
  type Engine,
  type KeyBatch,
  type ReadPolicy,
  type RetryEvent,
  type ScanChunk,
} from '@aerospike-numpy/core'
import { describe, instanceOf, readingInput } from '@aerospike-numpy/core/internal'
import { StructuredArray, type Dtype } from '@aerospike-numpy/dtype'
import type { Client as OfficialClient } from 'aerospike'
import { resolveClientConfig, type AsyncClientConfig, type ResolvedClientConfig } from './config.js'
import { resolveBulkOptions, type StreamWriteSummary, type WriteNumpyOptions } from './chunks.js'
import { NotConnectedError } from './errors.js'
import {
  READ_PREPARED,
  prepareBatchRead,
  prepareBatchReadNumpy,
  type PreparedRead,
} from './read-args.js'
import { scanNumpy, scanNumpyAll, type ScanNumpyOptions, type ScanRunner } from './scan.js'
import type { PoolLease, WriteWorkerPool } from './pool/pool.js'
import {
  checkData,
  checkDtype,
  checkOptionKeys,
  checkRows,
  prepareWrite,
  type BatchWriteOptions,
} from './write-args.js'
import { writeLoop, type ChunkSender, type StructuredArrayStream } from './write-loop.js'

export interface BatchReadOptions {
  /** The read dtype: one field per bin to read (fields starting with `_` are not read). */
  dtype: Dtype
  /** Bins to ask the server for. Default: the read dtype's field names not starting with `_`. */
  bins?: readonly string[]
  policy?: ReadPolicy
}

export interface BatchReadNumpyOptions extends BatchReadOptions {
  /** With a StructuredArray of keys: the field holding them. Default `'_key'`. */
  keyField?: string
}

export interface BatchWriteNumpyOptions extends BatchWriteOptions {
  /** Called before each re-send of failed rows. */
  onRetry?: (event: RetryEvent) => void
}

/** What `writeNumpy` returns: one `BatchRecords` for an array, a summary for a stream. */
export type WriteNumpyResult = BatchRecords | StreamWriteSummary

export type { StructuredArrayStream }

/** Largest `workers` count of `writeNumpy`. */
const MAX_WORKERS = 64

async function createEngine(config: ResolvedClientConfig): Promise<Engine> {
  if (config.engine === 'wire') {
    const { createWireEngine } = await import('./wire/engine.js')
    return createWireEngine(config)
  }
  const { createOfficialEngine } = await import('./official/engine.js')
  return createOfficialEngine(config)
}

/** The engine of this thread as the write loop's sender. */
function inProcess(engine: Engine): ChunkSender {
  return { shared: false, write: (job) => engine.write(job) }
}

/**
 * `data` as a stream of arrays, refused before anything is sent when it cannot be one: a typed
 * array or buffer, a non-iterable, a plain array holding anything but StructuredArrays. A
 * generator's first item is checked by the write loop before anything is sent.
 */
function checkStream(data: unknown): StructuredArrayStream {
  if (
    ArrayBuffer.isView(data) ||
    data instanceof ArrayBuffer ||
    data instanceof SharedArrayBuffer
  ) {
    throw new ParamError(
      `data is ${describe(data)}, not a StructuredArray: wrap the bytes with StructuredArray.fromBuffer(dtype, buffer) or build columns with StructuredArray.fromColumns(dtype, { … })`,
    )
  }
  if (Array.isArray(data)) {
    const bad = data.findIndex((item) => !(item instanceof StructuredArray))
    if (bad >= 0) {
      throw new ParamError(
        `data is an array whose item ${bad} is ${describe(data[bad])}, not a StructuredArray: writeNumpy takes a StructuredArray or a stream of them (to write plain rows, build one with StructuredArray.fromRows(dtype, rows))`,
      )
    }
    return data as StructuredArray[]
  }
  if (typeof data === 'object' && data !== null) {
    const v = data as Record<symbol, unknown>
    if (typeof v[Symbol.asyncIterator] === 'function' || typeof v[Symbol.iterator] === 'function') {
      return data as StructuredArrayStream
    }
  }
  throw new ParamError(
    `data must be a StructuredArray or an (async) iterable of StructuredArrays, got ${describe(data)}`,
  )
}

function checkWorkers(workers: unknown, engine: 'official' | 'wire'): number | undefined {
  if (workers === undefined) return undefined
  if (
    typeof workers !== 'number' ||
    !Number.isInteger(workers) ||
    workers < 1 ||
    workers > MAX_WORKERS
  ) {
    throw new ParamError(
      `workers must be an integer from 1 to ${MAX_WORKERS}, got ${describe(workers)}`,
    )
  }
  if (engine !== 'wire') {
    throw new ParamError(
      "writeNumpy({ workers }) runs the wire engine in worker threads (the official client cannot be loaded there); create the client with engine: 'wire'",
    )
  }
  return workers
}

export class AsyncClient {
  readonly config: ResolvedClientConfig
  #engine: Engine | null = null
  #connecting: Promise<Engine> | null = null
  /** Bumped by close(): a connect() begun before it must end closed, not connected. */
  #epoch = 0
  readonly #inFlight = new Set<Promise<unknown>>()
  /** The worker pool of `writeNumpy({ workers })`, made on first use. */
  #pool: WriteWorkerPool | null = null
  /** Pools replaced by one of another size, closing once their calls are done. */
  readonly #retiring = new Set<Promise<void>>()

  constructor(config: AsyncClientConfig) {
    this.config = resolveClientConfig(config)
  }

  /** `'official'` or `'wire'`. */
  get engineKind(): 'official' | 'wire' {
    return this.config.engine
  }

  /** The connected engine (for code that drives it directly, such as the worker pool). */
  get engine(): Engine {
    if (this.#engine === null) throw new NotConnectedError()
    return this.#engine
  }

  /**
   * Connect (resolves to this client). Calling it again while connected does nothing. If
   * `close()` is called before it finishes, it rejects with `NotConnectedError` and the
   * connection it made is closed.
   */
  async connect(): Promise<this> {
    if (this.#engine !== null) return this
    let attempt = this.#connecting
    if (attempt === null) {
      attempt = this.#open(this.#epoch)
      this.#connecting = attempt
      const settled = (): void => {
        if (this.#connecting === attempt) this.#connecting = null
      }
      attempt.then(settled, settled)
    }
    await attempt
    return this
  }

  /** Create and connect an engine; it becomes the client's only if close() has not run meanwhile. */
  async #open(epoch: number): Promise<Engine> {
    const engine = await createEngine(this.config)
    if (this.#epoch === epoch) await engine.connect()
    if (this.#epoch !== epoch) {
      // close() ran meanwhile: what this attempt opened must not outlive it.
      await engine.close()
      throw new NotConnectedError('close() was called while connect() was in progress')
    }
    // Adopted in the same step as the check above, so close() either sees it or made us close it.
    this.#engine = engine
    return engine
  }

  /**
   * Close the connection, once every call in flight has settled. A `connect()` still in
   * progress is ended too: when this resolves, no connection of this client is left open.
   */
  async close(): Promise<void> {
    this.#epoch++
    const connecting = this.#connecting
    this.#connecting = null
    const engine = this.#engine
    this.#engine = null
    // The attempt sees the new epoch and closes what it opened.
    if (connecting !== null) await connecting.catch(() => {})
    if (engine === null) return
    // The official addon must not be closed under a command still in flight (it can abort the
    // process), and callers deserve their answers: let every call settle first.
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight])
    const pool = this.#pool
    this.#pool = null
    await Promise.all([pool?.close(), ...this.#retiring])
    await engine.close()
  }

  /** A lease of the pool for `workers` × `concurrency` (replacing a pool of another shape). */
  async #poolLease(workers: number, concurrency: number): Promise<PoolLease> {
    // Loaded on use: the pool brings piscina and its worker threads.
    const { WriteWorkerPool } = await import('./pool/pool.js')
    let pool = this.#pool
    if (pool === null || pool.workers !== workers || pool.concurrency !== concurrency) {
      if (pool !== null) {
        const closed = pool.retire()
        this.#retiring.add(closed)
        void closed.then(() => this.#retiring.delete(closed))
      }
      pool = new WriteWorkerPool(workers, concurrency, this.config)
      this.#pool = pool
    }
    return pool.lease()
  }

  /** Run a call that uses the engine, tracked so `close()` waits for it. */
  #track<T>(call: (engine: Engine) => Promise<T>): Promise<T> {
    const engine = this.engine
    const p = call(engine)
    // settles when p does, never rejects (the caller handles p's rejection)
    const tracked: Promise<unknown> = p.then(
      () => this.#inFlight.delete(tracked),
      () => this.#inFlight.delete(tracked),
    )
    this.#inFlight.add(tracked)
    return p
  }

  isConnected(): boolean {
    return this.#engine !== null && this.#engine.isConnected()
  }

  /**
   * The official `aerospike` client, for everything this API does not cover (official engine
   * only).
   */
  get raw(): OfficialClient {
    const engine = this.engine
    if (engine.kind !== 'official') {
      throw new ParamError("raw is the official client and exists only with engine: 'official'")
    }
    return (engine as unknown as { client: OfficialClient }).client
  }

  /**
   * Write every row of `data` as one record in one batch call (per engine call). The key comes
   * from `keyField` (default `_key`); bins are the fields not starting with `_`.
   */
  async batchWriteNumpy(
    data: StructuredArray,
    namespace: string,
    set: string,
    dtype: Dtype,
    options?: BatchWriteNumpyOptions,
  ): Promise<BatchRecords> {
    const o = checkOptionKeys(
      options,
      ['keyField', 'validityField', 'policy', 'retry', 'onRetry'],
      'batchWriteNumpy options',
    )
    const dt = checkDtype(dtype)
    const array = checkData(data, dt)
    const prep = prepareWrite(namespace, set, dt, o)
    if (o.onRetry !== undefined && typeof o.onRetry !== 'function') {
      throw new ParamError(`onRetry must be a function, got ${describe(o.onRetry)}`)
    }
    if (array.length === 0) return BatchRecords.empty(prep.namespace, prep.set)
    checkRows(prep.plan, array)
    const onRetry = o.onRetry as ((event: RetryEvent) => void) | undefined
    // One chunk of every row, through the same loop as writeNumpy.
    return this.#track((engine) =>
      writeLoop(inProcess(engine), prep, array, {
        op: 'batchWriteNumpy',
        chunkSize: array.length,
        concurrency: 1,
        onRetry,
        throwWholeCallFailure: true,
      }),
    )
  }

  /**
   * Read `keys` into a structured array of `options.dtype`, one row per key. Keys are `[ns, set,
   * key]` tuples, `{ ns, set, key }` objects, or a `KeyBatch` (a result's `keyBatch`: the same keys
   * read again without resolving them again).
   */
  async batchRead(
    keys: readonly unknown[] | KeyBatch,
    options: BatchReadOptions,
  ): Promise<NumpyBatchRecords> {
    return this.#read(prepareBatchRead(keys, options))
  }

  /**
   * Read the records of a key column, in key order: `keys` is an integer typed array, an array
   * of strings, Buffers or integers, or a StructuredArray whose `keyField` (default `_key`) holds
   * them — the mirror of `batchWriteNumpy`. Results and options as `batchRead`.
   */
  async batchReadNumpy(
    keys: unknown,
    namespace: string,
    set: string,
    options: BatchReadNumpyOptions,
  ): Promise<NumpyBatchRecords> {
    return this.#read(prepareBatchReadNumpy(keys, namespace, set, options))
  }

  /** The one read path: the engine's batch read of prepared keys into a new array. */
  async #read(read: PreparedRead): Promise<NumpyBatchRecords> {
    const { keys, bins, policy } = read
    const { sink, array } = createReadSink(read.dtype, keys)
    const outcome = createReadOutcome(keys.length)
    if (keys.length > 0) {
      await this.#track((engine) => engine.read({ keys, bins, policy, sink, outcome }))
    }
    return new NumpyBatchRecords(array, keys, outcome)
  }

  /** @internal A batch read already prepared (the blocking client prepares on its calling thread). */
  [READ_PREPARED](read: PreparedRead): Promise<NumpyBatchRecords> {
    return this.#read(read)
  }

  /**
   * Read a set (or `options.partitions` of it) partition-parallel into chunks of structured
   * arrays, as they arrive: `{ records, digests, meta, length }`. Leaving the loop early stops the
   * scan. A scan that cannot finish some partitions throws `ScanIncompleteError` after the last
   * chunk (naming them, with where to resume); no row comes twice.
   */
  scanNumpy(namespace: string, set: string, options: ScanNumpyOptions): AsyncIterable<ScanChunk> {
    return scanNumpy(this.#scanRunner(), namespace, set, options)
  }

  /** Every row of a scan in one chunk (options as `scanNumpy`). */
  scanNumpyAll(namespace: string, set: string, options: ScanNumpyOptions): Promise<ScanChunk> {
    return scanNumpyAll(this.#scanRunner(), namespace, set, options)
  }

  #scanRunner(): ScanRunner {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const client = this
    return {
      get engine() {
        return client.engine
      },
      track: (call) => client.#track(call),
    }
  }

  /**
   * Bulk write: `data` (an array, or a stream of arrays such as `openNpy(path)`) is cut into
   * chunks of `chunkSize` rows, `concurrency` of them in flight. An array gives one
   * `BatchRecords` for all rows; a stream gives a `StreamWriteSummary` (counts and failed rows
   * only, so a file larger than memory does not become one object per row). A failure after rows
   * were sent (a bad later chunk of a stream, a callback that throws) is a `PartialWriteError`
   * carrying the results so far.
   */
  writeNumpy(
    data: StructuredArray,
    namespace: string,
    set: string,
    dtype: Dtype,
    options?: WriteNumpyOptions,
  ): Promise<BatchRecords>
  writeNumpy(
    data: StructuredArrayStream,
    namespace: string,
    set: string,
    dtype: Dtype,
    options?: WriteNumpyOptions,
  ): Promise<StreamWriteSummary>
  writeNumpy(
    data: StructuredArray | StructuredArrayStream,
    namespace: string,
    set: string,
    dtype: Dtype,
    options?: WriteNumpyOptions,
  ): Promise<WriteNumpyResult>
  async writeNumpy(
    data: StructuredArray | StructuredArrayStream,
    namespace: string,
    set: string,
    dtype: Dtype,
    options: WriteNumpyOptions = {},
  ): Promise<WriteNumpyResult> {
    const bulk = resolveBulkOptions(options)
    const workers = checkWorkers(bulk.workers, this.config.engine)
    const dt = checkDtype(dtype)
    const prep = prepareWrite(namespace, set, dt, bulk)
    let source: StructuredArray | StructuredArrayStream
    if (instanceOf(data, StructuredArray)) {
      const array = checkData(data, dt)
      if (array.length === 0) return BatchRecords.empty(prep.namespace, prep.set)
      checkRows(prep.plan, array)
      source = array
    } else {
      source = readingInput('data', () => checkStream(data))
    }
    const loop = {
      op: 'writeNumpy',
      chunkSize: bulk.chunkSize,
      concurrency: bulk.concurrency,
      onProgress: bulk.onProgress,
      onRetry: bulk.onRetry,
      onChunkSettled: bulk.onChunkSettled,
      beforeChunk: bulk.beforeChunk,
      signal: bulk.signal,
    }
    return this.#track(async (engine) => {
      if (workers === undefined) return writeLoop(inProcess(engine), prep, source, loop)
      const lease = await this.#poolLease(workers, bulk.concurrency)
      try {
        // each worker has `concurrency` chunks in flight
        return await writeLoop(lease.sender, prep, source, {
          ...loop,
          concurrency: workers * bulk.concurrency,
        })
      } finally {
        lease.release()
      }
    })
  }
}
