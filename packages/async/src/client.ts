/**
 * `AsyncClient`: the Promise API. It validates arguments, compiles write plans and drives an
 * `Engine` (core's seam): the wire engine (default) or the official client's adapter, each loaded
 * only when chosen — a process that never picks 'official' never loads the native addon.
 */
import {
  AerospikeError,
  BatchRecords,
  NumpyBatchRecords,
  ParamError,
  allRows,
  binsForReadDtype,
  createReadOutcome,
  createReadSink,
  createWriteOutcome,
  describe,
  resolveKeys,
  resolveReadPolicy,
  sliceWriteOutcome,
  writeWithRetry,
  MAX_BIN_NAME_BYTES,
  type Engine,
  type ReadPolicy,
  type ResolvedKey,
  type RetryEvent,
  type ScanChunk,
  type UserKey,
  type WritePlan,
} from '@aerospike-numpy/core'
import { StructuredArray, type Dtype } from '@aerospike-numpy/dtype'
import type { Client as OfficialClient } from 'aerospike'
import { resolveClientConfig, type AsyncClientConfig, type ResolvedClientConfig } from './config.js'
import {
  ProgressTracker,
  StreamWriteSummary,
  chunkRanges,
  rechunk,
  resolveBulkOptions,
  runBounded,
  type WriteNumpyOptions,
} from './chunks.js'
import { NotConnectedError } from './errors.js'
import { resolveNumpyKeys } from './read-numpy.js'
import { scanNumpy, scanNumpyAll, type ScanNumpyOptions, type ScanRunner } from './scan.js'
import {
  checkData,
  checkDtype,
  checkOptionKeys,
  checkRows,
  prepareWrite,
  type BatchWriteOptions,
  type PreparedWrite,
} from './write-args.js'

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

/** The source `writeNumpy` accepts besides an array: a stream of arrays (e.g. dtype's `openNpy`). */
export type StructuredArrayStream = AsyncIterable<StructuredArray> | Iterable<StructuredArray>

async function createEngine(config: ResolvedClientConfig): Promise<Engine> {
  if (config.engine === 'wire') {
    const { createWireEngine } = await import('./wire/engine.js')
    return createWireEngine(config)
  }
  const { createOfficialEngine } = await import('./official/engine.js')
  return createOfficialEngine(config)
}

function keyReader(plan: WritePlan, data: StructuredArray): (row: number) => UserKey {
  const src = new Uint8Array(data.buffer)
  const { byteOffset, stride } = data
  return (row) => plan.key.value(src, byteOffset + row * stride, row)
}

function isStream(value: unknown): value is StructuredArrayStream {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<symbol, unknown>
  return typeof v[Symbol.asyncIterator] === 'function' || typeof v[Symbol.iterator] === 'function'
}

export class AsyncClient {
  readonly config: ResolvedClientConfig
  #engine: Engine | null = null
  #connecting: Promise<Engine> | null = null
  readonly #inFlight = new Set<Promise<unknown>>()

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

