// Rows of a dtype over a byte buffer: row i starts at `byteOffset + i * stride`. Views (slice,
// fromBuffer, S/V values) share the buffer; `get` returns copies in typed arrays.

import { describeValue, readOptions, readingInput } from './args.js'
import { compileReader, compileWriter, columnFactory, isArrayLike } from './codec.js'
import type { Reader, RowValue, TypedColumn, Writer } from './codec.js'
import { dtype as makeDtype } from './dtype.js'
import type { DtypeSpec, Dtype } from './dtype.js'
import { ArrayValueError } from './errors.js'

/** What `get(field)` returns: a typed-array copy for numbers, views for S/V, strings for U, a view for a nested struct. */
export type Column = TypedColumn | Uint8Array[] | string[] | RowValue[] | StructuredArray

export interface FromBufferOptions {
  /** Where row 0 starts, in bytes from the start of `source` (default 0). */
  readonly byteOffset?: number
  /** Number of rows (default: as many as fit). */
  readonly length?: number
  /** Bytes from one row to the next (default: the itemsize). */
  readonly stride?: number
}

export interface ZerosOptions {
  /** Allocate a SharedArrayBuffer (rows shared with worker threads without copying). */
  readonly shared?: boolean
}

/** Column input for `set` and `fromColumns`: flat (length × elements) or one entry per row. */
export type ColumnInput = ArrayLike<unknown> | StructuredArray

interface Compiled {
  readonly write: Writer
  readonly read: Reader
  readonly fields: ReadonlyMap<string, { readonly write: Writer; readonly read: Reader }>
}
const compiledCache = new WeakMap<Dtype, Compiled>()

function compiled(dt: Dtype): Compiled {
  let c = compiledCache.get(dt)
  if (!c) {
    const fields = new Map<string, { write: Writer; read: Reader }>()
    for (const f of dt.fields ?? []) {
      fields.set(f.name, {
        write: compileWriter(f.dtype, f.name),
        read: compileReader(f.dtype, f.name),
      })
    }
    c = { write: compileWriter(dt, ''), read: compileReader(dt, ''), fields }
    compiledCache.set(dt, c)
  }
  return c
}

function toDtype(spec: Dtype | DtypeSpec): Dtype {
  return makeDtype(spec)
}

function valueError(message: string, cause?: unknown): ArrayValueError {
  return new ArrayValueError('ARRAY_VALUE', message, { cause })
}

/** Run `read` over the caller's values: a getter or Proxy that throws becomes an ArrayValueError. */
function readingValues<T>(what: string, read: () => T): T {
  return readingInput(read, (detail, cause) =>
    valueError(`${what} could not be read: ${detail}`, cause),
  )
}

function zerosOptions(options: unknown): { shared: boolean } {
  const o = readOptions(options, ['shared'], 'options', valueError)
  if (o.shared !== undefined && typeof o.shared !== 'boolean') {
    throw valueError(`options.shared must be true or false, got ${describeValue(o.shared)}`)
  }
  return { shared: o.shared === true }
}

function checkFieldName(name: unknown): string {
  if (typeof name !== 'string') {
    throw new ArrayValueError(
      'ARRAY_FIELD',
      `a field name must be a string, got ${describeValue(name)}`,
    )
  }
  return name
}

/** A rows argument: an array, a typed array, or any iterable (read once), and its length. */
function rowList(rows: unknown): { list: ArrayLike<unknown>; length: number } {
  return readingValues('rows', () => {
    let list: ArrayLike<unknown>
    if (isArrayLike(rows)) list = rows
    else if (
      typeof rows === 'object' &&
      rows !== null &&
      typeof (rows as Iterable<unknown>)[Symbol.iterator] === 'function'
    ) {
      list = Array.from(rows as Iterable<unknown>)
    } else {
      throw valueError(`rows must be an array or an iterable of rows, got ${describeValue(rows)}`)
    }
    return { list, length: list.length }
  })
}

function checkCount(what: string, n: unknown): number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new ArrayValueError(
      'ARRAY_LENGTH',
      `${what} ${describeValue(n)} must be a non-negative integer`,
    )
  }
  return n
}

