import { inflateSync, deflateSync, constants as zlibConstants } from 'node:zlib'
import {
  AS_ADMIN_MESSAGE_TYPE,
  AS_COMPRESSED_MESSAGE_TYPE,
  AS_INFO_MESSAGE_TYPE,
  AS_MESSAGE_TYPE,
  AS_PROTO_VERSION,
  PROTO_HEADER_SIZE,
  PROTO_SIZE_MAX,
} from './constants.js'
import { WireError } from './errors.js'

export interface ProtoHeader {
  readonly version: number
  readonly type: number
  /** Length of the body that follows the 8-byte header. */
  readonly size: number
}

/** A complete frame. For a compressed frame, `type` is AS_MESSAGE_TYPE and `body` the inflated AS_MSG bytes. */
export interface ProtoFrame {
  readonly type: number
  readonly body: Uint8Array
  readonly compressed: boolean
  /** Stream offset of the body's first byte (for a compressed frame: of the compressed body). */
  readonly offset: number
}

const TWO_POW_32 = 2 ** 32

function isKnownType(type: number): boolean {
  return (
    type === AS_INFO_MESSAGE_TYPE ||
    type === AS_ADMIN_MESSAGE_TYPE ||
    type === AS_MESSAGE_TYPE ||
    type === AS_COMPRESSED_MESSAGE_TYPE
  )
}

/** Writes version 2, `type` and the 48-bit `size` at `offset`. */
export function writeProtoHeader(
  out: Uint8Array,
  offset: number,
  type: number,
  size: number,
): void {
  if (!Number.isInteger(size) || size < 0 || size > PROTO_SIZE_MAX) {
    throw new WireError('OVERSIZE', offset, `proto body size ${size} outside 0..${PROTO_SIZE_MAX}`)
  }
  out[offset] = AS_PROTO_VERSION
  out[offset + 1] = type
  const hi = Math.floor(size / TWO_POW_32)
  out[offset + 2] = (hi >>> 8) & 0xff
  out[offset + 3] = hi & 0xff
  const lo = size >>> 0
  out[offset + 4] = lo >>> 24
  out[offset + 5] = (lo >>> 16) & 0xff
  out[offset + 6] = (lo >>> 8) & 0xff
  out[offset + 7] = lo & 0xff
}

export function encodeProtoHeader(type: number, size: number): Uint8Array {
  const out = new Uint8Array(PROTO_HEADER_SIZE)
  writeProtoHeader(out, 0, type, size)
  return out
}

/** A whole frame: header + body. */
export function encodeFrame(type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(PROTO_HEADER_SIZE + body.length)
  writeProtoHeader(out, 0, type, body.length)
  out.set(body, PROTO_HEADER_SIZE)
  return out
}

/**
 * Reads and checks the 8-byte header at `offset`: version 2, a known type, size ≤ `maxSize`.
 * `errorBase` is added to offsets in errors (the position of `bytes` in a longer stream).
 */
export function decodeProtoHeader(
  bytes: Uint8Array,
  offset = 0,
  maxSize = PROTO_SIZE_MAX,
  errorBase = 0,
): ProtoHeader {
  if (bytes.length - offset < PROTO_HEADER_SIZE) {
    throw new WireError(
      'TRUNCATED',
      errorBase + bytes.length,
      `proto header needs ${PROTO_HEADER_SIZE} bytes, got ${Math.max(0, bytes.length - offset)}`,
    )
  }
  const version = bytes[offset]!
  if (version !== AS_PROTO_VERSION) {
    throw new WireError('BAD_VERSION', errorBase + offset, `proto version ${version}, expected 2`)
  }
  const type = bytes[offset + 1]!
  if (!isKnownType(type)) {
    throw new WireError('BAD_TYPE', errorBase + offset + 1, `unknown proto type ${type}`)
  }
  const hi = (bytes[offset + 2]! << 8) | bytes[offset + 3]!
  const lo =
    ((bytes[offset + 4]! << 24) |
      (bytes[offset + 5]! << 16) |
      (bytes[offset + 6]! << 8) |
      bytes[offset + 7]!) >>>
    0
  const size = hi * TWO_POW_32 + lo
  if (size > maxSize) {
    throw new WireError(
      'OVERSIZE',
      errorBase + offset + 2,
      `proto body size ${size} exceeds the maximum ${maxSize}`,
    )
  }
  return { version, type, size }
}

