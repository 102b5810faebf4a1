/**
 * The dead-letter file: JSON lines, a header naming the dtype the rows were written with, then one
 * line per row that ended not written — its source row, key, result code (and name), in-doubt
 * flag and the row's bytes (base64). `ingest` reads it back as a source: re-ingesting it retries
 * exactly those rows. Lines are written with one system call each as chunks settle, before the
 * checkpoint records the chunk, so a killed run never marks a row settled that is not here.
 */
import { closeSync, createReadStream, fstatSync, openSync, writeSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { ParamError, resultCodeName, type UserKey } from '@aerospike-numpy/core'
import { StructuredArray, dtype, type Dtype } from '@aerospike-numpy/dtype'
import type { Source, SourceBatch } from './source.js'
import { structBatch, structColumns } from './sources/struct.js'

export const DEAD_LETTER_FORMAT = 'aerospike-numpy-dead-letter'

export interface DeadLetterHeader {
  format: typeof DEAD_LETTER_FORMAT
  version: 1
  /** numpy's spelling of the rows' dtype (the dtype that was written). */
  dtype: string
  keyField: string
  /** The write dtype's bitmap of the bins (--nulls skip-bin): a clear bit is a null. */
  validityField?: string
  source: string
  namespace: string
  set: string
}

export interface DeadLetterEntry {
  row: number
  key: number | string
  result: number
  resultName: string
  inDoubt: boolean
  /** The row's bytes in `dtype`, base64. */
  data: string
}

function keyText(key: UserKey): number | string {
  if (typeof key === 'number' || typeof key === 'string') return key
  if (typeof key === 'bigint') return key.toString()
  return `0x${Buffer.from(key).toString('hex')}`
}

export class DeadLetterWriter {
  readonly #fd: number
  rows = 0

  /** Appends to `path` (a resumed run keeps the earlier run's rows); writes the header if new. */
  constructor(
    readonly path: string,
    header: Omit<DeadLetterHeader, 'format' | 'version'>,
    append: boolean,
  ) {
    this.#fd = openSync(path, append ? 'a+' : 'w')
    const full: DeadLetterHeader = { format: DEAD_LETTER_FORMAT, version: 1, ...header }
    if (fstatSync(this.#fd).size === 0) writeSync(this.#fd, `${JSON.stringify(full)}\n`)
  }

  /** Rows `rows` (indices into `data`) of a settled chunk whose first row is source row `start`. */
  add(
    data: StructuredArray,
    start: number,
    rows: readonly number[],
    codes: Int32Array,
    inDoubt: Uint8Array,
    keyAt: (row: number) => UserKey,
  ): void {
    if (rows.length === 0) return
    const src = new Uint8Array(data.buffer)
    const size = data.dtype.itemsize
    let text = ''
    for (const i of rows) {
      const at = data.byteOffset + i * data.stride
      const entry: DeadLetterEntry = {
        row: start + i,
        key: keyText(keyAt(i)),
        result: codes[i]!,
        resultName: resultCodeName(codes[i]!),
        inDoubt: inDoubt[i] === 1,
        data: Buffer.from(src.subarray(at, at + size)).toString('base64'),
      }
      text += `${JSON.stringify(entry)}\n`
    }
    writeSync(this.#fd, text)
    this.rows += rows.length
  }

  close(): void {
    closeSync(this.#fd)
  }
}

async function* lines(path: string): AsyncGenerator<{ text: string; line: number }> {
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity })
  let line = 0
  try {
    for await (const text of rl) {
      line++
      if (text.trim() !== '') yield { text, line }
    }
  } finally {
    rl.close()
  }
}

function parseLine(path: string, line: number, text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw new ParamError(`${path}, line ${line}: not a JSON line (truncated?)`)
  }
}

/** Does the file start like a dead-letter file? */
export function isDeadLetterStart(head: Uint8Array): boolean {
  return Buffer.from(head).toString('latin1').includes(`"format":"${DEAD_LETTER_FORMAT}"`)
}

/** Read entries' rows back as a source of the dtype they were written with. */
export async function openDeadLetterSource(path: string, batchRows: number): Promise<Source> {
  let header: DeadLetterHeader | null = null
  let rows = 0
  // one pass to check every line, so nothing is sent from a damaged file
  let dt: Dtype | null = null
  for await (const { text, line } of lines(path)) {
    const value = parseLine(path, line, text) as Record<string, unknown>
    if (header === null) {
      if (value['format'] !== DEAD_LETTER_FORMAT || value['version'] !== 1) {
        throw new ParamError(`${path}: not a dead-letter file of version 1`)
      }
      header = value as unknown as DeadLetterHeader
      try {
        dt = dtype(header.dtype)
      } catch (error) {
        throw new ParamError(`${path}: bad dtype in the header: ${(error as Error).message}`)
      }
      continue
    }
    const data = value['data']
    if (typeof data !== 'string' || Buffer.from(data, 'base64').length !== dt!.itemsize) {
      throw new ParamError(`${path}, line ${line}: 'data' is not ${dt!.itemsize} bytes of base64`)
    }
    rows++
  }
  if (header === null || dt === null) throw new ParamError(`${path}: empty dead-letter file`)
  const rowDtype = dt
  const nulls = nullBits(rowDtype, header.validityField, path)
  const columns = structColumns(rowDtype, path).map((c) =>
    nulls?.has(c.name) === true ? { ...c, nullable: true } : c,
  )
  return {
    format: 'dead-letter',
    path,
    columns,
    rows,
    keyField: header.keyField,
    async *batches(): AsyncIterable<SourceBatch> {
      let first = true
      let array = StructuredArray.zeros(rowDtype, batchRows)
      let n = 0
      for await (const { text, line } of lines(path)) {
        if (first) {
          first = false
          continue
        }
        const entry = parseLine(path, line, text) as DeadLetterEntry
        array.bytes.set(Buffer.from(entry.data, 'base64'), n * rowDtype.itemsize)
        if (++n === batchRows) {
          yield withNulls(structBatch(array), array, nulls)
          array = StructuredArray.zeros(rowDtype, batchRows)
          n = 0
        }
      }
      if (n > 0) yield withNulls(structBatch(array.slice(0, n)), array, nulls)
    },
    // only a file of --nulls skip-bin rows has nulls: read before writing when they matter
    columnsToCheck: (needed, nullsMatter) =>
      nullsMatter ? needed.filter((i) => columns[i]!.nullable) : [],
    close: async () => {},
  }
}

/**
 * Field name → (byte, mask) of its bit in the rows' validity bitmap: the bins as the write plan
 * orders them (fields not starting with `_`). Null when the rows have no bitmap.
 */
function nullBits(
  dt: Dtype,
  validityField: string | undefined,
  path: string,
): Map<string, { at: number; mask: number }> | null {
  if (validityField === undefined) return null
  const v = dt.field(validityField)
  if (v === undefined) {
    throw new ParamError(
      `${path}: the header's validityField '${validityField}' is not in its dtype`,
    )
  }
  const bits = new Map<string, { at: number; mask: number }>()
  let b = 0
  for (const f of dt.fields!) {
    if (f.name.startsWith('_')) continue
    if (b >> 3 >= v.dtype.itemsize) {
      throw new ParamError(`${path}: '${validityField}' is too narrow for the bins`)
    }
    bits.set(f.name, { at: v.offset + (b >> 3), mask: 1 << (b & 7) })
    b++
  }
  return bits
}

/** A batch whose bins read as null where the row's bitmap clears their bit. */
function withNulls(
  batch: SourceBatch,
  array: StructuredArray,
  nulls: Map<string, { at: number; mask: number }> | null,
): SourceBatch {
  if (nulls === null) return batch
  const bytes = new Uint8Array(array.buffer)
  const fields = array.dtype.fields!
  return {
    length: batch.length,
    column: (i) => {
      const reader = batch.column(i)
      const bit = nulls.get(fields[i]!.name)
      if (bit === undefined) return reader
      const at = array.byteOffset + bit.at
      return {
        ...reader,
        isNull: (row) => (bytes[at + row * array.stride]! & bit.mask) === 0,
      }
    },
  }
}

/** Source rows listed in a dead-letter file (to leave out of verification). */
export async function deadLetterRows(path: string): Promise<Set<number>> {
  const rows = new Set<number>()
  let first = true
  for await (const { text, line } of lines(path)) {
    if (first) {
      first = false
      continue
    }
    rows.add((parseLine(path, line, text) as DeadLetterEntry).row)
  }
  return rows
}
