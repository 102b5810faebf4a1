import { describe, expect, it } from 'vitest'
import {
  AS_MSG_OP_READ,
  AS_MSG_OP_WRITE,
  FIELD_DIGEST_RIPE,
  FIELD_NAMESPACE,
  FIELD_SETNAME,
  INFO1_GET_ALL,
  INFO1_READ,
  INFO2_WRITE,
  PARTICLE_INTEGER,
  PARTICLE_STRING,
} from './constants.js'
import {
  decodeMessage,
  decodeMsgHeader,
  encodeMessage,
  fieldBytes,
  fieldString,
  findField,
  MessageWriter,
  opName,
  opValue,
  scanMessage,
  writeInt64,
  writeUint64,
} from './msg.js'
import { decodeProtoHeader, ProtoFrameReader } from './proto.js'
import { hex, toHex, expectWireError } from './test-support/bytes.js'

// Reference doc §6, ns "test", set "demo", key "key1", total timeout 1000 ms.
const DIGEST_KEY1 = hex('ec91192d4b7f8ce35d5d78d34bca65cbaaaac960')
const GET_REQUEST = hex(`
  02 03 00 00 00 00 00 41
  16 03 00 00 00 00 00 00 00 00 00 00 00 00 00 00 03 e8 00 03 00 00
  00 00 00 05 00 74 65 73 74
  00 00 00 05 01 64 65 6d 6f
  00 00 00 15 04 ec 91 19 2d 4b 7f 8c e3 5d 5d 78 d3 4b ca 65 cb aa aa c9 60`)
const GET_RESPONSE = hex(`
  02 03 00 00 00 00 00 31
  16 00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00 02
  00 00 00 0d 01 01 00 01 61 00 00 00 00 00 00 00 01
  00 00 00 06 01 03 00 01 73 78`)
const PUT_REQUEST = hex(`
  02 03 00 00 00 00 00 52
  16 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 03 e8 00 03 00 01
  00 00 00 05 00 74 65 73 74
  00 00 00 05 01 64 65 6d 6f
  00 00 00 15 04 ec 91 19 2d 4b 7f 8c e3 5d 5d 78 d3 4b ca 65 cb aa aa c9 60
  00 00 00 0d 02 01 00 01 61 00 00 00 00 00 00 00 01`)
const PUT_OK = hex(
  '02 03 00 00 00 00 00 16  16 00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00',
)
const NOT_FOUND = hex(
  '02 03 00 00 00 00 00 16  16 00 00 00 00 02 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
)

const keyFields = [
  { type: FIELD_NAMESPACE, data: 'test' },
  { type: FIELD_SETNAME, data: 'demo' },
  { type: FIELD_DIGEST_RIPE, data: DIGEST_KEY1 },
]

describe('reference vectors', () => {
  it('encodes the GET request', () => {
    const bytes = encodeMessage({
      header: { info1: INFO1_READ | INFO1_GET_ALL, transactionTtl: 1000 },
      fields: keyFields,
    })
    expect(toHex(bytes)).toBe(toHex(GET_REQUEST))
  })

  it('decodes the GET request', () => {
    const message = decodeMessage(GET_REQUEST, 8)
    expect(message.header).toMatchObject({ info1: 3, transactionTtl: 1000, nFields: 3, nOps: 0 })
    expect(fieldString(GET_REQUEST, findField(message, FIELD_NAMESPACE)!)).toBe('test')
    expect(fieldString(GET_REQUEST, findField(message, FIELD_SETNAME)!)).toBe('demo')
    expect(toHex(fieldBytes(GET_REQUEST, findField(message, FIELD_DIGEST_RIPE)!))).toBe(
      toHex(DIGEST_KEY1),
    )
    expect(message.end).toBe(GET_REQUEST.length)
  })

  it('encodes and decodes the GET response with bins a=1, s="x"', () => {
    const writer = new MessageWriter()
    const mark = writer.beginProto()
    writer.msgHeader({ generation: 1, nOps: 2 })
    writer.op(AS_MSG_OP_READ, PARTICLE_INTEGER, 'a', hex('00 00 00 00 00 00 00 01'))
    writer.op(AS_MSG_OP_READ, PARTICLE_STRING, 's', hex('78'))
    writer.endProto(mark)
    expect(toHex(writer.finish())).toBe(toHex(GET_RESPONSE))

    const message = decodeMessage(GET_RESPONSE, 8)
    expect(message.header).toMatchObject({ resultCode: 0, generation: 1, recordTtl: 0, nOps: 2 })
    expect(message.ops.map((op) => [op.op, op.particleType, opName(GET_RESPONSE, op)])).toEqual([
      [1, 1, 'a'],
      [1, 3, 's'],
    ])
    expect(toHex(opValue(GET_RESPONSE, message.ops[0]!))).toBe('0000000000000001')
    expect(toHex(opValue(GET_RESPONSE, message.ops[1]!))).toBe('78')
  })

  it('encodes and decodes the PUT request, the PUT ok and the NOT FOUND responses', () => {
    const put = encodeMessage({
      header: { info2: INFO2_WRITE, transactionTtl: 1000 },
      fields: keyFields,
      ops: [
        {
          op: AS_MSG_OP_WRITE,
          particleType: PARTICLE_INTEGER,
          name: 'a',
          value: hex('0000000000000001'),
        },
      ],
    })
    expect(toHex(put)).toBe(toHex(PUT_REQUEST))
    const decoded = decodeMessage(PUT_REQUEST, 8)
    expect(decoded.header.info2).toBe(INFO2_WRITE)
    expect(decoded.ops).toHaveLength(1)
    expect(decoded.ops[0]).toMatchObject({ op: 2, particleType: 1, nameLength: 1, valueLength: 8 })

    expect(toHex(encodeMessage({ header: { generation: 1 } }))).toBe(toHex(PUT_OK))
    expect(toHex(encodeMessage({ header: { resultCode: 2 } }))).toBe(toHex(NOT_FOUND))
    expect(decodeMsgHeader(NOT_FOUND, 8).resultCode).toBe(2)
    expect(decodeMsgHeader(PUT_OK, 8).generation).toBe(1)
  })
})

