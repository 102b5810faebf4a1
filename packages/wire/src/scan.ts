// Partition scans: the request the C client sends for as_query_partitions / as_scan_partitions
// (aerospike_query.c as_query_command_init, aerospike_scan.c as_scan_command_init) and the stream
// of record messages a server answers it with (server query.c basic_query_job,
// proto.c as_msg_make_response_bufbuilder / as_msg_pid_done_bufbuilder).

import {
  AS_MESSAGE_TYPE,
  DIGEST_SIZE,
  FIELD_BATCH_INDEX,
  FIELD_BATCH_INDEX_WITH_SET,
  FIELD_DIGEST_ARRAY,
  FIELD_DIGEST_RIPE,
  FIELD_HEADER_SIZE,
  FIELD_KEY,
  FIELD_MAX_RECORDS,
  FIELD_NAMESPACE,
  FIELD_PID_ARRAY,
  FIELD_RECORDS_PER_SECOND,
  FIELD_SETNAME,
  FIELD_SOCKET_TIMEOUT,
  FIELD_TRID,
  INFO1_COMPRESS_RESPONSE,
  INFO1_GET_NOBINDATA,
  INFO1_READ,
  INFO3_LAST,
  INFO3_PARTITION_DONE,
  AS_MSG_OP_READ,
  MSG_HEADER_SIZE,
  N_PARTITIONS,
  PROTO_HEADER_SIZE,
} from './constants.js'
import { WireError } from './errors.js'
import {
  decodeMessage,
  decodeUtf8,
  EMPTY_BYTES,
  MessageWriter,
  scanMessage,
  toBytes,
  type FieldRef,
  type MsgHeader,
} from './msg.js'
import { ProtoFrameReader, type ProtoFrameReaderOptions } from './proto.js'
import { ResultCode } from './result-codes.js'

/** A scan request's record_ttl: -1, "do not touch the TTL on read" (as_command_write_header_read). */
const SCAN_READ_TTL = 0xffffffff
/** Body bytes per response frame the server aims for (query.c QUERY_CHUNK_LIMIT). */
const SERVER_CHUNK_LIMIT = 1024 * 1024

// ---- request ---------------------------------------------------------------------------------------

export interface ScanRequestOptions {
  namespace: string | Uint8Array
  /** '' (or absent): every record of the namespace. */
  set?: string | Uint8Array
  /** Partitions scanned from their start (PID_ARRAY, u16 little-endian each). */
  partitions?: ArrayLike<number>
  /**
   * Partitions resumed after a digest (DIGEST_ARRAY, 20 bytes each): the server continues each
   * digest's partition after that record. `n × 20` bytes.
   */
  digests?: Uint8Array
  /** null (default): every bin; []: no bin data (GET_NOBINDATA); else READ ops by name. */
  bins?: readonly (string | Uint8Array)[] | null
  /** MAX_RECORDS: the node returns at most this many records (0 = no limit). */
  maxRecords?: number | bigint
  /** RPS: records per second the node may return (0 = no limit). */
  recordsPerSecond?: number
  /** SOCKET_TIMEOUT (ms): how long the server waits on a blocked send before giving up. */
  socketTimeout?: number
  /** transaction_ttl: the command's total timeout (ms); 0 = none. */
  totalTimeout?: number
  /** TRID: the server refuses a task id it has seen recently, so pick a random one per request. */
  taskId: bigint
  /** INFO1_COMPRESS_RESPONSE. */
  compressResponse?: boolean
}

function u32Field(writer: MessageWriter, type: number, value: number, name: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new WireError('BAD_VALUE', writer.length, `${name} ${value} is not a u32`)
  }
  writer.fieldHeader(type, 4).u32(value)
}

/**
 * Writes a partition scan request frame (proto header included) on `writer` and returns its
 * bytes (a view of the writer's buffer). Fields in the C client's order: namespace, set, RPS,
 * socket timeout, task id, PID_ARRAY, DIGEST_ARRAY, MAX_RECORDS; then one READ op per bin.
 */
