// Per-kind readers and writers, compiled once per dtype into closures that read or write one
// value at a byte offset of a DataView. Byte order is bound at compile time, so non-native
// (big-endian) fields read and write through the same path as native ones.

import type { Dtype } from './dtype.js'
import { ArrayValueError } from './errors.js'
import { doubleToHalfBits, halfBitsToDouble } from './half.js'
import { INT64_MAX, INT64_MIN, UINT64_MAX, intRange } from './int-range.js'

export interface Complex {
  re: number
  im: number
}
export type TypedColumn =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array
/** A value of one row: scalars, `Uint8Array` views for S/V, flat typed arrays for numeric sub-arrays, objects for structs. */
export type RowValue =
  | number
  | bigint
  | boolean
  | string
  | Complex
  | Uint8Array
  | TypedColumn
  | readonly RowValue[]
  | { readonly [field: string]: RowValue }

export type Reader = (view: DataView, offset: number) => RowValue
/** Writes `value` at `offset`; `row` only names the row in error messages. */
export type Writer = (view: DataView, offset: number, value: unknown, row: number) => void

export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 37) + '...' : v)
  if (typeof v === 'bigint') return `${v}n`
  if (v === null) return 'null'
  if (v === undefined) return 'undefined'
  if (v instanceof Uint8Array) return `Uint8Array(${v.length})`
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}`
  if (Array.isArray(v)) return `an array of ${v.length}`
  if (typeof v === 'object') return 'an object'
  return String(v)
}

export function valueError(path: string, row: number, message: string): ArrayValueError {
  const where = path === '' ? `row ${row}` : `row ${row}, field ${JSON.stringify(path)}`
  return new ArrayValueError('ARRAY_VALUE', `${where}: ${message}`)
}

function intWriter(dt: Dtype, path: string): Writer {
  const le = dt.byteOrder !== '>'
  if (dt.itemsize === 8) {
    const signed = dt.kind === 'i'
    const min = signed ? INT64_MIN : 0n
    const max = signed ? INT64_MAX : UINT64_MAX
    return (view, offset, value, row) => {
      let b: bigint
      if (typeof value === 'bigint') b = value
      else if (typeof value === 'number' && Number.isInteger(value)) b = BigInt(value)
      else
        throw valueError(
          path,
          row,
          `${describeValue(value)} is not an integer (field is ${dt.str})`,
        )
      if (b < min || b > max) throw valueError(path, row, `${b} does not fit ${dt.str}`)
      if (signed) view.setBigInt64(offset, b, le)
      else view.setBigUint64(offset, b, le)
    }
  }
  const { min, max, set } = intRange(dt.kind, dt.itemsize)!
  return (view, offset, value, row) => {
    let n: number
    if (typeof value === 'number' && Number.isInteger(value)) n = value
    else if (typeof value === 'bigint' && value >= BigInt(min) && value <= BigInt(max))
      n = Number(value)
    else if (typeof value === 'bigint')
      throw valueError(path, row, `${value} does not fit ${dt.str}`)
    else
      throw valueError(path, row, `${describeValue(value)} is not an integer (field is ${dt.str})`)
    if (n < min || n > max) throw valueError(path, row, `${n} does not fit ${dt.str}`)
    set(view, offset, n, le)
  }
}

function toFloat(value: unknown, path: string, row: number, dt: Dtype): number {
  if (typeof value === 'number') return value
  if (typeof value === 'bigint') return Number(value)
  throw valueError(path, row, `${describeValue(value)} is not a number (field is ${dt.str})`)
}

function floatWriter(dt: Dtype, path: string): Writer {
  const le = dt.byteOrder !== '>'
  if (dt.itemsize === 2) {
    return (view, offset, value, row) =>
      view.setUint16(offset, doubleToHalfBits(toFloat(value, path, row, dt)), le)
  }
  if (dt.itemsize === 4)
    return (view, offset, value, row) => view.setFloat32(offset, toFloat(value, path, row, dt), le)
  return (view, offset, value, row) => view.setFloat64(offset, toFloat(value, path, row, dt), le)
}

function complexWriter(dt: Dtype, path: string): Writer {
  const le = dt.byteOrder !== '>'
  const half = dt.itemsize / 2
  const put =
    half === 4
      ? (v: DataView, o: number, x: number) => v.setFloat32(o, x, le)
      : (v: DataView, o: number, x: number) => v.setFloat64(o, x, le)
  return (view, offset, value, row) => {
    let re: unknown
    let im: unknown = 0
    if (typeof value === 'number' || typeof value === 'bigint') re = value
    else if (Array.isArray(value) && value.length === 2) [re, im] = value as unknown[]
    else if (typeof value === 'object' && value !== null && 're' in value && 'im' in value) {
      re = (value as Complex).re
      im = (value as Complex).im
    } else
      throw valueError(
        path,
        row,
        `${describeValue(value)} is not a complex number ({re, im}, [re, im] or a number)`,
      )
    put(view, offset, toFloat(re, path, row, dt))
    put(view, offset + half, toFloat(im, path, row, dt))
  }
}

const utf8 = new TextEncoder()

function bytesWriter(dt: Dtype, path: string): Writer {
  const width = dt.itemsize
  return (view, offset, value, row) => {
    let src: Uint8Array
    if (value instanceof Uint8Array) src = value
    else if (typeof value === 'string' && dt.kind === 'S') src = utf8.encode(value)
    else if (ArrayBuffer.isView(value) && dt.kind === 'V')
      src = new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
    else
      throw valueError(
        path,
        row,
        `${describeValue(value)} is not ${dt.kind === 'S' ? 'a Uint8Array or a string' : 'a Uint8Array'} (field is ${dt.str})`,
      )
    if (src.length > width) throw valueError(path, row, `${src.length} bytes do not fit ${dt.str}`)
    const dst = new Uint8Array(view.buffer, view.byteOffset + offset, width)
    dst.set(src)
    dst.fill(0, src.length)
  }
}

function unicodeWriter(dt: Dtype, path: string): Writer {
  const le = dt.byteOrder !== '>'
  const chars = dt.itemsize / 4
  return (view, offset, value, row) => {
    if (typeof value !== 'string')
      throw valueError(path, row, `${describeValue(value)} is not a string (field is ${dt.str})`)
    let i = 0
    for (const ch of value) {
      if (i === chars)
        throw valueError(
          path,
          row,
          `string of more than ${chars} characters does not fit ${dt.str}`,
        )
      const cp = ch.codePointAt(0) as number
      if (cp >= 0xd800 && cp <= 0xdfff) throw valueError(path, row, 'string holds a lone surrogate')
      view.setUint32(offset + 4 * i, cp, le)
      i++
    }
    for (; i < chars; i++) view.setUint32(offset + 4 * i, 0, le)
  }
}

function boolWriter(path: string): Writer {
  return (view, offset, value, row) => {
    if (typeof value === 'boolean') view.setUint8(offset, value ? 1 : 0)
    else if (value === 0 || value === 1) view.setUint8(offset, value)
    else throw valueError(path, row, `${describeValue(value)} is not a boolean (or 0/1)`)
  }
}

function timeWriter(dt: Dtype, path: string): Writer {
  const le = dt.byteOrder !== '>'
  return (view, offset, value, row) => {
    let b: bigint
    if (typeof value === 'bigint') b = value
    else if (typeof value === 'number' && Number.isInteger(value)) b = BigInt(value)
    else
      throw valueError(
        path,
        row,
        `${describeValue(value)} is not an integer count of ${dt.timeUnit || 'generic units'}`,
      )
    if (b < INT64_MIN || b > INT64_MAX) throw valueError(path, row, `${b} does not fit ${dt.str}`)
    view.setBigInt64(offset, b, le)
  }
}

/** A writer for one value of `dt` (a scalar, a sub-array given flat or nested, or a struct given as an object or array). */
export function compileWriter(dt: Dtype, path: string): Writer {
  if (dt.fields) {
    const fields = dt.fields.map((f) => ({
      name: f.name,
      offset: f.offset,
      write: compileWriter(f.dtype, path === '' ? f.name : `${path}.${f.name}`),
    }))
    const names = new Set(fields.map((f) => f.name))
    return (view, offset, value, row) => {
      if (Array.isArray(value)) {
        if (value.length !== fields.length) {
          throw valueError(path, row, `${value.length} values given for ${fields.length} fields`)
        }
        for (let i = 0; i < fields.length; i++) {
          const f = fields[i] as (typeof fields)[number]
          f.write(view, offset + f.offset, value[i], row)
        }
        return
      }
      if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) {
        throw valueError(
          path,
          row,
          `${describeValue(value)} is not a row (an array or an object keyed by field name)`,
        )
      }
      const obj = value as Record<string, unknown>
      for (const key in obj) {
        if (!names.has(key)) throw valueError(path, row, `no field named ${JSON.stringify(key)}`)
      }
      for (const f of fields) {
        if (!(f.name in obj)) throw valueError(path, row, `missing field ${JSON.stringify(f.name)}`)
        f.write(view, offset + f.offset, obj[f.name], row)
      }
    }
  }
  if (dt.isSubarray) {
    const count = dt.count
    const step = dt.base.itemsize
    const shape = dt.shape
    const write = compileWriter(dt.base, path)
    const baseIsScalarLike = !dt.base.isStructured && !dt.base.isSubarray
    const complexBase = baseIsScalarLike && dt.base.kind === 'c'
    return (view, offset, value, row) => {
      if (!isArrayLike(value))
        throw valueError(
          path,
          row,
          `${describeValue(value)} is not an array for sub-array ${shapeText(shape)}`,
        )
      if (complexBase && value.length === 2 * count && typeof value[0] === 'number') {
        // Interleaved re, im: the form `get` and `row` return complex sub-arrays in.
        for (let k = 0; k < count; k++) {
          write(view, offset + k * step, [value[2 * k], value[2 * k + 1]], row)
        }
        return
      }
      if (
        value.length === count &&
        (count !== shape[0] || (baseIsScalarLike && !isArrayLike(value[0])))
      ) {
        for (let k = 0; k < count; k++) write(view, offset + k * step, value[k], row)
        return
      }
      // Nested input, row-major: [[a, b], [c, d]] for shape (2, 2).
      let k = 0
      const walk = (v: unknown, dim: number): void => {
        const n = shape[dim] as number
        if (dim === shape.length) {
          write(view, offset + k * step, v, row)
          k++
          return
        }
        if (!isArrayLike(v) || v.length !== n) {
          throw valueError(
            path,
            row,
            `expected ${count} values, flat or nested as ${shapeText(shape)}`,
          )
        }
        for (let j = 0; j < n; j++) walk(v[j], dim + 1)
      }
      walk(value, 0)
    }
  }
  switch (dt.kind) {
    case 'i':
    case 'u':
      return intWriter(dt, path)
    case 'f':
      return floatWriter(dt, path)
    case 'c':
      return complexWriter(dt, path)
    case 'b':
      return boolWriter(path)
    case 'S':
    case 'V':
      return bytesWriter(dt, path)
    case 'U':
      return unicodeWriter(dt, path)
    case 'M':
    case 'm':
      return timeWriter(dt, path)
    case 'O':
      return (_view, _offset, _value, row) => {
        throw valueError(path, row, 'object fields (O) hold Python pointers and cannot be written')
      }
  }
}

export function isArrayLike(v: unknown): v is ArrayLike<unknown> {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView))
}

export function shapeText(shape: readonly number[]): string {
  return `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`
}

const utf32Check = (cp: number): boolean => cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff)

/** A reader for one value of `dt`. S/V give views into the buffer; sub-arrays of numbers a flat typed-array copy. */
export function compileReader(dt: Dtype, path: string): Reader {
  if (dt.fields) {
    const fields = dt.fields.map((f) => ({
      name: f.name,
      offset: f.offset,
      read: compileReader(f.dtype, path === '' ? f.name : `${path}.${f.name}`),
    }))
    return (view, offset) => {
      const out: Record<string, RowValue> = {}
      for (const f of fields) out[f.name] = f.read(view, offset + f.offset)
      return out
    }
  }
  if (dt.isSubarray) {
    const count = dt.count
    const step = dt.base.itemsize
    const column = columnFactory(dt.base)
    const read = compileReader(dt.base, path)
    if (column) {
      return (view, offset) => {
        const out = column.alloc(count)
        column.fill(out, view, offset, 1, step, count, 0)
        return out
      }
    }
    return (view, offset) => {
      const out: RowValue[] = []
      for (let k = 0; k < count; k++) out.push(read(view, offset + k * step))
      return out
    }
  }
  const le = dt.byteOrder !== '>'
  switch (dt.kind) {
    case 'i':
    case 'u': {
      const code = `${dt.kind}${dt.itemsize}`
      switch (code) {
        case 'i1':
          return (v, o) => v.getInt8(o)
        case 'u1':
          return (v, o) => v.getUint8(o)
        case 'i2':
          return (v, o) => v.getInt16(o, le)
        case 'u2':
          return (v, o) => v.getUint16(o, le)
        case 'i4':
          return (v, o) => v.getInt32(o, le)
        case 'u4':
          return (v, o) => v.getUint32(o, le)
        case 'i8':
          return (v, o) => v.getBigInt64(o, le)
        default:
          return (v, o) => v.getBigUint64(o, le)
      }
    }
    case 'f':
      if (dt.itemsize === 2) return (v, o) => halfBitsToDouble(v.getUint16(o, le))
      if (dt.itemsize === 4) return (v, o) => v.getFloat32(o, le)
      return (v, o) => v.getFloat64(o, le)
    case 'c':
      if (dt.itemsize === 8)
        return (v, o) => ({ re: v.getFloat32(o, le), im: v.getFloat32(o + 4, le) })
      return (v, o) => ({ re: v.getFloat64(o, le), im: v.getFloat64(o + 8, le) })
    case 'b':
      return (v, o) => v.getUint8(o) !== 0
    case 'S':
    case 'V': {
      const width = dt.itemsize
      return (v, o) => new Uint8Array(v.buffer, v.byteOffset + o, width)
    }
    case 'U': {
      const chars = dt.itemsize / 4
      return (v, o) => {
        let end = chars
        while (end > 0 && v.getUint32(o + 4 * (end - 1), le) === 0) end--
        let s = ''
        for (let i = 0; i < end; i++) {
          const cp = v.getUint32(o + 4 * i, le)
          if (!utf32Check(cp))
            throw new ArrayValueError(
              'ARRAY_VALUE',
              `field ${JSON.stringify(path)}: code point ${cp} at byte ${o + 4 * i} is not a Unicode scalar value`,
            )
          s += String.fromCodePoint(cp)
        }
        return s
      }
    }
    case 'M':
    case 'm':
      return (v, o) => v.getBigInt64(o, le)
    case 'O':
      return () => {
        throw new ArrayValueError(
          'ARRAY_FIELD',
          `field ${JSON.stringify(path)}: object fields (O) hold Python pointers and cannot be read`,
        )
      }
  }
}

/** Typed-array column support for numeric scalar kinds: how to allocate and fill a column. */
export interface ColumnFactory {
  /** Values per element (2 for complex). */
  readonly width: number
  /**
   * The column's typed array holds exactly the field's bytes (native byte order, no decoding):
   * columns can be copied as bytes. False for f2 (decoded), bool (normalised) and non-native order.
   */
  readonly rawCopy: boolean
  alloc(n: number): TypedColumn
  /**
   * Fill `out` from `rows` rows, each of `count` elements `step` bytes apart, rows `stride`
   * bytes apart starting at `offset`; writes from `out[start]`.
   */
  fill(
    out: TypedColumn,
    view: DataView,
    offset: number,
    rows: number,
    step: number,
    count: number,
    start: number,
    stride?: number,
  ): void
}

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/**
 * A numeric scalar kind as a column: its typed array, how to read one value, values per element
 * (2 for complex) and the bytes between them.
 */
interface ColumnKind {
  readonly Column: new (n: number) => TypedColumn
  readonly get: (v: DataView, o: number, le: boolean) => number | bigint
  readonly width?: number
  readonly part?: number
}

const INT64_COLUMN: ColumnKind = { Column: BigInt64Array, get: (v, o, le) => v.getBigInt64(o, le) }

/** Keyed by kind and itemsize (`i4`, `c16`, …). */
const COLUMN_KINDS: Readonly<Record<string, ColumnKind>> = {
  i1: { Column: Int8Array, get: (v, o) => v.getInt8(o) },
  u1: { Column: Uint8Array, get: (v, o) => v.getUint8(o) },
  b1: { Column: Uint8Array, get: (v, o) => (v.getUint8(o) !== 0 ? 1 : 0) },
  i2: { Column: Int16Array, get: (v, o, le) => v.getInt16(o, le) },
  u2: { Column: Uint16Array, get: (v, o, le) => v.getUint16(o, le) },
  i4: { Column: Int32Array, get: (v, o, le) => v.getInt32(o, le) },
  u4: { Column: Uint32Array, get: (v, o, le) => v.getUint32(o, le) },
  i8: INT64_COLUMN,
  M8: INT64_COLUMN,
  m8: INT64_COLUMN,
  u8: { Column: BigUint64Array, get: (v, o, le) => v.getBigUint64(o, le) },
  f2: { Column: Float32Array, get: (v, o, le) => halfBitsToDouble(v.getUint16(o, le)) },
  f4: { Column: Float32Array, get: (v, o, le) => v.getFloat32(o, le) },
  f8: { Column: Float64Array, get: (v, o, le) => v.getFloat64(o, le) },
  c8: { Column: Float32Array, get: (v, o, le) => v.getFloat32(o, le), width: 2, part: 4 },
  c16: { Column: Float64Array, get: (v, o, le) => v.getFloat64(o, le), width: 2, part: 8 },
}

export function columnFactory(dt: Dtype): ColumnFactory | null {
  if (dt.isStructured || dt.isSubarray) return null
  const kind = COLUMN_KINDS[`${dt.kind}${dt.itemsize}`]
  if (kind === undefined) return null
  const { Column, get, width = 1, part = 0 } = kind
  const le = dt.byteOrder !== '>'
  const rawCopy =
    le === HOST_LITTLE_ENDIAN &&
    !(dt.kind === 'f' && dt.itemsize === 2) &&
    dt.kind !== 'b' &&
    dt.kind !== 'S' &&
    dt.kind !== 'V'
  return {
    width,
    rawCopy,
    alloc: (n) => new Column(n * width),
    fill(out, view, offset, rows, step, count, start, stride = step * count) {
      const arr = out as unknown as { [i: number]: number | bigint }
      let k = start
      for (let r = 0; r < rows; r++) {
        let o = offset + r * stride
        for (let e = 0; e < count; e++, o += step) {
          for (let w = 0; w < width; w++) arr[k++] = get(view, o + w * part, le)
        }
      }
    },
  }
}
