import {
  AS_BIN_NAME_MAX_LEN,
  AS_MESSAGE_TYPE,
  FIELD_HEADER_SIZE,
  MSG_HEADER_SIZE,
  OP_HEADER_SIZE,
  PROTO_HEADER_SIZE,
  PROTO_SIZE_MAX,
} from './constants.js'
import { WireError } from './errors.js'
import { writeProtoHeader } from './proto.js'

/** The 22-byte AS_MSG header (header_sz is always 22 and not carried). */
export interface MsgHeader {
  info1: number
  info2: number
  info3: number
  info4: number
  resultCode: number
  generation: number
  /** Requests: TTL (writes) or read-touch percent; responses: void time. */
  recordTtl: number
  /** Requests: server timeout in ms; batch responses: the row index. */
  transactionTtl: number
  nFields: number
  nOps: number
}

/** A field inside a decoded message: its data is `bytes[offset, offset + length)`. */
export interface FieldRef {
  readonly type: number
  readonly offset: number
  readonly length: number
}

/** An op inside a decoded message; name and value are ranges of the message's bytes. */
export interface OpRef {
  readonly op: number
  readonly particleType: number
  readonly flags: number
  readonly nameOffset: number
  readonly nameLength: number
  readonly valueOffset: number
  readonly valueLength: number
}

export interface DecodedMessage {
  readonly header: MsgHeader
  readonly fields: FieldRef[]
  readonly ops: OpRef[]
  /** The buffer the refs point into. */
  readonly bytes: Uint8Array
  /** Offset of the message's header in `bytes`. */
  readonly offset: number
  /** Offset just past the message (where the next one starts). */
  readonly end: number
}

export const EMPTY_BYTES = new Uint8Array(0)
const utf8Encoder = new TextEncoder()
const utf8Decoder = new TextDecoder('utf-8', { fatal: true })

/** UTF-8 bytes of a string, or the bytes as given. */
export function toBytes(value: string | Uint8Array): Uint8Array {
  return typeof value === 'string' ? utf8Encoder.encode(value) : value
}

/** Decodes UTF-8, naming `offset` when the bytes are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array, offset: number, length: number): string {
  // Short ASCII (bin names, namespaces) is the common case; skip TextDecoder for it.
  if (length <= 32) {
    let ascii = ''
    let i = 0
    for (; i < length; i++) {
      const c = bytes[offset + i]!
      if (c >= 0x80) break
      ascii += String.fromCharCode(c)
    }
    if (i === length) return ascii
  }
  try {
    return utf8Decoder.decode(bytes.subarray(offset, offset + length))
  } catch (cause) {
    throw new WireError('BAD_VALUE', offset, 'invalid UTF-8', { cause })
  }
}

export function writeMsgHeader(out: Uint8Array, offset: number, header: Partial<MsgHeader>): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength)
  writeMsgHeaderView(out, view, offset, header)
}

function writeMsgHeaderView(
  out: Uint8Array,
  view: DataView,
  offset: number,
  h: Partial<MsgHeader>,
): void {
  out[offset] = MSG_HEADER_SIZE
  out[offset + 1] = h.info1 ?? 0
  out[offset + 2] = h.info2 ?? 0
  out[offset + 3] = h.info3 ?? 0
  out[offset + 4] = h.info4 ?? 0
  out[offset + 5] = h.resultCode ?? 0
  view.setUint32(offset + 6, h.generation ?? 0)
  view.setUint32(offset + 10, h.recordTtl ?? 0)
  view.setUint32(offset + 14, h.transactionTtl ?? 0)
  view.setUint16(offset + 18, h.nFields ?? 0)
  view.setUint16(offset + 20, h.nOps ?? 0)
}

function readU32(bytes: Uint8Array, at: number): number {
  return (
    ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0
  )
}

function readU16(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 8) | bytes[at + 1]!
}

/** Decodes the 22-byte header at `offset`; checks header_sz and that 22 bytes are there. */
export function decodeMsgHeader(bytes: Uint8Array, offset = 0, end = bytes.length): MsgHeader {
  if (end - offset < MSG_HEADER_SIZE) {
    throw new WireError(
      'TRUNCATED',
      end,
      `AS_MSG header needs ${MSG_HEADER_SIZE} bytes, got ${Math.max(0, end - offset)}`,
    )
  }
  if (bytes[offset] !== MSG_HEADER_SIZE) {
    throw new WireError('BAD_SIZE', offset, `AS_MSG header_sz ${bytes[offset]}, expected 22`)
  }
  return {
    info1: bytes[offset + 1]!,
    info2: bytes[offset + 2]!,
    info3: bytes[offset + 3]!,
    info4: bytes[offset + 4]!,
    resultCode: bytes[offset + 5]!,
    generation: readU32(bytes, offset + 6),
    recordTtl: readU32(bytes, offset + 10),
    transactionTtl: readU32(bytes, offset + 14),
    nFields: readU16(bytes, offset + 18),
    nOps: readU16(bytes, offset + 20),
  }
}

