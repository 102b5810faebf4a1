/**
 * Parquet through parquet-wasm (the Rust `parquet` crate compiled to WebAssembly: every codec —
 * snappy, gzip, brotli, lz4, zstd — and every encoding), handed over as Arrow IPC so Parquet
 * columns map to numpy exactly as Arrow columns do. Decoding (some 1.8 s of CPU per million rows)
 * runs on a reader thread (parquet-worker.ts) a couple of record batches ahead of the converter,
 * so it does not hold up the event loop that sends the writes. The thread checks the footer
 * before anything is read: row counts that do not add up, or column chunks beyond the end of the
 * file, are refused.
 */
import { Worker } from 'node:worker_threads'
import { ParamError } from '@aerospike-numpy/core'
import { fromErrorData } from '@aerospike-numpy/core/internal'
import { asyncBufferFromFile, parquetMetadataAsync } from 'hyparquet'
import { tableFromIPC } from './arrow-lib.js'
import type { Source, SourceBatch } from '../source.js'
import { arrowBatch, arrowColumns, checkArrowBatch } from './arrow-columns.js'
import type { FromParquetThread, ToParquetThread } from './parquet-messages.js'

/** Decoded record batches a read may have ahead of the converter (each ≤ batchRows rows). */
const AHEAD = 2
const ORIGIN = 'the Parquet reader thread'

function fail(path: string, error: unknown): never {
  if (error instanceof ParamError) throw error
  const message = error instanceof Error ? error.message : String(error)
  throw new ParamError(`${path}: not a readable Parquet file (${message})`, { cause: error })
}

/** The reader thread's entry, always from dist/ (worker threads cannot load TypeScript sources). */
function entry(): URL {
  return import.meta.url.endsWith('.ts')
    ? new URL('../../dist/sources/parquet-worker.js', import.meta.url)
    : new URL('./parquet-worker.js', import.meta.url)
}

/**
 * One reader thread per opened file. It keeps the process alive only while someone waits for
 * it: a reader left open never stops the process from exiting.
 */
class ReaderThread {
  readonly #path: string
  readonly #worker: Worker
  readonly #inboxes = new Map<number, { queue: FromParquetThread[]; wake: (() => void) | null }>()
  #failure: Error | null = null
  #waiting = 0
  #nextId = 1

  constructor(path: string) {
    this.#path = path
    // execArgv: none of the process's own flags (--input-type, loaders…), which a worker
    // inherits by default and some of which stop it from starting; it runs plain dist/ JS
    this.#worker = new Worker(entry(), { workerData: { path }, execArgv: [] })
    this.#worker.unref()
    this.#inboxes.set(0, { queue: [], wake: null })
    this.#worker.on('message', (message: FromParquetThread) => {
      const box = this.#inboxes.get(message.kind === 'opened' ? 0 : message.id)
      if (box === undefined) return // a read that was stopped
      box.queue.push(message)
      box.wake?.()
    })
    this.#worker.on('error', (error) =>
      this.#fail(new Error(`${ORIGIN} failed: ${error.message}`, { cause: error })),
    )
    this.#worker.on('exit', (code) =>
      this.#fail(new Error(`${ORIGIN} exited unexpectedly (exit code ${code})`)),
    )
  }

  #fail(error: Error): void {
    this.#failure ??= error
    for (const box of this.#inboxes.values()) box.wake?.()
  }

  #post(message: ToParquetThread): void {
    this.#worker.postMessage(message)
  }

  /** The next message for read `id` (0: the opening); a thread that died fails it. */
  async next(id: number): Promise<FromParquetThread> {
    const box = this.#inboxes.get(id)!
    while (box.queue.length === 0) {
      if (this.#failure !== null) fail(this.#path, this.#failure)
      if (this.#waiting++ === 0) this.#worker.ref()
      try {
        await new Promise<void>((resolve) => (box.wake = resolve))
      } finally {
        box.wake = null
        if (--this.#waiting === 0) this.#worker.unref()
      }
    }
    const message = box.queue.shift()!
    if (message.kind === 'error') {
      fail(
        this.#path,
        fromErrorData(message.error, { callerStack: new Error().stack, origin: ORIGIN }),
      )
    }
    return message
  }

  start(columns: string[], batchRows: number): number {
    const id = this.#nextId++
    this.#inboxes.set(id, { queue: [], wake: null })
    this.#post({ kind: 'read', id, columns, batchRows })
    this.#post({ kind: 'more', id, batches: AHEAD })
    return id
  }

  more(id: number): void {
    this.#post({ kind: 'more', id, batches: 1 })
  }

  stop(id: number): void {
    this.#inboxes.delete(id)
    this.#post({ kind: 'stop', id })
  }

  async close(): Promise<void> {
    this.#failure ??= new Error(`${ORIGIN} was closed`)
    await this.#worker.terminate()
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
    // the footer is checked by the reader thread; without statistics every nullable column is read
  }
  return free
}

export async function openParquetSource(path: string, batchRows: number): Promise<Source> {
  const thread = new ReaderThread(path)
  let rows: number
  let columns
  let nullFree: Set<string>
  try {
    const [opened, free] = await Promise.all([thread.next(0), nullFreeColumns(path)])
    if (opened.kind !== 'opened') throw new Error(`unexpected ${opened.kind} from ${ORIGIN}`)
    rows = opened.rows
    columns = arrowColumns(tableFromIPC(opened.schema).schema.fields, path)
    nullFree = free
  } catch (error) {
    await thread.close()
    fail(path, error)
  }
  return {
    format: 'parquet',
    path,
    columns,
    rows,
    async *batches(wanted): AsyncIterable<SourceBatch> {
      const names = wanted.map((i) => columns[i]!.name)
      const position = new Map(wanted.map((c, k) => [c, k]))
      const id = thread.start(names, batchRows)
      let index = 0
      try {
        for (;;) {
          const message = await thread.next(id)
          if (message.kind === 'end') break
          if (message.kind !== 'batch') throw new Error(`unexpected ${message.kind} from ${ORIGIN}`)
          thread.more(id) // the thread decodes the next while this one is converted
          let table
          try {
            table = tableFromIPC(message.ipc)
          } catch (error) {
            fail(path, error)
          }
          for (const batch of table.batches) {
            checkArrowBatch(batch, wanted, `${path}: batch ${index}`, (c) => position.get(c)!)
            index++
            if (batch.numRows > 0) yield arrowBatch(batch, wanted, (c) => position.get(c)!)
          }
        }
      } finally {
        thread.stop(id)
      }
    },
    // types and row counts come from the checked footer; only nulls and text widths need reading
    // (text values are read for their UTF-8 and their length)
    columnsToCheck: (needed, nullsMatter) =>
      needed.filter((i) => {
        const c = columns[i]!
        return (nullsMatter && c.nullable && !nullFree.has(c.name)) || c.type.kind === 'text'
      }),
    close: () => thread.close(),
  }
}