function allocate(bytes: number, shared: boolean): ArrayBuffer | SharedArrayBuffer {
  try {
    return shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes)
  } catch (err) {
    throw new ArrayValueError('ARRAY_LENGTH', `cannot allocate ${bytes} bytes`, { cause: err })
  }
}

export class StructuredArray implements Iterable<RowValue> {
  readonly dtype: Dtype
  readonly length: number
  readonly buffer: ArrayBufferLike
  /** Byte offset of row 0 in `buffer`. */
  readonly byteOffset: number
  /** Bytes from one row to the next (≥ itemsize). */
  readonly stride: number
  /** DataView over the rows' span; row i at `i * stride`. */
  readonly view: DataView

  private constructor(
    dt: Dtype,
    buffer: ArrayBufferLike,
    byteOffset: number,
    length: number,
    stride: number,
  ) {
    this.dtype = dt
    this.buffer = buffer
    this.byteOffset = byteOffset
    this.length = length
    this.stride = stride
    this.view = new DataView(buffer, byteOffset, spanOf(length, stride, dt.itemsize))
  }

  /** `length` rows of zero bytes. */
  static zeros(
    spec: Dtype | DtypeSpec,
    length: number,
    options: ZerosOptions = {},
  ): StructuredArray {
    const dt = toDtype(spec)
    const n = checkCount('length', length)
    const { shared } = zerosOptions(options)
    return new StructuredArray(dt, allocate(n * dt.itemsize, shared), 0, n, dt.itemsize)
  }

  /**
   * One row per entry: an array of field values in field order, or an object keyed by field name
   * (every field, no others). For a non-structured dtype each row is the value itself.
   */
  static fromRows(
    spec: Dtype | DtypeSpec,
    rows: ArrayLike<unknown> | Iterable<unknown>,
    options: ZerosOptions = {},
  ): StructuredArray {
    const dt = toDtype(spec)
    const { list, length } = rowList(rows)
    const out = StructuredArray.zeros(dt, length, options)
    const write = compiled(dt).write
    readingValues('rows', () => {
      for (let i = 0; i < length; i++) write(out.view, i * dt.itemsize, list[i], i)
    })
    return out
  }

  /** One column per field, keyed by field name (every field, no others), as for `set`. */
  static fromColumns(
    spec: Dtype | DtypeSpec,
    columns: Readonly<Record<string, ColumnInput>>,
    options: ZerosOptions = {},
  ): StructuredArray {
    const dt = toDtype(spec)
    const fields = dt.fields
    if (!fields)
      throw new ArrayValueError(
        'ARRAY_FIELD',
        `fromColumns needs a structured dtype, got ${dt.str}`,
      )
    // One read of each column (a getter runs once), own keys only.
    const given = readingValues('columns', () => {
      if (typeof columns !== 'object' || columns === null || Array.isArray(columns)) {
        throw valueError(
          `columns must be an object keyed by field name, got ${describeValue(columns)}`,
        )
      }
      const out = new Map<string, unknown>()
      for (const key of Object.keys(columns)) {
        if (!dt.field(key))
          throw new ArrayValueError(
            'ARRAY_FIELD',
            `no field named ${JSON.stringify(key)} in ${dt.toString()}`,
          )
        out.set(key, columns[key])
      }
      return out
    })
    let length: number | null = null
    for (const f of fields) {
      const col = given.get(f.name) as ColumnInput | undefined
      if (col === undefined)
        throw new ArrayValueError(
          'ARRAY_FIELD',
          `missing column for field ${JSON.stringify(f.name)}`,
        )
      const n = rowsInColumn(col, f.dtype.count, f.name)
      if (length !== null && n !== length) {
        throw new ArrayValueError(
          'ARRAY_LENGTH',
          `column ${JSON.stringify(f.name)} has ${n} rows, others have ${length}`,
        )
      }
      length = n
    }
    const out = StructuredArray.zeros(dt, length ?? 0, options)
    for (const f of fields) out.set(f.name, given.get(f.name) as ColumnInput)
    return out
  }

