/**
 * The server's halves of a batch-index exchange (the devserver uses them): walking the rows of a
 * request, and writing the per-row responses and the LAST message.
 */
import {
  AS_MESSAGE_TYPE,
  BATCH_MSG_GEN,
  BATCH_MSG_INFO,
  BATCH_MSG_INFO4,
  BATCH_MSG_REPEAT,
  BATCH_MSG_TTL,
  BATCH_ROW_REPEAT_SIZE,
  DIGEST_SIZE,
  FIELD_BATCH_INDEX,
  FIELD_BATCH_INDEX_WITH_SET,
  FIELD_HEADER_SIZE,
  INFO1_BATCH_INDEX,
  INFO3_LAST,
  OP_HEADER_SIZE,
  PROTO_HEADER_SIZE,
} from './constants.js'
import { WireError } from './errors.js'
import type { MessageWriter } from './msg.js'
import {
  decodeMessage,
  EMPTY_BYTES,
  opRefAt,
  type DecodedMessage,
  type FieldRef,
  type MsgHeader,
  type OpInput,
  type OpRef,
} from './msg.js'

/**
 * One row of a decoded batch request, shaped like a single-record message so the same command
 * code can run it. `header` carries the row's info1–4, generation and record_ttl; `fields`
 * (ns, set, …) and `ops` point into `bytes`. A REPEAT row shares header, fields and ops with the
 * full row it repeats. The digest is not a field: it is `digest` (a view of `bytes`).
 */
export interface BatchRequestRow extends DecodedMessage {
  readonly index: number
  readonly digest: Uint8Array
  readonly digestOffset: number
  readonly repeat: boolean
  /** The row flags byte as sent. */
  readonly rowFlags: number
}

export interface DecodedBatchRequest {
  readonly header: MsgHeader
  readonly bytes: Uint8Array
  /** Parent fields other than the batch field (e.g. FILTER). */
  readonly parentFields: FieldRef[]
  /** Parent flags byte (BATCH_FLAG_*). */
  readonly batchFlags: number
  readonly rows: BatchRequestRow[]
  /** Offset just past the message. */
  readonly end: number
}

function u32(bytes: Uint8Array, at: number): number {
  return (
    ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0
  )
}

function u16(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 8) | bytes[at + 1]!
}

/**
 * Walks the rows of a batch-index request AS_MSG at `offset` (just after the proto header), old and
 * new row formats, without building a row object per row: after each `next()` the cursor's
 * `index`, `digestOffset`, `rowFlags`, `repeat`, `header`, `fields` and `ops` describe the current
 * row. A REPEAT row keeps the `header`, `fields` and `ops` of the full row before it (the same
 * objects); a full row gets new ones, so they may be kept. Nothing is copied.
 */
export class BatchRequestCursor {
  readonly bytes: Uint8Array
  /** The parent message header. */
  readonly parentHeader: MsgHeader
  /** Parent fields other than the batch field (e.g. FILTER). */
  readonly parentFields: FieldRef[]
  /** Parent flags byte (BATCH_FLAG_*). */
  readonly batchFlags: number
  readonly rowCount: number
  /** Offset just past the message. */
  readonly end: number

  /** Position of the current row among the rows (0-based; -1 before the first `next()`). */
  row = -1
  index = 0
  digestOffset = 0
  rowFlags = 0
  repeat = false
  rowOffset = 0
  rowEnd = 0
  header: MsgHeader | null = null
  fields: FieldRef[] = []
  ops: OpRef[] = []

  #at: number
  readonly #fieldEnd: number

  constructor(bytes: Uint8Array, offset = 0, end = bytes.length) {
    const parent = decodeMessage(bytes, offset, end)
    if ((parent.header.info1 & INFO1_BATCH_INDEX) === 0) {
      throw new WireError(
        'BAD_TYPE',
        offset + 1,
        'not a batch-index request (info1 lacks BATCH_INDEX)',
      )
    }
    let batchField: FieldRef | undefined
    const parentFields: FieldRef[] = []
    for (const field of parent.fields) {
      if (field.type === FIELD_BATCH_INDEX && batchField === undefined) batchField = field
      else if (field.type === FIELD_BATCH_INDEX_WITH_SET) {
        throw new WireError(
          'BAD_TYPE',
          field.offset - 1,
          'BATCH_INDEX_WITH_SET rows are not supported',
        )
      } else parentFields.push(field)
    }
    if (batchField === undefined) {
      throw new WireError('BAD_TYPE', offset, 'batch-index request without a BATCH_INDEX field')
    }
    const fieldEnd = batchField.offset + batchField.length
    const at = batchField.offset
    if (batchField.length < 5) {
      throw new WireError(
        'TRUNCATED',
        at,
        `BATCH_INDEX field of ${batchField.length} bytes (need ≥ 5)`,
      )
    }
    const nRows = u32(bytes, at)
    // Every row takes at least 25 bytes: refuse impossible counts before reading any row.
    if (nRows > (fieldEnd - at - 5) / BATCH_ROW_REPEAT_SIZE) {
      throw new WireError('BAD_SIZE', at, `${nRows} rows cannot fit in ${fieldEnd - at - 5} bytes`)
    }
    this.bytes = bytes
    this.parentHeader = parent.header
    this.parentFields = parentFields
    this.batchFlags = bytes[at + 4]!
    this.rowCount = nRows
    this.end = parent.end
    this.#at = at + 5
    this.#fieldEnd = fieldEnd
  }