/**
 * Inflates the body of a type-4 frame (u64 BE inflated size, then a zlib stream) and returns the
 * body of the AS_MSG frame inside it. `maxSize` bounds the inflated body.
 */
export function inflateCompressedBody(
  body: Uint8Array,
  maxSize = PROTO_SIZE_MAX,
  errorBase = 0,
): Uint8Array {
  if (body.length < 8) {
    throw new WireError(
      'TRUNCATED',
      errorBase + body.length,
      'compressed frame needs an 8-byte size',
    )
  }
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength)
  const declared = view.getUint32(0) * TWO_POW_32 + view.getUint32(4)
  if (declared < PROTO_HEADER_SIZE || declared - PROTO_HEADER_SIZE > maxSize) {
    throw new WireError(
      'OVERSIZE',
      errorBase,
      `compressed frame announces ${declared} inflated bytes (allowed ${PROTO_HEADER_SIZE}..${maxSize + PROTO_HEADER_SIZE})`,
    )
  }
  let inner: Uint8Array
  try {
    inner = inflateSync(body.subarray(8), { maxOutputLength: declared })
  } catch (cause) {
    throw new WireError('INFLATE', errorBase + 8, 'compressed frame does not inflate', { cause })
  }
  if (inner.length !== declared) {
    throw new WireError(
      'INFLATE',
      errorBase + 8,
      `compressed frame inflates to ${inner.length} bytes, announced ${declared}`,
    )
  }
  const header = decodeProtoHeader(inner, 0, maxSize, errorBase + 8)
  if (header.type !== AS_MESSAGE_TYPE || header.size !== declared - PROTO_HEADER_SIZE) {
    throw new WireError(
      'BAD_SIZE',
      errorBase + 8,
      `inflated frame has type ${header.type} and size ${header.size}; expected type 3 and size ${declared - PROTO_HEADER_SIZE}`,
    )
  }
  return inner.subarray(PROTO_HEADER_SIZE)
}

/** Wraps a complete type-3 frame (header included) in a type-4 compressed frame. */
export function compressFrame(frame: Uint8Array, level = zlibConstants.Z_BEST_SPEED): Uint8Array {
  const zipped = deflateSync(frame, { level })
  const out = new Uint8Array(PROTO_HEADER_SIZE + 8 + zipped.length)
  writeProtoHeader(out, 0, AS_COMPRESSED_MESSAGE_TYPE, 8 + zipped.length)
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength)
  view.setUint32(8, Math.floor(frame.length / TWO_POW_32))
  view.setUint32(12, frame.length >>> 0)
  out.set(zipped, 16)
  return out
}

export interface ProtoFrameReaderOptions {
  /** Largest body accepted (and largest inflated body of a compressed frame). Default PROTO_SIZE_MAX. */
  maxFrameSize?: number
  /** Inflate type-4 frames into type-3 frames. Default true. */
  inflate?: boolean
  /**
   * A body spread over chunks is assembled in one buffer the reader keeps (grown as needed),
   * valid only until the next `push`: for consumers that never keep a frame past it (a scan
   * decodes each frame at once). Saves a fresh allocation — and its page faults — per frame.
   */
  reuseBuffer?: boolean
}

/**
 * Splits a byte stream into proto frames. Chunks may end anywhere. A body that lies inside one
 * chunk is returned as a view of that chunk (no copy); a body spread over chunks is copied once,
 * when it is complete, so memory never exceeds what was actually received. After an error the
 * reader stays failed and rethrows it.
 */
export class ProtoFrameReader {
  readonly #maxFrameSize: number
  readonly #inflate: boolean
  /** The assembly buffer when `reuseBuffer` is set. */
  #assembly: Uint8Array | null = null
  #chunks: Uint8Array[] = []
  #buffered = 0
  #header: ProtoHeader | null = null
  #headerOffset = 0
  /** Stream offset of the first buffered byte. */
  #streamOffset = 0
  #failure: WireError | null = null

