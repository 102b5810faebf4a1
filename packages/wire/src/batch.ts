import {
  AS_COMPRESSED_MESSAGE_TYPE,
  AS_MESSAGE_TYPE,
  BATCH_FLAGS_DEFAULT,
  BATCH_MSG_GEN,
  BATCH_MSG_INFO,
  BATCH_MSG_INFO4,
  BATCH_MSG_REPEAT,
  BATCH_MSG_TTL,
  BATCH_ROW_REPEAT_SIZE,
  DIGEST_SIZE,
  FIELD_BATCH_INDEX,
  FIELD_BATCH_INDEX_WITH_SET,
  FIELD_FILTER,
  FIELD_HEADER_SIZE,
  FIELD_NAMESPACE,
  FIELD_SETNAME,
  INFO1_BATCH_INDEX,
  INFO3_LAST,
  MSG_HEADER_SIZE,
  OP_HEADER_SIZE,
  PROTO_HEADER_SIZE,
  PROTO_SIZE_MAX,
} from './constants.js'
import { WireError } from './errors.js'
import {
  decodeMessage,
  EMPTY_BYTES,
  MessageWriter,
  scanMessage,
  toBytes,
  type DecodedMessage,
  type FieldInput,
  type FieldRef,
  type MsgHeader,
  type OpInput,
  type OpRef,
} from './msg.js'
import { decodeProtoHeader, inflateCompressedBody } from './proto.js'

// ---- request: encode -----------------------------------------------------------------------------

/** Per-row attributes. Optional parts are sent (and their row flag set) only when given. */
export interface BatchRowAttributes {
  info1: number
  /** info2 and info3 travel together (BATCH_MSG_INFO); give either to send both. */
  info2?: number
  info3?: number
  /** BATCH_MSG_INFO4. */
  info4?: number
  /** BATCH_MSG_GEN: u16 expected generation. */
  generation?: number
  /** BATCH_MSG_TTL: u32 record_ttl. */
  ttl?: number
}

export interface BatchRequestOptions {
  /** Parent transaction_ttl: the batch's total timeout in ms. */
  timeout?: number
  /** Parent flags byte (default 0x0D: inline, report all errors, error records). */
  flags?: number
  /** Extra parent info1 bits besides BATCH_INDEX (e.g. INFO1_COMPRESS_RESPONSE). */
  info1?: number
  /** Parent-level filter expression (msgpack); written before the batch field. */
  filter?: Uint8Array
}

/** Row flags byte for a full row with these attributes. */
export function batchRowFlags(attrs: BatchRowAttributes): number {
  let flags = 0
  if (attrs.info2 !== undefined || attrs.info3 !== undefined) flags |= BATCH_MSG_INFO
  if (attrs.info4 !== undefined) flags |= BATCH_MSG_INFO4
  if (attrs.generation !== undefined) flags |= BATCH_MSG_GEN
  if (attrs.ttl !== undefined) flags |= BATCH_MSG_TTL
  return flags
}

/**
 * Writes one batch-index request frame into a MessageWriter, row by row, and patches the sizes
 * and the row count at `end()`. A full row is `beginRow` (writes ns and set), any extra fields
 * and ops written on `writer`, then `endRow(extraFields, nOps)`; `repeatRow` reuses everything
 * of the previous full row.
 */
export class BatchRequestWriter {
  readonly writer: MessageWriter
  #frameMark: number
  #fieldMark: number
  #countOffset: number
  #rows = 0
  #rowCountsOffset = -1
  #hasFullRow = false
  readonly #names = new Map<string, Uint8Array>()

  constructor(writer: MessageWriter, options: BatchRequestOptions = {}) {
    this.writer = writer
    this.#frameMark = writer.beginProto(AS_MESSAGE_TYPE)
    const filter = options.filter
    writer.msgHeader({
      info1: INFO1_BATCH_INDEX | (options.info1 ?? 0),
      transactionTtl: options.timeout ?? 0,
      nFields: filter === undefined ? 1 : 2,
    })
    if (filter !== undefined) writer.field(FIELD_FILTER, filter)
    this.#fieldMark = writer.beginField(FIELD_BATCH_INDEX)
    this.#countOffset = writer.skip(4)
    writer.u8(options.flags ?? BATCH_FLAGS_DEFAULT)
  }

