/**
 * The blocking client: the async client's API with plain return values. Each call is sent to a
 * worker thread running `AsyncClient` with the wire engine and the calling thread sleeps in
 * `Atomics.wait` until the answer arrives (see `channel.ts`).
 */
import type { TransferListItem } from 'node:worker_threads'

import {
  PartialWriteError,
  type AsyncClientConfig,
  type BatchReadNumpyOptions,
  type BatchReadOptions,
  type BatchWriteNumpyOptions,
  type WriteNumpyOptions,
} from '@aerospike-numpy/async'
import {
  BatchRecords,
  DEFAULT_KEY_FIELD,
  NumpyBatchRecords,
  ParamError,
  type KeyBatch,
  type ScanChunk,
} from '@aerospike-numpy/core'
import {
  planFor,
  prepareBatchRead,
  prepareBatchReadNumpy,
  type PreparedRead,
} from '@aerospike-numpy/async/internal'
import {
  KeyColumn,
  describe,
  instanceOf,
  readMetaDtype,
  readingInput,
} from '@aerospike-numpy/core/internal'
import { Dtype, StructuredArray } from '@aerospike-numpy/dtype'

import {
  BlockingWorker,
  STARTUP_LIMIT_MS,
  type BlockingWorkerOptions,
  type CallOutcome,
} from './channel.js'
import { SyncCallTimeoutError, SyncWorkerExitedError, SyncWorkerStartError } from './errors.js'
import type {
  ListenerName,
  OptionsData,
  ReplyValue,
  RequestBody,
  WriteResultData,
} from './messages.js'
import { scanAllSync, scanSync, type Call, type SyncScanNumpyOptions } from './scan.js'
import {
  arrayFromData,
  arrayToData,
  dtypeToData,
  keyBatchToData,
  rebuildError,
} from './transfer.js'

/** The worker entry and its host module are built files, found from src/ (tests) and dist/ alike. */
const DEFAULT_WORKER: BlockingWorkerOptions = {
  workerUrl: new URL('../dist/worker.js', import.meta.url),
  hostModule: new URL('../dist/host.js', import.meta.url).href,
}

export interface SyncClientConfig extends Omit<AsyncClientConfig, 'engine'> {
  /** Always the wire engine: the official addon cannot be loaded in the client's worker thread. */
  engine?: 'wire'
  /**
   * Longest time one blocking call may take, in milliseconds; past it the call throws
   * `SyncCallTimeoutError` (code 9) and its worker is stopped. Default: no limit (a long
   * `writeNumpy` runs to the end; the policies' `totalTimeout` still applies inside). Starting
   * the worker thread (the first call, or the next after a worker was stopped) is not counted:
   * it has its own limit of 30 s.
   */
  callTimeout?: number
}

/** `writeNumpy`'s options without `signal` and the chunk hooks (see `Client.writeNumpy`). */
export type SyncWriteNumpyOptions = Omit<
  WriteNumpyOptions,
  'signal' | 'beforeChunk' | 'onChunkSettled'
>

const LISTENERS: readonly ListenerName[] = ['onProgress', 'onRetry']

/** Which requests write (their failure leaves rows in doubt). */
const WRITES = new Set(['batchWriteNumpy', 'writeNumpy'])

/**
 * What a call cut short (its worker died or was stopped) may have done: a write the worker took
 * may have sent rows; a call it never took did nothing.
 */
function cutShort(op: string, received: boolean): { inDoubt: boolean; done: string } {
  const inDoubt = WRITES.has(op) && received
  const done = inDoubt
    ? '; rows of this call may have been written'
    : received
      ? ''
      : '; it had not taken this call, so nothing of it was done'
  return { inDoubt, done }
}