  /** A view of the current row's digest. */
  get digest(): Uint8Array {
    return this.bytes.subarray(this.digestOffset, this.digestOffset + DIGEST_SIZE)
  }

  /** Moves to the next row; false after the last (when it also checks no bytes follow it). */
  next(): boolean {
    const bytes = this.bytes
    const fieldEnd = this.#fieldEnd
    const i = this.row + 1
    if (i >= this.rowCount) {
      if (this.#at !== fieldEnd) {
        throw new WireError(
          'BAD_SIZE',
          this.#at,
          `${fieldEnd - this.#at} bytes after the last batch row`,
        )
      }
      return false
    }
    let at = this.#at
    const rowStart = at
    if (fieldEnd - at < BATCH_ROW_REPEAT_SIZE) {
      throw new WireError('TRUNCATED', at, `batch row ${i}: needs 25 bytes, ${fieldEnd - at} left`)
    }
    const index = u32(bytes, at)
    const rowFlags = bytes[at + 24]!
    at += BATCH_ROW_REPEAT_SIZE
    if ((rowFlags & BATCH_MSG_REPEAT) !== 0) {
      if (this.header === null) {
        throw new WireError(
          'BAD_VALUE',
          rowStart + 24,
          `batch row ${i}: REPEAT without a previous full row`,
        )
      }
      this.#setRow(i, index, rowStart, rowFlags, true, at)
      return true
    }
    let need = 1 + 4
    if ((rowFlags & BATCH_MSG_INFO) !== 0) need += 2
    if ((rowFlags & BATCH_MSG_INFO4) !== 0) need += 1
    if ((rowFlags & BATCH_MSG_GEN) !== 0) need += 2
    if ((rowFlags & BATCH_MSG_TTL) !== 0) need += 4
    if (fieldEnd - at < need) {
      throw new WireError(
        'TRUNCATED',
        at,
        `batch row ${i}: attributes need ${need} bytes, ${fieldEnd - at} left`,
      )
    }
    const info1 = bytes[at++]!
    let info2 = 0
    let info3 = 0
    let info4 = 0
    let generation = 0
    let recordTtl = 0
    if ((rowFlags & BATCH_MSG_INFO) !== 0) {
      info2 = bytes[at++]!
      info3 = bytes[at++]!
    }
    if ((rowFlags & BATCH_MSG_INFO4) !== 0) info4 = bytes[at++]!
    if ((rowFlags & BATCH_MSG_GEN) !== 0) {
      generation = u16(bytes, at)
      at += 2
    }
    if ((rowFlags & BATCH_MSG_TTL) !== 0) {
      recordTtl = u32(bytes, at)
      at += 4
    }
    const nFields = u16(bytes, at)
    const nOps = u16(bytes, at + 2)
    at += 4
    const fields: FieldRef[] = []
    for (let f = 0; f < nFields; f++) {
      if (fieldEnd - at < FIELD_HEADER_SIZE) {
        throw new WireError('TRUNCATED', at, `batch row ${i}: field ${f} header past the end`)
      }
      const size = u32(bytes, at)
      if (size < 1) throw new WireError('BAD_SIZE', at, `batch row ${i}: field ${f} has size 0`)
      if (size > fieldEnd - at - 4) {
        throw new WireError(
          'TRUNCATED',
          at,
          `batch row ${i}: field ${f} size ${size} runs past the end`,
        )
      }
      fields.push({ type: bytes[at + 4]!, offset: at + FIELD_HEADER_SIZE, length: size - 1 })
      at += 4 + size
    }
    const ops: OpRef[] = []
    for (let o = 0; o < nOps; o++) {
      if (fieldEnd - at < OP_HEADER_SIZE) {
        throw new WireError('TRUNCATED', at, `batch row ${i}: op ${o} header past the end`)
      }
      const size = u32(bytes, at)
      const nameLength = bytes[at + 7]!
      if (size < 4 + nameLength) {
        throw new WireError(
          'BAD_SIZE',
          at,
          `batch row ${i}: op ${o} size ${size} < 4 + name length ${nameLength}`,
        )
      }
      if (size > fieldEnd - at - 4) {
        throw new WireError(
          'TRUNCATED',
          at,
          `batch row ${i}: op ${o} size ${size} runs past the end`,
        )
      }
      ops.push(opRefAt(bytes, at, size, nameLength))
      at += 4 + size
    }
    this.header = {
      info1,
      info2,
      info3,
      info4,
      resultCode: 0,
      generation,
      recordTtl,
      transactionTtl: this.parentHeader.transactionTtl,
      nFields,
      nOps,
    }
    this.fields = fields
    this.ops = ops
    this.#setRow(i, index, rowStart, rowFlags, false, at)
    return true
  }