  get rowCount(): number {
    return this.#rows
  }

  /** A row that reuses everything but index and digest from the previous full row. */
  repeatRow(index: number, digest: Uint8Array, digestOffset = 0): void {
    if (!this.#hasFullRow) {
      throw new WireError(
        'BAD_VALUE',
        this.writer.length,
        'a REPEAT row needs a full row before it',
      )
    }
    this.#rowStart(index, digest, digestOffset, BATCH_MSG_REPEAT)
  }

  /** Starts a full row and writes its NAMESPACE and SETNAME fields. */
  beginRow(
    index: number,
    digest: Uint8Array,
    attrs: BatchRowAttributes,
    namespace: Uint8Array | string,
    set: Uint8Array | string,
    digestOffset = 0,
  ): void {
    const w = this.writer
    const flags = batchRowFlags(attrs)
    this.#rowStart(index, digest, digestOffset, flags)
    w.u8(attrs.info1)
    if ((flags & BATCH_MSG_INFO) !== 0) w.u8(attrs.info2 ?? 0).u8(attrs.info3 ?? 0)
    if ((flags & BATCH_MSG_INFO4) !== 0) w.u8(attrs.info4!)
    if ((flags & BATCH_MSG_GEN) !== 0) w.u16(attrs.generation! & 0xffff)
    if ((flags & BATCH_MSG_TTL) !== 0) w.u32(attrs.ttl! >>> 0)
    this.#rowCountsOffset = w.skip(4)
    w.field(FIELD_NAMESPACE, this.#encoded(namespace))
    w.field(FIELD_SETNAME, this.#encoded(set))
    this.#hasFullRow = true
  }

  /** Sets the row's n_fields (2 + `extraFields`) and n_ops. */
  endRow(extraFields = 0, nOps = 0): void {
    if (this.#rowCountsOffset < 0)
      throw new WireError('BAD_VALUE', this.writer.length, 'endRow without beginRow')
    this.writer.patchU16(this.#rowCountsOffset, 2 + extraFields)
    this.writer.patchU16(this.#rowCountsOffset + 2, nOps)
    this.#rowCountsOffset = -1
  }

  /** A whole full row with extra fields (after ns and set) and ops. */
  fullRow(
    index: number,
    digest: Uint8Array,
    attrs: BatchRowAttributes,
    namespace: Uint8Array | string,
    set: Uint8Array | string,
    fields: readonly FieldInput[] = [],
    ops: readonly OpInput[] = [],
  ): void {
    this.beginRow(index, digest, attrs, namespace, set)
    for (const field of fields) this.writer.field(field.type, field.data)
    for (const op of ops) {
      this.writer.op(
        op.op,
        op.particleType ?? 0,
        op.name ?? EMPTY_BYTES,
        op.value ?? EMPTY_BYTES,
        op.flags ?? 0,
      )
    }
    this.endRow(fields.length, ops.length)
  }

  /** Patches the row count and sizes; returns the frame's bytes (a view of the writer's buffer). */
  end(): Uint8Array {
    if (this.#rowCountsOffset >= 0)
      throw new WireError('BAD_VALUE', this.writer.length, 'row not ended')
    const w = this.writer
    w.patchU32(this.#countOffset, this.#rows)
    w.endField(this.#fieldMark)
    w.endProto(this.#frameMark)
    return w.bytes.subarray(this.#frameMark, w.length)
  }

  /** UTF-8 of a namespace or set name; rows repeat the same few names, so they are cached. */
  #encoded(name: Uint8Array | string): Uint8Array {
    if (typeof name !== 'string') return name
    let bytes = this.#names.get(name)
    if (bytes === undefined) {
      bytes = toBytes(name)
      if (this.#names.size < 64) this.#names.set(name, bytes)
    }
    return bytes
  }

  #rowStart(index: number, digest: Uint8Array, digestOffset: number, flags: number): void {
    if (this.#rowCountsOffset >= 0)
      throw new WireError('BAD_VALUE', this.writer.length, 'previous row not ended')
    if (digestOffset + DIGEST_SIZE > digest.length) {
      throw new WireError('BAD_VALUE', this.writer.length, `row ${index}: digest needs 20 bytes`)
    }
    const w = this.writer
    w.ensure(BATCH_ROW_REPEAT_SIZE)
    const at = w.length
    w.view.setUint32(at, index)
    const out = w.bytes
    for (let i = 0; i < DIGEST_SIZE; i++) out[at + 4 + i] = digest[digestOffset + i]!
    out[at + 24] = flags
    w.length = at + BATCH_ROW_REPEAT_SIZE
    this.#rows++
  }
}

export interface BatchRequestRowInput {
  index: number
  digest: Uint8Array
  /** Reuse everything but index and digest from the previous full row. */
  repeat?: boolean
  attrs?: BatchRowAttributes
  namespace?: string
  set?: string
  /** Fields after NAMESPACE and SETNAME (e.g. FILTER, KEY). */
  fields?: readonly FieldInput[]
  ops?: readonly OpInput[]
}

/** A whole batch-index request frame (convenience over BatchRequestWriter). */
export function encodeBatchRequest(
  rows: readonly BatchRequestRowInput[],
  options: BatchRequestOptions = {},
): Uint8Array {
  const batch = new BatchRequestWriter(new MessageWriter(1024), options)
  for (const [i, row] of rows.entries()) {
    if (row.repeat === true) {
      batch.repeatRow(row.index, row.digest)
      continue
    }
    if (row.attrs === undefined || row.namespace === undefined) {
      throw new WireError(
        'BAD_VALUE',
        batch.writer.length,
        `row ${i}: a full row needs attrs and namespace`,
      )
    }
    batch.fullRow(
      row.index,
      row.digest,
      row.attrs,
      row.namespace,
      row.set ?? '',
      row.fields,
      row.ops,
    )
  }
  return batch.end().slice()
}

// ---- request: decode ---------------------------------------------------------------------------

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
      ops.push({
        op: bytes[at + 4]!,
        particleType: bytes[at + 5]!,
        flags: bytes[at + 6]!,
        nameOffset: at + OP_HEADER_SIZE,
        nameLength,
        valueOffset: at + OP_HEADER_SIZE + nameLength,
        valueLength: size - 4 - nameLength,
      })
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

// ---- response: streaming decode -------------------------------------------------------------------

export interface MessageStreamReaderOptions {
  /** Largest proto body accepted (and largest inflated body). Default PROTO_SIZE_MAX. */
  maxFrameSize?: number
}

/**
 * Reads AS_MSGs from a stream of type-3 (and compressed type-4) frames, chunks ending anywhere,
 * and returns each message as soon as its last byte arrives. A message inside one chunk is
 * decoded in place (no copy); a message spread over chunks is copied once it can be completed.
 * Messages may not straddle frames. After an error the reader stays failed.
 */
export class MessageStreamReader {
  readonly #maxFrameSize: number
  #chunks: Uint8Array[] = []
  #buffered = 0
  /** Body bytes of the current frame not yet consumed; -1 = expecting a proto header. */
  #frameLeft = -1
  #frameCompressed = false
  /** Fewest buffered bytes worth another parse attempt. */
  #need = PROTO_HEADER_SIZE
  #position = 0
  #failure: WireError | null = null

  constructor(options: MessageStreamReaderOptions = {}) {
    this.#maxFrameSize = options.maxFrameSize ?? PROTO_SIZE_MAX
  }

  /** True when no partial frame or message is pending. */
  get idle(): boolean {
    return this.#frameLeft <= 0 && this.#buffered === 0
  }

  /** Stream offset of the next unread byte. */
  get position(): number {
    return this.#position
  }

  push(chunk: Uint8Array): DecodedMessage[] {
    const out: DecodedMessage[] = []
    this.pushInto(chunk, out)
    return out
  }

  /**
   * Adds a chunk and appends each message it completes to `out`; when `starts` is given, also the
   * stream offset where each message begins (for a compressed frame: where its body begins).
   */
  pushInto(chunk: Uint8Array, out: DecodedMessage[], starts?: number[]): void {
    if (this.#failure !== null) throw this.#failure
    if (chunk.length > 0) {
      this.#chunks.push(chunk)
      this.#buffered += chunk.length
    }
    try {
      this.#drain(out, starts)
    } catch (error) {
      // Stay failed; an unexpected error (a bug, not bad input) is rethrown as it is.
      this.#failure =
        error instanceof WireError
          ? error
          : new WireError('BAD_SIZE', this.#position, 'message stream failed', { cause: error })
      this.#chunks = []
      this.#buffered = 0
      throw error
    }
  }

  #drain(out: DecodedMessage[], starts: number[] | undefined): void {
    for (;;) {
      if (this.#frameLeft === 0) this.#frameLeft = -1
      if (this.#frameLeft < 0) {
        if (this.#buffered < PROTO_HEADER_SIZE) return
        const at = this.#position
        const header = decodeProtoHeader(this.#peek(PROTO_HEADER_SIZE), 0, this.#maxFrameSize, at)
        this.#consume(PROTO_HEADER_SIZE)
        if (header.type !== AS_MESSAGE_TYPE && header.type !== AS_COMPRESSED_MESSAGE_TYPE) {
          throw new WireError(
            'BAD_TYPE',
            at + 1,
            `proto type ${header.type} where AS_MSG frames were expected`,
          )
        }
        this.#frameLeft = header.size
        this.#frameCompressed = header.type === AS_COMPRESSED_MESSAGE_TYPE
        this.#need = this.#frameCompressed ? header.size : MSG_HEADER_SIZE
        continue
      }
      if (this.#frameCompressed) {
        if (this.#buffered < this.#frameLeft) return
        const at = this.#position
        const body = this.#peek(this.#frameLeft)
        this.#consume(this.#frameLeft)
        this.#frameLeft = -1
        const inner = inflateCompressedBody(body, this.#maxFrameSize, at)
        let offset = 0
        while (offset < inner.length) {
          const message = decodeMessageAt(inner, offset, at)
          out.push(message)
          starts?.push(at)
          offset = message.end
        }
        continue
      }
      const available = Math.min(this.#buffered, this.#frameLeft)
      if (available < Math.min(this.#need, this.#frameLeft)) return
      const view = this.#peek(available)
      const at = this.#position
      const end = scanAt(view, available, at)
      if (end < 0) {
        if (-end > this.#frameLeft) {
          throw new WireError(
            'BAD_SIZE',
            at,
            `AS_MSG needs ${-end} bytes but its frame has ${this.#frameLeft} left`,
          )
        }
        this.#need = -end
        return
      }
      out.push(decodeMessage(view, 0, end))
      starts?.push(at)
      this.#consume(end)
      this.#frameLeft -= end
      this.#need = MSG_HEADER_SIZE
    }
  }

  /** The first `n` buffered bytes as one array (a view when they lie in one chunk). */
  #peek(n: number): Uint8Array {
    const first = this.#chunks[0]!
    if (first.length >= n) return first.subarray(0, n)
    // Merge chunks into one so later peeks at this data are views.
    const merged = new Uint8Array(this.#buffered)
    let filled = 0
    for (const chunk of this.#chunks) {
      merged.set(chunk, filled)
      filled += chunk.length
    }
    this.#chunks = [merged]
    return merged.subarray(0, n)
  }

  #consume(n: number): void {
    this.#buffered -= n
    this.#position += n
    let used = 0 // whole chunks consumed; removed in one splice (shift per chunk is quadratic)
    while (n > 0) {
      const chunk = this.#chunks[used]!
      if (chunk.length <= n) {
        used++
        n -= chunk.length
      } else {
        this.#chunks[used] = chunk.subarray(n)
        n = 0
      }
    }
    if (used > 0) this.#chunks.splice(0, used)
  }
}

/** scanMessage with error offsets moved to stream positions. */
function scanAt(view: Uint8Array, available: number, base: number): number {
  try {
    return scanMessage(view, 0, available)
  } catch (error) {
    throw rebase(error, base)
  }
}

function decodeMessageAt(bytes: Uint8Array, offset: number, base: number): DecodedMessage {
  try {
    return decodeMessage(bytes, offset, bytes.length)
  } catch (error) {
    throw rebase(error, base)
  }
}

function rebase(error: unknown, base: number): unknown {
  if (!(error instanceof WireError)) return error
  return new WireError(
    error.code,
    base + error.offset,
    error.message.replace(/ \(at byte \d+\)$/, ''),
    {
      cause: error,
    },
  )
}

/** One row of a batch response. `index` is the row's position in the caller's batch. */
export interface BatchResponseRow extends DecodedMessage {
  readonly index: number
}

export interface BatchResponseDecoderOptions extends MessageStreamReaderOptions {
  /** Number of keys in the whole batch: a row index at or above it is an error. */
  batchSize?: number
}

/**
 * Decodes a batch response stream: rows as they complete, until the LAST message. `done` and
 * `resultCode` (the LAST message's code; non-zero fails the whole node sub-batch) are set when
 * LAST arrives; bytes after it are an error (the server must not send unsolicited bytes).
 */
export class BatchResponseDecoder {
  readonly #reader: MessageStreamReader
  readonly #batchSize: number
  readonly #messages: DecodedMessage[] = []
  readonly #starts: number[] = []
  done = false
  resultCode = 0

  constructor(options: BatchResponseDecoderOptions = {}) {
    this.#reader = new MessageStreamReader(options)
    this.#batchSize = options.batchSize ?? 0xffffffff + 1
  }

  /** Adds a chunk and returns the rows it completes. */
  push(chunk: Uint8Array): BatchResponseRow[] {
    const rows: BatchResponseRow[] = []
    this.pushInto(chunk, rows)
    return rows
  }

  pushInto(chunk: Uint8Array, rows: BatchResponseRow[]): void {
    if (this.done) {
      if (chunk.length === 0) return
      throw new WireError(
        'BAD_SIZE',
        this.#reader.position,
        `${chunk.length} bytes after the LAST message`,
      )
    }
    const messages = this.#messages
    const starts = this.#starts
    messages.length = 0
    starts.length = 0
    this.#reader.pushInto(chunk, messages, starts)
    for (let i = 0; i < messages.length; i++) {
      const message = messages[i]!
      if ((message.header.info3 & INFO3_LAST) !== 0) {
        this.done = true
        this.resultCode = message.header.resultCode
        if (i !== messages.length - 1 || !this.#reader.idle) {
          throw new WireError(
            'BAD_SIZE',
            starts[i]! + message.end - message.offset,
            'bytes after the LAST message',
          )
        }
        break
      }
      const index = message.header.transactionTtl
      if (index >= this.#batchSize) {
        throw new WireError(
          'BAD_VALUE',
          starts[i]! + 14,
          `batch index ${index} >= batch size ${this.#batchSize}`,
        )
      }
      rows.push({
        index,
        header: message.header,
        fields: message.fields,
        ops: message.ops,
        bytes: message.bytes,
        offset: message.offset,
        end: message.end,
      })
    }
  }
}

/** Decodes a batch response held in memory (any number of frames) into rows and the LAST code. */
export function decodeBatchResponse(
  bytes: Uint8Array,
  options: BatchResponseDecoderOptions = {},
): { rows: BatchResponseRow[]; resultCode: number } {
  const decoder = new BatchResponseDecoder(options)
  const rows = decoder.push(bytes)
  if (!decoder.done)
    throw new WireError('TRUNCATED', bytes.length, 'batch response without a LAST message')
  return { rows, resultCode: decoder.resultCode }
}
