// `.npy` files on disk: whole-file read/write and a streamed reader that holds one chunk of rows
// at a time, so files larger than memory can be processed.

import { open } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { closeSync, fstatSync, openSync, readSync, writeFileSync } from 'node:fs'

import { badArgument, checkPath, describeValue, readOptions } from './args.js'
import { DtypeError, NpyFormatError } from './errors.js'
import {
  checkArray,
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
/**
 * The most one whole-file read holds: Node.js reads at most 2 GiB − 1 bytes into one buffer
 * (`fs.readFile`'s limit). Larger files are streamed with `openNpy`.
 */
export const MAX_WHOLE_FILE_BYTES = 2 ** 31 - 1

function ioError(path: string | URL, err: unknown): never {
  if (err instanceof DtypeError) throw err
  throw new NpyFormatError(
    'NPY_IO',
    `${String(path)}: ${err instanceof Error ? err.message : String(err)}`,
    { cause: err },
  )
}

/** `open`, a failure reported as an `NPY_IO` error naming the path. */
async function openFile(path: string | URL, flags: 'r' | 'w'): Promise<FileHandle> {
  try {
    return await open(path, flags)
  } catch (err) {
    ioError(path, err)
  }
}

/**
 * The size of an opened file that is to be read: a regular file (a directory, a pipe or a device
 * such as /dev/zero would fail late or never end), of at most `limit` bytes.
 */
function readableSize(
  path: string | URL,
  stats: { isFile(): boolean; size: number },
  limit: number,
): number {
  if (!stats.isFile()) {
    throw new NpyFormatError('NPY_IO', `${String(path)}: not a regular file`)
  }
  if (stats.size > limit) {
    throw new NpyFormatError(
      'NPY_TOO_LARGE',
      `${String(path)}: ${stats.size} bytes is more than one read can hold (${limit} bytes, 2 GiB); stream it in chunks of rows with openNpy(path) instead`,
    )
  }
  return stats.size
}

/** Read a whole `.npy` file (see `parseNpy`); files over 2 GiB are refused: stream them with `openNpy`. */
export async function readNpy(path: string | URL): Promise<StructuredArray> {
  const p = checkPath(path, 'readNpy')
  const fh = await openFile(p, 'r')
  let bytes: Uint8Array
  try {
    let size: number
    try {
      size = readableSize(p, await fh.stat(), MAX_WHOLE_FILE_BYTES)
    } catch (err) {
      ioError(p, err)
    }
    bytes = new Uint8Array(size)
    await readExactly(fh, bytes, 0, p)
  } finally {
    await fh.close()
  }
  return parseNpy(bytes)
}

/** Blocking `readNpy`, for scripts. */
export function readNpySync(path: string | URL): StructuredArray {
  const p = checkPath(path, 'readNpySync')
  let fd: number
  try {
    fd = openSync(p, 'r')
  } catch (err) {
    ioError(p, err)
  }
  let bytes: Uint8Array
  try {
    const size = readableSize(p, fstatSync(fd), MAX_WHOLE_FILE_BYTES)
    bytes = new Uint8Array(size)
    for (let done = 0; done < size;) {
      const n = readSync(fd, bytes, done, size - done, done)
      if (n === 0) {
        throw new NpyFormatError(
          'NPY_TRUNCATED',
          `${String(p)}: file ended at byte ${done} while reading (did it shrink?)`,
        )
      }
      done += n
    }
  } catch (err) {
    ioError(p, err)
  } finally {
    closeSync(fd)
  }
  return parseNpy(bytes)
}

/** Write `array` as numpy's `np.save` would. */
export async function writeNpy(path: string | URL, array: StructuredArray): Promise<void> {
  const p = checkPath(path, 'writeNpy')
  checkArray(array, 'writeNpy')
  const header = encodeNpyHeader(array.dtype, array.length)
  const fh = await openFile(p, 'w')
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
    ioError(p, err)
  } finally {
    await fh.close()
  }
}

/** Blocking `writeNpy`, for scripts. */
export function writeNpySync(path: string | URL, array: StructuredArray): void {
  const p = checkPath(path, 'writeNpySync')
  checkArray(array, 'writeNpySync')
  const bytes = encodeNpy(array)
  try {
    writeFileSync(p, bytes)
  } catch (err) {
    ioError(p, err)
  }
}

async function readExactly(
  fh: FileHandle,
  buf: Uint8Array,
  position: number,
  path: string | URL,
): Promise<void> {
  let done = 0
  while (done < buf.length) {
    let bytesRead: number
    try {
      ;({ bytesRead } = await fh.read(buf, done, buf.length - done, position + done))
    } catch (err) {
      ioError(path, err)
    }
    if (bytesRead === 0) {
      throw new NpyFormatError(
        'NPY_TRUNCATED',
        `${String(path)}: file ended at byte ${position + done} while reading (did it shrink?)`,
      )
    }
    done += bytesRead
  }
}

/** Read just the header of a `.npy` file. */
export async function readNpyHeader(path: string | URL): Promise<NpyHeader> {
  const p = checkPath(path, 'readNpyHeader')
  const fh = await openFile(p, 'r')
  try {
    return await readHeader(fh, p)
  } finally {
    await fh.close()
  }
}

async function readHeader(fh: FileHandle, path: string | URL): Promise<NpyHeader> {
  let size: number
  try {
    size = readableSize(path, await fh.stat(), Number.MAX_SAFE_INTEGER)
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
 * the file. Bad arguments throw here; the file is opened on the first iteration.
 *
 *     for await (const chunk of openNpy('big.npy', { chunkRows: 10_000 })) { ... }
 */
export function openNpy(
  path: string | URL,
  options?: OpenNpyOptions,
): AsyncGenerator<StructuredArray, void, undefined> {
  const p = checkPath(path, 'openNpy')
  const o = readOptions(options, ['chunkRows'], 'openNpy options', badArgument)
  const requested = o.chunkRows
  if (
    requested !== undefined &&
    (typeof requested !== 'number' || !Number.isSafeInteger(requested) || requested <= 0)
  ) {
    throw badArgument(
      `openNpy: chunkRows must be a positive integer, got ${describeValue(requested)}`,
    )
  }
  return streamNpy(p, requested)
}

async function* streamNpy(
  path: string | URL,
  requested: number | undefined,
): AsyncGenerator<StructuredArray, void, undefined> {
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
