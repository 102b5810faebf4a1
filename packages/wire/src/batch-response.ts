/**
 * The client's batch-response decoder: AS_MSGs in type-3 (or inflated type-4) frames, one per
 * row, until the message with INFO3_LAST. Chunks may end anywhere. Every size is checked against
 * its frame before a row is handed on, so bad bytes can never make it read outside a frame or
 * wait for bytes that cannot come; errors are WireErrors naming the stream offset.
 */
import { AS_MESSAGE_TYPE, INFO3_LAST, MSG_HEADER_SIZE, OP_HEADER_SIZE } from './constants.js'
import { WireError } from './errors.js'
import { EMPTY_BYTES, opRefAt, type OpRef } from './msg.js'
import { ProtoFrameReader, type ProtoFrame, type ProtoFrameReaderOptions } from './proto.js'

const utf8 = new TextDecoder()

/**
 * The ops (bins) of the row being handed to a `BatchRowHandler`: call `next()` until it returns
 * false; after each call the fields describe one op, its name and value as offsets in `bytes`.
 * One object per decoder, reused for every row (valid only during the handler call).
 */
export class BatchRowOps {
  /** The frame body the offsets refer to. */
  bytes: Uint8Array = EMPTY_BYTES
  view: DataView = new DataView(EMPTY_BYTES.buffer)
  /** Ops in this row. */
  count = 0
  op = 0
  particleType = 0
  flags = 0
  nameOffset = 0
  nameLength = 0
  valueOffset = 0
  valueLength = 0
  #at = 0
  #left = 0
  /** Bin names repeat row after row: each distinct name is decoded once. */
  readonly #names: { bytes: Uint8Array; name: string }[] = []

  /** Points at the `count` ops from `offset` of `bytes` (already bounds-checked). */
  reset(bytes: Uint8Array, view: DataView, offset: number, count: number): void {
    this.bytes = bytes
    this.view = view
    this.count = count
    this.#at = offset
    this.#left = count
  }

