/**
 * The blocking client's scans, on the calling thread: options checked here
 * (so mistakes throw where the call was made), the work done by the worker's async client, chunks
 * rebuilt from moved buffers. An iterated scan is a plain (synchronous) iterator: each `next()`
 * blocks until the worker has the next chunk; leaving the loop early stops the scan.
 */
import type { TransferListItem } from 'node:worker_threads'

import type { ScanNumpyOptions } from '@aerospike-numpy/async'
import { prepareScan } from '@aerospike-numpy/async/internal'
import { ParamError, type ScanChunk } from '@aerospike-numpy/core'
import type { Dtype } from '@aerospike-numpy/dtype'

import type {
  ListenerEvent,
  OptionsData,
  ReplyValue,
  RequestBody,
  ScanResultData,
} from './messages.js'
import { arrayFromData, dtypeFromData, dtypeToData } from './transfer.js'

/** Sends one request to the worker and returns its answer (or throws its error). */
export type Call = (request: RequestBody, transfer?: readonly TransferListItem[]) => ReplyValue

/** `scanNumpy`'s options without `signal` (nothing on a blocked thread could fire it). */
export type SyncScanNumpyOptions = Omit<ScanNumpyOptions, 'signal'>

interface SplitScan {
  options: OptionsData
  dtype: Dtype
  onProgress: ((progress: never) => void) | undefined
}

function splitScanOptions(
  namespace: unknown,
  set: unknown,
  options: unknown,
  where: string,
): SplitScan {
  if (
    typeof options === 'object' &&
    options !== null &&
    (options as { signal?: unknown }).signal !== undefined
  ) {
    throw new ParamError(
      `${where} option signal is not supported by the blocking client: nothing can run on the blocked thread to abort the call; leave the loop (break) or use config.callTimeout`,
    )
  }
  // Every check of the async client, here, before anything crosses to the worker.
  const scan = prepareScan(namespace, set, options, where)
  const { dtype: _dtype, onProgress, ...rest } = options as ScanNumpyOptions
  return {
    options: rest as unknown as OptionsData,
    dtype: scan.dtype,
    onProgress: onProgress as SplitScan['onProgress'],
  }
}

function replay(
  events: readonly ListenerEvent[],
  listener: ((event: never) => void) | undefined,
): void {
  if (listener === undefined) return
  for (const { event } of events) listener(event as never)
}

function chunkFrom(value: ReplyValue, dtype: Dtype): ScanChunk | null {
  if (value.kind !== 'scanChunk') throw new Error(`internal: a scan got a ${value.kind} reply`)
  const data = value.chunk
  if (data === null) return null
  return {
    records: arrayFromData(data.records, dtype),
    digests: data.digests,
    meta: arrayFromData(data.meta, dtypeFromData(data.meta.dtype)),
    length: data.length,
  }
}

export function scanAllSync(
  call: Call,
  namespace: string,
  set: string,
  options: SyncScanNumpyOptions,
): ScanChunk {
  const split = splitScanOptions(namespace, set, options, 'scanNumpyAll')
  const value = call({
    op: 'scanNumpyAll',
    namespace,
    set,
    options: split.options,
    dtype: dtypeToData(split.dtype),
    listeners: split.onProgress === undefined ? [] : ['onProgress'],
  })
  const chunk = chunkFrom(value, split.dtype)
  replay((value as ScanResultData).events, split.onProgress)
  if (chunk === null) throw new Error('internal: scanNumpyAll got no chunk')
  return chunk
}

/** One run of an iterated scan. */
class BlockingScan implements IterableIterator<ScanChunk> {
  #id: number | null = null
  #done = false

  constructor(
    private readonly call: Call,
    private readonly namespace: string,
    private readonly set: string,
    private readonly split: SplitScan,
  ) {}

  [Symbol.iterator](): this {
    return this
  }

  next(): IteratorResult<ScanChunk> {
    if (this.#done) return { done: true, value: undefined }
    try {
      if (this.#id === null) {
        const opened = this.call({
          op: 'scanOpen',
          namespace: this.namespace,
          set: this.set,
          options: this.split.options,
          dtype: dtypeToData(this.split.dtype),
          listeners: this.split.onProgress === undefined ? [] : ['onProgress'],
        })
        if (opened.kind !== 'scanOpened') throw new Error(`internal: scanOpen got ${opened.kind}`)
        this.#id = opened.scan
      }
      const value = this.call({ op: 'scanNext', scan: this.#id })
      const chunk = chunkFrom(value, this.split.dtype)
      replay((value as ScanResultData).events, this.split.onProgress)
      if (chunk === null) {
        this.#done = true
        return { done: true, value: undefined }
      }
      return { done: false, value: chunk }
    } catch (error) {
      // The worker ended the scan (its error) or died: nothing to close.
      this.#done = true
      throw error
    }
  }

  /** Leaving the loop early: the worker stops the scan and closes its requests. */
  return(): IteratorResult<ScanChunk> {
    if (!this.#done && this.#id !== null) {
      this.#done = true
      this.call({ op: 'scanClose', scan: this.#id })
    }
    this.#done = true
    return { done: true, value: undefined }
  }
}

export function scanSync(
  call: Call,
  namespace: string,
  set: string,
  options: SyncScanNumpyOptions,
): Iterable<ScanChunk> {
  const split = splitScanOptions(namespace, set, options, 'scanNumpy')
  return {
    [Symbol.iterator]: () => new BlockingScan(call, namespace, set, split),
  }
}
