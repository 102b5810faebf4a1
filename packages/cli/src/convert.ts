/**
 * Source batches → chunks of exactly `chunkRows` rows of the write dtype (the last may be
 * shorter), each in a fresh buffer that the writer owns until its rows settle. Chunk k holds
 * source rows [k·chunkRows, (k+1)·chunkRows): the checkpoint's unit. Chunks the caller marks as
 * done are counted but not converted.
 */
import { ParamError } from '@aerospike-numpy/core'
import { StructuredArray } from '@aerospike-numpy/dtype'
import type { Mapping } from './mapping.js'
import { EVERY_BIN, type CoercionReport } from './report.js'
import { Problem, type ColumnReader, type Source } from './source.js'

export type NullPolicy = 'error' | 'skip-bin' | 'zero'

export interface Chunk {
  index: number
  /** First source row of the chunk. */
  start: number
  data: StructuredArray
}

const PROBLEM_TEXT: Record<Exclude<Problem, Problem.OK>, string> = {
  [Problem.NULL]: 'is null (see --nulls)',
  [Problem.OUT_OF_RANGE]: 'is out of range for its dtype',
  [Problem.TOO_LONG]: 'is longer than its field (see --max-len)',
  [Problem.INVALID_UTF8]: 'is not valid UTF-8',
  [Problem.BAD_VALUE]: 'cannot be read as its dtype',
}

/**
 * Convert rows [from, from+count) of a batch into `out` from row `outRow`. Problems go to the
 * report when there is one, else they throw a ParamError naming the row and column.
 */
function convertRows(
  mapping: Mapping,
  fields: readonly number[],
  readers: readonly ColumnReader[],
  from: number,
  count: number,
  out: StructuredArray,
  outRow: number,
  rowBase: number,
  nulls: NullPolicy,
  report: CoercionReport | null,
  wholeRows: boolean,
): void {
  const bytes = new Uint8Array(out.buffer)
  const view = new DataView(out.buffer)
  const stride = out.stride
  const validity = mapping.plan.validity
  const nullsAllowed = nulls !== 'error'
  for (let k = 0; k < fields.length; k++) {
    const f = mapping.fields[fields[k]!]!
    const reader = readers[k]!
    let at = out.byteOffset + outRow * stride + f.offset
    // --nulls skip-bin: the bin's bit in the row's bitmap, set for each value that is written
    const bit = validity !== null && f.binIndex >= 0 ? 1 << (f.binIndex & 7) : 0
    let bitAt =
      bit === 0 ? 0 : out.byteOffset + outRow * stride + validity!.offset + (f.binIndex >> 3)
    for (let i = 0; i < count; i++, at += stride, bitAt += stride) {
      const row = from + i
      let problem: Problem
      if (reader.isNull(row)) {
        problem = Problem.NULL
      } else {
        problem = reader.write(row, bytes, view, at, f.size)
        if (problem === Problem.OK) {
          if (bit !== 0) bytes[bitAt]! |= bit
          continue
        }
        for (let b = 0; b < f.size; b++) bytes[at + b] = 0
      }
      if (problem === Problem.NULL && nullsAllowed && !f.isKey && report === null) continue
      const sourceRow = rowBase + i
      if (report !== null) {
        const text = problem === Problem.NULL ? undefined : reader.text?.(row)
        report.add(f.source.name, problem, sourceRow, text, f.isKey)
        continue
      }
      const value = reader.text?.(row)
      throw new ParamError(
        `row ${sourceRow}, column '${f.source.name}': the value${value === undefined ? '' : ` ${JSON.stringify(value.slice(0, 80))}`} ${f.isKey && problem === Problem.NULL ? 'is null, and a key cannot be' : PROBLEM_TEXT[problem as Exclude<Problem, Problem.OK>]}`,
      )
    }
  }
  if (validity !== null && wholeRows) emptyRows(mapping, out, outRow, count, rowBase, report)
}