/**
 * A blocking client. Every call (`connect`, `batchWriteNumpy`, `batchRead`, `writeNumpy`, `close`,
 * `isConnected`) returns its result directly: the calling thread sleeps until the client's worker
 * thread answers, and no timer, promise or I/O callback of the calling thread runs meanwhile.
 *
 * - Rows cross to the worker as one block: an array over a SharedArrayBuffer
 *   (`StructuredArray.zeros(dt, n, { shared: true })`) is shared as is; any other array's rows are
 *   copied once (one memcpy of their span), never row by row.
 * - Results are the async client's classes (`BatchRecords`, `NumpyBatchRecords`), and errors keep
 *   their class, `name`, numeric `code` and message.
 * - Each client has its own worker. If it dies, the call in flight throws `SyncWorkerExitedError`
 *   and the next call starts a new one (reconnecting when the client was connected).
 * - A script that never calls `close()` still exits.
 */
export class Client {
  readonly #config: unknown
  readonly #callTimeout: number | undefined
  readonly #workerOptions: BlockingWorkerOptions
  #worker: BlockingWorker | null = null
  /** The caller connected and has not closed: a replacement worker reconnects. */
  #wantConnected = false
  #workerConnected = false

  /** @internal `workerOptions` lets tests run the real host under a wrapping worker entry. */
  constructor(config: SyncClientConfig, workerOptions: BlockingWorkerOptions = DEFAULT_WORKER) {
    let forwarded: unknown = config
    let callTimeout: unknown
    // The caller's object is read once, here: a getter or Proxy that throws gives a ParamError.
    const plain = readingInput(
      'config',
      () => typeof config === 'object' && config !== null && !Array.isArray(config),
    )
    if (plain) {
      const { callTimeout: timeout, ...rest } = readingInput('config', () => ({
        ...(config as unknown as Record<string, unknown>),
      }))
      callTimeout = timeout
      if (rest.engine !== undefined && rest.engine !== 'wire') {
        throw new ParamError(
          `config.engine ${describe(rest.engine)} is not available in the blocking client: it always runs the 'wire' engine in a worker thread, where the official aerospike addon cannot be loaded (use AsyncClient for engine: 'official')`,
        )
      }
      forwarded = rest
    }
    if (
      callTimeout !== undefined &&
      (typeof callTimeout !== 'number' || !(callTimeout > 0) || Number.isNaN(callTimeout))
    ) {
      throw new ParamError(
        `config.callTimeout must be a positive number of milliseconds (or left out for no limit), got ${describe(callTimeout)}`,
      )
    }
    this.#config = forwarded
    this.#callTimeout = callTimeout as number | undefined
    this.#workerOptions = workerOptions
    // Config errors surface here, as `new AsyncClient(config)` throws them.
    this.#workerFor('client')
  }

  /** Connect to the cluster; returns this client, so `client({...}).connect()` chains. */
  connect(): this {
    const worker = this.#workerFor('connect')
    this.#settle('connect', worker.call({ op: 'connect' }, [], this.#callTimeout))
    this.#wantConnected = true
    this.#workerConnected = true
    return this
  }