  /**
   * Rows over existing bytes, without copying. `source` may be an ArrayBuffer, a SharedArrayBuffer
   * or any view (Uint8Array, Buffer, ...); `byteOffset` counts from the start of the view.
   */
  static fromBuffer(
    spec: Dtype | DtypeSpec,
    source: ArrayBufferLike | ArrayBufferView,
    options: FromBufferOptions = {},
  ): StructuredArray {
    const dt = toDtype(spec)
    const isView = ArrayBuffer.isView(source)
    if (!isView && !isArrayBuffer(source)) {
      throw new ArrayValueError(
        'ARRAY_BUFFER',
        `source must be an ArrayBuffer, a SharedArrayBuffer or a view of one (Uint8Array, Buffer, …), got ${describeValue(source)}`,
      )
    }
    const buffer = isView ? source.buffer : source
    const base = isView ? source.byteOffset : 0
    const size = source.byteLength
    const o = readOptions(options, ['byteOffset', 'length', 'stride'], 'options', valueError)
    const offset = checkCount('byteOffset', o.byteOffset ?? 0)
    const stride = checkCount('stride', o.stride ?? dt.itemsize)
    if (stride < dt.itemsize) {
      throw new ArrayValueError(
        'ARRAY_BUFFER',
        `stride ${stride} is smaller than the itemsize ${dt.itemsize}`,
      )
    }
    if (offset > size)
      throw new ArrayValueError(
        'ARRAY_BUFFER',
        `byteOffset ${offset} is beyond the ${size}-byte buffer`,
      )
    const available = size - offset
    let length: number
    if (o.length === undefined) {
      length =
        available < dt.itemsize || stride === 0
          ? 0
          : Math.floor((available - dt.itemsize) / stride) + 1
    } else {
      length = checkCount('length', o.length)
      const need = spanOf(length, stride, dt.itemsize)
      if (need > available) {
        throw new ArrayValueError(
          'ARRAY_BUFFER',
          `${length} rows of ${dt.itemsize} bytes with stride ${stride} need ${need} bytes from offset ${offset}, the buffer has ${available}`,
        )
      }
    }
    return new StructuredArray(dt, buffer, base + offset, length, stride)
  }

  /** The rows' bytes, a view (no copy); includes the gaps between rows when `stride > itemsize`. */
  get bytes(): Uint8Array {
    return new Uint8Array(this.buffer, this.byteOffset, this.view.byteLength)
  }

  private rowBytes(): Uint8Array {
    return new Uint8Array(this.buffer, this.byteOffset, this.view.byteLength)
  }

  /** Rows laid out back to back (stride = itemsize). */
  get isContiguous(): boolean {
    return this.stride === this.dtype.itemsize || this.length <= 1
  }

  /**
   * A copy of one field as a column: a typed array for numbers (BigInt64Array / BigUint64Array
   * for 8-byte ints and datetimes, Float32Array for f2 halves, interleaved re/im for complex,
   * Uint8Array of 0/1 for bool), row-major length × n for a sub-array of n elements;
   * `Uint8Array` views for S/V; strings for U; a StructuredArray view for a nested struct.
   */
  get(name: string): Column {
    const f = this.dtype.field(checkFieldName(name))
    if (!f)
      throw new ArrayValueError(
        'ARRAY_FIELD',
        `no field named ${JSON.stringify(name)} in ${this.dtype.toString()}`,
      )
    return this.column(f.dtype, f.offset, name)
  }

  /** The whole element as a column, for a non-structured dtype (e.g. a 2-D `.npy` as N × 128 floats). */
  values(): Column {
    return this.column(this.dtype, 0, '')
  }

  private column(dt: Dtype, offset: number, path: string): Column {
    const leaf = dt.base
    const count = dt.count
    const factory = columnFactory(leaf)
    if (factory) {
      const out = factory.alloc(this.length * count)
      if (factory.rawCopy) {
        copyStrided(
          this.rowBytes(),
          offset,
          this.stride,
          bytesOf(out),
          0,
          dt.itemsize,
          this.length,
          dt.itemsize,
        )
      } else {
        factory.fill(out, this.view, offset, this.length, leaf.itemsize, count, 0, this.stride)
      }
      return out
    }
    if (dt.isStructured) {
      return StructuredArray.fromBuffer(dt, this.buffer, {
        byteOffset: this.byteOffset + offset,
        length: this.length,
        stride: this.stride,
      })
    }
    const read = compileReader(leaf, path)
    const out: RowValue[] = []
    for (let r = 0; r < this.length; r++) {
      for (let k = 0; k < count; k++)
        out.push(read(this.view, r * this.stride + offset + k * leaf.itemsize))
    }
    return out as Column
  }