export function writeScanRequest(writer: MessageWriter, options: ScanRequestOptions): Uint8Array {
  const start = writer.length
  const namespace = toBytes(options.namespace)
  const set = toBytes(options.set ?? EMPTY_BYTES)
  const partitions = options.partitions ?? []
  const digests = options.digests ?? EMPTY_BYTES
  const bins = options.bins ?? null
  const maxRecords = BigInt(options.maxRecords ?? 0)
  const rps = options.recordsPerSecond ?? 0
  if (namespace.length === 0) throw new WireError('BAD_VALUE', start, 'scan needs a namespace')
  if (digests.length % DIGEST_SIZE !== 0) {
    throw new WireError(
      'BAD_SIZE',
      start,
      `resume digests of ${digests.length} bytes are not a multiple of 20`,
    )
  }
  const nDigests = digests.length / DIGEST_SIZE
  if (partitions.length + nDigests === 0) {
    throw new WireError('BAD_VALUE', start, 'scan names no partition (PID_ARRAY or DIGEST_ARRAY)')
  }
  if (partitions.length > N_PARTITIONS || nDigests > N_PARTITIONS) {
    throw new WireError('BAD_VALUE', start, `scan names more than ${N_PARTITIONS} partitions`)
  }
  if (maxRecords < 0n || maxRecords > 0xffffffffffffffffn) {
    throw new WireError('BAD_VALUE', start, `maxRecords ${maxRecords} is not a u64`)
  }
  let info1 = INFO1_READ
  if (bins !== null && bins.length === 0) info1 |= INFO1_GET_NOBINDATA
  if (options.compressResponse === true) info1 |= INFO1_COMPRESS_RESPONSE
  let nFields = 3 // namespace, socket timeout, task id
  if (set.length > 0) nFields++
  if (rps > 0) nFields++
  if (partitions.length > 0) nFields++
  if (nDigests > 0) nFields++
  if (maxRecords > 0n) nFields++
  const binNames = bins === null ? [] : bins.map(toBytes)

  const mark = writer.beginProto(AS_MESSAGE_TYPE)
  writer.msgHeader({
    info1,
    info3: INFO3_PARTITION_DONE,
    recordTtl: SCAN_READ_TTL,
    transactionTtl: options.totalTimeout ?? 0,
    nFields,
    nOps: binNames.length,
  })
  writer.field(FIELD_NAMESPACE, namespace)
  if (set.length > 0) writer.field(FIELD_SETNAME, set)
  if (rps > 0) u32Field(writer, FIELD_RECORDS_PER_SECOND, rps, 'recordsPerSecond')
  u32Field(writer, FIELD_SOCKET_TIMEOUT, options.socketTimeout ?? 0, 'socketTimeout')
  writer.fieldHeader(FIELD_TRID, 8).u64(BigInt.asUintN(64, options.taskId))
  if (partitions.length > 0) {
    writer.fieldHeader(FIELD_PID_ARRAY, partitions.length * 2)
    for (let i = 0; i < partitions.length; i++) {
      const pid = partitions[i]!
      if (!Number.isInteger(pid) || pid < 0 || pid >= N_PARTITIONS) {
        throw new WireError('BAD_VALUE', writer.length, `partition id ${pid} outside 0..4095`)
      }
      writer.u8(pid & 0xff).u8(pid >>> 8)
    }
  }
  if (nDigests > 0) writer.field(FIELD_DIGEST_ARRAY, digests)
  if (maxRecords > 0n) writer.fieldHeader(FIELD_MAX_RECORDS, 8).u64(maxRecords)
  for (const name of binNames) writer.op(AS_MSG_OP_READ, 0, name)
  writer.endProto(mark)
  return writer.bytes.subarray(mark, writer.length)
}

/** A whole scan request frame (a copy). */
export function encodeScanRequest(options: ScanRequestOptions): Uint8Array {
  return writeScanRequest(new MessageWriter(256), options).slice()
}