  /** Close the connection and end the worker thread. Safe to call twice. */
  close(): void {
    this.#wantConnected = false
    const worker = this.#worker
    if (worker === null) return
    this.#worker = null
    this.#workerConnected = false
    try {
      const outcome = worker.call({ op: 'close' }, [], this.#callTimeout)
      // A worker that is gone has nothing left to close.
      if (outcome.kind !== 'exited') this.#settle('close', outcome)
    } finally {
      worker.stop()
    }
  }

  isConnected(): boolean {
    const worker = this.#worker
    if (worker === null || worker.exited) return false
    const outcome = worker.call({ op: 'isConnected' }, [], this.#callTimeout)
    if (outcome.kind === 'exited') {
      this.#dropWorker()
      return false
    }
    const value = this.#settle('isConnected', outcome)
    return value.kind === 'boolean' && value.value
  }

  /**
   * Write one record per row, all rows in one batch call; returns when every row has a result.
   * Options, results and errors as `AsyncClient.batchWriteNumpy`; `onRetry` is called after the
   * call, once per re-send, in order (the calling thread is blocked while the call runs).
   */
  batchWriteNumpy(
    data: StructuredArray,
    namespace: string,
    set: string,
    dtype: Dtype,
    options?: BatchWriteNumpyOptions,
  ): BatchRecords {
    return this.#write('batchWriteNumpy', data, namespace, set, dtype, options)
  }

  /**
   * Write a large array in chunks, `concurrency` chunks in flight; one `BatchRecords` for all
   * rows. Options as `AsyncClient.writeNumpy` (`chunkSize`, `concurrency`, `retry`, `keyField`,
   * `policy`, `workers`, `onProgress`, `onRetry`), with differences that follow from blocking:
   * - `onProgress` and `onRetry` cannot run while the write goes on (nothing runs on the blocked
   *   thread): they are called after the write has finished, once per event, in the order the
   *   events happened, before `writeNumpy` returns. If one throws, the rest are not called and
   *   `writeNumpy` throws a `PartialWriteError` whose `results` are the write's results and
   *   `cause` the callback's error;
   * - `signal`, `beforeChunk` and `onChunkSettled` are refused (nothing on the blocked thread
   *   could run them while the write goes on); use `callTimeout`, or `AsyncClient.writeNumpy`.
   * `data` must be a StructuredArray: a stream such as `openNpy()` needs `AsyncClient.writeNumpy`.
   */
  writeNumpy(
    data: StructuredArray,
    namespace: string,
    set: string,
    dtype: Dtype,
    options?: SyncWriteNumpyOptions,
  ): BatchRecords {
    return this.#write('writeNumpy', data, namespace, set, dtype, options)
  }

  /**
   * Read records into a structured array of `options.dtype`, one row per key, in key order.
   * Keys, options, results and errors as `AsyncClient.batchRead`.
   */
  batchRead(keys: readonly unknown[] | KeyBatch, options: BatchReadOptions): NumpyBatchRecords {
    return this.#read('batchRead', prepareBatchRead(keys, options))
  }

  /**
   * Read the records of a key column, in key order (an integer typed array, an array of strings,
   * Buffers or integers, or a StructuredArray whose `keyField` holds the keys). Options, results
   * and errors as `AsyncClient.batchReadNumpy`.
   */
  batchReadNumpy(
    keys: unknown,
    namespace: string,
    set: string,
    options: BatchReadNumpyOptions,
  ): NumpyBatchRecords {
    return this.#read('batchReadNumpy', prepareBatchReadNumpy(keys, namespace, set, options))
  }

  /**
   * Arguments are checked and keys resolved here, as the async client does before it reads: only
   * the resolved keys and plain options cross, the rows come back in moved buffers.
   */
  #read(call: 'batchRead' | 'batchReadNumpy', read: PreparedRead): NumpyBatchRecords {
    const value = this.#call(
      {
        op: 'read',
        keys: keyBatchToData(read.keys),
        dtype: dtypeToData(read.dtype),
        bins: read.bins,
        policy: read.policy,
      },
      [],
      call,
    )
    if (value.kind !== 'numpyRead') throw unexpected(call, value)
    return new NumpyBatchRecords(arrayFromData(value.records, read.dtype), read.keys, {
      resultCodes: value.resultCodes,
      meta: arrayFromData(value.meta, readMetaDtype()),
    })
  }

