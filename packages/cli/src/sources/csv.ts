/**
 * CSV with a header line, parsed as a stream (csv-parse) into batches of raw field bytes. Column
 * types come from `--dtype name:format,…` or are inferred from the first rows (integers → i8,
 * other numbers → f8, true/false → u1, anything else → text); an empty field is a null.
 */
import { createReadStream } from 'node:fs'
import { ParamError, invalidUtf8At } from '@aerospike-numpy/core'
import { doubleToHalfBits, dtype as parseDtype } from '@aerospike-numpy/dtype'
import { parse } from 'csv-parse'
import {
  Problem,
  type ColumnReader,
  type ColumnType,
  type Source,
  type SourceBatch,
  type SourceColumn,
} from '../source.js'

const SAMPLE_ROWS = 1000
const INTEGER = /^[+-]?\d+$/
const FLOAT = /^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf|infinity|nan)$/i
const BOOLEAN = /^(true|false)$/i

type Record = Buffer[]

function csvError(path: string, error: unknown): never {
  if (error instanceof ParamError) throw error
  const e = error as { message?: string; lines?: number; code?: string }
  throw new ParamError(
    `${path}${e.lines === undefined ? '' : `, line ${e.lines}`}: ${e.message ?? String(error)}`,
    { cause: error },
  )
}

async function* records(path: string, delimiter: string): AsyncGenerator<Record> {
  const parser = createReadStream(path).pipe(
    parse({ encoding: null, bom: true, delimiter, skip_empty_lines: true }),
  )
  try {
    for await (const record of parser) yield record as Record
  } catch (error) {
    csvError(path, error)
  } finally {
    parser.destroy()
  }
}

function inferType(values: string[]): { type: ColumnType; spelled: string } {
  const present = values.filter((v) => v.length > 0)
  if (present.length > 0 && present.every((v) => INTEGER.test(v.trim()))) {
    return { type: { kind: 'fixed', format: '<i8' }, spelled: 'integer (inferred)' }
  }
  if (present.length > 0 && present.every((v) => FLOAT.test(v.trim()))) {
    return { type: { kind: 'fixed', format: '<f8' }, spelled: 'number (inferred)' }
  }
  if (present.length > 0 && present.every((v) => BOOLEAN.test(v.trim()))) {
    return { type: { kind: 'fixed', format: '|u1' }, spelled: 'boolean (inferred)' }
  }
  return { type: { kind: 'text' }, spelled: 'text (inferred)' }
}

/** `--dtype` for CSV: `name:format,…` with numpy formats (i8, <f4, u1, S16), `bool` or `text`. */
export function parseCsvDtypes(text: string): Map<string, ColumnType> {
  const out = new Map<string, ColumnType>()
  for (const part of text.split(',')) {
    const at = part.lastIndexOf(':')
    if (at <= 0) throw new ParamError(`--dtype: '${part}' is not name:format (e.g. temperature:f8)`)
    const name = part.slice(0, at).trim()
    const format = part.slice(at + 1).trim()
    if (format === 'text' || format === 'str') {
      out.set(name, { kind: 'text' })
      continue
    }
    if (format === 'bool') {
      out.set(name, { kind: 'fixed', format: '|u1' })
      continue
    }
    let dt
    try {
      dt = parseDtype(format)
    } catch (error) {
      throw new ParamError(`--dtype: ${name}: ${(error as Error).message}`)
    }
    if (!'iufS'.includes(dt.kind) || dt.isSubarray) {
      throw new ParamError(
        `--dtype: ${name}: ${format} cannot be read from CSV text (use an integer, float, S<n>, bool or text)`,
      )
    }
    // CSV values are written little-endian, numpy's native order here
    out.set(name, {
      kind: 'fixed',
      format: dt.kind === 'S' ? dt.str : `${dt.itemsize === 1 ? '|' : '<'}${dt.kind}${dt.itemsize}`,
    })
  }
  return out
}

const INT_LIMITS: { [k: string]: [bigint, bigint] } = {
  i1: [-128n, 127n],
  i2: [-32768n, 32767n],
  i4: [-(2n ** 31n), 2n ** 31n - 1n],
  i8: [-(2n ** 63n), 2n ** 63n - 1n],
  u1: [0n, 255n],
  u2: [0n, 65535n],
  u4: [0n, 2n ** 32n - 1n],
  u8: [0n, 2n ** 64n - 1n],
}