  /** Connect (resolves to this client). Calling it again while connected does nothing. */
  async connect(): Promise<this> {
    if (this.#engine !== null) return this
    this.#connecting ??= (async () => {
      const engine = await createEngine(this.config)
      await engine.connect()
      return engine
    })()
    try {
      this.#engine = await this.#connecting
    } finally {
      this.#connecting = null
    }
    return this
  }

  /** Close the connection, once every call in flight has settled. */
  async close(): Promise<void> {
    const engine = this.#engine
    this.#engine = null
    if (engine === null) return
    // The official addon must not be closed under a command still in flight (it can abort the
    // process), and callers deserve their answers: let every call settle first.
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight])
    await engine.close()
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
    const outcome = createWriteOutcome(array.length)
    await this.#track((engine) =>
      writeWithRetry(
        engine,
        {
          plan: prep.plan,
          data: array,
          rows: allRows(array.length),
          namespace: prep.namespace,
          set: prep.set,
          policy: prep.policy,
          outcome,
        },
        {
          retry: prep.retry,
          ...(o.onRetry === undefined ? {} : { onRetry: o.onRetry as (e: RetryEvent) => void }),
        },
      ),
    )
    return new BatchRecords({
      namespace: prep.namespace,
      set: prep.set,
      outcome,
      keyAt: keyReader(prep.plan, array),
    })
  }

  /** Read `keys` into a structured array of `options.dtype`, one row per key. */
  async batchRead(keys: readonly unknown[], options: BatchReadOptions): Promise<NumpyBatchRecords> {
    const o = checkOptionKeys(options, ['dtype', 'bins', 'policy'], 'batchRead options')
    return this.#readKeys(() => resolveKeys(keys), o, 'batchRead')
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
    const o = checkOptionKeys(
      options,
      ['dtype', 'bins', 'policy', 'keyField'],
      'batchReadNumpy options',
    )
    return this.#readKeys(
      () => resolveNumpyKeys(keys, namespace, set, o.keyField),
      o,
      'batchReadNumpy',
    )
  }

  /** The one read path: checked options, resolved keys, the engine's batch read. */
  async #readKeys(
    resolve: () => ResolvedKey[],
    o: Record<string, unknown>,
    call: string,
  ): Promise<NumpyBatchRecords> {
    if (o.dtype === undefined) {
      throw new ParamError(`${call} needs options.dtype, the structured dtype to read into`)
    }
    const dt = checkDtype(o.dtype)
    const resolved = resolve()
    let bins: readonly string[] | null
    if (o.bins === undefined) {
      const names = binsForReadDtype(dt)
      bins = names.length === 0 ? null : names
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
    const policy = resolveReadPolicy(o.policy)
    const { sink, array } = createReadSink(dt, resolved)
    const outcome = createReadOutcome(resolved.length)
    if (resolved.length > 0) {
      await this.#track((engine) => engine.read({ keys: resolved, bins, policy, sink, outcome }))
    }
    return new NumpyBatchRecords(array, resolved, outcome)
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
   * chunks of `chunkSize` rows (slices, no copy), `concurrency` of them in flight. An array gives
   * one `BatchRecords` for all rows; a stream gives a `StreamWriteSummary` (counts and failed
   * rows only, so a file larger than memory does not become one object per row).
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
    if (options !== null && typeof options === 'object' && options.workers !== undefined) {
      // Loaded on use: the pool brings piscina and its worker threads.
      const { writeNumpyInWorkers } = await import('./pool/write-numpy-workers.js')
      return writeNumpyInWorkers(this, data, namespace, set, dtype, options)
    }
    const bulk = resolveBulkOptions(options)
    const dt = checkDtype(dtype)
    const prep = prepareWrite(namespace, set, dt, bulk)
    if (data instanceof StructuredArray) {
      const array = checkData(data, dt)
      if (array.length === 0) return BatchRecords.empty(prep.namespace, prep.set)
      checkRows(prep.plan, array)
      return this.#track((engine) => this.#writeArray(engine, array, prep, bulk))
    }
    if (isStream(data))
      return this.#track((engine) => this.#writeStream(engine, data, dt, prep, bulk))
    throw new ParamError(
      `data must be a StructuredArray or an (async) iterable of StructuredArrays, got ${describe(data)}`,
    )
  }

  async #writeArray(
    engine: Engine,
    array: StructuredArray,
    prep: PreparedWrite,
    bulk: ReturnType<typeof resolveBulkOptions>,
  ): Promise<BatchRecords> {
    const n = array.length
    const outcome = createWriteOutcome(n)
    const tracker = new ProgressTracker(n, bulk.onProgress)
    const rowIndices = allRows(Math.min(n, bulk.chunkSize))
    const { signal } = bulk
    const { aborted } = await runBounded(
      chunkRanges(n, bulk.chunkSize),
      bulk.concurrency,
      async ([start, end]) => {
        const chunkOutcome = sliceWriteOutcome(outcome, start, end)
        const chunk = array.slice(start, end)
        await bulk.beforeChunk?.(end - start)
        await this.#writeChunk(
          engine,
          prep,
          chunk,
          rowIndices.subarray(0, end - start),
          chunkOutcome,
          bulk,
        )
        tracker.chunkDone(chunkOutcome.resultCodes)
        bulk.onChunkSettled?.({ rowBase: start, data: chunk, outcome: chunkOutcome })
      },
      { signal },
    )
    return new BatchRecords({
      namespace: prep.namespace,
      set: prep.set,
      outcome,
      keyAt: keyReader(prep.plan, array),
      aborted,
    })
  }

  async #writeStream(
    engine: Engine,
    source: StructuredArrayStream,
    dt: Dtype,
    prep: PreparedWrite,
    bulk: ReturnType<typeof resolveBulkOptions>,
  ): Promise<StreamWriteSummary> {
    const summary = new StreamWriteSummary(prep.namespace, prep.set)
    const tracker = new ProgressTracker(null, bulk.onProgress)
    const rowIndices = allRows(bulk.chunkSize)
    let nextRow = 0
    async function* chunks(): AsyncGenerator<{ chunk: StructuredArray; base: number }> {
      for await (const chunk of rechunk(source, bulk.chunkSize)) {
        if (!(chunk instanceof StructuredArray)) {
          throw new ParamError(
            `the stream yielded ${describe(chunk)} at row ${nextRow}, not a StructuredArray`,
          )
        }
        if (!chunk.dtype.equals(dt)) {
          throw new ParamError(
            `the stream's chunk at row ${nextRow} has dtype ${String(chunk.dtype)}, not the dtype argument ${String(dt)}`,
          )
        }
        checkRows(prep.plan, chunk, nextRow)
        const base = nextRow
        nextRow += chunk.length
        yield { chunk, base }
      }
    }
    const { aborted } = await runBounded(
      chunks(),
      bulk.concurrency,
      async ({ chunk, base }) => {
        const outcome = createWriteOutcome(chunk.length)
        await bulk.beforeChunk?.(chunk.length)
        await this.#writeChunk(
          engine,
          prep,
          chunk,
          rowIndices.subarray(0, chunk.length),
          outcome,
          bulk,
        )
        summary.addChunk(base, outcome, keyReader(prep.plan, chunk))
        tracker.chunkDone(outcome.resultCodes)
        bulk.onChunkSettled?.({ rowBase: base, data: chunk, outcome })
      },
      {
        signal: bulk.signal,
        onSkipped: ({ chunk, base }) => {
          summary.addSkipped(base, chunk.length, keyReader(prep.plan, chunk))
          bulk.onChunkSettled?.({
            rowBase: base,
            data: chunk,
            outcome: createWriteOutcome(chunk.length),
          })
        },
      },
    )
    summary.aborted = aborted
    summary.sortFailures()
    return summary
  }

  /** One chunk through the retry loop; a whole-call failure stays in the chunk's result codes. */
  async #writeChunk(
    engine: Engine,
    prep: PreparedWrite,
    data: StructuredArray,
    rows: Uint32Array,
    outcome: ReturnType<typeof createWriteOutcome>,
    bulk: ReturnType<typeof resolveBulkOptions>,
  ): Promise<void> {
    try {
      await writeWithRetry(
        engine,
        {
          plan: prep.plan,
          data,
          rows,
          namespace: prep.namespace,
          set: prep.set,
          policy: prep.policy,
          outcome,
        },
        {
          retry: prep.retry,
          ...(bulk.onRetry === undefined ? {} : { onRetry: bulk.onRetry }),
          ...(bulk.signal === undefined ? {} : { isAborted: () => bulk.signal!.aborted }),
        },
      )
    } catch (error) {
      // writeWithRetry has already put the error's code on every row of the call
      if (!(error instanceof AerospikeError) || error instanceof ParamError) throw error
    }
  }
}