/**
 * Finds where the message at `offset` ends without building anything. Returns the end offset, or
 * a negative number `-n` when `end` comes too early and at least `n` bytes (counted from `offset`)
 * are needed to get further. Throws WireError for sizes that can never be valid.
 */
export function scanMessage(bytes: Uint8Array, offset: number, end: number): number {
  if (end - offset < MSG_HEADER_SIZE) return -MSG_HEADER_SIZE
  if (bytes[offset] !== MSG_HEADER_SIZE) {
    throw new WireError('BAD_SIZE', offset, `AS_MSG header_sz ${bytes[offset]}, expected 22`)
  }
  const nFields = readU16(bytes, offset + 18)
  const nOps = readU16(bytes, offset + 20)
  let at = offset + MSG_HEADER_SIZE
  for (let i = 0; i < nFields; i++) {
    if (end - at < 4) return -(at + 4 - offset)
    const size = readU32(bytes, at)
    if (size < 1) throw new WireError('BAD_SIZE', at, `field ${i} has size 0`)
    at += 4 + size
    if (at > end) return -(at - offset)
  }
  for (let i = 0; i < nOps; i++) {
    if (end - at < OP_HEADER_SIZE) return -(at + OP_HEADER_SIZE - offset)
    const size = readU32(bytes, at)
    const nameLength = bytes[at + 7]!
    if (size < 4 + nameLength) {
      throw new WireError(
        'BAD_SIZE',
        at,
        `op ${i} size ${size} is less than 4 + name length ${nameLength}`,
      )
    }
    at += 4 + size
    if (at > end) return -(at - offset)
  }
  return at
}

/**
 * Decodes the AS_MSG at `offset` (just after any proto header); refs point into `bytes`, nothing
 * is copied. The message must end at or before `end`.
 */
export function decodeMessage(bytes: Uint8Array, offset = 0, end = bytes.length): DecodedMessage {
  const header = decodeMsgHeader(bytes, offset, end)
  const fields: FieldRef[] = []
  const ops: OpRef[] = []
  let at = offset + MSG_HEADER_SIZE
  for (let i = 0; i < header.nFields; i++) {
    if (end - at < FIELD_HEADER_SIZE) {
      throw new WireError('TRUNCATED', at, `field ${i} of ${header.nFields}: header past the end`)
    }
    const size = readU32(bytes, at)
    if (size < 1) throw new WireError('BAD_SIZE', at, `field ${i} has size 0`)
    if (size > end - at - 4) {
      throw new WireError('TRUNCATED', at, `field ${i} size ${size} runs past the end`)
    }
    fields.push({ type: bytes[at + 4]!, offset: at + FIELD_HEADER_SIZE, length: size - 1 })
    at += 4 + size
  }
  for (let i = 0; i < header.nOps; i++) {
    if (end - at < OP_HEADER_SIZE) {
      throw new WireError('TRUNCATED', at, `op ${i} of ${header.nOps}: header past the end`)
    }
    const size = readU32(bytes, at)
    const nameLength = bytes[at + 7]!
    if (size < 4 + nameLength) {
      throw new WireError(
        'BAD_SIZE',
        at,
        `op ${i} size ${size} is less than 4 + name length ${nameLength}`,
      )
    }
    if (size > end - at - 4) {
      throw new WireError('TRUNCATED', at, `op ${i} size ${size} runs past the end`)
    }
    ops.push(opRefAt(bytes, at, size, nameLength))
    at += 4 + size
  }
  return { header, fields, ops, bytes, offset, end: at }
}

