/**
 * The Parquet reader's thread: parquet-wasm (and its WebAssembly) runs here, so decoding never
 * blocks the event loop the writes share. It checks the footer and sends the schema once, then
 * decodes record batches on request, at most as many ahead as the main thread has granted, each
 * sent as Arrow IPC bytes whose buffer is transferred (not copied). Errors travel as core's
 * `ErrorData`. Nothing here may load the `aerospike` addon (it aborts in a worker thread).
 */
import { openAsBlob } from 'node:fs'
import { stat } from 'node:fs/promises'
import { parentPort, workerData } from 'node:worker_threads'
import { ParamError } from '@aerospike-numpy/core'
import { toErrorData } from '@aerospike-numpy/core/error-data'
import * as parquet from 'parquet-wasm/node'
import type { ToParquetThread, FromParquetThread } from './parquet-messages.js'

const port = parentPort!
const path = (workerData as { path: string }).path

function post(message: FromParquetThread, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer)
}

/** Structural checks of the footer; returns the row count. */
function checkFooter(file: parquet.ParquetFile, size: number): number {
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

/** A decoding failure, with where it happened (a WebAssembly trap says only "unreachable"). */
function unreadable(error: unknown, rows: number | null): ParamError {
  const e = error instanceof Error ? error : new Error(String(error))
  const what = e.name === 'Error' ? e.message : `${e.name}: ${e.message}`
  const where = rows === null ? '' : `decoding the rows from row ${rows} on: `
  return new ParamError(`${path}: not a readable Parquet file (${where}${what})`, {
    cause: error,
  })
}

async function openFile(): Promise<parquet.ParquetFile> {
  return parquet.ParquetFile.fromFile(await openAsBlob(path))
}

interface Read {
  /** Batches the main thread will take without asking. */
  credit: number
  stopped: boolean
  wake: (() => void) | null
  /** Rows decoded so far. */
  rows: number
}
/** Reads in progress by id (one at a time in practice; each is independent). */
const reads = new Map<number, Read>()

async function read(id: number, columns: string[], batchRows: number): Promise<void> {
  const state: Read = { credit: 0, stopped: false, wake: null, rows: 0 }
  reads.set(id, state)
  try {
    await readFile(id, state, columns, batchRows)
  } finally {
    reads.delete(id)
  }
}

async function readFile(id: number, state: Read, columns: string[], batchRows: number) {
  const file = await openFile()
  try {
    const reader = (await file.stream({ batchSize: batchRows, columns })).getReader()
    try {
      for (;;) {
        while (state.credit === 0 && !state.stopped) {
          await new Promise<void>((resolve) => (state.wake = resolve))
        }
        if (state.stopped) return
        let ipc: Uint8Array
        try {
          const next = (await reader.read()) as { done: boolean; value?: parquet.RecordBatch }
          if (next.done) break
          state.rows += next.value!.numRows
          ipc = next.value!.intoIPCStream()
        } catch (error) {
          throw unreadable(error, state.rows)
        }
        state.credit--
        post({ kind: 'batch', id, ipc }, [ipc.buffer as ArrayBuffer])
      }
      post({ kind: 'end', id })
    } finally {
      await reader.cancel().catch(() => {})
    }
  } finally {
    file.free()
  }
}

port.on('message', (message: ToParquetThread) => {
  switch (message.kind) {
    case 'read':
      read(message.id, message.columns, message.batchRows).catch((error: unknown) =>
        post({ kind: 'error', id: message.id, error: toErrorData(error) }),
      )
      break
    case 'more':
    case 'stop': {
      const state = reads.get(message.id)
      if (state === undefined) break
      if (message.kind === 'more') state.credit += message.batches
      else state.stopped = true
      state.wake?.()
      state.wake = null
      break
    }
  }
})

// A trap in WebAssembly run from a callback (a corrupt page can do that) rejects no promise:
// it reaches here, and goes to the reads in progress (or the opening) as their error.
process.on('uncaughtException', (error) => {
  if (reads.size === 0) post({ kind: 'error', id: 0, error: toErrorData(unreadable(error, null)) })
  for (const [id, state] of reads) {
    post({ kind: 'error', id, error: toErrorData(unreadable(error, state.rows)) })
  }
})

// the footer and schema, once
try {
  const { size } = await stat(path)
  const file = await openFile()
  try {
    const rows = checkFooter(file, size)
    const schema = file.schema().intoIPCStream()
    post({ kind: 'opened', rows, schema }, [schema.buffer as ArrayBuffer])
  } finally {
    file.free()
  }
} catch (error) {
  post({ kind: 'error', id: 0, error: toErrorData(error) })
}
