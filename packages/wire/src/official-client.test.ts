// Requests the official `aerospike` npm client (6.7.1) sent to a minimal server built on this
// package (127.0.0.1, default policies, totalTimeout 1000). The client accepted that server's
// replies (encoded with encodeMessage / BatchResponseWriter) and returned the expected records.
import { describe, expect, it } from 'vitest'
import {
  BatchResponseDecoder,
  decodeBatchResponse,
  type BatchResponseRow,
} from './batch-response.js'
import { decodeBatchRequest } from './batch-server.js'
import {
  AS_MSG_OP_READ,
  AS_MSG_OP_WRITE,
  BATCH_FLAGS_DEFAULT,
  BATCH_MSG_GEN,
  BATCH_MSG_INFO,
  BATCH_MSG_TTL,
  FIELD_DIGEST_RIPE,
  FIELD_NAMESPACE,
  FIELD_SETNAME,
  INFO1_BATCH_INDEX,
  INFO1_GET_ALL,
  INFO1_READ,
  INFO2_CREATE_ONLY,
  INFO2_GENERATION,
  INFO2_RESPOND_ALL_OPS,
  INFO2_WRITE,
} from './constants.js'
import { keyDigest } from './digest.js'
import { decodeMessage, fieldString, findField, opName, type DecodedMessage } from './msg.js'
import { decodeParticle } from './particles.js'
import { ProtoFrameReader } from './proto.js'
import { hex, toHex } from './test-support/bytes.js'

const PUT_ALL_TYPES = hex(`
  02030000000000a21600010000000000000000000000000003e800030007000000050074657374000000050164656d6f
  0000001504ec91192d4b7f8ce35d5d78d34bca65cbaaaac9600000000d020100016100000000000000010000000d0202
  0001663ff00000000000000000000602030001737800000007020400016201020000000a021400016c9201a203610000
  000e021300016d82c70001c0a2036b0100000006021100017401`)

const GET_KEY1 = hex(`
  02030000000000411603000000000000000000000000000003e800030000000000050074657374000000050164656d6f
  0000001504ec91192d4b7f8ce35d5d78d34bca65cbaaaac960`)

const BATCH_READ_3 = hex(`
  02030000000000ae1608000000000000000000000000000003e8000100000000009429000000030d00000000ec91192d
  4b7f8ce35d5d78d34bca65cbaaaac9600a0300000000000000020000000000050074657374000000050164656d6f0000
  0001266fc5c994ab9d0aa1c367d99abce6d89e9770830100000002dc2e595bc2a0d8c6290c474d74e71b23e3ed846a0a
  0100000000000000020001000000050074657374000000050164656d6f000000050100000161`)

const BATCH_WRITE_3 = hex(`
  02030000000000fb1608000000000000000000000000000003e800010000000000e129000000030d00000000ec91192d
  4b7f8ce35d5d78d34bca65cbaaaac9600e00810000000000000000020001000000050074657374000000050164656d6f
  0000000d0201000161000000000000000500000001266fc5c994ab9d0aa1c367d99abce6d89e9770830e008100000000
  00000000020001000000050074657374000000050164656d6f0000000d0201000161000000000000000600000002dc2e
  595bc2a0d8c6290c474d74e71b23e3ed846a0e00a5000000000000000002000100000005007465737400000005016465
  6d6f0000000d02010001610000000000000007`)

/** Reads one frame through ProtoFrameReader in chunks of `size`. */
function frameBody(frame: Uint8Array, size: number): Uint8Array {
  const reader = new ProtoFrameReader()
  const bodies = []
  for (let at = 0; at < frame.length; at += size) {
    bodies.push(...reader.push(frame.subarray(at, at + size)).map((f) => f.body))
  }
  expect(bodies).toHaveLength(1)
  expect(reader.idle).toBe(true)
  return bodies[0]!
}

const bins = (message: Pick<DecodedMessage, 'bytes' | 'ops'>) =>
  message.ops.map((op) => {
    const value = decodeParticle(op.particleType, message.bytes, op.valueOffset, op.valueLength)
    const shown = 'msgpack' in value ? toHex(value.msgpack) : 'value' in value ? value.value : null
    return [
      op.op,
      opName(message.bytes, op),
      value.type,
      shown instanceof Uint8Array ? toHex(shown) : shown,
    ]
  })