/** Where every bin of a row is null, --nulls skip-bin would leave a record without bins. */
function emptyRows(
  mapping: Mapping,
  out: StructuredArray,
  outRow: number,
  count: number,
  rowBase: number,
  report: CoercionReport | null,
): void {
  const bytes = new Uint8Array(out.buffer)
  const validity = mapping.plan.validity!
  const width = Math.ceil(mapping.plan.bins.length / 8)
  let at = out.byteOffset + outRow * out.stride + validity.offset
  for (let i = 0; i < count; i++, at += out.stride) {
    let any = 0
    for (let b = 0; b < width; b++) any |= bytes[at + b]!
    if (any !== 0) continue
    if (report !== null) {
      report.add(EVERY_BIN, Problem.NULL, rowBase + i, undefined, true)
      continue
    }
    throw new ParamError(
      `row ${rowBase + i}: every bin is null, and a record needs at least one bin (--nulls skip-bin); use --nulls zero, or leave such rows out of the file`,
    )
  }
}

export interface ChunkOptions {
  chunkRows: number
  nulls: NullPolicy
  /** Collect problems here instead of throwing (dry run, checks before writing). */
  report?: CoercionReport
  /** Only these mapping fields (indices into mapping.fields); default all. */
  fields?: readonly number[]
  /** Chunks to skip (already settled in an earlier run): counted, not converted, not yielded. */
  isDone?: (index: number) => boolean
  /** Counts source rows read, and of them rows skipped as done. */
  counter?: { rows: number; skipped: number }
}

/** Every chunk of the source, in order. */
export async function* chunks(
  source: Source,
  mapping: Mapping,
  options: ChunkOptions,
): AsyncGenerator<Chunk> {
  const fields = options.fields ?? mapping.fields.map((_, i) => i)
  const columns = [...new Set(fields.map((k) => mapping.fields[k]!.column))].sort((a, b) => a - b)
  const size = options.chunkRows
  const report = options.report ?? null
  const identity =
    fields.length === mapping.fields.length && source.format === 'npy' && report === null
  // every bin is converted, so a row's bitmap is complete (an empty one is an error)
  const wholeRows = mapping.fields.every((f, k) => !f.isBin || fields.includes(k))
  let row = 0 // source rows consumed
  let current: Chunk | null = null
  const isDone = options.isDone ?? (() => false)
  const counter = options.counter ?? { rows: 0, skipped: 0 }
  for await (const batch of source.batches(columns)) {
    const readers = fields.map((k) => batch.column(mapping.fields[k]!.column))
    let from = 0
    while (from < batch.length) {
      const index = Math.floor(row / size)
      const start = index * size
      const take = Math.min(batch.length - from, start + size - row)
      if (isDone(index)) {
        row += take
        from += take
        counter.rows += take
        counter.skipped += take
        continue
      }
      // a whole chunk of a .npy batch already in the write dtype: a view, no copy (each batch
      // is a fresh buffer, so the view stays the writer's until it settles)
      if (
        identity &&
        current === null &&
        row === start &&
        take === size &&
        batch.structured?.dtype.equals(mapping.writeDtype) === true
      ) {
        const data = batch.structured.slice(from, from + size)
        row += take
        from += take
        counter.rows += take
        yield { index, start, data }
        continue
      }
      if (current === null) {
        const rows = source.rows === null ? size : Math.min(size, source.rows - start)
        current = {
          index,
          start,
          data: StructuredArray.zeros(mapping.writeDtype, Math.max(rows, take)),
        }
      }
      const outRow = row - start
      if (outRow + take > current.data.length) {
        // the file has more rows than its header said: grow this chunk (only the last can)
        const grown = StructuredArray.zeros(mapping.writeDtype, Math.min(size, outRow + take))
        grown.bytes.set(current.data.bytes)
        current.data = grown
      }
      convertRows(
        mapping,
        fields,
        readers,
        from,
        take,
        current.data,
        outRow,
        row,
        options.nulls,
        report,
        wholeRows,
      )
      row += take
      from += take
      counter.rows += take
      if (report !== null) report.rows += take
      if (row - start === size) {
        yield current
        current = null
      }
    }
  }
  if (current !== null) {
    const rows = row - current.start
    yield {
      ...current,
      data: rows === current.data.length ? current.data : current.data.slice(0, rows),
    }
  }
  if (source.rows !== null && row !== source.rows) {
    throw new ParamError(
      `${source.path}: the file's header says ${source.rows} rows, but it holds ${row}`,
    )
  }
}
