import { describe, expect, it } from 'vitest'

import {
  BatchReadRequest,
  batchParentFlags,
  BatchRequestWriter,
  BatchWriteTemplate,
  type BatchWriteBin,
  type BatchWriteKey,
} from './batch-request.js'
import { decodeBatchRequest } from './batch-server.js'
import {
  AS_MSG_OP_READ,
  AS_MSG_OP_WRITE,
  BATCH_FLAGS_DEFAULT,
  FIELD_KEY,
  INFO1_GET_ALL,
  INFO1_GET_NOBINDATA,
  INFO1_READ,
  INFO2_WRITE,
  PARTICLE_BLOB,
  PARTICLE_FLOAT,
  PARTICLE_INTEGER,
} from './constants.js'
import { keyDigest } from './digest.js'
import { fieldString, MessageWriter, opName } from './msg.js'
import { toHex } from './test-support/bytes.js'

const utf8 = new TextEncoder()

// Rows of 16 bytes: i4 key at 0, f8 "x" at 4, 4-byte blob "tag" at 12.
const STRIDE = 16
const KEY: BatchWriteKey = {
  particleType: PARTICLE_INTEGER,
  maxKeyBytes: 8,
  writeKeyBytes(src, rowOffset, _row, out, outOffset) {
    const view = new DataView(src.buffer, src.byteOffset)
    new DataView(out.buffer, out.byteOffset).setBigInt64(
      outOffset,
      BigInt(view.getInt32(rowOffset, true)),
    )
    return 8
  },
}
const BINS: BatchWriteBin[] = [
  {
    nameBytes: utf8.encode('x'),
    particleType: PARTICLE_FLOAT,
    valueSize: 8,
    writeValue: (_s, srcView, rowOffset, _row, _o, outView, outOffset) =>
      outView.setFloat64(outOffset, srcView.getFloat64(rowOffset + 4, true)),
  },
  {
    nameBytes: utf8.encode('tag'),
    particleType: PARTICLE_BLOB,
    valueSize: 4,
    writeValue: (src, _v, rowOffset, _row, out, _ov, outOffset) =>
      out.set(src.subarray(rowOffset + 12, rowOffset + 16), outOffset),
  },
]

function rowsOf(n: number, stride = STRIDE) {
  const bytes = new Uint8Array(n * stride + 3).subarray(3) // rows not at offset 0 of the buffer
  const view = new DataView(bytes.buffer, bytes.byteOffset)
  const digests = new Uint8Array(n * 20)
  for (let r = 0; r < n; r++) {
    view.setInt32(r * stride, 100 + r, true)
    view.setFloat64(r * stride + 4, r / 4, true)
    bytes.set(utf8.encode(`t${r % 10}..`).subarray(0, 4), r * stride + 12)
    digests.set(keyDigest('demo', 100 + r), r * 20)
  }
  return { source: { bytes, view, byteOffset: 0, stride }, digests }
}

function template(sendKey: boolean, validityOffset?: number) {
  return new BatchWriteTemplate({
    ...(validityOffset === undefined ? {} : { validityOffset }),
    namespace: 'test',
    set: 'demo',
    bins: BINS,
    key: KEY,
    sendKey,
    info2: INFO2_WRITE,
    info3: 0,
    generation: 0,
    recordTtl: 3600,
    flags: BATCH_FLAGS_DEFAULT,
    timeout: 1000,
  })
}

