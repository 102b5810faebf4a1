/**
 * What crosses the thread boundary between `writeNumpyInWorkers` and its piscina workers: only
 * cloneable data. Rows and results live in SharedArrayBuffers, so a task carries offsets, not bytes.
 */
import type { ClusterConfig } from '@aerospike-numpy/cluster'
import type { ErrorData } from '@aerospike-numpy/core'

export interface SharedRows {
  /** The dtype's `toSpec()` (rebuilds an equal dtype in the worker, gaps between fields included). */
  spec: unknown
  buffer: SharedArrayBuffer
  byteOffset: number
  stride: number
  length: number
}

/** Per-row results, indexed like the rows; the worker writes them in place. */
export interface SharedOutcome {
  resultCodes: SharedArrayBuffer
  generations: SharedArrayBuffer
  ttls: SharedArrayBuffer
  inDoubt: SharedArrayBuffer
}

export interface WriteChunkTask {
  cluster: ClusterConfig
  rows: SharedRows
  outcome: SharedOutcome
  namespace: string
  set: string
  keyField: string
  validityField: string | null
  /** The caller's `policy` and `retry` options, validated on the calling thread. */
  policy: unknown
  retry: unknown
  /** Rows [start, end) of `rows` to write. */
  start: number
  end: number
}

export interface RetryEventMessage {
  attempt: number
  rows: number
  delayMs: number
}

export interface WriteChunkResult {
  retries: RetryEventMessage[]
  /** The chunk's failure, taken apart by core's serializer (a thrown error would lose its class). */
  error?: ErrorData
}