  /**
   * Write one field for every row. `values` is flat (length × n values for a sub-array of n
   * elements) or one entry per row (an array of n values, flat or nested, per row).
   */
  set(name: string, values: ColumnInput): void {
    const f = this.dtype.field(checkFieldName(name))
    if (!f)
      throw new ArrayValueError(
        'ARRAY_FIELD',
        `no field named ${JSON.stringify(name)} in ${this.dtype.toString()}`,
      )
    const write = compiled(this.dtype).fields.get(name)?.write as Writer
    readingValues(`values for field ${JSON.stringify(name)}`, () =>
      this.writeColumn(f.dtype, f.offset, name, values, write),
    )
  }

  /** Write the whole element of every row, for a non-structured dtype; input as for `set`. */
  setValues(values: ColumnInput): void {
    const write = compiled(this.dtype).write
    readingValues('values', () => this.writeColumn(this.dtype, 0, '', values, write))
  }

  private writeColumn(
    dt: Dtype,
    offset: number,
    path: string,
    values: ColumnInput,
    writeRow: Writer,
  ): void {
    if (values instanceof StructuredArray) {
      // A field from another array of the same dtype (e.g. a nested struct): copy the bytes.
      if (!values.dtype.equals(dt)) {
        throw new ArrayValueError(
          'ARRAY_VALUE',
          `values for ${path || 'the array'} have dtype ${values.dtype.toString()}, not ${dt.toString()}`,
        )
      }
      if (values.length !== this.length) {
        throw new ArrayValueError(
          'ARRAY_LENGTH',
          `${values.length} rows given for ${path || 'the array'} of ${this.length} rows`,
        )
      }
      const src = new Uint8Array(values.buffer, values.byteOffset, values.view.byteLength)
      copyStrided(
        src,
        0,
        values.stride,
        this.rowBytes(),
        offset,
        this.stride,
        this.length,
        dt.itemsize,
      )
      return
    }
    if (!isArrayLike(values))
      throw new ArrayValueError(
        'ARRAY_VALUE',
        `values for ${path || 'the array'} must be an array or typed array`,
      )
    const count = dt.count
    const n = this.length
    const factory = columnFactory(dt.base)
    if (factory?.rawCopy && ArrayBuffer.isView(values)) {
      // Typed arrays of the column's own type (or any numbers into a float column) hold valid
      // values by construction: copy bytes instead of checking element by element.
      const expected = n * count * factory.width
      let src: ArrayBufferView | null = null
      if (values.length === expected && values.constructor === factory.alloc(0).constructor)
        src = values
      else if (
        values.length === expected &&
        dt.base.kind === 'f' &&
        !(values instanceof BigInt64Array || values instanceof BigUint64Array)
      ) {
        src =
          dt.base.itemsize === 4
            ? new Float32Array(values as ArrayLike<number>)
            : new Float64Array(values as ArrayLike<number>)
      }
      if (src) {
        copyStrided(
          bytesOf(src),
          0,
          dt.itemsize,
          this.rowBytes(),
          offset,
          this.stride,
          n,
          dt.itemsize,
        )
        return
      }
    }
    if (dt.isSubarray && values.length === n * count && n * count !== n) {
      const leafWrite = compileWriter(dt.base, path)
      const step = dt.base.itemsize
      for (let r = 0; r < n; r++) {
        const o = r * this.stride + offset
        for (let k = 0; k < count; k++) leafWrite(this.view, o + k * step, values[r * count + k], r)
      }
      return
    }
    if (values.length !== n) {
      throw new ArrayValueError(
        'ARRAY_LENGTH',
        `${values.length} values given for ${path ? `field ${JSON.stringify(path)} of ` : ''}${n} rows${count > 1 ? ` (or ${n * count} flat)` : ''}`,
      )
    }
    for (let r = 0; r < n; r++) writeRow(this.view, r * this.stride + offset, values[r], r)
  }

  /** Row `i` as a value: an object keyed by field name for a structured dtype. */
  row(i: number): RowValue {
    return compiled(this.dtype).read(this.view, this.checkIndex(i) * this.stride)
  }

