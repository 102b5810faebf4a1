import { describe, expect, it } from 'vitest'
import {
  FIELD_FILTER,
  INFO1_GET_NOBINDATA,
  INFO1_READ,
  INFO3_LAST,
  INFO3_PARTITION_DONE,
  PARTICLE_FLOAT,
  PARTICLE_INTEGER,
  PARTICLE_STRING,
} from './constants.js'
import { encodeKeyField, keyDigest, partitionId } from './digest.js'
import { decodeMessage, encodeMessage, MessageWriter } from './msg.js'
import { compressFrame } from './proto.js'
import { ResultCode } from './result-codes.js'
import {
  decodeScanRequest,
  decodeScanResponse,
  encodeScanRequest,
  isScanMessage,
  ScanResponseDecoder,
  ScanResponseWriter,
  type ScanRecordCursor,
} from './scan.js'
import { concat, expectWireError, hex, toHex } from './test-support/bytes.js'

const RESUME = hex('0200' + 'ab'.repeat(18)) // a digest of partition 2

describe('scan request', () => {
  it('lays out fields as the C client does (as_query_command_init)', () => {
    const bytes = encodeScanRequest({
      namespace: 'test',
      set: 'demo',
      partitions: [0, 1, 4095],
      digests: RESUME,
      bins: ['a'],
      maxRecords: 100,
      socketTimeout: 30000,
      totalTimeout: 0,
      taskId: 0x0102030405060708n,
    })
    const body = hex(`
      16 01 00 04 00 00 00000000 ffffffff 00000000 0007 0001
      00000005 00 74657374
      00000005 01 64656d6f
      00000005 09 00007530
      00000009 07 0102030405060708
      00000007 0b 0000 0100 ff0f
      00000015 0c ${toHex(RESUME)}
      00000009 0d 0000000000000064
      00000005 01 00 00 01 61`)
    expect(toHex(bytes)).toBe(
      toHex(concat(hex(`0203 0000 ${body.length.toString(16).padStart(8, '0')}`), body)),
    )
  })

  it('sends RPS, no set, no bins (GET_NOBINDATA) and compression when asked', () => {
    const bytes = encodeScanRequest({
      namespace: 'test',
      partitions: [7],
      bins: [],
      recordsPerSecond: 500,
      totalTimeout: 2500,
      taskId: -1n,
      compressResponse: true,
    })
    const message = decodeMessage(bytes, 8)
    expect(message.header.info1).toBe(INFO1_READ | INFO1_GET_NOBINDATA | 0x80)
    expect(message.header.transactionTtl).toBe(2500)
    expect(message.fields.map((f) => f.type)).toEqual([0, 10, 9, 7, 11])
    const decoded = decodeScanRequest(bytes, 8)
    expect(decoded.set).toBe('')
    expect(decoded.bins).toEqual([])
    expect(decoded.noBinData).toBe(true)
    expect(decoded.recordsPerSecond).toBe(500)
    expect(decoded.taskId).toBe(0xffffffffffffffffn)
    expect(isScanMessage(message.fields)).toBe(true)
  })

  it('round-trips through decodeScanRequest', () => {
    const bytes = encodeScanRequest({
      namespace: 'bar',
      set: 'sensors',
      partitions: Uint16Array.of(4095, 3, 0),
      digests: RESUME,
      bins: ['temperature', 'humidity'],
      maxRecords: 2n ** 40n,
      socketTimeout: 0,
      taskId: 42n,
    })
    const decoded = decodeScanRequest(bytes, 8)
    expect(decoded.namespace).toBe('bar')
    expect(decoded.set).toBe('sensors')
    expect([...decoded.partitions]).toEqual([4095, 3, 0])
    expect(toHex(decoded.digests)).toBe(toHex(RESUME))
    expect(decoded.bins).toEqual(['temperature', 'humidity'])
    expect(decoded.maxRecords).toBe(2n ** 40n)
    expect(decoded.socketTimeout).toBe(0)
    expect(decoded.taskId).toBe(42n)
    expect(decoded.header.info3).toBe(INFO3_PARTITION_DONE)
    expect(decoded.header.recordTtl).toBe(0xffffffff)
    expect(decoded.end).toBe(bytes.length)
  })

  it('refuses requests it cannot encode', () => {
    expectWireError(() => encodeScanRequest({ namespace: 'test', taskId: 1n }), 'BAD_VALUE')
    expectWireError(
      () => encodeScanRequest({ namespace: 'test', partitions: [4096], taskId: 1n }),
      'BAD_VALUE',
    )
    expectWireError(
      () => encodeScanRequest({ namespace: 'test', digests: new Uint8Array(19), taskId: 1n }),
      'BAD_SIZE',
    )
    expectWireError(
      () => encodeScanRequest({ namespace: '', partitions: [1], taskId: 1n }),
      'BAD_VALUE',
    )
  })

  it('refuses what the server refuses, naming the offset', () => {
    const frame = (fields: { type: number; data: Uint8Array | string }[]): Uint8Array =>
      encodeMessage({ header: { info1: 1, info3: 4 }, fields }).subarray(8)
    // a duplicate partition id: the second entry, at field data + 2
    const dup = frame([
      { type: 0, data: 'test' },
      { type: 11, data: hex('0500 0500') },
    ])
    expectWireError(() => decodeScanRequest(dup), 'BAD_VALUE', 22 + 9 + 5 + 2)
    expectWireError(
      () =>
        decodeScanRequest(
          frame([
            { type: 0, data: 'test' },
            { type: 11, data: hex('0010') },
          ]),
        ),
      'BAD_VALUE',
    )
    expectWireError(
      () =>
        decodeScanRequest(
          frame([
            { type: 0, data: 'test' },
            { type: 11, data: hex('05') },
          ]),
        ),
      'BAD_SIZE',
      22 + 9,
    )
    // a resume digest of a partition the PID_ARRAY names
    expectWireError(
      () =>
        decodeScanRequest(
          frame([
            { type: 0, data: 'test' },
            { type: 11, data: hex('0200') },
            { type: 12, data: RESUME },
          ]),
        ),
      'BAD_VALUE',
      22 + 9 + 7 + 5,
    )
    expectWireError(
      () =>
        decodeScanRequest(
          frame([
            { type: 0, data: 'test' },
            { type: 13, data: hex('0001') },
          ]),
        ),
      'BAD_SIZE',
      22 + 9,
    )
    expectWireError(() => decodeScanRequest(frame([{ type: 11, data: hex('0100') }])), 'BAD_VALUE')
    const other = decodeScanRequest(
      frame([
        { type: 0, data: 'test' },
        { type: FIELD_FILTER, data: hex('93') },
        { type: 11, data: hex('0100') },
      ]),
    )
    expect(other.otherFields.map((f) => f.type)).toEqual([FIELD_FILTER])
  })

  it('tells scans from record commands', () => {
    const get = encodeMessage({
      fields: [
        { type: 0, data: 'test' },
        { type: 4, data: keyDigest('demo', 1) },
      ],
    })
    expect(isScanMessage(decodeMessage(get, 8).fields)).toBe(false)
  })
})

