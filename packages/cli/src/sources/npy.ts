/** `.npy` files through dtype's streamed reader; the header is checked against the file size. */
import { ParamError } from '@aerospike-numpy/core'
import { DtypeError, openNpy, readNpyHeader, type NpyHeader } from '@aerospike-numpy/dtype'
import type { Source, SourceBatch } from '../source.js'
import { structBatch, structColumns } from './struct.js'

/** Rows per read: whole chunks, about 4 MiB at a time. */
function readRows(chunkRows: number, itemsize: number): number {
  return chunkRows * Math.max(1, Math.floor((4 << 20) / (chunkRows * itemsize)))
}

export async function openNpySource(path: string, chunkRows: number): Promise<Source> {
  // readNpyHeader refuses a header whose shape needs more bytes than the file has
  let header: NpyHeader
  try {
    header = await readNpyHeader(path)
  } catch (error) {
    if (!(error instanceof DtypeError)) throw error
    const message = error.message.startsWith(path) ? error.message : `${path}: ${error.message}`
    throw new ParamError(message, { cause: error })
  }
  const columns = structColumns(header.rowDtype, path)
  return {
    format: 'npy',
    path,
    columns,
    rows: header.rows,
    async *batches(): AsyncIterable<SourceBatch> {
      const rows = readRows(chunkRows, header.rowDtype.itemsize)
      for await (const chunk of openNpy(path, { chunkRows: rows })) yield structBatch(chunk)
    },
    columnsToCheck: (needed) => needed.filter((i) => columns[i]!.type.kind !== 'fixed'),
    close: async () => {},
  }
}