  /** Overwrite row `i` (same input as one entry of `fromRows`). */
  setRow(i: number, value: unknown): void {
    const r = this.checkIndex(i)
    const write = compiled(this.dtype).write
    readingValues(`row ${r}`, () => write(this.view, r * this.stride, value, r))
  }

  private checkIndex(i: number): number {
    if (!Number.isInteger(i) || i < 0 || i >= this.length) {
      throw new ArrayValueError(
        'ARRAY_INDEX',
        `row ${describeValue(i)} is out of range 0..${this.length - 1}`,
      )
    }
    return i
  }

  /** Rows `start` to `end` (exclusive; negative counts from the end, as Array.prototype.slice) sharing this buffer. */
  slice(start = 0, end = this.length): StructuredArray {
    if (
      typeof start !== 'number' ||
      Number.isNaN(start) ||
      typeof end !== 'number' ||
      Number.isNaN(end)
    ) {
      throw new ArrayValueError('ARRAY_INDEX', `slice bounds must be numbers`)
    }
    const clamp = (x: number): number => {
      const t = Math.trunc(x)
      return t < 0 ? Math.max(0, this.length + t) : Math.min(this.length, t)
    }
    const a = clamp(start)
    const b = Math.max(a, clamp(end))
    return new StructuredArray(
      this.dtype,
      this.buffer,
      this.byteOffset + a * this.stride,
      b - a,
      this.stride,
    )
  }

  /** A contiguous copy in a new buffer. */
  copy(options: ZerosOptions = {}): StructuredArray {
    const out = StructuredArray.zeros(this.dtype, this.length, zerosOptions(options))
    const dst = new Uint8Array(out.buffer)
    const src = this.bytes
    const size = this.dtype.itemsize
    if (this.isContiguous) dst.set(src.subarray(0, this.length * size))
    else
      for (let i = 0; i < this.length; i++)
        dst.set(src.subarray(i * this.stride, i * this.stride + size), i * size)
    return out
  }

  *[Symbol.iterator](): Iterator<RowValue> {
    for (let i = 0; i < this.length; i++) yield this.row(i)
  }
}

const arrayBufferLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength')
  ?.get as (this: unknown) => number
const sharedBufferLength = Object.getOwnPropertyDescriptor(
  SharedArrayBuffer.prototype,
  'byteLength',
)?.get as (this: unknown) => number

/** A real (Shared)ArrayBuffer: brand-checked, so a Proxy or a look-alike object is not one. */
function isArrayBuffer(value: unknown): value is ArrayBuffer | SharedArrayBuffer {
  for (const brand of [arrayBufferLength, sharedBufferLength]) {
    try {
      brand.call(value)
      return true
    } catch {
      // not this kind
    }
  }
  return false
}

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength)
}

/** Copy `rows` blocks of `width` bytes from `src` (every `srcStride`) to `dst` (every `dstStride`). */
function copyStrided(
  src: Uint8Array,
  srcOffset: number,
  srcStride: number,
  dst: Uint8Array,
  dstOffset: number,
  dstStride: number,
  rows: number,
  width: number,
): void {
  if (srcStride === width && dstStride === width) {
    dst.set(src.subarray(srcOffset, srcOffset + rows * width), dstOffset)
    return
  }
  for (let r = 0; r < rows; r++) {
    const s = srcOffset + r * srcStride
    dst.set(src.subarray(s, s + width), dstOffset + r * dstStride)
  }
}

function spanOf(length: number, stride: number, itemsize: number): number {
  return length === 0 ? 0 : (length - 1) * stride + itemsize
}

function rowsInColumn(col: ColumnInput, count: number, name: string): number {
  if (col instanceof StructuredArray) return col.length
  if (!isArrayLike(col))
    throw new ArrayValueError(
      'ARRAY_VALUE',
      `column ${JSON.stringify(name)} must be an array or typed array`,
    )
  if (count === 1 || col.length === 0 || isArrayLike(col[0])) return col.length
  if (col.length % count !== 0) {
    throw new ArrayValueError(
      'ARRAY_LENGTH',
      `column ${JSON.stringify(name)} has ${col.length} values, not a multiple of ${count} per row`,
    )
  }
  return col.length / count
}
