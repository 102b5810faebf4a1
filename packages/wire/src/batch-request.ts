/**
 * Batch-index requests as a client sends them: a general row-by-row writer (`BatchRequestWriter`),
 * the compiled write-row template production writes through (one copy of the template per row,
 * values written straight from the caller's rows), and the batch-read request.
 */
import {
  AS_MESSAGE_TYPE,
  AS_MSG_OP_READ,
  AS_MSG_OP_WRITE,
  BATCH_FLAG_INLINE_DATA_IN_MEMORY,
  BATCH_FLAG_INLINE_DATA_ON_DEVICE,
  BATCH_FLAG_REPORT_ALL_ERRORS,
  BATCH_FLAG_REPORT_ERROR_REC,
  BATCH_FLAGS_DEFAULT,
  BATCH_MSG_GEN,
  BATCH_MSG_INFO,
  BATCH_MSG_INFO4,
  BATCH_MSG_REPEAT,
  BATCH_MSG_TTL,
  BATCH_ROW_REPEAT_SIZE,
  DIGEST_SIZE,
  FIELD_BATCH_INDEX,
  FIELD_FILTER,
  FIELD_HEADER_SIZE,
  FIELD_KEY,
  FIELD_NAMESPACE,
  FIELD_SETNAME,
  INFO1_BATCH_INDEX,
  INFO1_GET_ALL,
  INFO1_GET_NOBINDATA,
  INFO1_READ,
  MSG_HEADER_SIZE,
  OP_HEADER_SIZE,
  PROTO_HEADER_SIZE,
} from './constants.js'
import { WireError } from './errors.js'
import { EMPTY_BYTES, MessageWriter, toBytes, type FieldInput, type OpInput } from './msg.js'

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

  /**
   * Counts `count` rows that the caller laid out itself in `writer.bytes` from `writer.length` up
   * to `end` (the write template's hot loop); they count as full rows.
   */
  rowsWritten(count: number, end: number): void {
    if (this.#rowCountsOffset >= 0)
      throw new WireError('BAD_VALUE', this.writer.length, 'previous row not ended')
    this.writer.length = end
    this.#rows += count
    if (count > 0) this.#hasFullRow = true
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

/** proto header + msg header + BATCH_INDEX field header + n_rows + parent flags. */
const BATCH_HEADER_SIZE = PROTO_HEADER_SIZE + MSG_HEADER_SIZE + FIELD_HEADER_SIZE + 4 + 1

/** The batch policy fields that set parent flags (undefined: the C client's default). */
export interface BatchFlagsPolicy {
  allowInline?: boolean | undefined
  allowInlineSSD?: boolean | undefined
  respondAllKeys?: boolean | undefined
}

/** The parent flags byte for a batch policy, as the C client 7.x sends it. */
export function batchParentFlags(policy: BatchFlagsPolicy): number {
  if (
    policy.allowInline === undefined &&
    policy.allowInlineSSD === undefined &&
    policy.respondAllKeys === undefined
  ) {
    return BATCH_FLAGS_DEFAULT
  }
  return (
    BATCH_FLAG_REPORT_ERROR_REC |
    ((policy.allowInline ?? true) ? BATCH_FLAG_INLINE_DATA_IN_MEMORY : 0) |
    ((policy.allowInlineSSD ?? false) ? BATCH_FLAG_INLINE_DATA_ON_DEVICE : 0) |
    ((policy.respondAllKeys ?? true) ? BATCH_FLAG_REPORT_ALL_ERRORS : 0)
  )
}

/** What the write template needs of one bin (core's write plan `BinCodec` has it). */
export interface BatchWriteBin {
  readonly nameBytes: Uint8Array
  readonly particleType: number
  /** Wire value length; `writeValue` fills exactly this many bytes. */
  readonly valueSize: number
  writeValue(
    src: Uint8Array,
    srcView: DataView,
    rowOffset: number,
    row: number,
    out: Uint8Array,
    outView: DataView,
    outOffset: number,
  ): void
}

/** What the write template needs of the key (core's write plan `KeyCodec` has it). */
export interface BatchWriteKey {
  readonly particleType: number
  readonly maxKeyBytes: number
  writeKeyBytes(
    src: Uint8Array,
    rowOffset: number,
    row: number,
    out: Uint8Array,
    outOffset: number,
  ): number
}

export interface BatchWriteTemplateOptions {
  namespace: string
  set: string
  bins: readonly BatchWriteBin[]
  key: BatchWriteKey
  /** Send the user key (FIELD_KEY) with every row. */
  sendKey: boolean
  info2: number
  info3: number
  /** BATCH_MSG_GEN: the expected generation (0 when the policy ignores it). */
  generation: number
  /** BATCH_MSG_TTL: the record_ttl as sent (u32). */
  recordTtl: number
  /** Parent flags byte (`batchParentFlags`). */
  flags: number
  /** Parent transaction_ttl: the batch's total timeout in ms. */
  timeout: number
  /**
   * Byte offset in a row of a bitmap of the bins (bit b, LSB first, set when bin b is written);
   * a row whose bitmap clears bits is sent without those bins. Absent: every row has every bin.
   */
  validityOffset?: number
}

/** Rows laid out as a structured array: row r starts at `byteOffset + r * stride` of `bytes`. */
export interface BatchRowSource {
  readonly bytes: Uint8Array
  readonly view: DataView
  readonly byteOffset: number
  readonly stride: number
}

/**
 * A batch-write row compiled once per call (namespace, set, bins, policy): every row is its
 * index and digest, one copy of the template, the key field when sent, and the values written
 * straight from the row into the template's value slots.
 */
export class BatchWriteTemplate {
  /** Largest number of bytes one row can take. */
  readonly maxRowSize: number
  readonly #options: BatchWriteTemplateOptions
  /** Row flags and everything up to the key field (the whole row less values when no key is sent). */
  readonly #head: Uint8Array
  /** Op headers and bin names with room for the values. */
  readonly #ops: Uint8Array
  /** Where each bin's value goes, from the start of `#ops`. */
  readonly #valueOffsets: Int32Array
  /** Where each bin's op starts, from the start of `#ops` (and where the ops end, last). */
  readonly #opStarts: Int32Array
  /** Where the op count is, from the start of `#head`. */
  readonly #opCountAt: number

  constructor(options: BatchWriteTemplateOptions) {
    this.#options = options
    const { bins, sendKey } = options
    const w = new MessageWriter(256)
    w.u8(BATCH_MSG_INFO | BATCH_MSG_GEN | BATCH_MSG_TTL)
    w.u8(0) // info1: no reads
    w.u8(options.info2).u8(options.info3)
    w.u16(options.generation & 0xffff)
    w.u32(options.recordTtl >>> 0)
    this.#opCountAt = w.length + 2
    w.u16(sendKey ? 3 : 2).u16(bins.length)
    w.field(FIELD_NAMESPACE, options.namespace)
    w.field(FIELD_SETNAME, options.set)
    const headLength = w.length
    this.#valueOffsets = new Int32Array(bins.length)
    this.#opStarts = new Int32Array(bins.length + 1)
    for (let b = 0; b < bins.length; b++) {
      const bin = bins[b]!
      this.#opStarts[b] = w.length - headLength
      w.opHeader(AS_MSG_OP_WRITE, bin.particleType, bin.nameBytes, bin.valueSize)
      this.#valueOffsets[b] = w.length - headLength
      w.skip(bin.valueSize)
    }
    this.#opStarts[bins.length] = w.length - headLength
    const whole = w.toBytes()
    // Without a key field, head and ops are one template: one copy per row.
    this.#head = sendKey ? whole.subarray(0, headLength) : whole
    this.#ops = whole.subarray(headLength)
    this.maxRowSize =
      4 +
      DIGEST_SIZE +
      whole.length +
      (sendKey ? FIELD_HEADER_SIZE + 1 + options.key.maxKeyBytes : 0)
  }

  /** Bytes a request of `rowCount` rows needs at most. */
  requestSize(rowCount: number): number {
    return BATCH_HEADER_SIZE + rowCount * this.maxRowSize
  }

  /**
   * Writes one request frame into `writer`: for each k, batch index `positions[k]`, the digest at
   * `digests[positions[k] * 20]` and the values of row `rows[positions[k]]` of `source`. Returns
   * the frame (a view of the writer's buffer). A row the bins refuse throws their error.
   */
  encode(
    writer: MessageWriter,
    positions: Uint32Array,
    rows: Uint32Array,
    digests: Uint8Array,
    source: BatchRowSource,
  ): Uint8Array {
    const { bins, key, sendKey } = this.#options
    const batch = new BatchRequestWriter(writer, {
      timeout: this.#options.timeout,
      flags: this.#options.flags,
    })
    writer.ensure(positions.length * this.maxRowSize)
    const out = writer.bytes
    const view = writer.view
    const src = source.bytes
    const srcView = source.view
    const base = source.byteOffset
    const stride = source.stride
    const template = this.#head
    const ops = this.#ops
    const valueOffsets = this.#valueOffsets
    const opStarts = this.#opStarts
    const validityAt = this.#options.validityOffset ?? -1
    const opCountAt = this.#opCountAt
    const nBins = bins.length
    let p = writer.length
    for (let k = 0; k < positions.length; k++) {
      const i = positions[k]!
      const row = rows[i]!
      const rowOffset = base + row * stride
      const rowAt = p + 4 + DIGEST_SIZE
      view.setUint32(p, i)
      const d = i * DIGEST_SIZE
      for (let b = 0; b < DIGEST_SIZE; b++) out[p + 4 + b] = digests[d + b]!
      out.set(template, p + 4 + DIGEST_SIZE)
      p += 4 + DIGEST_SIZE + template.length
      if (sendKey) {
        const keyLength = key.writeKeyBytes(src, rowOffset, row, out, p + FIELD_HEADER_SIZE + 1)
        view.setUint32(p, keyLength + 2)
        out[p + 4] = FIELD_KEY
        out[p + 5] = key.particleType
        p += FIELD_HEADER_SIZE + 1 + keyLength
        out.set(ops, p)
        p += ops.length
      }
      const opsAt = p - ops.length
      if (validityAt < 0) {
        for (let b = 0; b < nBins; b++) {
          bins[b]!.writeValue(src, srcView, rowOffset, row, out, view, opsAt + valueOffsets[b]!)
        }
        continue
      }
      // bins the row's bitmap leaves out: their ops are dropped, the ones after move down
      const bitmap = rowOffset + validityAt
      let to = opsAt
      let present = 0
      for (let b = 0; b < nBins; b++) {
        if (((src[bitmap + (b >> 3)]! >> (b & 7)) & 1) === 0) continue
        present++
        const from = opsAt + opStarts[b]!
        const length = opStarts[b + 1]! - opStarts[b]!
        if (to !== from) out.copyWithin(to, from, from + length)
        bins[b]!.writeValue(
          src,
          srcView,
          rowOffset,
          row,
          out,
          view,
          to + valueOffsets[b]! - opStarts[b]!,
        )
        to += length
      }
      if (present !== nBins) {
        view.setUint16(rowAt + opCountAt, present)
        p = to
      }
    }
    batch.rowsWritten(positions.length, p)
    return batch.end()
  }
}

/** A key of a batch read: where its record lives and its digest. */
export interface BatchReadKey {
  readonly namespace: string
  readonly set: string
  readonly digest: Uint8Array
}

export interface BatchReadRequestOptions {
  /** Bins to read; null: all bins; []: none (metadata only). */
  bins: readonly string[] | null
  /** BATCH_MSG_TTL: the read-touch TTL percent (0: none). */
  readTouchTtlPercent: number
  /** Parent flags byte (`batchParentFlags`). */
  flags: number
  /** Parent transaction_ttl: the batch's total timeout in ms. */
  timeout: number
}

/**
 * Batch-read requests for one call: a full row for the first key of each run of keys with the
 * same namespace and set, BATCH_MSG_REPEAT rows for the rest (as the C client sends them).
 */
export class BatchReadRequest {
  readonly #options: BatchReadRequestOptions
  readonly #info1: number
  readonly #binNames: readonly Uint8Array[]
  readonly #opsSize: number
  readonly #utf8Lengths = new Map<string, number>()

  constructor(options: BatchReadRequestOptions) {
    this.#options = options
    const bins = options.bins
    this.#info1 =
      INFO1_READ | (bins === null ? INFO1_GET_ALL : bins.length === 0 ? INFO1_GET_NOBINDATA : 0)
    this.#binNames = bins === null ? [] : bins.map((b) => toBytes(b))
    let opsSize = 0
    for (const name of this.#binNames) opsSize += OP_HEADER_SIZE + name.length
    this.#opsSize = opsSize
  }

  /** Bytes the request for `positions` of `keys` needs at most. */
  requestSize(keys: readonly BatchReadKey[], positions: Uint32Array): number {
    let size = BATCH_HEADER_SIZE
    for (let k = 0; k < positions.length; k++) {
      const key = keys[positions[k]!]!
      size +=
        BATCH_ROW_REPEAT_SIZE +
        1 +
        2 +
        4 +
        4 + // info1, info2/3, ttl, counts
        2 * FIELD_HEADER_SIZE +
        this.#utf8Length(key.namespace) +
        this.#utf8Length(key.set) +
        this.#opsSize
    }
    return size
  }

  /** Writes the request frame for keys `positions` (batch index = position) into `writer`. */
  encode(writer: MessageWriter, keys: readonly BatchReadKey[], positions: Uint32Array): Uint8Array {
    const batch = new BatchRequestWriter(writer, {
      timeout: this.#options.timeout,
      flags: this.#options.flags,
    })
    const attrs: BatchRowAttributes = {
      info1: this.#info1,
      info2: 0,
      info3: 0,
      ttl: this.#options.readTouchTtlPercent >>> 0,
    }
    const binNames = this.#binNames
    let prevNamespace: string | null = null
    let prevSet: string | null = null
    for (let k = 0; k < positions.length; k++) {
      const i = positions[k]!
      const key = keys[i]!
      if (key.namespace === prevNamespace && key.set === prevSet) {
        batch.repeatRow(i, key.digest)
        continue
      }
      prevNamespace = key.namespace
      prevSet = key.set
      batch.beginRow(i, key.digest, attrs, key.namespace, key.set)
      for (const name of binNames) writer.op(AS_MSG_OP_READ, 0, name)
      batch.endRow(0, binNames.length)
    }
    return batch.end()
  }

  #utf8Length(s: string): number {
    let n = this.#utf8Lengths.get(s)
    if (n === undefined) {
      n = toBytes(s).length
      this.#utf8Lengths.set(s, n)
    }
    return n
  }
}