export interface DecodedScanRequest {
  readonly header: MsgHeader
  readonly namespace: string
  /** '' when no set was given (the whole namespace). */
  readonly set: string
  /** PID_ARRAY entries, in request order. */
  readonly partitions: Uint16Array
  /** DIGEST_ARRAY: n × 20 bytes (a view of the request). */
  readonly digests: Uint8Array
  /** null: every bin; [] with `noBinData`: none. */
  readonly bins: string[] | null
  readonly noBinData: boolean
  /** 0n: no limit. */
  readonly maxRecords: bigint
  readonly recordsPerSecond: number
  /** null when the field is absent. */
  readonly socketTimeout: number | null
  readonly taskId: bigint | null
  /** Fields this decoder does not interpret (filter expressions, index ranges, UDF, …). */
  readonly otherFields: readonly FieldRef[]
  readonly bytes: Uint8Array
  readonly end: number
}

function readU32(bytes: Uint8Array, at: number): number {
  return (
    ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0
  )
}

function readU64(bytes: Uint8Array, at: number): bigint {
  return (BigInt(readU32(bytes, at)) << 32n) | BigInt(readU32(bytes, at + 4))
}

function fixedField(field: FieldRef, size: number, name: string): void {
  if (field.length !== size) {
    throw new WireError(
      'BAD_SIZE',
      field.offset - FIELD_HEADER_SIZE,
      `${name} field of ${field.length} bytes (need ${size})`,
    )
  }
}

/** Whether an AS_MSG is a scan/query (no record digest, no batch field) rather than a record command. */
export function isScanMessage(fields: readonly FieldRef[]): boolean {
  for (const field of fields) {
    const t = field.type
    if (t === FIELD_DIGEST_RIPE || t === FIELD_BATCH_INDEX || t === FIELD_BATCH_INDEX_WITH_SET) {
      return false
    }
  }
  return true
}

/**
 * Decodes a scan request AS_MSG at `offset` (just after the proto header), checking what the
 * server checks (query.c get_query_pids & co): partition ids below 4096 and never twice (a
 * digest's partition counts too), fixed-size fields of the right size. Errors name the offset.
 */
export function decodeScanRequest(
  bytes: Uint8Array,
  offset = 0,
  end = bytes.length,
): DecodedScanRequest {
  const message = decodeMessage(bytes, offset, end)
  let namespace: string | null = null
  let set = ''
  let partitions = new Uint16Array(0)
  let digests: Uint8Array = EMPTY_BYTES
  let maxRecords = 0n
  let recordsPerSecond = 0
  let socketTimeout: number | null = null
  let taskId: bigint | null = null
  const otherFields: FieldRef[] = []
  const seen = new Uint8Array(N_PARTITIONS)
  for (const field of message.fields) {
    const at = field.offset
    switch (field.type) {
      case FIELD_NAMESPACE:
        namespace = decodeUtf8(bytes, at, field.length)
        break
      case FIELD_SETNAME:
        set = decodeUtf8(bytes, at, field.length)
        break
      case FIELD_PID_ARRAY: {
        if (field.length === 0 || field.length % 2 !== 0 || field.length / 2 > N_PARTITIONS) {
          throw new WireError(
            'BAD_SIZE',
            at - FIELD_HEADER_SIZE,
            `PID_ARRAY of ${field.length} bytes (need 2..8192, even)`,
          )
        }
        partitions = new Uint16Array(field.length / 2)
        for (let i = 0; i < partitions.length; i++) {
          const p = at + i * 2
          const pid = bytes[p]! | (bytes[p + 1]! << 8)
          if (pid >= N_PARTITIONS || seen[pid] !== 0) {
            throw new WireError('BAD_VALUE', p, `bad or duplicate partition id ${pid}`)
          }
          seen[pid] = 1
          partitions[i] = pid
        }
        break
      }
      case FIELD_DIGEST_ARRAY:
        if (
          field.length === 0 ||
          field.length % DIGEST_SIZE !== 0 ||
          field.length / DIGEST_SIZE > N_PARTITIONS
        ) {
          throw new WireError(
            'BAD_SIZE',
            at - FIELD_HEADER_SIZE,
            `DIGEST_ARRAY of ${field.length} bytes (need a multiple of 20, at most 4096 digests)`,
          )
        }
        digests = bytes.subarray(at, at + field.length)
        break
      case FIELD_MAX_RECORDS:
        fixedField(field, 8, 'MAX_RECORDS')
        maxRecords = readU64(bytes, at)
        break
      case FIELD_RECORDS_PER_SECOND:
        fixedField(field, 4, 'RPS')
        recordsPerSecond = readU32(bytes, at)
        break
      case FIELD_SOCKET_TIMEOUT:
        fixedField(field, 4, 'SOCKET_TIMEOUT')
        socketTimeout = readU32(bytes, at)
        break
      case FIELD_TRID:
        fixedField(field, 8, 'TRID')
        taskId = readU64(bytes, at)
        break
      default:
        otherFields.push(field)
    }
  }
  // Digests after pids: the server reads PID_ARRAY first and refuses a digest of a named partition.
  for (let i = 0; i < digests.length; i += DIGEST_SIZE) {
    const pid = (digests[i]! | (digests[i + 1]! << 8)) & (N_PARTITIONS - 1)
    if (seen[pid] !== 0) {
      throw new WireError(
        'BAD_VALUE',
        digests.byteOffset - bytes.byteOffset + i,
        `resume digest of partition ${pid}, which the request already names`,
      )
    }
    seen[pid] = 1
  }
  if (namespace === null) throw new WireError('BAD_VALUE', offset, 'scan request has no namespace')
  const noBinData = (message.header.info1 & INFO1_GET_NOBINDATA) !== 0
  let bins: string[] | null = null
  if (noBinData) bins = []
  else if (message.ops.length > 0) {
    bins = []
    for (const op of message.ops) {
      if (op.op !== AS_MSG_OP_READ) {
        throw new WireError('BAD_VALUE', op.nameOffset - 4, `scan op ${op.op} is not READ`)
      }
      bins.push(decodeUtf8(bytes, op.nameOffset, op.nameLength))
    }
  }
  return {
    header: message.header,
    namespace,
    set,
    partitions,
    digests,
    bins,
    noBinData,
    maxRecords,
    recordsPerSecond,
    socketTimeout,
    taskId,
    otherFields,
    bytes,
    end: message.end,
  }
}

