/**
 * Arrow columns → numpy: the type table (ints/floats by width, bool → u1, dates/times/timestamps
 * → integers with the unit kept, fixed-size binary → V<n>, fixed-size lists of numbers →
 * sub-arrays, UTF-8 → S<n>, dictionaries decoded) and per-type readers over a record batch's
 * buffers. Arrow IPC files and Parquet (read as Arrow record batches) both use it.
 */
import { ParamError, invalidUtf8At } from '@aerospike-numpy/core'
import { Type, type Data, type DataType, type Field, type RecordBatch } from './arrow-lib.js'
import { Problem, bitSet, type ColumnReader, type ColumnType, type SourceBatch } from '../source.js'
import type { SourceColumn } from '../source.js'

const TIME_UNITS = ['s', 'ms', 'us', 'ns'] as const

interface TypeInfo {
  type: ColumnType
  spelled: string
}

function numberFormat(type: DataType): string | null {
  switch (type.typeId) {
    case Type.Int: {
      const t = type as unknown as { bitWidth: number; isSigned: boolean }
      return `${t.bitWidth === 8 ? '|' : '<'}${t.isSigned ? 'i' : 'u'}${t.bitWidth / 8}`
    }
    case Type.Float: {
      const precision = (type as unknown as { precision: number }).precision
      return ['<f2', '<f4', '<f8'][precision] ?? null
    }
    default:
      return null
  }
}

function typeInfo(type: DataType, name: string, path: string): TypeInfo {
  const number = numberFormat(type)
  if (number !== null) return { type: { kind: 'fixed', format: number }, spelled: String(type) }
  const t = type as unknown as Record<string, unknown>
  switch (type.typeId) {
    case Type.Bool:
      return { type: { kind: 'fixed', format: '|u1' }, spelled: 'bool' }
    case Type.Timestamp: {
      const unit = TIME_UNITS[t['unit'] as number]
      const tz = t['timezone'] as string | null
      return {
        type: { kind: 'fixed', format: '<i8' },
        spelled: `timestamp[${unit}${tz ? `, ${tz}` : ''}]`,
      }
    }
    case Type.Date:
      return t['unit'] === 0
        ? { type: { kind: 'fixed', format: '<i4' }, spelled: 'date32[day]' }
        : { type: { kind: 'fixed', format: '<i8' }, spelled: 'date64[ms]' }
    case Type.Time: {
      const bits = t['bitWidth'] as number
      return {
        type: { kind: 'fixed', format: bits === 32 ? '<i4' : '<i8' },
        spelled: `time${bits}[${TIME_UNITS[t['unit'] as number]}]`,
      }
    }
    case Type.Duration:
      return {
        type: { kind: 'fixed', format: '<i8' },
        spelled: `duration[${TIME_UNITS[t['unit'] as number]}]`,
      }
    case Type.FixedSizeBinary:
      return {
        type: { kind: 'fixed', format: `|V${t['byteWidth'] as number}` },
        spelled: `fixed_size_binary[${t['byteWidth'] as number}]`,
      }
    case Type.FixedSizeList: {
      const child = (type.children[0] as Field).type
      const element = numberFormat(child)
      const size = t['listSize'] as number
      if (element === null || size < 1) break
      return {
        type: { kind: 'fixed', format: element, shape: [size] },
        spelled: `fixed_size_list<${String(child)}>[${size}]`,
      }
    }
    case Type.Utf8:
    case Type.LargeUtf8:
      return { type: { kind: 'text' }, spelled: type.typeId === Type.Utf8 ? 'utf8' : 'large_utf8' }
    case Type.Dictionary: {
      const inner = typeInfo(t['dictionary'] as DataType, name, path)
      return { type: inner.type, spelled: `dictionary<${inner.spelled}>` }
    }
    default:
      break
  }
  throw new ParamError(
    `${path}: column '${name}' has Arrow type ${String(type)}, which has no numpy dtype here (supported: ints, floats, bool, dates, times, timestamps, durations, fixed-size binary, fixed-size lists of numbers, UTF-8, dictionaries of these); leave it out with --bins`,
  )
}