// ---- response ----------------------------------------------------------------------------------

const ns = new TextEncoder().encode('test')
const set = new TextEncoder().encode('demo')
const f64 = (x: number): Uint8Array => {
  const out = new Uint8Array(8)
  new DataView(out.buffer).setFloat64(0, x)
  return out
}
const i64 = (x: number): Uint8Array => {
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigInt64(0, BigInt(x))
  return out
}

/** An answer with `n` records (keys 0..n-1, every third stored with its key), a PARTITION_DONE and LAST. */
function sampleAnswer(n: number, frameSize = 256): { bytes: Uint8Array; digests: Uint8Array[] } {
  const w = new ScanResponseWriter(new MessageWriter(64), { frameSize })
  const digests: Uint8Array[] = []
  for (let i = 0; i < n; i++) {
    const digest = keyDigest('demo', i)
    digests.push(digest)
    w.beginRecord(ns, digest, set, i % 3 === 0 ? encodeKeyField(i) : null, i + 1, 1000 + i)
    w.writer.op(1, PARTICLE_FLOAT, 'x', f64(i / 2))
    w.writer.op(1, PARTICLE_INTEGER, 'n', i64(-i))
    w.writer.op(1, PARTICLE_STRING, 's', new TextEncoder().encode(`v${i}`))
    w.endRecord(3)
    if (i === 1) w.partitionDone(77, ResultCode.ERR_CLUSTER)
  }
  w.partitionDone(5, 0) // a successful PARTITION_DONE carries nothing
  return { bytes: w.last(0).slice(), digests }
}

