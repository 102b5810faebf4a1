/**
 * Every message that crosses between the calling thread and the sync client's worker, in one
 * place. Only structured-cloneable data: plain objects, strings, numbers, bigints, typed arrays,
 * (Shared)ArrayBuffers. Classes (StructuredArray, Dtype, BatchRecords, errors) are taken apart on
 * one side and rebuilt on the other by `transfer.ts`.
 */
import type { MessagePort, ResourceLimits } from 'node:worker_threads'

import type { KeyGroup, ResolvedReadPolicy, UserKey } from '@aerospike-numpy/core'
import type { ErrorData } from '@aerospike-numpy/core/internal'

/** The control words the threads share (an Int32Array over a SharedArrayBuffer). */
export const CONTROL_WORDS = 4
/** Bumped by the worker after it posts a reply (and once more when it exits): what the caller waits on. */
export const CONTROL_REPLY_COUNT = 0
/** Set to 1 by the worker's exit hook, or by the watcher: the worker is gone, nothing more will come. */
export const CONTROL_EXITED = 1
/** Set to 1 by the worker once its exit hook is installed (or by the watcher when it died first). */
export const CONTROL_READY = 2
/**
 * The id of the last request the worker took from the channel, stored before it acts on it: a
 * call whose id is above it when the worker dies was never received, so nothing of it was done.
 */
export const CONTROL_RECEIVED = 3

/** What the worker gets as `workerData`. */
export interface WorkerBootData {
  readonly control: SharedArrayBuffer
  /** The worker's end of the request/reply channel (transferred). */
  readonly port: MessagePort
  /** Module the worker imports to serve requests (its `handleRequest` export). */
  readonly hostModule: string
}

/**
 * What the watcher thread gets as `workerData`. The watcher starts the worker and wakes the
 * caller when it exits, however it exits: a worker killed by its heap limit (or any death that
 * runs no JavaScript) cannot run its own exit hook.
 */
export interface WatcherBootData {
  /** The worker entry (file URL). */
  readonly entry: string
  /** Handed on to the worker (its `port` transferred again). */
  readonly boot: WorkerBootData
  /** Where the watcher posts the worker's exit (`Reply` of kind 'exit'). */
  readonly report: MessagePort
  readonly resourceLimits: ResourceLimits | undefined
}

/**
 * A `Dtype` as data, in the spec forms `dtype()` accepts: a scalar's `str` (`'<f4'`), a
 * sub-array `[base, shape]`, or for a structured dtype numpy's dict form, which keeps names,
 * offsets, padding and itemsize exactly (so numpy equality survives the trip).
 */
export type DtypeData =
  | string
  | readonly [DtypeData, readonly number[]]
  | {
      readonly names: readonly string[]
      readonly formats: readonly DtypeData[]
      readonly offsets: readonly number[]
      readonly itemsize: number
      readonly aligned: boolean
    }

/**
 * A `StructuredArray` as data: the rows' bytes (a fresh copy transferred, or the caller's
 * SharedArrayBuffer shared) plus the layout to read them.
 */
export interface ArrayData {
  readonly dtype: DtypeData
  readonly buffer: ArrayBuffer | SharedArrayBuffer
  readonly byteOffset: number
  readonly stride: number
  readonly length: number
}

/** Options with their functions removed (a callback cannot cross a thread). */
export type OptionsData = Readonly<Record<string, unknown>>

/** The write options that are callbacks: the worker records their events for the caller to replay. */
export type ListenerName = 'onProgress' | 'onRetry'

/** One recorded callback event, in the order it happened. */
export interface ListenerEvent {
  readonly listener: ListenerName
  readonly event: OptionsData
}