/** A column per field of an Arrow schema; unsupported types fail only when the column is used. */
export function arrowColumns(fields: readonly Field[], path: string): SourceColumn[] {
  return fields.map((f) => {
    let info: TypeInfo
    try {
      info = typeInfo(f.type, f.name, path)
    } catch (error) {
      // an unsupported column that --bins leaves out must not stop the ingest
      return {
        name: f.name,
        type: { kind: 'unsupported', message: (error as Error).message },
        sourceType: String(f.type),
        nullable: f.nullable,
      }
    }
    return { name: f.name, type: info.type, sourceType: info.spelled, nullable: f.nullable }
  })
}

function bytesOf(values: ArrayBufferView): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength)
}

/** A reader of one Arrow array (one record batch's column). */
export function arrowReader(data: Data): ColumnReader {
  const offset = data.offset
  const validity = data.nullCount > 0 ? (data.nullBitmap as Uint8Array | undefined) : undefined
  const isNull =
    validity === undefined || validity.length === 0
      ? () => false
      : (row: number) => !bitSet(validity, offset + row)
  const type = data.type as DataType
  const t = type as unknown as Record<string, unknown>
  switch (type.typeId) {
    case Type.Bool: {
      const bits = bytesOf(data.values as ArrayBufferView)
      return {
        isNull,
        write(row, out, _view, at) {
          out[at] = bitSet(bits, offset + row) ? 1 : 0
          return Problem.OK
        },
      }
    }
    case Type.Int:
    case Type.Float:
    case Type.Timestamp:
    case Type.Date:
    case Type.Time:
    case Type.Duration:
    case Type.FixedSizeBinary: {
      const bytes = bytesOf(data.values as ArrayBufferView)
      const width =
        type.typeId === Type.FixedSizeBinary
          ? (t['byteWidth'] as number)
          : type.typeId === Type.Int || type.typeId === Type.Time
            ? (t['bitWidth'] as number) / 8
            : type.typeId === Type.Float
              ? [2, 4, 8][t['precision'] as number]!
              : type.typeId === Type.Date
                ? t['unit'] === 0
                  ? 4
                  : 8
                : 8
      return fixedWidth(bytes, offset, width, isNull)
    }
    case Type.FixedSizeList: {
      const child = data.children[0] as Data
      const size = t['listSize'] as number
      const width = fixedByteWidth(child.type as DataType) ?? 0
      const bytes = bytesOf(child.values as ArrayBufferView)
      const childValidity = child.nullCount > 0 ? (child.nullBitmap as Uint8Array) : undefined
      return {
        isNull,
        write(row, out, _view, at) {
          const first = child.offset + (offset + row) * size
          if (childValidity !== undefined) {
            for (let k = 0; k < size; k++)
              if (!bitSet(childValidity, first + k)) return Problem.NULL
          }
          const from = first * width
          const n = size * width
          if (from + n > bytes.length) return Problem.BAD_VALUE
          for (let k = 0; k < n; k++) out[at + k] = bytes[from + k]!
          return Problem.OK
        },
      }
    }
    case Type.Utf8:
    case Type.LargeUtf8: {
      const bytes = bytesOf(data.values as ArrayBufferView)
      const offsets = data.valueOffsets as Int32Array | BigInt64Array
      const large = type.typeId === Type.LargeUtf8
      const start = large
        ? (row: number) => Number((offsets as BigInt64Array)[offset + row]!)
        : (row: number) => (offsets as Int32Array)[offset + row]!
      const textLength = (row: number) => start(row + 1) - start(row)
      return {
        isNull,
        textLength,
        write(row, out, _view, at, width) {
          const from = start(row)
          const to = start(row + 1)
          if (to - from > width) return Problem.TOO_LONG
          if (invalidUtf8At(bytes, from, to) !== -1) return Problem.INVALID_UTF8
          out.set(bytes.subarray(from, to), at)
          return Problem.OK
        },
        text: (row) => Buffer.from(bytes.subarray(start(row), start(row + 1))).toString(),
      }
    }
    case Type.Dictionary: {
      const dictionary = (data.dictionary as { data: Data[] } | undefined)?.data
      if (dictionary === undefined || dictionary.length !== 1) {
        throw new ParamError('a dictionary-encoded column without exactly one dictionary batch')
      }
      const values = arrowReader(dictionary[0]!)
      const indices = data.values as ArrayLike<number | bigint>
      const count = dictionary[0]!.length
      const index = (row: number) => Number(indices[offset + row]!)
      return {
        isNull: (row) => isNull(row) || values.isNull(index(row)),
        write(row, out, view, at, width) {
          const i = index(row)
          if (i < 0 || i >= count) return Problem.BAD_VALUE
          return values.write(i, out, view, at, width)
        },
        ...(values.textLength === undefined
          ? {}
          : { textLength: (row: number) => values.textLength!(index(row)) }),
        ...(values.text === undefined ? {} : { text: (row: number) => values.text!(index(row)) }),
      }
    }
    default:
      break
  }
  throw new ParamError(`no reader for Arrow type ${String(type)}`)
}