interface Seen {
  records: { digest: string; gen: number; voidTime: number; key: string | null; ops: number }[]
  done: { partition: number; code: number }[]
}

function collector(): {
  handler: ConstructorParameters<typeof ScanResponseDecoder>[0]
  seen: Seen
} {
  const seen: Seen = { records: [], done: [] }
  return {
    seen,
    handler: {
      onRecord(r: ScanRecordCursor) {
        seen.records.push({
          digest: toHex(r.bytes.subarray(r.digestOffset, r.digestOffset + 20)),
          gen: r.generation,
          voidTime: r.voidTime,
          key:
            r.keyOffset < 0
              ? null
              : toHex(r.bytes.subarray(r.keyOffset, r.keyOffset + r.keyLength)),
          ops: r.nOps,
        })
      },
      onPartitionDone(partition, code) {
        seen.done.push({ partition, code })
      },
    },
  }
}

describe('scan answer', () => {
  it('decodes records, partition failures and LAST, whole and byte by byte', () => {
    const { bytes, digests } = sampleAnswer(12)
    for (const step of [bytes.length, 1, 7, 100]) {
      const { handler, seen } = collector()
      const decoder = new ScanResponseDecoder(handler)
      let done = false
      for (let at = 0; at < bytes.length; at += step) {
        expect(done).toBe(false)
        done = decoder.push(bytes.subarray(at, at + step))
      }
      expect(done).toBe(true)
      expect(decoder.resultCode).toBe(0)
      expect(decoder.failed).toBe(false)
      expect(decoder.records).toBe(12)
      expect(seen.records.map((r) => r.digest)).toEqual(digests.map(toHex))
      expect(seen.records[3]).toEqual({
        digest: toHex(digests[3]!),
        gen: 4,
        voidTime: 1003,
        key: toHex(encodeKeyField(3)),
        ops: 3,
      })
      expect(seen.records[4]!.key).toBeNull()
      expect(seen.done).toEqual([{ partition: 77, code: ResultCode.ERR_CLUSTER }])
    }
  })

  it('spreads records over frames, LAST in its own frame', () => {
    const { bytes } = sampleAnswer(30, 200)
    const frames: number[] = []
    for (let at = 0; at < bytes.length;) {
      const size =
        Number(new DataView(bytes.buffer, bytes.byteOffset + at + 2, 6).getUint16(0)) * 2 ** 32 +
        new DataView(bytes.buffer, bytes.byteOffset + at + 4, 4).getUint32(0)
      frames.push(size)
      at += 8 + size
    }
    expect(frames.length).toBeGreaterThan(3)
    expect(frames[frames.length - 1]).toBe(22)
    const decoded = decodeScanResponse(bytes)
    expect(decoded.records).toHaveLength(30)
    expect(decoded.records[2]!.bins).toEqual([
      { name: 'x', particleType: PARTICLE_FLOAT, value: f64(1) },
      { name: 'n', particleType: PARTICLE_INTEGER, value: i64(-2) },
      { name: 's', particleType: PARTICLE_STRING, value: new TextEncoder().encode('v2') },
    ])
    expect(decoded.records[2]!.set).toBe('demo')
    expect(partitionId(decoded.records[2]!.digest)).toBe(partitionId(keyDigest('demo', 2)))
  })

  it('reads compressed frames', () => {
    const { bytes } = sampleAnswer(5, 1 << 20)
    // first frame (records) compressed, LAST frame as is
    const firstSize = new DataView(bytes.buffer, bytes.byteOffset + 4, 4).getUint32(0)
    const first = bytes.subarray(0, 8 + firstSize)
    const rest = bytes.subarray(8 + firstSize)
    const decoded = decodeScanResponse(concat(compressFrame(first), rest))
    expect(decoded.records).toHaveLength(5)
  })

  it('ends early at an error message and ignores what follows', () => {
    const w = new ScanResponseWriter(new MessageWriter(64))
    w.beginRecord(ns, keyDigest('demo', 1), set, null, 1, 0)
    w.endRecord(0)
    const head = w.flush().slice()
    const error = encodeMessage({ header: { resultCode: ResultCode.ERR_REQUEST_INVALID } })
    const { handler, seen } = collector()
    const decoder = new ScanResponseDecoder(handler)
    expect(decoder.push(concat(head, error, hex('02 03 0000 00000016')))).toBe(true)
    expect(decoder.failed).toBe(true)
    expect(decoder.resultCode).toBe(ResultCode.ERR_REQUEST_INVALID)
    expect(seen.records).toHaveLength(1)
    expect(decoder.push(hex('00 00 00'))).toBe(true)
  })

  it('names the stream offset of bad answers', () => {
    const { bytes } = sampleAnswer(3, 1 << 20)
    // bytes after LAST
    expectWireError(() => decodeScanResponse(concat(bytes, hex('02'))), 'BAD_SIZE', bytes.length)
    // a record without a digest
    const noDigest = encodeMessage({ fields: [{ type: 0, data: 'test' }] })
    expectWireError(() => decodeScanResponse(noDigest), 'BAD_VALUE', 8)
    // a digest of 19 bytes
    const short = encodeMessage({ fields: [{ type: 4, data: new Uint8Array(19) }] })
    expectWireError(() => decodeScanResponse(short), 'BAD_SIZE', 8 + 22)
    // a message that crosses its frame's end: n_ops says 1, nothing follows
    const crossing = encodeMessage({ header: {}, fields: [{ type: 4, data: new Uint8Array(20) }] })
    crossing[8 + 21] = 1
    expectWireError(() => decodeScanResponse(crossing), 'TRUNCATED', 8)
    // PARTITION_DONE naming partition 4096
    const pd = encodeMessage({ header: { info3: INFO3_PARTITION_DONE, generation: 4096 } })
    expectWireError(() => decodeScanResponse(pd), 'BAD_VALUE', 8 + 6)
    // an info frame in the stream
    expectWireError(() => decodeScanResponse(hex('0201 000000000001 00')), 'BAD_TYPE', 1)
    // a second stream offset: the bad message sits in the second frame
    const second = concat(sampleAnswer(1, 1 << 20).bytes.subarray(0, -30), noDigest)
    expectWireError(
      () => decodeScanResponse(second),
      'BAD_VALUE',
      second.length - noDigest.length + 8,
    )
    // truncated: no LAST
    expectWireError(() => decodeScanResponse(bytes.subarray(0, bytes.length - 30)), 'TRUNCATED')
    // after a failure the decoder stays failed
    const decoder = new ScanResponseDecoder(collector().handler)
    expectWireError(() => decoder.push(noDigest), 'BAD_VALUE')
    expectWireError(() => decoder.push(bytes), 'BAD_VALUE')
  })

  it('LAST carries the node result', () => {
    const last = encodeMessage({ header: { info3: INFO3_LAST, resultCode: ResultCode.ERR_TIMEOUT } })
    const decoded = decodeScanResponse(last)
    expect(decoded.resultCode).toBe(ResultCode.ERR_TIMEOUT)
    expect(decoded.failed).toBe(false)
    expect(decoded.records).toEqual([])
  })
})