// ---- response: encode -------------------------------------------------------------------------------

export interface ScanResponseWriterOptions {
  /** Start a new proto frame once a frame's body reaches this many bytes. Default 1 MiB. */
  frameSize?: number
}

/**
 * Writes a scan's answer as a server does: record messages (namespace, digest, set, stored key;
 * then READ ops) packed into proto frames of about `frameSize` bytes, PARTITION_DONE messages for
 * partitions it could not scan, and a LAST message in a frame of its own.
 */
export class ScanResponseWriter {
  readonly writer: MessageWriter
  readonly #frameSize: number
  #frameMark = -1
  #recordHeader = -1

  constructor(writer: MessageWriter, options: ScanResponseWriterOptions = {}) {
    this.writer = writer
    this.#frameSize = options.frameSize ?? SERVER_CHUNK_LIMIT
  }

  /**
   * Starts a record message: writes the header and its fields. `userKey` is FIELD_KEY's data
   * (particle type byte + key bytes) for a record stored with its key. Write the ops on `writer`,
   * then call `endRecord(nOps)`.
   */
  beginRecord(
    namespace: Uint8Array,
    digest: Uint8Array,
    set: Uint8Array | null,
    userKey: Uint8Array | null,
    generation: number,
    voidTime: number,
    noBinData = false,
  ): void {
    if (this.#recordHeader >= 0) {
      throw new WireError('BAD_VALUE', this.writer.length, 'previous record not ended')
    }
    if (digest.length !== DIGEST_SIZE) {
      throw new WireError('BAD_SIZE', this.writer.length, `digest of ${digest.length} bytes`)
    }
    const w = this.writer
    if (this.#frameMark < 0) this.#frameMark = w.beginProto(AS_MESSAGE_TYPE)
    const nFields = 2 + (set !== null && set.length > 0 ? 1 : 0) + (userKey !== null ? 1 : 0)
    this.#recordHeader = w.msgHeader({
      info1: noBinData ? INFO1_GET_NOBINDATA : 0,
      generation,
      recordTtl: voidTime,
      nFields,
    })
    w.field(FIELD_NAMESPACE, namespace)
    w.field(FIELD_DIGEST_RIPE, digest)
    if (set !== null && set.length > 0) w.field(FIELD_SETNAME, set)
    if (userKey !== null) w.field(FIELD_KEY, userKey)
  }

  endRecord(nOps = 0): void {
    if (this.#recordHeader < 0) {
      throw new WireError('BAD_VALUE', this.writer.length, 'endRecord without beginRecord')
    }
    this.writer.patchU16(this.#recordHeader + 20, nOps)
    this.#recordHeader = -1
    this.#maybeEndFrame()
  }

  /** A partition the node could not scan: result code, partition id in the generation field. */
  partitionDone(partition: number, resultCode: number): void {
    if (this.#recordHeader >= 0)
      throw new WireError('BAD_VALUE', this.writer.length, 'record not ended')
    if (this.#frameMark < 0) this.#frameMark = this.writer.beginProto(AS_MESSAGE_TYPE)
    this.writer.msgHeader({ info3: INFO3_PARTITION_DONE, resultCode, generation: partition })
    this.#maybeEndFrame()
  }

  /** Closes any open frame, writes LAST in a frame of its own and returns everything written. */
  last(resultCode = 0): Uint8Array {
    if (this.#recordHeader >= 0)
      throw new WireError('BAD_VALUE', this.writer.length, 'record not ended')
    if (this.#frameMark >= 0) {
      this.writer.endProto(this.#frameMark)
      this.#frameMark = -1
    }
    const mark = this.writer.beginProto(AS_MESSAGE_TYPE)
    this.writer.msgHeader({ info3: INFO3_LAST, resultCode })
    this.writer.endProto(mark)
    return this.writer.finish()
  }

  /** Closes the open frame (if any) and returns everything written so far. */
  flush(): Uint8Array {
    if (this.#frameMark >= 0) {
      this.writer.endProto(this.#frameMark)
      this.#frameMark = -1
    }
    return this.writer.finish()
  }

  #maybeEndFrame(): void {
    const size = this.writer.length - this.#frameMark - PROTO_HEADER_SIZE
    if (size >= this.#frameSize) {
      this.writer.endProto(this.#frameMark)
      this.#frameMark = -1
    }
  }
}

// ---- response: streaming decode ---------------------------------------------------------------------

/**
 * One record message of a scan answer, as the decoder's reusable cursor: valid only during the
 * `onRecord` call it is passed to. Offsets index `bytes` (the frame body); `view` is a DataView
 * over the same bytes with the same offsets.
 */
export class ScanRecordCursor {
  bytes: Uint8Array = EMPTY_BYTES
  view: DataView = new DataView(new ArrayBuffer(0))
  info1 = 0
  generation = 0
  /** The server's void time (seconds since 2010-01-01; 0 = never expires). */
  voidTime = 0
  digestOffset = 0
  /** FIELD_KEY data (particle type byte + key bytes): offset and length, or -1 and 0. */
  keyOffset = -1
  keyLength = 0
  /** FIELD_SETNAME data, or -1 and 0. */
  setOffset = -1
  setLength = 0
  /** First op and how many; each op is `u32 size, op, particle type, flags, name length, name, value`. */
  opsOffset = 0
  nOps = 0
  /** Offset just past the message. */
  end = 0
  /** Stream offset of the message's first byte (for error messages). */
  streamOffset = 0
}

export interface ScanResponseHandler {
  /** One record; the cursor is reused for the next record. */
  onRecord(record: ScanRecordCursor): void
  /** PARTITION_DONE with a non-zero code: the node could not scan `partition` (e.g. 11 unavailable). */
  onPartitionDone(partition: number, resultCode: number): void
}

export type ScanResponseDecoderOptions = Pick<ProtoFrameReaderOptions, 'maxFrameSize'>

/**
 * Decodes a scan answer stream, chunks ending anywhere: each record message is checked (sizes
 * inside its frame, a 20-byte digest) and handed to `handler.onRecord` through one reused cursor,
 * so nothing is allocated per record. It ends at LAST (`done`, `resultCode`), or early at a
 * non-LAST message with a non-zero code, which fails the node's whole request (`resultCode`,
 * `failed`; the C client treats 2 NOT_FOUND that way as a normal end). Bytes after the end are an
 * error. Errors are WireErrors naming the stream offset; after one the decoder stays failed.
 */
export class ScanResponseDecoder {
  readonly #reader: ProtoFrameReader
  readonly #handler: ScanResponseHandler
  readonly #cursor = new ScanRecordCursor()
  #failure: WireError | null = null
  /** The stream ended (LAST, or a message that ends the request). */
  done = false
  /** The LAST message's (or the ending message's) result code. */
  resultCode = 0
  /** The request ended with a message other than LAST that carried a result code. */
  failed = false
  /** Record messages handed to the handler. */
  records = 0

  constructor(handler: ScanResponseHandler, options: ScanResponseDecoderOptions = {}) {
    this.#handler = handler
    this.#reader = new ProtoFrameReader({ ...options, inflate: true, reuseBuffer: true })
  }

  /** Stream offset of the next unread byte. */
  get position(): number {
    return this.#reader.position
  }

  /** Adds a chunk; returns `done`. */
  push(chunk: Uint8Array): boolean {
    if (this.#failure !== null) throw this.#failure
    if (this.done) {
      // After an ending error message the rest of the stream is of no interest.
      if (chunk.length === 0 || this.failed) return true
      throw this.#fail(
        new WireError('BAD_SIZE', this.#reader.position, `${chunk.length} bytes after the end`),
      )
    }
    try {
      for (const frame of this.#reader.push(chunk)) {
        if (this.failed) break
        if (this.done) {
          throw new WireError(
            'BAD_SIZE',
            frame.offset - PROTO_HEADER_SIZE,
            'a frame after the end of the scan answer',
          )
        }
        if (frame.type !== AS_MESSAGE_TYPE) {
          throw new WireError(
            'BAD_TYPE',
            frame.offset - PROTO_HEADER_SIZE + 1,
            `proto type ${frame.type} in a scan answer`,
          )
        }
        // Offsets inside an inflated body are named from the compressed frame's body.
        this.#frame(frame.body, frame.offset)
      }
      if (this.done && !this.failed && !this.#reader.idle) {
        throw new WireError('BAD_SIZE', this.#reader.position, 'bytes after the end of the answer')
      }
    } catch (error) {
      if (error instanceof WireError) throw this.#fail(error)
      // The handler's own error (or a bug): the decoder stays failed, the error goes out as it is.
      this.#fail(
        new WireError('BAD_VALUE', this.#reader.position, 'scan answer failed', { cause: error }),
      )
      throw error
    }
    return this.done
  }

  #fail(error: WireError): WireError {
    this.#failure ??= error
    return this.#failure
  }

  #frame(body: Uint8Array, base: number): void {
    const length = body.length
    const view = new DataView(body.buffer, body.byteOffset, length)
    const cursor = this.#cursor
    let p = 0
    while (p < length) {
      if (this.done) {
        throw new WireError('BAD_SIZE', base + p, 'a message after the end of the scan answer')
      }
      let end: number
      try {
        end = scanMessage(body, p, length)
      } catch (error) {
        const e = error as WireError
        throw new WireError(e.code, base + e.offset, e.message.replace(/ \(at byte \d+\)$/, ''), {
          cause: e,
        })
      }
      if (end < 0) {
        throw new WireError(
          'TRUNCATED',
          base + p,
          `message needs ${-end} bytes, its frame has ${length - p} left`,
        )
      }
      const info1 = body[p + 1]!
      const info3 = body[p + 3]!
      const result = body[p + 5]!
      const generation = view.getUint32(p + 6)
      if ((info3 & INFO3_LAST) !== 0) {
        this.done = true
        this.resultCode = result
        if (end !== length) {
          throw new WireError('BAD_SIZE', base + end, 'bytes after the LAST message')
        }
        return
      }
      if ((info3 & INFO3_PARTITION_DONE) !== 0) {
        if (generation >= N_PARTITIONS) {
          throw new WireError(
            'BAD_VALUE',
            base + p + 6,
            `PARTITION_DONE names partition ${generation}`,
          )
        }
        if (result !== ResultCode.OK) this.#handler.onPartitionDone(generation, result)
        p = end
        continue
      }
      if (result !== ResultCode.OK) {
        // The node gave up on the whole request (server: single error reply, or a failed job).
        this.done = true
        this.failed = true
        this.resultCode = result
        return
      }
      const nFields = view.getUint16(p + 18)
      let q = p + MSG_HEADER_SIZE
      let digestOffset = -1
      cursor.keyOffset = -1
      cursor.keyLength = 0
      cursor.setOffset = -1
      cursor.setLength = 0
      for (let f = 0; f < nFields; f++) {
        const size = view.getUint32(q)
        const type = body[q + 4]!
        const dataAt = q + FIELD_HEADER_SIZE
        const dataLength = size - 1
        if (type === FIELD_DIGEST_RIPE) {
          if (dataLength !== DIGEST_SIZE) {
            throw new WireError('BAD_SIZE', base + q, `record digest of ${dataLength} bytes`)
          }
          digestOffset = dataAt
        } else if (type === FIELD_KEY) {
          if (dataLength < 1) throw new WireError('BAD_SIZE', base + q, 'empty user key field')
          cursor.keyOffset = dataAt
          cursor.keyLength = dataLength
        } else if (type === FIELD_SETNAME) {
          cursor.setOffset = dataAt
          cursor.setLength = dataLength
        }
        q += 4 + size
      }
      if (digestOffset < 0) {
        throw new WireError('BAD_VALUE', base + p, 'record message without a digest')
      }
      cursor.bytes = body
      cursor.view = view
      cursor.info1 = info1
      cursor.generation = generation
      cursor.voidTime = view.getUint32(p + 10)
      cursor.digestOffset = digestOffset
      cursor.opsOffset = q
      cursor.nOps = view.getUint16(p + 20)
      cursor.end = end
      cursor.streamOffset = base + p
      this.records++
      this.#handler.onRecord(cursor)
      p = end
    }
  }
}

/** What `decodeScanResponse` collects: for tests and tools (the engine streams). */
export interface DecodedScanRecord {
  readonly digest: Uint8Array
  readonly generation: number
  readonly voidTime: number
  readonly set: string | null
  /** FIELD_KEY data (particle type byte + key bytes), or null. */
  readonly userKey: Uint8Array | null
  readonly bins: { name: string; particleType: number; value: Uint8Array }[]
}

/** Decodes a whole scan answer held in memory. */
export function decodeScanResponse(bytes: Uint8Array): {
  records: DecodedScanRecord[]
  partitionsDone: { partition: number; resultCode: number }[]
  resultCode: number
  failed: boolean
} {
  const records: DecodedScanRecord[] = []
  const partitionsDone: { partition: number; resultCode: number }[] = []
  const decoder = new ScanResponseDecoder({
    onRecord(r) {
      const bins: DecodedScanRecord['bins'] = []
      let q = r.opsOffset
      for (let o = 0; o < r.nOps; o++) {
        const size = r.view.getUint32(q)
        const nameLength = r.bytes[q + 7]!
        const valueAt = q + 8 + nameLength
        bins.push({
          name: decodeUtf8(r.bytes, q + 8, nameLength),
          particleType: r.bytes[q + 5]!,
          value: r.bytes.slice(valueAt, q + 4 + size),
        })
        q += 4 + size
      }
      records.push({
        digest: r.bytes.slice(r.digestOffset, r.digestOffset + DIGEST_SIZE),
        generation: r.generation,
        voidTime: r.voidTime,
        set: r.setOffset < 0 ? null : decodeUtf8(r.bytes, r.setOffset, r.setLength),
        userKey: r.keyOffset < 0 ? null : r.bytes.slice(r.keyOffset, r.keyOffset + r.keyLength),
        bins,
      })
    },
    onPartitionDone(partition, resultCode) {
      partitionsDone.push({ partition, resultCode })
    },
  })
  decoder.push(bytes)
  if (!decoder.done) {
    throw new WireError('TRUNCATED', bytes.length, 'scan answer without a LAST message')
  }
  return { records, partitionsDone, resultCode: decoder.resultCode, failed: decoder.failed }
}