function fixedWidth(
  bytes: Uint8Array,
  offset: number,
  width: number,
  isNull: (row: number) => boolean,
): ColumnReader {
  return {
    isNull,
    write(row, out, _view, at) {
      const from = (offset + row) * width
      if (from + width > bytes.length) return Problem.BAD_VALUE
      for (let k = 0; k < width; k++) out[at + k] = bytes[from + k]!
      return Problem.OK
    },
  }
}

/** A record batch as a source batch; only the requested columns get readers. */
export function arrowBatch(
  batch: RecordBatch,
  columns: readonly number[],
  position: (column: number) => number,
): SourceBatch {
  const readers = new Map<number, ColumnReader>()
  for (const i of columns) {
    const child = batch.getChildAt(position(i))
    if (child === null) throw new ParamError(`record batch has no column ${i}`)
    if (child.data.length !== 1) throw new ParamError(`record batch column ${i} is chunked`)
    readers.set(i, arrowReader(child.data[0] as Data))
  }
  return {
    length: batch.numRows,
    column: (i) => {
      const r = readers.get(i)
      if (r === undefined) throw new Error(`column ${i} was not requested`)
      return r
    },
  }
}

/** Structural checks of one record batch: each column's buffers hold `numRows` values. */
export function checkArrowBatch(
  batch: RecordBatch,
  columns: readonly number[],
  where: string,
  position: (column: number) => number = (i) => i,
): void {
  for (const c of columns) {
    const i = position(c)
    const child = batch.getChildAt(i)
    if (child === null || child.data.length !== 1) {
      throw new ParamError(`${where}: column ${i} is missing or split`)
    }
    const data = child.data[0] as Data
    const name = batch.schema.fields[i]!.name
    if (data.length !== batch.numRows) {
      throw new ParamError(
        `${where}: column '${name}' has ${data.length} values, not ${batch.numRows}`,
      )
    }
    const need = (n: number, have: number | undefined, what: string) => {
      if (have === undefined || have < n) {
        throw new ParamError(
          `${where}: column '${name}' claims ${batch.numRows} rows but its ${what} holds ${have ?? 0} bytes, not ${n} (truncated or corrupt)`,
        )
      }
    }
    const values = data.values as ArrayBufferView | undefined
    const width = fixedByteWidth(data.type as DataType)
    if (width !== null)
      need((data.offset + data.length) * width, values?.byteLength, 'value buffer')
    if ((data.type as DataType).typeId === Type.Bool) {
      need(Math.ceil((data.offset + data.length) / 8), values?.byteLength, 'value buffer')
    }
    if (data.nullCount > 0) {
      need(
        Math.ceil((data.offset + data.length) / 8),
        data.nullBitmap?.byteLength,
        'validity bitmap',
      )
    }
    if (data.valueOffsets !== undefined && data.valueOffsets !== null) {
      const offsets = data.valueOffsets as Int32Array | BigInt64Array
      if (offsets.length < data.offset + data.length + 1) {
        need(data.offset + data.length + 1, offsets.length, 'offsets buffer (in entries)')
      }
      const last = Number(offsets[data.offset + data.length]!)
      need(last, values?.byteLength, 'text buffer')
    }
  }
}

function fixedByteWidth(type: DataType): number | null {
  const t = type as unknown as Record<string, unknown>
  switch (type.typeId) {
    case Type.Int:
    case Type.Time:
      return (t['bitWidth'] as number) / 8
    case Type.Float:
      return [2, 4, 8][t['precision'] as number]!
    case Type.Timestamp:
    case Type.Duration:
      return 8
    case Type.Date:
      return t['unit'] === 0 ? 4 : 8
    case Type.FixedSizeBinary:
      return t['byteWidth'] as number
    default:
      return null
  }
}