  /**
   * A scan as a blocking iterator: `for (const chunk of client.scanNumpy(ns, set, { dtype }))`.
   * Each step blocks until the next chunk is read; leaving the loop early stops the scan. Options,
   * chunks and errors as `AsyncClient.scanNumpy`, except `signal` (refused: nothing could fire it
   * on the blocked thread) and `onProgress`, whose events are delivered with each chunk.
   */
  scanNumpy(namespace: string, set: string, options: SyncScanNumpyOptions): Iterable<ScanChunk> {
    return scanSync(this.#caller, namespace, set, options)
  }

  /** Every row of a scan in one chunk; options as `scanNumpy`. */
  scanNumpyAll(namespace: string, set: string, options: SyncScanNumpyOptions): ScanChunk {
    return scanAllSync(this.#caller, namespace, set, options)
  }

  readonly #caller: Call = (request, transfer = []) => this.#call(request, transfer)

  #write(
    op: 'batchWriteNumpy' | 'writeNumpy',
    data: unknown,
    namespace: string,
    set: string,
    dtype: unknown,
    options: unknown,
  ): BatchRecords {
    const listeners = new Map<ListenerName, (event: never) => void>()
    let forwarded = options
    if (
      readingInput(
        `${op} options`,
        () => typeof options === 'object' && options !== null && !Array.isArray(options),
      )
    ) {
      const rest: Record<string, unknown> = readingInput(`${op} options`, () => ({
        ...(options as Record<string, unknown>),
      }))
      if (op === 'writeNumpy' && rest.signal !== undefined) {
        throw new ParamError(
          'writeNumpy option signal is not supported by the blocking client: nothing can run on the blocked thread to abort the call; use config.callTimeout, or AsyncClient.writeNumpy',
        )
      }
      for (const hook of ['beforeChunk', 'onChunkSettled'] as const) {
        if (op === 'writeNumpy' && rest[hook] !== undefined) {
          throw new ParamError(
            `writeNumpy option ${hook} is not supported by the blocking client: nothing can run on the blocked thread while the write goes on; use AsyncClient.writeNumpy`,
          )
        }
      }
      for (const name of LISTENERS) {
        const listener = rest[name]
        // A non-function stays in the options for the async client to refuse.
        if (typeof listener === 'function') {
          listeners.set(name, listener as (event: never) => void)
          delete rest[name]
        }
      }
      forwarded = rest
    }
    if (
      op === 'writeNumpy' &&
      !instanceOf(data, StructuredArray) &&
      readingInput('data', () => isIterable(data))
    ) {
      throw new ParamError(
        'the blocking writeNumpy takes a StructuredArray; a stream of arrays (e.g. openNpy()) cannot be read while the calling thread is blocked: use AsyncClient.writeNumpy for streams, or call writeNumpy once per array',
      )
    }
    // The async client's first checks, here: only a Dtype and a StructuredArray can be sent.
    if (!instanceOf(dtype, Dtype)) {
      throw new ParamError(`dtype must be a Dtype (from dtype([...])), got ${describe(dtype)}`)
    }
    if (!instanceOf(data, StructuredArray)) {
      throw new ParamError(`data must be a StructuredArray, got ${describe(data)}`)
    }
    const rows = arrayToData(data)
    const value = this.#call(
      {
        op,
        data: rows.data,
        dtype: dtypeToData(dtype),
        namespace,
        set,
        options: forwarded as OptionsData | undefined,
        listeners: [...listeners.keys()],
      },
      rows.transfer,
    )
    if (value.kind !== 'write') throw unexpected(op, value)
    const result = writeResult(value, namespace, set, dtype, forwarded)
    if (value.interrupted !== undefined) {
      const error = rebuildError(value.interrupted, new Error().stack)
      if (error instanceof PartialWriteError) error.results = result
      try {
        replay(listeners, value.events)
      } catch {
        // the write's own error is the one to report
      }
      throw error
    }
    try {
      replay(listeners, value.events)
    } catch (error) {
      // As in the async client: the callback's error, with the results of the rows it concerns.
      throw new PartialWriteError(error, result, op)
    }
    return result
  }

