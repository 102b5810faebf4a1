/** The file's format from its first bytes (and, for text, its name). */
import { open } from 'node:fs/promises'
import { ParamError } from '@aerospike-numpy/core'
import { NPY_MAGIC } from '@aerospike-numpy/dtype'
import { isDeadLetterStart, openDeadLetterSource } from '../dead-letter.js'
import type { ColumnType, Source } from '../source.js'

export interface OpenOptions {
  chunkRows: number
  csvDtypes: Map<string, ColumnType>
  delimiter: string | null
}

export async function openSource(path: string, options: OpenOptions): Promise<Source> {
  let head: Uint8Array
  try {
    const fh = await open(path, 'r')
    try {
      head = new Uint8Array(512)
      const { bytesRead } = await fh.read(head, 0, head.length, 0)
      head = head.subarray(0, bytesRead)
    } finally {
      await fh.close()
    }
  } catch (error) {
    throw new ParamError(`${path}: ${(error as Error).message}`, { cause: error })
  }
  const starts = (magic: ArrayLike<number>) =>
    head.length >= magic.length && Array.from(magic).every((b, i) => head[i] === b)
  const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0))
  // rows per batch read from the file (converted into chunks of chunkRows whatever their size)
  const batchRows = 16_384
  if (options.csvDtypes.size > 0 && !/\.(csv|tsv|txt)$/i.test(path)) {
    throw new ParamError('--dtype applies to CSV files only (other formats carry their types)')
  }
  // readers load on use: Parquet's WebAssembly alone takes a while to compile
  if (starts(NPY_MAGIC)) return (await import('./npy.js')).openNpySource(path, options.chunkRows)
  if (starts(ascii('ARROW1'))) return (await import('./arrow.js')).openArrowSource(path, false)
  if (starts([0xff, 0xff, 0xff, 0xff])) {
    return (await import('./arrow.js')).openArrowSource(path, true)
  }
  if (starts(ascii('PAR1')))
    return (await import('./parquet.js')).openParquetSource(path, 4 * batchRows)
  if (isDeadLetterStart(head)) return openDeadLetterSource(path, batchRows)
  if (/\.(csv|tsv|txt)$/i.test(path)) {
    const delimiter = options.delimiter ?? (/\.tsv$/i.test(path) ? '\t' : ',')
    const { openCsvSource } = await import('./csv.js')
    return openCsvSource(path, { dtypes: options.csvDtypes, batchRows, delimiter })
  }
  throw new ParamError(
    `${path}: not a .npy, Arrow IPC, Parquet or dead-letter file by its first bytes, nor named .csv/.tsv`,
  )
}
