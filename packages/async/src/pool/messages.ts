/**
 * Everything that crosses between the calling thread and the pool's worker threads, in one place.
 * Only cloneable data: rows and per-row results stay in SharedArrayBuffers both sides see, so a
 * task carries where they are, not their bytes.
 */
import type { ClusterConfig } from '@aerospike-numpy/cluster'
import type { ErrorData, ResolvedWritePolicy } from '@aerospike-numpy/core'

/** Given to every worker at start (`workerData`): the cluster its engine connects to. */
export interface PoolWorkerData {
  readonly cluster: ClusterConfig
}

/** A window of a SharedArrayBuffer holding `length` elements of a typed array. */
export interface SharedView {
  readonly buffer: SharedArrayBuffer
  readonly byteOffset: number
  readonly length: number
}

/** One attempt at writing some rows of a chunk: core's `WriteJob`, as data. */
export interface WriteTask {
  /**
   * The dtype as `JSON.stringify(dtype.toSpec())`: numpy's dict form with every offset and the
   * itemsize, so padding and field order cross exactly (and the text keys the worker's cache).
   */
  readonly dtype: string
  readonly keyField: string
  /** The plan's `validityField` (a per-row bitmap of the bins to write), or null. */
  readonly validityField: string | null
  readonly rows: {
    readonly buffer: SharedArrayBuffer
    readonly byteOffset: number
    readonly stride: number
    readonly length: number
  }
  /** Indices into `rows` to send (all of the chunk, or the rows being re-sent). */
  readonly rowIndices: Uint32Array
  readonly namespace: string
  readonly set: string
  readonly policy: ResolvedWritePolicy
  /** Filled in place by the worker, indexed like `rows`. */
  readonly outcome: {
    readonly resultCodes: SharedView
    readonly generations: SharedView
    readonly ttls: SharedView
    readonly inDoubt: SharedView
  }
}

/** The answer to a task: its rows' results are in the shared outcome; `error` is a whole-call failure. */
export interface WriteTaskReply {
  readonly error: ErrorData | null
}