/** The first field of `type`, if any. */
export function findField(message: DecodedMessage, type: number): FieldRef | undefined {
  for (const field of message.fields) if (field.type === type) return field
  return undefined
}

export function fieldBytes(bytes: Uint8Array, field: FieldRef): Uint8Array {
  return bytes.subarray(field.offset, field.offset + field.length)
}

export function fieldString(bytes: Uint8Array, field: FieldRef): string {
  return decodeUtf8(bytes, field.offset, field.length)
}

export function opName(bytes: Uint8Array, op: OpRef): string {
  return decodeUtf8(bytes, op.nameOffset, op.nameLength)
}

export function opValue(bytes: Uint8Array, op: OpRef): Uint8Array {
  return bytes.subarray(op.valueOffset, op.valueOffset + op.valueLength)
}

export interface FieldInput {
  type: number
  data: Uint8Array | string
}

export interface OpInput {
  op: number
  particleType?: number
  flags?: number
  name?: Uint8Array | string
  value?: Uint8Array
}

export interface MessageInput {
  /** n_fields / n_ops are taken from `fields` / `ops`. */
  header?: Partial<Omit<MsgHeader, 'nFields' | 'nOps'>>
  fields?: readonly FieldInput[]
  ops?: readonly OpInput[]
}

/** A whole type-3 frame (proto header + AS_MSG). */
export function encodeMessage(message: MessageInput): Uint8Array {
  const writer = new MessageWriter(256)
  writer.message(message)
  return writer.toBytes()
}

export interface MessageWriterOptions {
  initialCapacity?: number
  /** Write into this buffer (from its start) until it is full; then grow into a new one. */
  buffer?: Uint8Array
  /** The writer refuses to grow past this. Default 1 GiB. */
  maxCapacity?: number
}

/**
 * A growable byte builder for AS_MSG traffic. Write frames, headers, fields and ops in order;
 * sizes that depend on what follows are patched with the `end*` calls.
 *
 * `bytes` and `view` are replaced when the buffer grows: fetch them again after any call that
 * may grow (every write), or reserve space first with `ensure(n)` and write directly at `length`.
 */
export class MessageWriter {
  bytes: Uint8Array
  view: DataView
  /** Number of bytes written (the offset of the next write). */
  length = 0
  readonly maxCapacity: number

