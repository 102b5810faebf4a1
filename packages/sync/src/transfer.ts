/**
 * Dtypes, structured arrays and result arrays taken apart into cloneable data and rebuilt on the
 * other thread. Rows cross as one block of bytes — the caller's SharedArrayBuffer shared as is, or
 * a single copy of the rows' span moved (transferred), never a copy per row.
 */
import type { TransferListItem } from 'node:worker_threads'

import { KeyBatch, type UserKey } from '@aerospike-numpy/core'
import { dtype as makeDtype, type Dtype, StructuredArray } from '@aerospike-numpy/dtype'

import * as asyncExports from '@aerospike-numpy/async'
import { fromErrorData, type ErrorData } from '@aerospike-numpy/core/internal'

import * as syncErrors from './errors.js'
import type { ArrayData, DtypeData, KeyBatchData } from './messages.js'

const dataByDtype = new WeakMap<Dtype, DtypeData>()

/** The spec a `dtype()` call turns back into an equal Dtype (cached per Dtype object). */
export function dtypeToData(dt: Dtype): DtypeData {
  let data = dataByDtype.get(dt)
  if (data === undefined) {
    data = describeDtype(dt)
    dataByDtype.set(dt, data)
  }
  return data
}

function describeDtype(dt: Dtype): DtypeData {
  if (dt.isStructured && dt.fields !== null) {
    return {
      names: dt.fields.map((f) => f.name),
      formats: dt.fields.map((f) => describeDtype(f.dtype)),
      offsets: dt.fields.map((f) => f.offset),
      itemsize: dt.itemsize,
      aligned: dt.isAlignedStruct,
    }
  }
  if (dt.isSubarray) return [describeDtype(dt.base), [...dt.shape]]
  return dt.str
}

/**
 * Dtypes rebuilt from data, by their JSON text: a script writing the same dtype again and again
 * gets the same Dtype object each time, so plans compiled for it are reused.
 */
const dtypeByText = new Map<string, Dtype>()
const DTYPE_CACHE_LIMIT = 256

export function dtypeFromData(data: DtypeData): Dtype {
  const text = JSON.stringify(data)
  let dt = dtypeByText.get(text)
  if (dt === undefined) {
    dt = makeDtype(data as Parameters<typeof makeDtype>[0])
    if (dtypeByText.size >= DTYPE_CACHE_LIMIT) dtypeByText.clear()
    dtypeByText.set(text, dt)
  }
  return dt
}

export interface Transferable<T> {
  readonly data: T
  readonly transfer: TransferListItem[]
}

/**
 * The rows of `array` as data. A SharedArrayBuffer is shared (no copy); otherwise the rows' byte
 * span is copied once into a fresh buffer that is moved to the other thread, so the caller's
 * array stays untouched and usable.
 */
export function arrayToData(array: StructuredArray): Transferable<ArrayData> {
  const dtype = dtypeToData(array.dtype)
  if (array.buffer instanceof SharedArrayBuffer) {
    return {
      data: {
        dtype,
        buffer: array.buffer,
        byteOffset: array.byteOffset,
        stride: array.stride,
        length: array.length,
      },
      transfer: [],
    }
  }
  const copy = array.bytes.slice()
  return {
    data: { dtype, buffer: copy.buffer, byteOffset: 0, stride: array.stride, length: array.length },
    transfer: [copy.buffer],
  }
}

/**
 * An array the other side may keep: its own buffer moved when this side owns all of it
 * (a freshly built result), a copy of its span otherwise.
 */
export function movableArrayToData(array: StructuredArray): Transferable<ArrayData> {
  const buffer = array.buffer
  if (
    buffer instanceof ArrayBuffer &&
    array.byteOffset === 0 &&
    array.bytes.byteLength === buffer.byteLength
  ) {
    return {
      data: {
        dtype: dtypeToData(array.dtype),
        buffer,
        byteOffset: 0,
        stride: array.stride,
        length: array.length,
      },
      transfer: [buffer],
    }
  }
  return arrayToData(array)
}