  /** Moves to the next op; false after the last. */
  next(): boolean {
    if (this.#left === 0) return false
    this.#left--
    const at = this.#at
    const bytes = this.bytes
    const size = this.view.getUint32(at)
    this.op = bytes[at + 4]!
    this.particleType = bytes[at + 5]!
    this.flags = bytes[at + 6]!
    this.nameLength = bytes[at + 7]!
    this.nameOffset = at + OP_HEADER_SIZE
    this.valueOffset = this.nameOffset + this.nameLength
    this.valueLength = size - 4 - this.nameLength
    this.#at = at + 4 + size
    return true
  }

  /** The current op's bin name (UTF-8, decoded once per distinct name). */
  name(): string {
    const bytes = this.bytes
    const offset = this.nameOffset
    const length = this.nameLength
    for (const entry of this.#names) {
      const b = entry.bytes
      if (b.length !== length) continue
      let same = true
      for (let c = 0; c < length; c++) {
        if (b[c] !== bytes[offset + c]) {
          same = false
          break
        }
      }
      if (same) return entry.name
    }
    const copy = bytes.slice(offset, offset + length)
    const name = utf8.decode(copy)
    if (this.#names.length < 256) this.#names.push({ bytes: copy, name })
    return name
  }

  /** The current op as an OpRef (an object: for tests and tools, not per-row hot paths). */
  ref(): OpRef {
    return opRefAt(
      this.bytes,
      this.nameOffset - OP_HEADER_SIZE,
      this.valueLength + 4 + this.nameLength,
      this.nameLength,
    )
  }
}

/**
 * Receives one row: its batch index, result code, generation, void time and ops. Returns false
 * when `index` is not a row this request is waiting for (never sent, or already answered): the
 * decoder then fails naming the index's byte offset.
 */
export type BatchRowHandler = (
  index: number,
  resultCode: number,
  generation: number,
  voidTime: number,
  ops: BatchRowOps,
) => boolean

export type BatchResponseDecoderOptions = Pick<ProtoFrameReaderOptions, 'maxFrameSize'>

/**
 * Decodes one batch response stream, handing each row to `onRow` as its frame completes.
 * `push` returns true once the LAST message has arrived; `resultCode` is then its code (non-zero:
 * the server refused the whole request). Bytes after LAST are an error.
 */
export class BatchResponseDecoder {
  readonly #reader: ProtoFrameReader
  readonly #onRow: BatchRowHandler
  readonly #ops = new BatchRowOps()
  #done = false
  #resultCode = 0

  constructor(onRow: BatchRowHandler, options: BatchResponseDecoderOptions = {}) {
    this.#reader = new ProtoFrameReader(options)
    this.#onRow = onRow
  }

  /** Whether the LAST message has arrived. */
  get done(): boolean {
    return this.#done
  }

  /** The LAST message's result code (0 until it arrives). */
  get resultCode(): number {
    return this.#resultCode
  }

  /** Adds a chunk; returns true once the response is complete. */
  push(chunk: Uint8Array): boolean {
    if (this.#done) {
      if (chunk.length === 0) return true
      throw new WireError(
        'BAD_SIZE',
        this.#reader.position,
        `${chunk.length} bytes after the LAST message`,
      )
    }
    const frames = this.#reader.push(chunk)
    for (const frame of frames) {
      if (this.#done) {
        throw new WireError('BAD_SIZE', frame.offset - 8, 'a frame after the LAST message')
      }
      if (frame.type !== AS_MESSAGE_TYPE) {
        throw new WireError(
          'BAD_TYPE',
          frame.offset - 7,
          `batch response frame has proto type ${frame.type}, expected 3`,
        )
      }
      this.#frame(frame)
    }
    if (this.#done && !this.#reader.idle) {
      throw new WireError('BAD_SIZE', this.#reader.position, 'bytes after the LAST message')
    }
    return this.#done
  }

  /** Checks and hands on every message of one frame; messages never straddle frames. */
  #frame(frame: ProtoFrame): void {
    const body = frame.body
    const length = body.length
    const view = new DataView(body.buffer, body.byteOffset, length)
    // Inside a compressed frame, errors name the frame's stream offset and the inflated byte.
    const at = (q: number): number => (frame.compressed ? frame.offset : frame.offset + q)
    let where = ''
    let p = 0
    while (p < length) {
      if (frame.compressed) where = ` (inflated byte ${p} of a compressed frame)`
      if (this.#done) {
        throw new WireError('BAD_SIZE', at(p), `a message after the LAST message${where}`)
      }
      if (length - p < MSG_HEADER_SIZE) {
        throw new WireError(
          'TRUNCATED',
          at(p),
          `message header needs 22 bytes, the frame has ${length - p} left${where}`,
        )
      }
      if (body[p] !== MSG_HEADER_SIZE) {
        throw new WireError(
          'BAD_SIZE',
          at(p),
          `message header size ${body[p]}, expected 22${where}`,
        )
      }
      const info3 = body[p + 3]!
      const result = body[p + 5]!
      const nFields = view.getUint16(p + 18)
      const nOps = view.getUint16(p + 20)
      let q = p + MSG_HEADER_SIZE
      for (let f = 0; f < nFields; f++) {
        if (length - q < 4) {
          throw new WireError('TRUNCATED', at(q), `field ${f} header past the frame end${where}`)
        }
        const size = view.getUint32(q)
        if (size < 1 || size > length - q - 4) {
          throw new WireError(
            'BAD_SIZE',
            at(q),
            `field ${f} size ${size} does not fit the frame${where}`,
          )
        }
        q += 4 + size
      }
      const opsOffset = q
      for (let o = 0; o < nOps; o++) {
        if (length - q < OP_HEADER_SIZE) {
          throw new WireError('TRUNCATED', at(q), `op ${o} header past the frame end${where}`)
        }
        const size = view.getUint32(q)
        const nameLength = body[q + 7]!
        if (size < 4 + nameLength || size > length - q - 4) {
          throw new WireError(
            'BAD_SIZE',
            at(q),
            `op ${o} size ${size} does not fit its name of ${nameLength} bytes and the frame${where}`,
          )
        }
        q += 4 + size
      }
      if ((info3 & INFO3_LAST) !== 0) {
        this.#done = true
        this.#resultCode = result
        if (q !== length) {
          throw new WireError('BAD_SIZE', at(q), `bytes after the LAST message${where}`)
        }
        return
      }
      const index = view.getUint32(p + 14)
      this.#ops.reset(body, view, opsOffset, nOps)
      const expected = this.#onRow(
        index,
        result,
        view.getUint32(p + 6),
        view.getUint32(p + 10),
        this.#ops,
      )
      if (!expected) {
        throw new WireError(
          'BAD_VALUE',
          at(p + 14),
          `batch row index ${index} was not sent in this request or was already answered${where}`,
        )
      }
      p = q
    }
  }
}

/** One row of a whole decoded response (`decodeBatchResponse`); ops point into `bytes`. */
export interface BatchResponseRow {
  readonly index: number
  readonly resultCode: number
  readonly generation: number
  readonly voidTime: number
  readonly bytes: Uint8Array
  readonly ops: OpRef[]
}

/**
 * Decodes a batch response held in memory (any number of frames) into row objects and the LAST
 * code, through the streaming decoder. A row index at or above `batchSize` is an error.
 */
export function decodeBatchResponse(
  bytes: Uint8Array,
  options: BatchResponseDecoderOptions & { batchSize?: number } = {},
): { rows: BatchResponseRow[]; resultCode: number } {
  const batchSize = options.batchSize ?? 2 ** 32
  const rows: BatchResponseRow[] = []
  const decoder = new BatchResponseDecoder((index, resultCode, generation, voidTime, ops) => {
    if (index >= batchSize) return false
    const refs: OpRef[] = []
    while (ops.next()) refs.push(ops.ref())
    rows.push({ index, resultCode, generation, voidTime, bytes: ops.bytes, ops: refs })
    return true
  }, options)
  if (!decoder.push(bytes)) {
    throw new WireError('TRUNCATED', bytes.length, 'batch response without a LAST message')
  }
  return { rows, resultCode: decoder.resultCode }
}