  constructor(options: ProtoFrameReaderOptions = {}) {
    this.#maxFrameSize = options.maxFrameSize ?? PROTO_SIZE_MAX
    this.#inflate = options.inflate ?? true
    if (options.reuseBuffer === true) this.#assembly = new Uint8Array(0)
  }

  /** Bytes received but not yet returned as part of a frame. */
  get buffered(): number {
    return this.#buffered + (this.#header === null ? 0 : PROTO_HEADER_SIZE)
  }

  /** True when no partial frame is pending (a clean place for the stream to end). */
  get idle(): boolean {
    return this.#header === null && this.#buffered === 0
  }

  /** Bytes consumed so far (the stream offset of the next unread byte). */
  get position(): number {
    return this.#streamOffset
  }

  /** Adds a chunk and returns every frame it completes, in order. */
  push(chunk: Uint8Array): ProtoFrame[] {
    if (this.#failure !== null) throw this.#failure
    if (chunk.length > 0) {
      this.#chunks.push(chunk)
      this.#buffered += chunk.length
    }
    const frames: ProtoFrame[] = []
    try {
      for (;;) {
        if (this.#header === null) {
          if (this.#buffered < PROTO_HEADER_SIZE) break
          this.#headerOffset = this.#streamOffset
          const head = this.#take(PROTO_HEADER_SIZE)
          this.#header = decodeProtoHeader(head, 0, this.#maxFrameSize, this.#headerOffset)
        }
        const header = this.#header
        if (this.#buffered < header.size) break
        const bodyOffset = this.#streamOffset
        const body = this.#take(header.size)
        this.#header = null
        if (header.type === AS_COMPRESSED_MESSAGE_TYPE && this.#inflate) {
          frames.push({
            type: AS_MESSAGE_TYPE,
            body: inflateCompressedBody(body, this.#maxFrameSize, bodyOffset),
            compressed: true,
            offset: bodyOffset,
          })
        } else {
          frames.push({ type: header.type, body, compressed: false, offset: bodyOffset })
        }
      }
    } catch (error) {
      // Stay failed; an unexpected error (a bug, not bad input) is rethrown as it is.
      this.#failure =
        error instanceof WireError
          ? error
          : new WireError('BAD_SIZE', this.#streamOffset, 'frame reader failed', { cause: error })
      this.#chunks = []
      this.#buffered = 0
      throw error
    }
    return frames
  }

  /** Removes `n` buffered bytes (n ≤ buffered): a view when they lie in one chunk, else one copy. */
  #take(n: number): Uint8Array {
    this.#buffered -= n
    this.#streamOffset += n
    const first = this.#chunks[0]
    if (n === 0) return new Uint8Array(0)
    if (first !== undefined && first.length >= n) {
      if (first.length === n) this.#chunks.shift()
      else this.#chunks[0] = first.subarray(n)
      return first.subarray(0, n)
    }
    // Only the first frame a push completes can span earlier chunks, so one assembly buffer
    // serves every push without overwriting a frame the same push returns.
    let out: Uint8Array
    if (this.#assembly === null) out = new Uint8Array(n)
    else {
      if (this.#assembly.length < n) {
        this.#assembly = new Uint8Array(
          Math.max(n, Math.min(2 * this.#assembly.length, this.#maxFrameSize)),
        )
      }
      out = this.#assembly.subarray(0, n)
    }
    let filled = 0
    let used = 0 // whole chunks consumed; removed in one splice (shift per chunk is quadratic)
    while (filled < n) {
      const chunk = this.#chunks[used]!
      const need = n - filled
      if (chunk.length <= need) {
        out.set(chunk, filled)
        filled += chunk.length
        used++
      } else {
        out.set(chunk.subarray(0, need), filled)
        this.#chunks[used] = chunk.subarray(need)
        filled = n
      }
    }
    this.#chunks.splice(0, used)
    return out
  }
}