describe('scanMessage', () => {
  for (const [name, frame] of [
    ['GET request', GET_REQUEST],
    ['GET response', GET_RESPONSE],
    ['PUT request', PUT_REQUEST],
  ] as const) {
    it(`finds the end of the ${name} and asks for more at every shorter length`, () => {
      const body = frame.subarray(8)
      expect(scanMessage(body, 0, body.length)).toBe(body.length)
      for (let end = 0; end < body.length; end++) {
        const need = scanMessage(body, 0, end)
        expect(need).toBeLessThan(0)
        expect(-need).toBeGreaterThan(end)
        expect(-need).toBeLessThanOrEqual(body.length)
      }
    })
  }
})

describe('decodeMessage on malformed input', () => {
  it('every truncation of a message is TRUNCATED, never a wrong result', () => {
    const body = PUT_REQUEST.subarray(8)
    for (let end = 0; end < body.length; end++) {
      expectWireError(() => decodeMessage(body, 0, end), 'TRUNCATED')
    }
  })

  it('names the offset of a bad header_sz, a zero field size and a too-small op size', () => {
    const badHeader = GET_RESPONSE.slice(8)
    badHeader[0] = 23
    expectWireError(() => decodeMessage(badHeader), 'BAD_SIZE', 0)
    expectWireError(() => scanMessage(badHeader, 0, badHeader.length), 'BAD_SIZE', 0)

    const zeroField = GET_REQUEST.slice(8)
    zeroField.set([0, 0, 0, 0], 22 + 9) // second field's size
    expectWireError(() => decodeMessage(zeroField), 'BAD_SIZE', 31)
    expectWireError(() => scanMessage(zeroField, 0, zeroField.length), 'BAD_SIZE', 31)

    const smallOp = GET_RESPONSE.slice(8)
    smallOp.set([0, 0, 0, 4], 22) // op size 4 with a 1-byte name
    expectWireError(() => decodeMessage(smallOp), 'BAD_SIZE', 22)
    expectWireError(() => scanMessage(smallOp, 0, smallOp.length), 'BAD_SIZE', 22)
  })

  it('a field size that runs past the end is TRUNCATED at that field', () => {
    const body = GET_REQUEST.slice(8)
    body.set([0x7f, 0xff, 0xff, 0xff], 22)
    expectWireError(() => decodeMessage(body), 'TRUNCATED', 22)
    expect(scanMessage(body, 0, body.length)).toBeLessThan(-body.length)
  })

  it('decodes a message at an offset inside a larger buffer', () => {
    const padded = new Uint8Array(GET_RESPONSE.length + 10)
    padded.set(GET_RESPONSE.subarray(8), 5)
    const message = decodeMessage(padded, 5, 5 + GET_RESPONSE.length - 8)
    expect(message.offset).toBe(5)
    expect(message.end).toBe(5 + GET_RESPONSE.length - 8)
    expect(opName(padded, message.ops[1]!)).toBe('s')
  })
})

