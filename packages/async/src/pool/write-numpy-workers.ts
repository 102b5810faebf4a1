/**
 * `writeNumpy(..., { workers })`: chunks are encoded and written by a piscina pool of worker
 * threads, each with its own wire-engine cluster connection, so the caller's event loop only
 * dispatches chunks and counts results. Rows reach the workers through a SharedArrayBuffer
 * (copied into one once if the array is not already shared; never per row), and results come
 * back the same way. Progress and AbortSignal work as without workers.
 */
import { fileURLToPath } from 'node:url'
import { Piscina } from 'piscina'
import {
  BatchRecords,
  fromErrorData,
  ParamError,
  RESULT_NOT_SENT,
  createWriteOutcome,
  describe,
  sliceWriteOutcome,
  type RetryEvent,
  type WriteOutcome,
} from '@aerospike-numpy/core'
import { StructuredArray, type Dtype } from '@aerospike-numpy/dtype'
import type { AsyncClient, StructuredArrayStream, WriteNumpyResult } from '../client.js'
import {
  ProgressTracker,
  StreamWriteSummary,
  chunkRanges,
  rechunk,
  resolveBulkOptions,
  runBounded,
  type WriteNumpyOptions,
} from '../chunks.js'
import * as asyncErrors from '../errors.js'
import { clusterConfigFor } from '../wire/engine.js'
import { checkData, checkDtype, checkRows, prepareWrite } from '../write-args.js'
import type { SharedOutcome, SharedRows, WriteChunkResult, WriteChunkTask } from './messages.js'

const MAX_WORKERS = 64
/** Error classes a worker may throw besides dtype's and core's. */
const ERROR_MODULES: readonly object[] = [asyncErrors]

/** The worker entry, always from dist/ (worker threads cannot load TypeScript sources). */
function workerFilename(): string {
  const here = fileURLToPath(import.meta.url)
  if (here.endsWith('.js')) return fileURLToPath(new URL('./worker.js', import.meta.url))
  return fileURLToPath(new URL('../../dist/pool/worker.js', import.meta.url))
}

/**
 * The rows as a SharedArrayBuffer: the array's own when it is shared, else a new one that rows are
 * copied into once, chunk by chunk as chunks are dispatched (`prepare(start, end)`), so the first
 * touch of a large buffer never blocks the event loop in one piece.
 */
export function shareRows(data: StructuredArray): {
  rows: SharedRows
  prepare: (start: number, end: number) => void
} {
  // toSpec, not descr: descr turns gaps between fields into padding fields that would become bins
  const spec = data.dtype.toSpec()
  const { stride, length } = data
  if (data.buffer instanceof SharedArrayBuffer) {
    return {
      rows: { spec, buffer: data.buffer, byteOffset: data.byteOffset, stride, length },
      prepare: () => {},
    }
  }
  const size = length === 0 ? 0 : (length - 1) * stride + data.dtype.itemsize
  const buffer = new SharedArrayBuffer(size)
  const target = new Uint8Array(buffer)
  const source = new Uint8Array(data.buffer, data.byteOffset, size)
  return {
    rows: { spec, buffer, byteOffset: 0, stride, length },
    prepare: (start, end) => {
      const from = start * stride
      const to = Math.min(size, end * stride)
      target.set(source.subarray(from, to), from)
    },
  }
}

/** Shared result arrays; `resultCodes` is filled with RESULT_NOT_SENT per chunk by the caller. */
function sharedOutcome(length: number): { shared: SharedOutcome; outcome: WriteOutcome } {
  const shared: SharedOutcome = {
    resultCodes: new SharedArrayBuffer(length * 4),
    generations: new SharedArrayBuffer(length * 4),
    ttls: new SharedArrayBuffer(length * 4),
    inDoubt: new SharedArrayBuffer(length),
  }
  const outcome: WriteOutcome = {
    resultCodes: new Int32Array(shared.resultCodes),
    generations: new Uint32Array(shared.generations),
    ttls: new Uint32Array(shared.ttls),
    inDoubt: new Uint8Array(shared.inDoubt),
  }
  return { shared, outcome }
}

function keyReader(
  plan: { key: { value(src: Uint8Array, rowOffset: number, row: number): unknown } },
  data: StructuredArray,
) {
  const src = new Uint8Array(data.buffer)
  return (row: number) => plan.key.value(src, data.byteOffset + row * data.stride, row) as never
}

