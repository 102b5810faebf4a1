/** `.npy` files through dtype's streamed reader; the header is checked against the file size. */
import { openNpy, readNpyHeader, type NpyHeader } from '@aerospike-numpy/dtype'
import type { Source, SourceBatch } from '../source.js'
import { structBatch, structColumns } from './struct.js'

export async function openNpySource(path: string, chunkRows: number): Promise<Source> {
  // readNpyHeader refuses a header whose shape needs more bytes than the file has
  const header: NpyHeader = await readNpyHeader(path)
  const columns = structColumns(header.rowDtype, path)
  return {
    format: 'npy',
    path,
    columns,
    rows: header.rows,
    async *batches(): AsyncIterable<SourceBatch> {
      for await (const chunk of openNpy(path, { chunkRows })) yield structBatch(chunk)
    },
    columnsToCheck: (needed) => needed.filter((i) => columns[i]!.type.kind !== 'fixed'),
    close: async () => {},
  }
}