describe('requests from the official client', () => {
  for (const size of [1 << 20, 1]) {
    it(`put of every particle type (chunks of ${size})`, () => {
      const message = decodeMessage(frameBody(PUT_ALL_TYPES, size))
      expect(message.header).toMatchObject({
        info1: 0,
        info2: INFO2_WRITE,
        info3: 0,
        transactionTtl: 1000,
        nFields: 3,
        nOps: 7,
      })
      expect(fieldString(message.bytes, findField(message, FIELD_NAMESPACE)!)).toBe('test')
      expect(fieldString(message.bytes, findField(message, FIELD_SETNAME)!)).toBe('demo')
      expect(
        toHex(
          message.bytes.subarray(
            findField(message, FIELD_DIGEST_RIPE)!.offset,
            findField(message, FIELD_DIGEST_RIPE)!.offset + 20,
          ),
        ),
      ).toBe(toHex(keyDigest('demo', 'key1')))
      expect(bins(message)).toEqual([
        [AS_MSG_OP_WRITE, 'a', 'integer', 1n],
        [AS_MSG_OP_WRITE, 'f', 'float', 1],
        [AS_MSG_OP_WRITE, 's', 'string', 'x'],
        [AS_MSG_OP_WRITE, 'b', 'blob', '0102'],
        [AS_MSG_OP_WRITE, 'l', 'list', '9201a20361'], // [1, 'a']: strings carry the 0x03 type byte
        [AS_MSG_OP_WRITE, 'm', 'map', '82c70001c0a2036b01'], // {k: 1}: sent as a K-ordered map
        [AS_MSG_OP_WRITE, 't', 'bool', true],
      ])
    })

    it(`get (chunks of ${size}) is the reference GET request`, () => {
      const message = decodeMessage(frameBody(GET_KEY1, size))
      expect(message.header).toMatchObject({
        info1: INFO1_READ | INFO1_GET_ALL,
        nFields: 3,
        nOps: 0,
      })
      expect(GET_KEY1).toHaveLength(73)
    })

    it(`batchRead of key1 (all bins), key2 (all bins, REPEAT), 7 (bin "a") (chunks of ${size})`, () => {
      const request = decodeBatchRequest(frameBody(BATCH_READ_3, size))
      expect(request.header).toMatchObject({
        info1: INFO1_BATCH_INDEX,
        transactionTtl: 1000,
        nFields: 1,
      })
      expect(request.batchFlags).toBe(BATCH_FLAGS_DEFAULT)
      expect(request.rows.map((r) => [r.index, toHex(r.digest), r.repeat, r.rowFlags])).toEqual([
        [0, toHex(keyDigest('demo', 'key1')), false, BATCH_MSG_INFO | BATCH_MSG_TTL],
        [1, toHex(keyDigest('demo', 'key2')), true, 1],
        [2, toHex(keyDigest('demo', 7)), false, BATCH_MSG_INFO | BATCH_MSG_TTL],
      ])
      const [first, repeat, third] = request.rows
      expect(first!.header).toMatchObject({
        info1: INFO1_READ | INFO1_GET_ALL,
        info2: 0,
        info3: 0,
        recordTtl: 0,
      })
      expect(repeat!.header).toBe(first!.header)
      expect(third!.header).toMatchObject({ info1: INFO1_READ, nFields: 2, nOps: 1 })
      expect(third!.ops.map((op) => [op.op, opName(third!.bytes, op), op.valueLength])).toEqual([
        [AS_MSG_OP_READ, 'a', 0],
      ])
    })

    it(`batchWrite of three rows, the last with CREATE_ONLY and GENERATION (chunks of ${size})`, () => {
      const request = decodeBatchRequest(frameBody(BATCH_WRITE_3, size))
      expect(
        request.rows.map((r) => [
          r.index,
          r.repeat,
          r.rowFlags,
          r.header.info1,
          r.header.info2,
          r.header.generation,
          r.header.recordTtl,
        ]),
      ).toEqual([
        [
          0,
          false,
          BATCH_MSG_INFO | BATCH_MSG_GEN | BATCH_MSG_TTL,
          0,
          INFO2_WRITE | INFO2_RESPOND_ALL_OPS,
          0,
          0,
        ],
        [
          1,
          false,
          BATCH_MSG_INFO | BATCH_MSG_GEN | BATCH_MSG_TTL,
          0,
          INFO2_WRITE | INFO2_RESPOND_ALL_OPS,
          0,
          0,
        ],
        [
          2,
          false,
          BATCH_MSG_INFO | BATCH_MSG_GEN | BATCH_MSG_TTL,
          0,
          INFO2_WRITE | INFO2_RESPOND_ALL_OPS | INFO2_CREATE_ONLY | INFO2_GENERATION,
          0,
          0,
        ],
      ])
      expect(request.rows.map((r) => bins(r))).toEqual([
        [[AS_MSG_OP_WRITE, 'a', 'integer', 5n]],
        [[AS_MSG_OP_WRITE, 'a', 'integer', 6n]],
        [[AS_MSG_OP_WRITE, 'a', 'integer', 7n]],
      ])
    })
  }
})

describe('responses the official client accepted', () => {
  // The batchRead reply: row 0 found (a=0), row 1 not found, row 2 found (a=2), then LAST.
  const BATCH_READ_REPLY = hex(`
    020300000000007a160000000000000000010000000000000000000000010000000d0101000161000000000000000016
    000000000200000000000000000000000100000000160000000000000000010000000000000002000000010000000d01
    01000161000000000000000216000001000000000000000000000000000000000000`)

  for (const size of [BATCH_READ_REPLY.length, 1]) {
    it(`decodes the batchRead reply (chunks of ${size})`, () => {
      const rows: BatchResponseRow[] = []
      const decoder = new BatchResponseDecoder((index, resultCode, generation, voidTime, ops) => {
        if (index >= 3) return false
        const refs = []
        while (ops.next()) refs.push(ops.ref())
        rows.push({ index, resultCode, generation, voidTime, bytes: ops.bytes, ops: refs })
        return true
      })
      for (let at = 0; at < BATCH_READ_REPLY.length; at += size)
        decoder.push(BATCH_READ_REPLY.subarray(at, at + size))
      expect(decoder.done).toBe(true)
      expect(decodeBatchResponse(BATCH_READ_REPLY, { batchSize: 3 }).rows).toEqual(rows)
      expect(rows.map((r) => [r.index, r.resultCode, bins(r)])).toEqual([
        [0, 0, [[AS_MSG_OP_READ, 'a', 'integer', 0n]]],
        [1, 2, []],
        [2, 0, [[AS_MSG_OP_READ, 'a', 'integer', 2n]]],
      ])
    })
  }
})
