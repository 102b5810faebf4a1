/**
 * Parquet through parquet-wasm (the Rust `parquet` crate compiled to WebAssembly: every codec —
 * snappy, gzip, brotli, lz4, zstd — and every encoding), read from a file-backed Blob one record
 * batch at a time and handed over as Arrow IPC, so Parquet columns map to numpy exactly as Arrow
 * columns do. The footer is checked before anything is read: row counts that do not add up, or
 * column chunks beyond the end of the file, are refused.
 */
import { openAsBlob } from 'node:fs'
import { stat } from 'node:fs/promises'
import { ParamError } from '@aerospike-numpy/core'
import { tableFromIPC } from './arrow-lib.js'
import { asyncBufferFromFile, parquetMetadataAsync } from 'hyparquet'
import * as parquet from 'parquet-wasm/node'
import type { Source, SourceBatch } from '../source.js'
import { arrowBatch, arrowColumns, checkArrowBatch } from './arrow-columns.js'

function fail(path: string, error: unknown): never {
  if (error instanceof ParamError) throw error
  const message = error instanceof Error ? error.message : String(error)
  throw new ParamError(`${path}: not a readable Parquet file (${message})`, { cause: error })
}

/** Structural checks of the footer; returns the row count. */
function checkFooter(path: string, file: parquet.ParquetFile, size: number): number {
  const meta = file.metadata()
  try {
    const claimed = meta.fileMetadata().numRows()
    let sum = 0
    meta.rowGroups().forEach((group, g) => {
      const rows = group.numRows()
      if (!Number.isSafeInteger(rows) || rows < 0) {
        throw new ParamError(`${path}: row group ${g} claims ${rows} rows`)
      }
      if (group.compressedSize() > size) {
        throw new ParamError(
          `${path}: row group ${g} claims ${group.compressedSize()} bytes, more than the ${size}-byte file`,
        )
      }
      group.columns().forEach((column, c) => {
        if (Number(column.fileOffset()) > size || column.compressedSize() > size) {
          throw new ParamError(
            `${path}: row group ${g}, column ${column.columnPath().join('.')} (${c}) lies beyond the end of the ${size}-byte file`,
          )
        }
        if (column.numValues() < rows) {
          throw new ParamError(
            `${path}: row group ${g} claims ${rows} rows but its column ${column.columnPath().join('.')} holds ${column.numValues()} values`,
          )
        }
      })
      sum += rows
    })
    if (claimed !== sum) {
      throw new ParamError(
        `${path}: the footer claims ${claimed} rows but its row groups hold ${sum}`,
      )
    }
    return sum
  } finally {
    meta.free()
  }
}

async function openFile(path: string): Promise<parquet.ParquetFile> {
  try {
    return await parquet.ParquetFile.fromFile(await openAsBlob(path))
  } catch (error) {
    fail(path, error)
  }
}

/**
 * Columns that the footer's statistics prove null-free in every row group (parquet-wasm does not
 * expose statistics; hyparquet reads just the footer). Without statistics a column is read.
 */
async function nullFreeColumns(path: string): Promise<Set<string>> {
  const free = new Set<string>()
  try {
    const meta = await parquetMetadataAsync(await asyncBufferFromFile(path))
    const counts = new Map<string, boolean>()
    for (const group of meta.row_groups) {
      for (const chunk of group.columns) {
        const m = chunk.meta_data
        if (m === undefined || m.path_in_schema.length !== 1) continue
        const name = m.path_in_schema[0]!
        const nulls = m.statistics?.null_count
        const none = nulls !== undefined && nulls !== null && Number(nulls) === 0
        counts.set(name, (counts.get(name) ?? true) && none)
      }
    }
    for (const [name, none] of counts) if (none) free.add(name)
  } catch {
    // the footer was checked already; without statistics every nullable column is read
  }
  return free
}

export async function openParquetSource(path: string, batchRows: number): Promise<Source> {
  const { size } = await stat(path)
  const file = await openFile(path)
  let rows: number
  let fields
  try {
    rows = checkFooter(path, file, size)
    fields = tableFromIPC(file.schema().intoIPCStream()).schema.fields
  } catch (error) {
    file.free()
    fail(path, error)
  }
  file.free()
  const columns = arrowColumns(fields, path)
  const nullFree = await nullFreeColumns(path)
  return {
    format: 'parquet',
    path,
    columns,
    rows,
    async *batches(wanted): AsyncIterable<SourceBatch> {
      const f = await openFile(path)
      const names = wanted.map((i) => columns[i]!.name)
      const position = new Map(wanted.map((c, k) => [c, k]))
      let index = 0
      try {
        const stream = await f.stream({ batchSize: batchRows, columns: names })
        const reader = stream.getReader()
        for (;;) {
          let next: { done: true; value?: undefined } | { done: false; value: parquet.RecordBatch }
          try {
            next = (await reader.read()) as typeof next
          } catch (error) {
            fail(path, error)
          }
          if (next.done) break
          const table = tableFromIPC(next.value.intoIPCStream())
          for (const batch of table.batches) {
            checkArrowBatch(batch, wanted, `${path}: batch ${index}`, (c) => position.get(c)!)
            index++
            if (batch.numRows > 0) yield arrowBatch(batch, wanted, (c) => position.get(c)!)
          }
        }
        await reader.cancel().catch(() => {})
      } finally {
        f.free()
      }
    },
    // types and row counts come from the checked footer; only nulls and text widths need reading
    // (text values are read for their UTF-8 and their length)
    columnsToCheck: (needed, nullsMatter) =>
      needed.filter((i) => {
        const c = columns[i]!
        return (nullsMatter && c.nullable && !nullFree.has(c.name)) || c.type.kind === 'text'
      }),
    close: async () => {},
  }
}
