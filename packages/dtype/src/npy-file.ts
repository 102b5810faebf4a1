// `.npy` files on disk: whole-file read/write and a streamed reader that holds one chunk of rows
// at a time, so files larger than memory can be processed.

import { open, readFile } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { readFileSync, writeFileSync } from 'node:fs'

import { DtypeError, NpyFormatError } from './errors.js'
import {
  copyRows,
  encodeNpy,
  encodeNpyHeader,
  npyDataOffset,
  parseNpy,
  parseNpyHeader,
} from './npy.js'
import type { NpyHeader } from './npy.js'
import { StructuredArray } from './structured-array.js'

export interface OpenNpyOptions {
  /** Rows per chunk (default: about 4 MiB of rows). */
  readonly chunkRows?: number
}

const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024
const WRITE_CHUNK_BYTES = 4 * 1024 * 1024

function ioError(path: string, err: unknown): never {
  if (err instanceof DtypeError) throw err
  throw new NpyFormatError(
    'NPY_IO',
    `${path}: ${err instanceof Error ? err.message : String(err)}`,
    { cause: err },
  )
}

/** `open`, a failure reported as an `NPY_IO` error naming the path. */
async function openFile(path: string, flags: 'r' | 'w'): Promise<FileHandle> {
  try {
    return await open(path, flags)
  } catch (err) {
    ioError(path, err)
  }
}

/** Read a whole `.npy` file (see `parseNpy`). */
export async function readNpy(path: string): Promise<StructuredArray> {
  let bytes: Buffer
  try {
    bytes = await readFile(path)
  } catch (err) {
    ioError(path, err)
  }
  return parseNpy(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength))
}

/** Blocking `readNpy`, for scripts. */
export function readNpySync(path: string): StructuredArray {
  let bytes: Buffer
  try {
    bytes = readFileSync(path)
  } catch (err) {
    ioError(path, err)
  }
  return parseNpy(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength))
}

/** Write `array` as numpy's `np.save` would. */
export async function writeNpy(path: string, array: StructuredArray): Promise<void> {
  const header = encodeNpyHeader(array.dtype, array.length)
  const fh = await openFile(path, 'w')
  try {
    await fh.write(header)
    if (array.isContiguous) {
      await fh.write(array.bytes.subarray(0, array.length * array.dtype.itemsize))
    } else {
      // Pack strided rows a few MiB at a time instead of copying the whole array.
      const rowsPerChunk = Math.max(1, Math.floor(WRITE_CHUNK_BYTES / array.dtype.itemsize))
      for (let start = 0; start < array.length; start += rowsPerChunk) {
        const part = array.slice(start, start + rowsPerChunk)
        const buf = new Uint8Array(part.length * array.dtype.itemsize)
        copyRows(part, buf, 0)
        await fh.write(buf)
      }
    }
  } catch (err) {
    ioError(path, err)
  } finally {
    await fh.close()
  }
}

/** Blocking `writeNpy`, for scripts. */
export function writeNpySync(path: string, array: StructuredArray): void {
  const bytes = encodeNpy(array)
  try {
    writeFileSync(path, bytes)
  } catch (err) {
    ioError(path, err)
  }
}

async function readExactly(
  fh: FileHandle,
  buf: Uint8Array,
  position: number,
  path: string,
): Promise<void> {
  let done = 0
  while (done < buf.length) {
    const { bytesRead } = await fh.read(buf, done, buf.length - done, position + done)
    if (bytesRead === 0) {
      throw new NpyFormatError(
        'NPY_TRUNCATED',
        `${path}: file ended at byte ${position + done} while reading (did it shrink?)`,
      )
    }
    done += bytesRead
  }
}

/** Read just the header of a `.npy` file. */
export async function readNpyHeader(path: string): Promise<NpyHeader> {
  const fh = await openFile(path, 'r')
  try {
    return await readHeader(fh, path)
  } finally {
    await fh.close()
  }
}

async function readHeader(fh: FileHandle, path: string): Promise<NpyHeader> {
  let size: number
  try {
    size = (await fh.stat()).size
  } catch (err) {
    ioError(path, err)
  }
  const prefix = new Uint8Array(Math.min(size, 12))
  await readExactly(fh, prefix, 0, path)
  const { dataOffset } = npyDataOffset(prefix, size)
  const head = new Uint8Array(dataOffset)
  await readExactly(fh, head, 0, path)
  return parseNpyHeader(head, size)
}

/**
 * Stream a `.npy` file as StructuredArray chunks of `chunkRows` rows (the last may be shorter),
 * one chunk in memory at a time; each chunk owns a fresh buffer. Breaking out of the loop closes
 * the file.
 *
 *     for await (const chunk of openNpy('big.npy', { chunkRows: 10_000 })) { ... }
 */
export async function* openNpy(
  path: string,
  options: OpenNpyOptions = {},
): AsyncGenerator<StructuredArray, void, undefined> {
  const requested = options.chunkRows
  if (requested !== undefined && (!Number.isSafeInteger(requested) || requested <= 0)) {
    throw new NpyFormatError('NPY_IO', `chunkRows ${String(requested)} must be a positive integer`)
  }
  const fh = await openFile(path, 'r')
  try {
    const header = await readHeader(fh, path)
    const itemsize = header.rowDtype.itemsize
    const chunkRows = requested ?? Math.max(1, Math.floor(DEFAULT_CHUNK_BYTES / itemsize))
    for (let row = 0; row < header.rows;) {
      const n = Math.min(chunkRows, header.rows - row)
      const buf = new Uint8Array(n * itemsize)
      await readExactly(fh, buf, header.dataOffset + row * itemsize, path)
      yield StructuredArray.fromBuffer(header.rowDtype, buf, { length: n })
      row += n
    }
  } finally {
    await fh.close()
  }
}