function reader(type: ColumnType, column: Buffer[]): ColumnReader {
  const text = (row: number) => column[row]!.toString('utf8')
  const base = { isNull: (row: number) => column[row]!.length === 0, text }
  if (type.kind === 'text') {
    return {
      ...base,
      textLength: (row) => column[row]!.length,
      write(row, out, _view, at, width) {
        const value = column[row]!
        if (value.length > width) return Problem.TOO_LONG
        if (invalidUtf8At(value, 0, value.length) !== -1) return Problem.INVALID_UTF8
        out.set(value, at)
        return Problem.OK
      },
    }
  }
  if (type.kind !== 'fixed') throw new ParamError(type.message)
  const code = type.format.replace(/^[<>|=]/, '')
  const kind = code[0]!
  const size = Number(code.slice(1))
  if (kind === 'S') {
    return {
      ...base,
      textLength: (row) => column[row]!.length,
      write(row, out, _view, at, width) {
        const value = column[row]!
        if (value.length > width) return Problem.TOO_LONG
        if (invalidUtf8At(value, 0, value.length) !== -1) return Problem.INVALID_UTF8
        out.set(value, at)
        return Problem.OK
      },
    }
  }
  if (kind === 'f') {
    return {
      ...base,
      write(row, _out, view, at) {
        const t = column[row]!.toString('latin1').trim()
        if (!FLOAT.test(t)) return Problem.BAD_VALUE
        const lower = t.toLowerCase().replace(/^\+/, '')
        const v =
          lower === 'nan'
            ? NaN
            : lower.endsWith('inf') || lower.endsWith('infinity')
              ? lower.startsWith('-')
                ? -Infinity
                : Infinity
              : Number(t)
        if (size === 8) view.setFloat64(at, v, true)
        else if (size === 4) {
          if (Number.isFinite(v) && !Number.isFinite(Math.fround(v))) return Problem.OUT_OF_RANGE
          view.setFloat32(at, v, true)
        } else {
          const bits = doubleToHalfBits(v)
          if (Number.isFinite(v) && (bits & 0x7c00) === 0x7c00) return Problem.OUT_OF_RANGE
          view.setUint16(at, bits, true)
        }
        return Problem.OK
      },
    }
  }
  const [min, max] = INT_LIMITS[code]!
  return {
    ...base,
    write(row, _out, view, at) {
      const t = column[row]!.toString('latin1').trim()
      let v: bigint
      if (INTEGER.test(t)) v = BigInt(t)
      else if (BOOLEAN.test(t)) v = t.toLowerCase() === 'true' ? 1n : 0n
      else return Problem.BAD_VALUE
      if (v < min || v > max) return Problem.OUT_OF_RANGE
      switch (code) {
        case 'i1':
          view.setInt8(at, Number(v))
          break
        case 'u1':
          view.setUint8(at, Number(v))
          break
        case 'i2':
          view.setInt16(at, Number(v), true)
          break
        case 'u2':
          view.setUint16(at, Number(v), true)
          break
        case 'i4':
          view.setInt32(at, Number(v), true)
          break
        case 'u4':
          view.setUint32(at, Number(v), true)
          break
        case 'i8':
          view.setBigInt64(at, v, true)
          break
        default:
          view.setBigUint64(at, v, true)
      }
      return Problem.OK
    },
  }
}

export async function openCsvSource(
  path: string,
  options: { dtypes: Map<string, ColumnType>; batchRows: number; delimiter: string },
): Promise<Source> {
  let header: string[] | null = null
  const sample: Record[] = []
  for await (const record of records(path, options.delimiter)) {
    if (header === null) {
      header = record.map((b) => b.toString('utf8').trim())
      continue
    }
    sample.push(record)
    if (sample.length >= SAMPLE_ROWS) break
  }
  if (header === null)
    throw new ParamError(`${path}: the CSV file is empty (it needs a header line)`)
  const names = header
  const seen = new Set<string>()
  for (const name of names) {
    if (name === '') throw new ParamError(`${path}: the header has an empty column name`)
    if (seen.has(name)) throw new ParamError(`${path}: the header names column '${name}' twice`)
    seen.add(name)
  }
  for (const name of options.dtypes.keys()) {
    if (!seen.has(name)) throw new ParamError(`--dtype: no column '${name}' in ${path}'s header`)
  }
  const columns: SourceColumn[] = names.map((name, i) => {
    const given = options.dtypes.get(name)
    if (given !== undefined) {
      return { name, type: given, sourceType: 'csv (--dtype)', nullable: true }
    }
    const inferred = inferType(sample.map((r) => r[i]?.toString('utf8') ?? ''))
    return { name, type: inferred.type, sourceType: `csv ${inferred.spelled}`, nullable: true }
  })
  return {
    format: 'csv',
    path,
    columns,
    rows: null,
    async *batches(wanted): AsyncIterable<SourceBatch> {
      let first = true
      let batch: Buffer[][] = wanted.map(() => [])
      let length = 0
      const make = (): SourceBatch => {
        const readers = new Map(wanted.map((c, k) => [c, reader(columns[c]!.type, batch[k]!)]))
        return { length, column: (i) => readers.get(i)! }
      }
      for await (const record of records(path, options.delimiter)) {
        if (first) {
          first = false
          continue
        }
        for (let k = 0; k < wanted.length; k++) batch[k]!.push(record[wanted[k]!]!)
        if (++length === options.batchRows) {
          yield make()
          batch = wanted.map(() => [])
          length = 0
        }
      }
      if (length > 0) yield make()
    },
    columnsToCheck: (needed) => [...needed],
    close: async () => {},
  }
}