  /**
   * One request on a live worker (started, and reconnected, if the last one died); `call` is the
   * method errors name.
   */
  #call(
    request: RequestBody,
    transfer: readonly TransferListItem[] = [],
    call: string = request.op,
  ): ReplyValue {
    const worker = this.#workerFor(call)
    return this.#settle(call, worker.call(request, transfer, this.#callTimeout))
  }

  #workerFor(op: string): BlockingWorker {
    let worker = this.#worker
    if (worker !== null && worker.exited) {
      this.#worker = null
      worker = null
    }
    if (worker === null) {
      try {
        worker = new BlockingWorker(this.#workerOptions)
      } catch (error) {
        throw new SyncWorkerStartError(
          `${op}: the blocking client could not start its worker thread: ${(error as Error).message}`,
          { cause: error },
        )
      }
      this.#workerConnected = false
      // Part of starting the worker (the thread loads the client before it takes this): bounded
      // by the start-up limit, not by callTimeout, which bounds the calls' own work.
      const init = worker.call(
        { op: 'init', config: this.#config as OptionsData },
        [],
        STARTUP_LIMIT_MS,
      )
      if (init.kind !== 'result') {
        // A worker whose client could not be made (bad config) is of no use: end it.
        worker.stop()
        this.#settle(op, init)
      }
      this.#worker = worker
    }
    if (this.#wantConnected && !this.#workerConnected) {
      this.#settle(op, worker.call({ op: 'connect' }, [], this.#callTimeout))
      this.#workerConnected = true
    }
    return worker
  }

  /** The value of a finished call, or the error it ended with (rebuilt on this thread). */
  #settle(op: string, outcome: CallOutcome): ReplyValue {
    switch (outcome.kind) {
      case 'result':
        return outcome.value
      case 'error':
        throw rebuildError(outcome.error, new Error().stack)
      case 'notCloneable':
        throw new ParamError(
          `${op}: an argument cannot be sent to the client's worker thread (only data crosses threads, not functions or class instances): ${(outcome.error as Error).message}`,
          { cause: outcome.error },
        )
      case 'exited': {
        this.#dropWorker()
        const cause = outcome.error === undefined ? undefined : rebuildError(outcome.error)
        const { inDoubt, done } = cutShort(op, outcome.received)
        throw new SyncWorkerExitedError(
          `${op}: the blocking client's worker thread exited (code ${outcome.exitCode}${cause === undefined ? '' : `, ${cause.name}: ${cause.message}`}) before answering${done}. The next call starts a new worker.`,
          outcome.exitCode,
          { ...(cause === undefined ? {} : { cause }), inDoubt },
        )
      }
      case 'timeout': {
        this.#dropWorker()
        const { inDoubt, done } = cutShort(op, outcome.received)
        throw new SyncCallTimeoutError(
          `${op} did not finish within callTimeout ${outcome.timeoutMs} ms; its worker thread was stopped${done}. The next call starts a new worker.`,
          outcome.timeoutMs,
          { inDoubt },
        )
      }
    }
  }

  #dropWorker(): void {
    this.#worker?.stop()
    this.#worker = null
    this.#workerConnected = false
  }
}

/** `client(config).connect()`, as the guide spells it. */
export function client(config: SyncClientConfig): Client {
  return new Client(config)
}

/**
 * The write's results on this thread. The keys are the column the worker's write loop captured
 * (moved here), so a result never reads the caller's rows once the call has returned.
 */
function writeResult(
  value: WriteResultData,
  namespace: string,
  set: string,
  dtype: Dtype,
  options: unknown,
): BatchRecords {
  const n = value.resultCodes.length
  if (n === 0) return BatchRecords.empty(namespace, set)
  const keyField = (options as { keyField?: unknown } | undefined)?.keyField
  // The async client's cached plan: no plan compiled per call.
  const plan = planFor(dtype, typeof keyField === 'string' ? keyField : DEFAULT_KEY_FIELD)
  return new BatchRecords({
    namespace,
    set,
    outcome: {
      resultCodes: value.resultCodes,
      generations: value.generations,
      ttls: value.ttls,
      inDoubt: value.inDoubt,
    },
    keys: new KeyColumn(plan.key, n, value.keys),
    aborted: value.aborted,
  })
}

/** The events of the caller's callbacks, in the order they happened; the first throw stops them. */
function replay(
  listeners: ReadonlyMap<ListenerName, (event: never) => void>,
  events: WriteResultData['events'],
): void {
  for (const { listener, event } of events) listeners.get(listener)?.(event as never)
}

function unexpected(op: string, value: ReplyValue): Error {
  return new Error(`internal: ${op} got a ${value.kind} reply`)
}

function isIterable(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<symbol, unknown>
  return typeof v[Symbol.asyncIterator] === 'function' || typeof v[Symbol.iterator] === 'function'
}
