// One function per contender. Each writes rows [0, rows) of a dataset and returns the
// measurement with every row's result code; none of them decides what the numbers mean.

import type { AsyncClient } from '@aerospike-numpy/async'
import { POLICY_KEY_SEND } from '@aerospike-numpy/core'
import type { Dataset } from './datasets.js'
import type { Measurement } from './measure.js'
import { runChunked, runWhole } from './measure.js'

/** The same generous timeouts for every contender: a slow call is measured, not failed. */
export const BENCH_POLICY = { totalTimeout: 30_000, socketTimeout: 30_000 } as const

/** The rows the scans read are written with their key, so that a scan can say which row it got. */
export const KEY_STORED_POLICY = { ...BENCH_POLICY, key: POLICY_KEY_SEND } as const

type WritePolicy = typeof BENCH_POLICY | typeof KEY_STORED_POLICY

export interface RunShape {
  rows: number
  chunkSize: number
  concurrency: number
  /** Start no new call after this many seconds (0 or absent: write every row). */
  maxSeconds?: number
  onRows?: (rows: number) => void
}

/** `batchWriteNumpy` on slices of the array, `concurrency` calls in flight. */
export function numpyBatches(
  client: AsyncClient,
  namespace: string,
  dataset: Dataset,
  shape: RunShape,
  policy: WritePolicy = BENCH_POLICY,
): Promise<Measurement> {
  return runChunked(
    shape.rows,
    shape.chunkSize,
    shape.concurrency,
    async (start, end, codes) => {
      const result = await client.batchWriteNumpy(
        dataset.data.slice(start, end),
        namespace,
        dataset.set,
        dataset.dtype,
        { policy },
      )
      if (result.resultCodes.length !== end - start) {
        throw new Error(
          `batchWriteNumpy returned ${result.resultCodes.length} results for ${end - start} rows`,
        )
      }
      codes.set(result.resultCodes, start)
    },
    { onRows: shape.onRows, maxSeconds: shape.maxSeconds },
  )
}

/** The blocking client's `batchWriteNumpy` (one call at a time: it blocks the thread). */
export interface SyncWriter {
  batchWriteNumpy(
    data: Dataset['data'],
    namespace: string,
    set: string,
    dt: Dataset['dtype'],
    options: { policy: typeof BENCH_POLICY },
  ): { resultCodes: Int32Array }
}

export function syncBatches(
  client: SyncWriter,
  namespace: string,
  dataset: Dataset,
  shape: Omit<RunShape, 'concurrency'>,
): Promise<Measurement> {
  return runChunked(
    shape.rows,
    shape.chunkSize,
    1,
    async (start, end, codes) => {
      const result = client.batchWriteNumpy(
        dataset.data.slice(start, end),
        namespace,
        dataset.set,
        dataset.dtype,
        { policy: BENCH_POLICY },
      )
      codes.set(result.resultCodes, start)
    },
    { onRows: shape.onRows, maxSeconds: shape.maxSeconds },
  )
}

/** The bulk helper `writeNumpy`, optionally with a pool of worker threads. */
export function bulkWrite(
  client: AsyncClient,
  namespace: string,
  dataset: Dataset,
  shape: RunShape & { workers: number },
): Promise<Measurement> {
  let reported = 0
  return runWhole(shape.rows, async (codes) => {
    const result = await client.writeNumpy(
      dataset.data.slice(0, shape.rows),
      namespace,
      dataset.set,
      dataset.dtype,
      {
        chunkSize: shape.chunkSize,
        concurrency: shape.concurrency,
        policy: BENCH_POLICY,
        ...(shape.workers > 0 ? { workers: shape.workers } : {}),
        onProgress: (progress) => {
          shape.onRows?.(progress.rowsDone - reported)
          reported = progress.rowsDone
        },
      },
    )
    codes.set(result.resultCodes, 0)
  })
}