export async function writeNumpyInWorkers(
  client: AsyncClient,
  data: StructuredArray | StructuredArrayStream,
  namespace: string,
  set: string,
  dtype: Dtype,
  options: WriteNumpyOptions,
): Promise<WriteNumpyResult> {
  const bulk = resolveBulkOptions(options)
  const workers = bulk.workers
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
  if (client.engineKind !== 'wire') {
    throw new ParamError(
      "writeNumpy({ workers }) runs the wire engine in worker threads (the official client cannot be loaded there); create the client with engine: 'wire'",
    )
  }
  const dt = checkDtype(dtype)
  const prep = prepareWrite(namespace, set, dt, bulk)
  // The caller must be connected, as without workers; each worker connects on its own.
  void client.engine
  const cluster = clusterConfigFor(client.config)
  const base = {
    cluster,
    namespace: prep.namespace,
    set: prep.set,
    keyField: prep.plan.keyField,
    validityField: prep.plan.validity?.field.name ?? null,
    policy: bulk.policy,
    retry: bulk.retry,
  }
  const pool = new Piscina({
    filename: workerFilename(),
    minThreads: workers,
    maxThreads: workers,
    concurrentTasksPerWorker: bulk.concurrency,
    idleTimeout: 60_000,
  })
  const runChunk = async (
    rows: SharedRows,
    shared: SharedOutcome,
    start: number,
    end: number,
  ): Promise<void> => {
    const task: WriteChunkTask = { ...base, rows, outcome: shared, start, end }
    const result = (await pool.run(task)) as WriteChunkResult
    if (result.error !== undefined) {
      throw fromErrorData(result.error, { modules: ERROR_MODULES, origin: 'a writeNumpy worker' })
    }
    if (bulk.onRetry !== undefined) for (const e of result.retries) bulk.onRetry(e as RetryEvent)
  }
  try {
    if (data instanceof StructuredArray) {
      const array = checkData(data, dt)
      if (array.length === 0) return BatchRecords.empty(prep.namespace, prep.set)
      checkRows(prep.plan, array)
      const { rows, prepare } = shareRows(array)
      const { shared, outcome } = sharedOutcome(array.length)
      const tracker = new ProgressTracker(array.length, bulk.onProgress)
      let dispatched = 0
      const { aborted } = await runBounded(
        chunkRanges(array.length, bulk.chunkSize),
        workers * bulk.concurrency,
        async ([start, end]) => {
          await bulk.beforeChunk?.(end - start)
          prepare(start, end)
          outcome.resultCodes.fill(RESULT_NOT_SENT, start, end)
          dispatched = Math.max(dispatched, end)
          await runChunk(rows, shared, start, end)
          tracker.chunkDone(outcome.resultCodes.subarray(start, end))
          bulk.onChunkSettled?.({
            rowBase: start,
            data: array.slice(start, end),
            outcome: sliceWriteOutcome(outcome, start, end),
          })
        },
        { signal: bulk.signal },
      )
      // Rows never dispatched (abort, or a chunk that threw) were not sent.
      outcome.resultCodes.fill(RESULT_NOT_SENT, dispatched)
      return new BatchRecords({
        namespace: prep.namespace,
        set: prep.set,
        outcome,
        keyAt: keyReader(prep.plan, array),
        aborted,
      })
    }
    if (
      typeof data !== 'object' ||
      data === null ||
      !(Symbol.asyncIterator in data || Symbol.iterator in data)
    ) {
      throw new ParamError(
        `data must be a StructuredArray or an (async) iterable of StructuredArrays, got ${describe(data)}`,
      )
    }
    // A stream: each chunk is shared (one copy) and written by the pool as it arrives.
    const summary = new StreamWriteSummary(prep.namespace, prep.set)
    const tracker = new ProgressTracker(null, bulk.onProgress)
    let nextRow = 0
    async function* chunks(): AsyncGenerator<{ chunk: StructuredArray; base: number }> {
      for await (const chunk of rechunk(data as StructuredArrayStream, bulk.chunkSize)) {
        if (!(chunk instanceof StructuredArray) || !chunk.dtype.equals(dt)) {
          throw new ParamError(
            `the stream's chunk at row ${nextRow} is not a StructuredArray of dtype ${dt.str}`,
          )
        }
        checkRows(prep.plan, chunk, nextRow)
        const at = nextRow
        nextRow += chunk.length
        yield { chunk, base: at }
      }
    }
    const { aborted } = await runBounded(
      chunks(),
      workers * bulk.concurrency,
      async ({ chunk, base: at }) => {
        const { shared, outcome } = sharedOutcome(chunk.length)
        outcome.resultCodes.fill(RESULT_NOT_SENT)
        await bulk.beforeChunk?.(chunk.length)
        const { rows, prepare } = shareRows(chunk)
        prepare(0, chunk.length)
        await runChunk(rows, shared, 0, chunk.length)
        summary.addChunk(at, outcome, keyReader(prep.plan, chunk))
        tracker.chunkDone(outcome.resultCodes)
        bulk.onChunkSettled?.({ rowBase: at, data: chunk, outcome })
      },
      {
        signal: bulk.signal,
        onSkipped: ({ chunk, base: at }) => {
          summary.addSkipped(at, chunk.length, keyReader(prep.plan, chunk))
          bulk.onChunkSettled?.({
            rowBase: at,
            data: chunk,
            outcome: createWriteOutcome(chunk.length),
          })
        },
      },
    )
    summary.aborted = aborted
    return summary
  } finally {
    await pool.destroy()
  }
}
