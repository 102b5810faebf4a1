import { deflateSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import {
  AS_COMPRESSED_MESSAGE_TYPE,
  AS_INFO_MESSAGE_TYPE,
  AS_MESSAGE_TYPE,
  PROTO_SIZE_MAX,
} from './constants.js'
import type { WireError } from './errors.js'
import {
  compressFrame,
  decodeProtoHeader,
  encodeFrame,
  encodeProtoHeader,
  inflateCompressedBody,
  ProtoFrameReader,
  type ProtoFrame,
} from './proto.js'
import { hex, toHex, expectWireError as expectWireErrorAt, concat } from './test-support/bytes.js'

/** Every proto error also names its byte offset in the message. */
function expectWireError(fn: () => unknown, code: string, offset?: number): WireError {
  const wire = expectWireErrorAt(fn, code, offset)
  expect(wire.message).toContain(`at byte ${wire.offset}`)
  return wire
}

/** Feeds `stream` to a fresh reader in the given chunk sizes and collects the frames. */
function readAll(stream: Uint8Array, chunkSize: number, options = {}): ProtoFrame[] {
  const reader = new ProtoFrameReader(options)
  const frames: ProtoFrame[] = []
  for (let at = 0; at < stream.length; at += chunkSize) {
    frames.push(...reader.push(stream.subarray(at, at + chunkSize)))
  }
  expect(reader.idle).toBe(true)
  return frames
}

describe('proto header', () => {
  it('encodes version 2, type and a 48-bit size (reference GET request header)', () => {
    expect(toHex(encodeProtoHeader(AS_MESSAGE_TYPE, 65))).toBe('0203000000000041')
  })

  it('decodes sizes above 32 bits when the maximum allows them', () => {
    const header = decodeProtoHeader(hex('02 01 00 01 00 00 00 05'), 0, 2 ** 40)
    expect(header).toEqual({ version: 2, type: AS_INFO_MESSAGE_TYPE, size: 2 ** 32 + 5 })
  })

  it('rejects a wrong version, an unknown type, an oversize body and a short header', () => {
    expectWireError(() => decodeProtoHeader(hex('01 03 00 00 00 00 00 00')), 'BAD_VERSION', 0)
    expectWireError(() => decodeProtoHeader(hex('ff ff 02 09 00 00 00 00 00 00'), 2), 'BAD_TYPE', 3)
    expectWireError(() => decodeProtoHeader(hex('02 03 00 00 08 00 00 01')), 'OVERSIZE', 2)
    expectWireError(() => decodeProtoHeader(hex('02 03 00 00 00 00 00 09'), 0, 8), 'OVERSIZE', 2)
    expectWireError(() => decodeProtoHeader(hex('02 03 00 00')), 'TRUNCATED', 4)
  })

  it('refuses to encode a body larger than PROTO_SIZE_MAX', () => {
    expectWireError(() => encodeProtoHeader(AS_MESSAGE_TYPE, PROTO_SIZE_MAX + 1), 'OVERSIZE')
    expect(decodeProtoHeader(encodeProtoHeader(AS_MESSAGE_TYPE, PROTO_SIZE_MAX)).size).toBe(
      PROTO_SIZE_MAX,
    )
  })
})

describe('ProtoFrameReader', () => {
  const info = encodeFrame(AS_INFO_MESSAGE_TYPE, new TextEncoder().encode('node\tBB9\n'))
  const msg = encodeFrame(
    AS_MESSAGE_TYPE,
    Uint8Array.from({ length: 40 }, (_, i) => i),
  )
  const empty = encodeFrame(AS_MESSAGE_TYPE, new Uint8Array(0))
  const stream = concat(info, msg, empty, msg)

  for (const chunkSize of [stream.length, 1, 3, 7, 8, 9]) {
    it(`splits a stream fed in chunks of ${chunkSize}`, () => {
      const frames = readAll(stream, chunkSize)
      expect(frames.map((f) => f.type)).toEqual([1, 3, 3, 3])
      expect(new TextDecoder().decode(frames[0]!.body)).toBe('node\tBB9\n')
      expect(toHex(frames[1]!.body)).toBe(toHex(msg.subarray(8)))
      expect(frames[2]!.body.length).toBe(0)
      expect(toHex(frames[3]!.body)).toBe(toHex(msg.subarray(8)))
      expect(frames.every((f) => !f.compressed)).toBe(true)
    })
  }

  it('with reuseBuffer, every frame a push returns is whole until the next push', () => {
    const big = encodeFrame(
      AS_MESSAGE_TYPE,
      Uint8Array.from({ length: 300 }, (_, i) => (i * 13) & 0xff),
    )
    const frames = [msg, big, empty, msg, big, info]
    const all = concat(...frames)
    for (const chunkSize of [1, 7, 50, 61, 333, all.length]) {
      const reader = new ProtoFrameReader({ reuseBuffer: true })
      const bodies: string[] = []
      for (let at = 0; at < all.length; at += chunkSize) {
        // Read at once: a reused buffer is only valid until the next push.
        for (const frame of reader.push(all.subarray(at, at + chunkSize))) {
          bodies.push(toHex(frame.body))
        }
      }
      expect(bodies).toEqual(frames.map((f) => toHex(f.subarray(8))))
    }
  })

  it('assembles a 128 KiB body fed byte by byte (linear in the number of chunks)', () => {
    const body = Uint8Array.from({ length: 128 * 1024 }, (_, i) => (i * 7) & 0xff)
    const frame = encodeFrame(AS_MESSAGE_TYPE, body)
    const reader = new ProtoFrameReader()
    const frames: ProtoFrame[] = []
    for (let at = 0; at < frame.length; at++)
      frames.push(...reader.push(frame.subarray(at, at + 1)))
    expect(frames).toHaveLength(1)
    expect(Buffer.compare(frames[0]!.body, body)).toBe(0)
  })

  it('returns a body inside one chunk as a view of that chunk', () => {
    const reader = new ProtoFrameReader()
    const [frame] = reader.push(msg)
    expect(frame!.body.buffer).toBe(msg.buffer)
    expect(frame!.body.byteOffset).toBe(msg.byteOffset + 8)
  })

  it('tracks buffered bytes and the stream position', () => {
    const reader = new ProtoFrameReader()
    expect(reader.push(msg.subarray(0, 10))).toEqual([])
    expect(reader.idle).toBe(false)
    expect(reader.buffered).toBe(10)
    expect(reader.push(msg.subarray(10))).toHaveLength(1)
    expect(reader.position).toBe(msg.length)
    expect(reader.idle).toBe(true)
  })

  it('inflates compressed frames, as one chunk and byte by byte', () => {
    const compressed = compressFrame(msg)
    expect(compressed[1]).toBe(AS_COMPRESSED_MESSAGE_TYPE)
    for (const size of [compressed.length * 2, 1]) {
      const frames = readAll(concat(compressed, info), size)
      expect(frames[0]).toMatchObject({ type: AS_MESSAGE_TYPE, compressed: true })
      expect(toHex(frames[0]!.body)).toBe(toHex(msg.subarray(8)))
      expect(frames[1]!.type).toBe(AS_INFO_MESSAGE_TYPE)
    }
  })

  it('can hand compressed frames through untouched', () => {
    const compressed = compressFrame(msg)
    const [frame] = new ProtoFrameReader({ inflate: false }).push(compressed)
    expect(frame).toMatchObject({ type: AS_COMPRESSED_MESSAGE_TYPE, compressed: false })
    expect(toHex(inflateCompressedBody(frame!.body))).toBe(toHex(msg.subarray(8)))
  })

  it('names the stream offset of a bad header after good frames and stays failed', () => {
    const bad = concat(info, hex('03 03 00 00 00 00 00 00'))
    const reader = new ProtoFrameReader()
    const error = expectWireError(() => reader.push(bad), 'BAD_VERSION', info.length)
    expect(() => reader.push(info)).toThrow(error)
  })

  it('rejects an oversize frame from its header alone, before the body arrives', () => {
    const reader = new ProtoFrameReader({ maxFrameSize: 1024 })
    expectWireError(() => reader.push(hex('02 03 00 00 00 00 04 01')), 'OVERSIZE', 2)
    const huge = new ProtoFrameReader()
    expectWireError(() => huge.push(hex('02 03 ff ff ff ff ff ff')), 'OVERSIZE', 2)
  })

  it('buffers only what was received for a frame that announces a large body', () => {
    const reader = new ProtoFrameReader()
    expect(reader.push(hex('02 03 00 00 07 00 00 00 01 02 03'))).toEqual([])
    expect(reader.buffered).toBe(11)
  })

  describe('malformed compressed frames', () => {
    const inner = msg
    const withSize = (declared: number, zipped: Uint8Array): Uint8Array => {
      const body = new Uint8Array(8 + zipped.length)
      new DataView(body.buffer).setUint32(4, declared)
      body.set(zipped, 8)
      return encodeFrame(AS_COMPRESSED_MESSAGE_TYPE, body)
    }

    it('a body shorter than the 8-byte size', () => {
      expectWireError(
        () => new ProtoFrameReader().push(encodeFrame(4, hex('00 00 00'))),
        'TRUNCATED',
        11,
      )
    })

    it('an announced size other than the inflated size', () => {
      const zipped = deflateSync(inner)
      expectWireError(
        () => new ProtoFrameReader().push(withSize(inner.length + 1, zipped)),
        'INFLATE',
        16,
      )
      // Announcing less than it inflates to stops inflation at the announced size (no bomb).
      expectWireError(
        () => new ProtoFrameReader().push(withSize(inner.length - 1, zipped)),
        'INFLATE',
        16,
      )
    })

    it('an announced size above the maximum', () => {
      const zeros = encodeFrame(AS_MESSAGE_TYPE, new Uint8Array(1000))
      const frame = withSize(zeros.length, deflateSync(zeros))
      expect(frame.length).toBeLessThan(100)
      expectWireError(() => new ProtoFrameReader({ maxFrameSize: 500 }).push(frame), 'OVERSIZE', 8)
      expect(new ProtoFrameReader({ maxFrameSize: 1000 }).push(frame)[0]!.body.length).toBe(1000)
    })

    it('bytes that are not zlib', () => {
      expectWireError(
        () => new ProtoFrameReader().push(withSize(48, hex('01 02 03 04'))),
        'INFLATE',
        16,
      )
    })

    it('an inner frame that is not a type-3 frame of the announced size', () => {
      const infoInside = deflateSync(info)
      expectWireError(
        () => new ProtoFrameReader().push(withSize(info.length, infoInside)),
        'BAD_SIZE',
        16,
      )
    })
  })
})