export type RequestBody =
  | { readonly op: 'init'; readonly config: OptionsData }
  | { readonly op: 'connect' }
  | { readonly op: 'close' }
  | { readonly op: 'isConnected' }
  | {
      readonly op: 'batchWriteNumpy' | 'writeNumpy'
      readonly data: ArrayData
      readonly dtype: DtypeData
      readonly namespace: string
      readonly set: string
      /** The options without their callbacks. */
      readonly options: OptionsData | undefined
      /** Callbacks the caller gave: their events are recorded and replayed after the call. */
      readonly listeners: readonly ListenerName[]
    }
  | {
      /**
       * `batchRead` and `batchReadNumpy` alike: checked and resolved on the calling thread, so
       * only resolved keys and plain options cross.
       */
      readonly op: 'read'
      readonly keys: KeyBatchData
      readonly dtype: DtypeData
      readonly bins: readonly string[] | null
      readonly policy: ResolvedReadPolicy
    }
  | {
      /** `scanNumpyAll`, or `scanOpen` to start an iterated scan (then `scanNext`, `scanClose`). */
      readonly op: 'scanNumpyAll' | 'scanOpen'
      readonly namespace: string
      readonly set: string
      /** The scan options without `dtype` and callbacks. */
      readonly options: OptionsData | undefined
      readonly dtype: DtypeData | undefined
      readonly listeners: readonly 'onProgress'[]
    }
  | { readonly op: 'scanNext' | 'scanClose'; readonly scan: number }

export type Request = RequestBody & { readonly id: number }

/** Per-row outcome of a write, indexed by row (the WriteOutcome arrays of the engine). */
export interface WriteResultData {
  readonly kind: 'write'
  readonly resultCodes: Int32Array
  readonly generations: Uint32Array
  readonly ttls: Uint32Array
  readonly inDoubt: Uint8Array
  /** The rows' keys, captured by the write (the key field's bytes, row after row). */
  readonly keys: Uint8Array
  readonly aborted: boolean
  /** Events of the caller's callbacks (`onProgress`, `onRetry`), in the order they happened. */
  readonly events: readonly ListenerEvent[]
  /** The write stopped after rows were sent (a `PartialWriteError`): these results are its `results`. */
  readonly interrupted: ErrorData | undefined
}

/** A `KeyBatch` as data (its digests and group indices cloned: the caller keeps its batch). */
export interface KeyBatchData {
  readonly groups: readonly KeyGroup[]
  readonly groupOf: Uint32Array
  readonly digests: Uint8Array
  /**
   * The user keys; when every one is a number, as one Float64Array (a clone of an array costs a
   * step per element: ~85 µs for 1,000 keys, against ~3 µs for their 8 KB).
   */
  readonly userKeys: readonly (UserKey | null)[] | Float64Array
}

/** A read into a structured array: its bytes and the per-key arrays (the caller has the keys). */
export interface NumpyReadResultData {
  readonly kind: 'numpyRead'
  readonly records: ArrayData
  readonly resultCodes: Int32Array
  /** gen (u4) and ttl (u4) per key, as the result's `meta` array. */
  readonly meta: ArrayData
}

/** One chunk of a scan: rows, digests and meta, moved. */
export interface ScanChunkData {
  readonly records: ArrayData
  readonly digests: Uint8Array
  readonly meta: ArrayData
  readonly length: number
}

export interface ScanResultData {
  readonly kind: 'scanChunk'
  /** null: the scan has ended. */
  readonly chunk: ScanChunkData | null
  /** `onProgress` events since the last reply. */
  readonly events: readonly ListenerEvent[]
}

export type ReplyValue =
  | { readonly kind: 'none' }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'scanOpened'; readonly scan: number }
  | WriteResultData
  | NumpyReadResultData
  | ScanResultData

/** Errors travel as core's `ErrorData` (`toErrorData` / `fromErrorData`). */
export type { ErrorData }

export type Reply =
  | { readonly kind: 'result'; readonly id: number; readonly value: ReplyValue }
  | { readonly kind: 'error'; readonly id: number; readonly error: ErrorData }
  /** Posted by the worker's exit hook; `error` is what killed it, when known. */
  | { readonly kind: 'exit'; readonly code: number; readonly error: ErrorData | undefined }
