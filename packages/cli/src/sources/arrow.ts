/**
 * Arrow IPC files and streams, read a record batch at a time from the file handle (apache-arrow).
 * A stream must end with Arrow's end-of-stream marker: without it the file may have been cut
 * between two batches, which no batch would show.
 */
import { open, type FileHandle } from 'node:fs/promises'
import { ParamError } from '@aerospike-numpy/core'
import { RecordBatchReader, type RecordBatch } from './arrow-lib.js'
import type { Source, SourceBatch } from '../source.js'
import { arrowBatch, arrowColumns, checkArrowBatch } from './arrow-columns.js'

const EOS = [0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]
const MAGIC = [...'ARROW1'].map((c) => c.charCodeAt(0))

function fail(path: string, error: unknown): never {
  if (error instanceof ParamError) throw error
  throw new ParamError(
    `${path}: not a readable Arrow IPC file (${error instanceof Error ? error.message : String(error)})`,
    { cause: error },
  )
}

async function openReader(path: string): Promise<{ fh: FileHandle; reader: RecordBatchReader }> {
  const fh = await open(path, 'r')
  try {
    const reader = await RecordBatchReader.from(fh)
    await reader.open()
    return { fh, reader }
  } catch (error) {
    await fh.close()
    fail(path, error)
  }
}

export async function openArrowSource(path: string, stream: boolean): Promise<Source> {
  // a cut file can still parse up to the cut: its end must be there first
  const tailHandle = await open(path, 'r')
  try {
    const { size } = await tailHandle.stat()
    const tail = new Uint8Array(8)
    if (size >= 8) await tailHandle.read(tail, 0, 8, size - 8)
    const end = stream ? EOS : MAGIC
    if (size < 8 || !end.every((b, i) => tail[8 - end.length + i] === b)) {
      throw new ParamError(
        stream
          ? `${path}: the Arrow stream does not end with the end-of-stream marker (truncated?)`
          : `${path}: the Arrow file does not end with its footer and ARROW1 magic (truncated?)`,
      )
    }
  } finally {
    await tailHandle.close()
  }
  const { fh, reader } = await openReader(path)
  const fields = reader.schema.fields
  await fh.close()
  const columns = arrowColumns(fields, path)
  return {
    format: stream ? 'arrow-stream' : 'arrow-file',
    path,
    columns,
    rows: null,
    async *batches(wanted): AsyncIterable<SourceBatch> {
      const { fh: handle, reader: r } = await openReader(path)
      try {
        let index = 0
        for (;;) {
          let next: IteratorResult<RecordBatch>
          try {
            next = await r.next()
          } catch (error) {
            fail(path, error)
          }
          if (next.done === true) break
          const batch = next.value
          checkArrowBatch(batch, wanted, `${path}: record batch ${index}`)
          index++
          if (batch.numRows > 0) yield arrowBatch(batch, wanted, (i) => i)
        }
      } finally {
        await Promise.resolve(r.cancel()).catch(() => {})
        await handle.close()
      }
    },
    // record batches carry no guarantees beyond their buffers: read every value first
    columnsToCheck: (needed) => [...needed],
    close: async () => {},
  }
}