describe('BatchWriteTemplate', () => {
  for (const sendKey of [false, true]) {
    it(`lays out the same bytes as BatchRequestWriter row by row (sendKey ${sendKey})`, () => {
      const n = 7
      const { source, digests } = rowsOf(n)
      // batch positions 6, 2, 4 of rows reversed: position i is row n-1-i
      const rows = Uint32Array.from({ length: n }, (_, i) => n - 1 - i)
      const positions = Uint32Array.of(6, 2, 4)
      const t = template(sendKey)
      const writer = new MessageWriter({ buffer: new Uint8Array(t.requestSize(3)) })
      const frame = t.encode(writer, positions, rows, digests, source)
      expect(frame.length).toBeLessThanOrEqual(t.requestSize(3))
      expect(frame.buffer).toBe(writer.bytes.buffer) // written in place, no growth

      const reference = new BatchRequestWriter(new MessageWriter(64), { timeout: 1000 })
      for (const i of positions) {
        const r = rows[i]!
        const at = r * STRIDE
        const x = new Uint8Array(8)
        new DataView(x.buffer).setFloat64(0, source.view.getFloat64(at + 4, true))
        const key = new Uint8Array(9)
        key[0] = PARTICLE_INTEGER
        new DataView(key.buffer).setBigInt64(1, BigInt(100 + r))
        reference.fullRow(
          i,
          digests.subarray(i * 20, i * 20 + 20),
          { info1: 0, info2: INFO2_WRITE, info3: 0, generation: 0, ttl: 3600 },
          'test',
          'demo',
          sendKey ? [{ type: FIELD_KEY, data: key }] : [],
          [
            { op: AS_MSG_OP_WRITE, particleType: PARTICLE_FLOAT, name: 'x', value: x },
            {
              op: AS_MSG_OP_WRITE,
              particleType: PARTICLE_BLOB,
              name: 'tag',
              value: source.bytes.slice(at + 12, at + 16),
            },
          ],
        )
      }
      expect(toHex(frame)).toBe(toHex(reference.end()))

      const decoded = decodeBatchRequest(frame, 8)
      expect(decoded.rows.map((row) => row.index)).toEqual([6, 2, 4])
      expect(decoded.rows.map((row) => row.ops.map((op) => opName(frame, op)))).toEqual([
        ['x', 'tag'],
        ['x', 'tag'],
        ['x', 'tag'],
      ])
    })
  }

  for (const sendKey of [false, true]) {
    it(`leaves out the bins a row's validity bitmap clears (sendKey ${sendKey})`, () => {
      // a 17th byte per row: bit 0 for 'x', bit 1 for 'tag'
      const n = 4
      const stride = STRIDE + 1
      const { source, digests } = rowsOf(n, stride)
      const bits = [0b11, 0b10, 0b01, 0b11]
      bits.forEach((b, r) => (source.bytes[r * stride + STRIDE] = b))
      const rows = Uint32Array.from({ length: n }, (_, i) => i)
      const positions = Uint32Array.of(0, 1, 2, 3)
      const t = template(sendKey, STRIDE)
      const frame = t.encode(new MessageWriter(16), positions, rows, digests, source)

      const reference = new BatchRequestWriter(new MessageWriter(64), { timeout: 1000 })
      for (const r of rows) {
        const at = r * stride
        const x = new Uint8Array(8)
        new DataView(x.buffer).setFloat64(0, source.view.getFloat64(at + 4, true))
        const key = new Uint8Array(9)
        key[0] = PARTICLE_INTEGER
        new DataView(key.buffer).setBigInt64(1, BigInt(100 + r))
        const ops = [
          { op: AS_MSG_OP_WRITE, particleType: PARTICLE_FLOAT, name: 'x', value: x },
          {
            op: AS_MSG_OP_WRITE,
            particleType: PARTICLE_BLOB,
            name: 'tag',
            value: source.bytes.slice(at + 12, at + 16),
          },
        ].filter((_, b) => ((bits[r]! >> b) & 1) === 1)
        reference.fullRow(
          r,
          digests.subarray(r * 20, r * 20 + 20),
          { info1: 0, info2: INFO2_WRITE, info3: 0, generation: 0, ttl: 3600 },
          'test',
          'demo',
          sendKey ? [{ type: FIELD_KEY, data: key }] : [],
          ops,
        )
      }
      expect(toHex(frame)).toBe(toHex(reference.end()))
      const decoded = decodeBatchRequest(frame, 8)
      expect(decoded.rows.map((row) => row.ops.map((op) => opName(frame, op)))).toEqual([
        ['x', 'tag'],
        ['tag'],
        ['x'],
        ['x', 'tag'],
      ])
    })
  }

  it('grows the writer when given less room than a request needs', () => {
    const { source, digests } = rowsOf(3)
    const t = template(true)
    const writer = new MessageWriter({ buffer: new Uint8Array(16) })
    const frame = t.encode(
      writer,
      Uint32Array.of(0, 1, 2),
      Uint32Array.of(0, 1, 2),
      digests,
      source,
    )
    expect(decodeBatchRequest(frame, 8).rows).toHaveLength(3)
  })
})

describe('BatchReadRequest', () => {
  const keys = [
    { namespace: 'test', set: 'demo', digest: keyDigest('demo', 'key1') },
    { namespace: 'test', set: 'demo', digest: keyDigest('demo', 'key2') },
    { namespace: 'test', set: 'other', digest: keyDigest('other', 'key3') },
  ]

  it('sends a full row per namespace/set run and REPEAT rows for the rest', () => {
    const request = new BatchReadRequest({
      bins: ['a', 'bb'],
      readTouchTtlPercent: 0,
      flags: BATCH_FLAGS_DEFAULT,
      timeout: 1000,
    })
    const positions = Uint32Array.of(0, 1, 2)
    const size = request.requestSize(keys, positions)
    const writer = new MessageWriter({ buffer: new Uint8Array(size) })
    const frame = request.encode(writer, keys, positions)
    expect(frame.length).toBeLessThanOrEqual(size)
    const decoded = decodeBatchRequest(frame, 8)
    expect(decoded.header.transactionTtl).toBe(1000)
    expect(decoded.rows.map((r) => [r.index, r.repeat, fieldString(frame, r.fields[1]!)])).toEqual([
      [0, false, 'demo'],
      [1, true, 'demo'],
      [2, false, 'other'],
    ])
    const row = decoded.rows[0]!
    expect(row.header.info1).toBe(INFO1_READ)
    expect(row.ops.map((op) => [op.op, opName(frame, op)])).toEqual([
      [AS_MSG_OP_READ, 'a'],
      [AS_MSG_OP_READ, 'bb'],
    ])
  })

  it('reads all bins (null) or none ([])', () => {
    for (const [bins, info1] of [
      [null, INFO1_READ | INFO1_GET_ALL],
      [[], INFO1_READ | INFO1_GET_NOBINDATA],
    ] as const) {
      const request = new BatchReadRequest({ bins, readTouchTtlPercent: 50, flags: 0, timeout: 0 })
      const frame = request.encode(new MessageWriter(), keys, Uint32Array.of(2))
      const row = decodeBatchRequest(frame, 8).rows[0]!
      expect([row.header.info1, row.header.recordTtl, row.ops.length]).toEqual([info1, 50, 0])
    }
  })
})

describe('batchParentFlags', () => {
  it("is the C client's default unless a flag is set", () => {
    expect(batchParentFlags({})).toBe(BATCH_FLAGS_DEFAULT)
    expect(batchParentFlags({ allowInline: false })).toBe(0x0c)
    expect(batchParentFlags({ allowInlineSSD: true, respondAllKeys: false })).toBe(0x0b)
  })
})