  constructor(options: MessageWriterOptions | number = {}) {
    const opts = typeof options === 'number' ? { initialCapacity: options } : options
    this.maxCapacity = opts.maxCapacity ?? 1024 * 1024 * 1024
    this.bytes = opts.buffer ?? new Uint8Array(Math.max(64, opts.initialCapacity ?? 4096))
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength)
  }

  /** Forgets what was written; keeps the buffer. */
  reset(): this {
    this.length = 0
    return this
  }

  /** Makes room for `n` more bytes at `length`. */
  ensure(n: number): void {
    const needed = this.length + n
    if (needed <= this.bytes.length) return
    if (needed > this.maxCapacity) {
      throw new WireError(
        'OVERSIZE',
        this.length,
        `message would need ${needed} bytes, more than the writer's maximum ${this.maxCapacity}`,
      )
    }
    let capacity = this.bytes.length * 2
    while (capacity < needed) capacity *= 2
    capacity = Math.min(capacity, this.maxCapacity)
    const grown = new Uint8Array(capacity)
    grown.set(this.bytes.subarray(0, this.length))
    this.bytes = grown
    this.view = new DataView(grown.buffer)
  }

  /** Advances past `n` bytes (to fill later or that were written directly); returns their offset. */
  skip(n: number): number {
    this.ensure(n)
    const at = this.length
    this.length += n
    return at
  }

  u8(value: number): this {
    this.ensure(1)
    this.bytes[this.length++] = value
    return this
  }

  u16(value: number): this {
    this.ensure(2)
    this.view.setUint16(this.length, value)
    this.length += 2
    return this
  }

  u32(value: number): this {
    this.ensure(4)
    this.view.setUint32(this.length, value)
    this.length += 4
    return this
  }

  /** Unsigned 64-bit big-endian integer. */
  u64(value: number | bigint): this {
    this.ensure(8)
    writeUint64(this.view, this.length, value)
    this.length += 8
    return this
  }

  /** Signed 64-bit big-endian integer (the INTEGER particle). */
  i64(value: number | bigint): this {
    this.ensure(8)
    writeInt64(this.view, this.length, value)
    this.length += 8
    return this
  }

  f64(value: number): this {
    this.ensure(8)
    this.view.setFloat64(this.length, value)
    this.length += 8
    return this
  }

  raw(source: Uint8Array): this {
    this.ensure(source.length)
    this.bytes.set(source, this.length)
    this.length += source.length
    return this
  }

  /** UTF-8 bytes of `value`; returns how many were written. */
  utf8(value: string): number {
    this.ensure(value.length * 3)
    const { written } = utf8Encoder.encodeInto(value, this.bytes.subarray(this.length))
    this.length += written
    return written
  }

  patchU8(at: number, value: number): void {
    this.bytes[at] = value
  }

  patchU16(at: number, value: number): void {
    this.view.setUint16(at, value)
  }

  patchU32(at: number, value: number): void {
    this.view.setUint32(at, value)
  }

  /** Starts a proto frame; returns the mark to pass to `endProto`. */
  beginProto(type = AS_MESSAGE_TYPE): number {
    const at = this.skip(PROTO_HEADER_SIZE)
    this.bytes[at] = type // kept until endProto writes the full header
    return at
  }

  /** Writes the proto header at `mark` with the size of everything written since. */
  endProto(mark: number): void {
    const size = this.length - mark - PROTO_HEADER_SIZE
    if (size > PROTO_SIZE_MAX) {
      throw new WireError('OVERSIZE', mark, `frame body of ${size} bytes exceeds PROTO_SIZE_MAX`)
    }
    writeProtoHeader(this.bytes, mark, this.bytes[mark]!, size)
  }

  /** Writes a 22-byte header; returns its offset (for `patchCounts`). */
  msgHeader(header: Partial<MsgHeader>): number {
    const at = this.skip(MSG_HEADER_SIZE)
    writeMsgHeaderView(this.bytes, this.view, at, header)
    return at
  }

  /** Rewrites n_fields and n_ops of the header at `headerOffset`. */
  patchCounts(headerOffset: number, nFields: number, nOps: number): void {
    this.view.setUint16(headerOffset + 18, nFields)
    this.view.setUint16(headerOffset + 20, nOps)
  }

  /** Field header for `dataLength` bytes of data the caller writes next. */
  fieldHeader(type: number, dataLength: number): this {
    this.ensure(FIELD_HEADER_SIZE + dataLength)
    this.view.setUint32(this.length, dataLength + 1)
    this.bytes[this.length + 4] = type
    this.length += FIELD_HEADER_SIZE
    return this
  }

  field(type: number, data: Uint8Array | string): this {
    if (typeof data === 'string') {
      const mark = this.beginField(type)
      this.utf8(data)
      this.endField(mark)
      return this
    }
    this.fieldHeader(type, data.length)
    this.bytes.set(data, this.length)
    this.length += data.length
    return this
  }

  /** Starts a field whose length is not known yet; returns the mark for `endField`. */
  beginField(type: number): number {
    const at = this.skip(FIELD_HEADER_SIZE)
    this.bytes[at + 4] = type
    return at
  }

  endField(mark: number): void {
    this.view.setUint32(mark, this.length - mark - 4)
  }

  /**
   * Op header for a value of `valueLength` bytes; the caller writes the value next (space is
   * already reserved, so `bytes`/`view` stay valid until then) and advances with `skip`.
   */
  opHeader(
    op: number,
    particleType: number,
    name: Uint8Array,
    valueLength: number,
    flags = 0,
  ): this {
    if (name.length > AS_BIN_NAME_MAX_LEN) {
      throw new WireError('BAD_VALUE', this.length, `bin name of ${name.length} bytes exceeds 15`)
    }
    this.ensure(OP_HEADER_SIZE + name.length + valueLength)
    const at = this.length
    this.view.setUint32(at, 4 + name.length + valueLength)
    this.bytes[at + 4] = op
    this.bytes[at + 5] = particleType
    this.bytes[at + 6] = flags
    this.bytes[at + 7] = name.length
    this.bytes.set(name, at + OP_HEADER_SIZE)
    this.length = at + OP_HEADER_SIZE + name.length
    return this
  }

  op(
    op: number,
    particleType: number,
    name: Uint8Array | string,
    value: Uint8Array = EMPTY_BYTES,
    flags = 0,
  ): this {
    this.opHeader(op, particleType, toBytes(name), value.length, flags)
    this.bytes.set(value, this.length)
    this.length += value.length
    return this
  }

  /** A whole frame: proto header, AS_MSG header with counts, fields, ops. */
  message(message: MessageInput): this {
    const mark = this.beginProto(AS_MESSAGE_TYPE)
    const fields = message.fields ?? []
    const ops = message.ops ?? []
    this.msgHeader({ ...message.header, nFields: fields.length, nOps: ops.length })
    for (const field of fields) this.field(field.type, field.data)
    for (const op of ops) {
      this.op(
        op.op,
        op.particleType ?? 0,
        op.name ?? EMPTY_BYTES,
        op.value ?? EMPTY_BYTES,
        op.flags ?? 0,
      )
    }
    this.endProto(mark)
    return this
  }

  /** A view of what was written (valid until the next write or reset). */
  finish(): Uint8Array {
    return this.bytes.subarray(0, this.length)
  }

  /** A copy of what was written. */
  toBytes(): Uint8Array {
    return this.bytes.slice(0, this.length)
  }
}