/**
 * An array whose whole buffer this side owns, even when the array uses only its start (a scan
 * chunk allocated for more rows than it got): the buffer is moved as it is, never copied.
 */
export function ownedArrayToData(array: StructuredArray): Transferable<ArrayData> {
  const buffer = array.buffer
  if (!(buffer instanceof ArrayBuffer)) return arrayToData(array)
  return {
    data: {
      dtype: dtypeToData(array.dtype),
      buffer,
      byteOffset: array.byteOffset,
      stride: array.stride,
      length: array.length,
    },
    transfer: [buffer],
  }
}

export function arrayFromData(
  data: ArrayData,
  dt: Dtype = dtypeFromData(data.dtype),
): StructuredArray {
  return StructuredArray.fromBuffer(dt, data.buffer, {
    byteOffset: data.byteOffset,
    stride: data.stride,
    length: data.length,
  })
}

/**
 * A key batch as data: its two buffers and the user keys are cloned (one copy each, none per
 * key), so the caller keeps its batch for the result.
 */
export function keyBatchToData(keys: KeyBatch): KeyBatchData {
  return {
    groups: keys.groups,
    groupOf: ownSpan(keys.groupOf),
    digests: ownSpan(keys.digests),
    userKeys: numbersOnly(keys.userKeys) ?? keys.userKeys,
  }
}

/** The keys as one Float64Array when each is a number (exactly: a double holds any number). */
function numbersOnly(userKeys: readonly (UserKey | null)[]): Float64Array | undefined {
  const n = userKeys.length
  const numbers = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const key = userKeys[i]
    if (typeof key !== 'number') return undefined
    numbers[i] = key
  }
  return numbers
}

/** A view that spans its whole buffer (cloning a view clones all of its buffer). */
function ownSpan<T extends Uint8Array | Uint32Array>(view: T): T {
  return view.byteOffset === 0 && view.byteLength === view.buffer.byteLength
    ? view
    : (view.slice() as T)
}

/** The batch again, checked by its constructor like any batch from outside. */
export function keyBatchFromData(data: KeyBatchData): KeyBatch {
  const userKeys = data.userKeys instanceof Float64Array ? numberList(data.userKeys) : data.userKeys
  return new KeyBatch(data.groups, data.groupOf, data.digests, userKeys)
}

/** The numbers as an array, by index (`Array.from` walks an iterator: ~15× slower at 1,000). */
function numberList(numbers: Float64Array): number[] {
  const list = new Array<number>(numbers.length)
  for (let i = 0; i < numbers.length; i++) list[i] = numbers[i]!
  return list
}

type NumericArray = Int32Array | Uint32Array | Uint8Array

/**
 * `view` ready to be moved: itself when it spans a whole ArrayBuffer not already listed (its
 * buffer is added to `transfer`), else a copy (which is then moved).
 */
export function movable<T extends NumericArray>(view: T, transfer: TransferListItem[]): T {
  const buffer = view.buffer
  const whole =
    buffer instanceof ArrayBuffer &&
    view.byteOffset === 0 &&
    view.byteLength === buffer.byteLength &&
    !transfer.includes(buffer)
  const out = whole ? view : (view.slice() as T)
  transfer.push(out.buffer as ArrayBuffer)
  return out
}

/** Error classes the worker may throw besides dtype's and core's. */
const ERROR_MODULES: readonly object[] = [asyncExports, syncErrors]

/**
 * An error from the worker, rebuilt by core's one serializer as the same class; `callerStack` is
 * where the blocking call was made on this thread.
 */
export function rebuildError(data: ErrorData, callerStack?: string): Error {
  return fromErrorData(data, {
    modules: ERROR_MODULES,
    callerStack,
    origin: "the sync client's worker thread",
  })
}