describe('MessageWriter', () => {
  it('grows from a small buffer and produces what encodeMessage produces', () => {
    const ops = Array.from({ length: 500 }, (_, i) => ({
      op: AS_MSG_OP_WRITE,
      particleType: PARTICLE_STRING,
      name: `b${i % 100}`,
      value: new TextEncoder().encode('v'.repeat(i % 37)),
    }))
    const writer = new MessageWriter({ initialCapacity: 64 })
    writer.message({ header: { info2: INFO2_WRITE }, fields: keyFields, ops })
    const expected = encodeMessage({ header: { info2: INFO2_WRITE }, fields: keyFields, ops })
    expect(toHex(writer.finish())).toBe(toHex(expected))
    const header = decodeProtoHeader(expected)
    expect(header.size).toBe(expected.length - 8)
    const message = decodeMessage(expected, 8)
    expect(message.ops).toHaveLength(500)
    expect(opName(expected, message.ops[499]!)).toBe('b99')
  })

  it('writes values straight into reserved space after opHeader', () => {
    const writer = new MessageWriter({ initialCapacity: 64 })
    const name = new TextEncoder().encode('n')
    for (let i = 0; i < 20; i++) {
      writer.opHeader(AS_MSG_OP_WRITE, PARTICLE_INTEGER, name, 8)
      writeInt64(writer.view, writer.length, -i)
      writer.skip(8)
    }
    const message = decodeMessage(
      Uint8Array.from([
        ...new Uint8Array([22, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 20]),
        ...writer.finish(),
      ]),
    )
    expect(message.ops).toHaveLength(20)
    expect(message.ops[19]).toMatchObject({ valueLength: 8, nameLength: 1 })
  })

  it('patches field sizes, counts and proto sizes written after the fact', () => {
    const writer = new MessageWriter()
    const mark = writer.beginProto()
    const header = writer.msgHeader({ info1: INFO1_READ })
    const field = writer.beginField(FIELD_NAMESPACE)
    writer.utf8('tëst')
    writer.endField(field)
    writer.patchCounts(header, 1, 0)
    writer.endProto(mark)
    const bytes = writer.toBytes()
    const message = decodeMessage(bytes, 8)
    expect(fieldString(bytes, message.fields[0]!)).toBe('tëst')
    expect(decodeProtoHeader(bytes).size).toBe(bytes.length - 8)
  })

  it('writes u8/u16/u32/u64/i64/f64 big-endian', () => {
    const writer = new MessageWriter()
    writer
      .u8(1)
      .u16(0x0203)
      .u32(0x04050607)
      .u64(2n ** 64n - 1n)
      .i64(-2)
      .f64(1)
    expect(toHex(writer.finish())).toBe(
      '01' + '0203' + '04050607' + 'ffffffffffffffff' + 'fffffffffffffffe' + '3ff0000000000000',
    )
  })

  it('refuses to grow past maxCapacity and bin names longer than 15 bytes', () => {
    const writer = new MessageWriter({ initialCapacity: 64, maxCapacity: 128 })
    writer.raw(new Uint8Array(100))
    expectWireError(() => writer.raw(new Uint8Array(29)), 'OVERSIZE', 100)
    expectWireError(() => new MessageWriter().op(1, 0, 'x'.repeat(16)), 'BAD_VALUE', 0)
  })

  it('reset keeps the buffer and starts over', () => {
    const writer = new MessageWriter()
    writer.u32(7)
    writer.reset().u8(9)
    expect(toHex(writer.finish())).toBe('09')
  })
})

describe('64-bit integers', () => {
  const write = (value: number | bigint, fn = writeInt64): string => {
    const out = new Uint8Array(8)
    fn(new DataView(out.buffer), 0, value)
    return toHex(out)
  }

  it('writes the int64 range exactly from numbers and bigints', () => {
    expect(write(1)).toBe('0000000000000001')
    expect(write(-1)).toBe('ffffffffffffffff')
    expect(write(Number.MAX_SAFE_INTEGER)).toBe('001fffffffffffff')
    expect(write(Number.MIN_SAFE_INTEGER)).toBe('ffe0000000000001')
    expect(write(2n ** 63n - 1n)).toBe('7fffffffffffffff')
    expect(write(-(2n ** 63n))).toBe('8000000000000000')
    expect(write(2 ** 40 + 3, writeUint64)).toBe('0000010000000003')
  })

  it('refuses values that would change', () => {
    expectWireError(() => write(2 ** 53), 'BAD_VALUE')
    expectWireError(() => write(1.5), 'BAD_VALUE')
    expectWireError(() => write(2n ** 63n), 'BAD_VALUE')
    expectWireError(() => write(-(2n ** 63n) - 1n), 'BAD_VALUE')
    expectWireError(() => write(-1, writeUint64), 'BAD_VALUE')
    expectWireError(() => write(2n ** 64n, writeUint64), 'BAD_VALUE')
  })
})

describe('reference messages through the stream readers, one chunk and byte by byte', () => {
  const vectors = [GET_REQUEST, GET_RESPONSE, PUT_REQUEST, PUT_OK, NOT_FOUND]
  const stream = Uint8Array.from(Buffer.concat(vectors))
  const expected = vectors.map((v) => decodeMessage(v, 8))
  const summary = (m: ReturnType<typeof decodeMessage>) => ({
    header: m.header,
    fields: m.fields.map((f) => [f.type, toHex(m.bytes.subarray(f.offset, f.offset + f.length))]),
    ops: m.ops.map((o) => [o.op, o.particleType, opName(m.bytes, o), toHex(opValue(m.bytes, o))]),
  })

  for (const size of [stream.length, 1, 2, 5, 31]) {
    it(`ProtoFrameReader + decodeMessage, chunks of ${size}`, () => {
      const reader = new ProtoFrameReader()
      const got = []
      for (let at = 0; at < stream.length; at += size) {
        for (const frame of reader.push(stream.subarray(at, at + size)))
          got.push(decodeMessage(frame.body))
      }
      expect(got.map(summary)).toEqual(expected.map(summary))
    })
  }
})