const TWO_POW_32 = 2 ** 32
const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const UINT64_MAX = 2n ** 64n - 1n

/** Writes a signed 64-bit big-endian integer. Numbers must be safe integers; bigints must fit int64. */
export function writeInt64(view: DataView, offset: number, value: number | bigint): void {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw new WireError('BAD_VALUE', offset, `${value} is not a safe integer; pass a bigint`)
    }
    const hi = Math.floor(value / TWO_POW_32)
    view.setInt32(offset, hi)
    view.setUint32(offset + 4, value - hi * TWO_POW_32)
    return
  }
  if (value < INT64_MIN || value > INT64_MAX) {
    throw new WireError('BAD_VALUE', offset, `${value} does not fit in a signed 64-bit integer`)
  }
  view.setBigInt64(offset, value)
}

/** Writes an unsigned 64-bit big-endian integer. */
export function writeUint64(view: DataView, offset: number, value: number | bigint): void {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new WireError('BAD_VALUE', offset, `${value} is not a non-negative safe integer`)
    }
    view.setUint32(offset, Math.floor(value / TWO_POW_32))
    view.setUint32(offset + 4, value >>> 0)
    return
  }
  if (value < 0n || value > UINT64_MAX) {
    throw new WireError('BAD_VALUE', offset, `${value} does not fit in an unsigned 64-bit integer`)
  }
  view.setBigUint64(offset, value)
}

/** The op whose header (already bounds-checked: `size` and `nameLength` fit) is at `at`. */
export function opRefAt(bytes: Uint8Array, at: number, size: number, nameLength: number): OpRef {
  return {
    op: bytes[at + 4]!,
    particleType: bytes[at + 5]!,
    flags: bytes[at + 6]!,
    nameOffset: at + OP_HEADER_SIZE,
    nameLength,
    valueOffset: at + OP_HEADER_SIZE + nameLength,
    valueLength: size - 4 - nameLength,
  }
}