  #setRow(
    row: number,
    index: number,
    rowStart: number,
    rowFlags: number,
    repeat: boolean,
    end: number,
  ): void {
    this.row = row
    this.index = index
    this.digestOffset = rowStart + 4
    this.rowFlags = rowFlags
    this.repeat = repeat
    this.rowOffset = rowStart
    this.rowEnd = end
    this.#at = end
  }
}

/**
 * Decodes a batch-index request AS_MSG at `offset` (just after the proto header) into row objects,
 * REPEAT rows inheriting from the previous full row. Nothing is copied. For very large batches
 * `BatchRequestCursor` avoids an object per row.
 */
export function decodeBatchRequest(
  bytes: Uint8Array,
  offset = 0,
  end = bytes.length,
): DecodedBatchRequest {
  const cursor = new BatchRequestCursor(bytes, offset, end)
  const rows: BatchRequestRow[] = []
  while (cursor.next()) {
    rows.push({
      index: cursor.index,
      digest: cursor.digest,
      digestOffset: cursor.digestOffset,
      repeat: cursor.repeat,
      rowFlags: cursor.rowFlags,
      header: cursor.header!,
      fields: cursor.fields,
      ops: cursor.ops,
      bytes,
      offset: cursor.rowOffset,
      end: cursor.rowEnd,
    })
  }
  return {
    header: cursor.parentHeader,
    bytes,
    parentFields: cursor.parentFields,
    batchFlags: cursor.batchFlags,
    rows,
    end: cursor.end,
  }
}

// ---- response: encode ------------------------------------------------------------------------------

export interface BatchResponseWriterOptions {
  /** Start a new proto frame once a frame's body reaches this many bytes. Default 128 KiB. */
  frameSize?: number
}

/**
 * Writes batch responses: one AS_MSG per row (transaction_ttl = row index), split over proto
 * frames of about `frameSize` bytes, ended by the LAST message. Rows never straddle frames.
 */
export class BatchResponseWriter {
  readonly writer: MessageWriter
  readonly #frameSize: number
  #frameMark = -1
  #rowHeader = -1

  constructor(writer: MessageWriter, options: BatchResponseWriterOptions = {}) {
    this.writer = writer
    this.#frameSize = options.frameSize ?? 128 * 1024
  }

  /** Starts a row's message; write its ops on `writer`, then call `endRow(nOps)`. */
  beginRow(index: number, resultCode: number, generation = 0, voidTime = 0): void {
    if (this.#rowHeader >= 0)
      throw new WireError('BAD_VALUE', this.writer.length, 'previous row not ended')
    if (this.#frameMark < 0) this.#frameMark = this.writer.beginProto(AS_MESSAGE_TYPE)
    this.#rowHeader = this.writer.msgHeader({
      resultCode,
      generation,
      recordTtl: voidTime,
      transactionTtl: index,
    })
  }

  endRow(nOps = 0): void {
    if (this.#rowHeader < 0)
      throw new WireError('BAD_VALUE', this.writer.length, 'endRow without beginRow')
    this.writer.patchCounts(this.#rowHeader, 0, nOps)
    this.#rowHeader = -1
    if (this.writer.length - this.#frameMark - PROTO_HEADER_SIZE >= this.#frameSize) {
      this.writer.endProto(this.#frameMark)
      this.#frameMark = -1
    }
  }

  /** A row with these ops. */
  row(
    index: number,
    resultCode: number,
    generation = 0,
    voidTime = 0,
    ops: readonly OpInput[] = [],
  ): void {
    this.beginRow(index, resultCode, generation, voidTime)
    for (const op of ops) {
      this.writer.op(
        op.op,
        op.particleType ?? 0,
        op.name ?? EMPTY_BYTES,
        op.value ?? EMPTY_BYTES,
        op.flags ?? 0,
      )
    }
    this.endRow(ops.length)
  }

  /** Writes the LAST message and closes the frame; returns everything written. */
  last(resultCode = 0): Uint8Array {
    if (this.#rowHeader >= 0) throw new WireError('BAD_VALUE', this.writer.length, 'row not ended')
    if (this.#frameMark < 0) this.#frameMark = this.writer.beginProto(AS_MESSAGE_TYPE)
    this.writer.msgHeader({ info3: INFO3_LAST, resultCode })
    this.writer.endProto(this.#frameMark)
    this.#frameMark = -1
    return this.writer.finish()
  }
}
