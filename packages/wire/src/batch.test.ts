import { describe, expect, it } from 'vitest'
import {
  AS_MSG_OP_READ,
  AS_MSG_OP_WRITE,
  BATCH_FLAGS_DEFAULT,
  BATCH_MSG_GEN,
  BATCH_MSG_INFO,
  BATCH_MSG_INFO4,
  BATCH_MSG_TTL,
  FIELD_FILTER,
  FIELD_KEY,
  FIELD_NAMESPACE,
  FIELD_SETNAME,
  INFO1_BATCH_INDEX,
  INFO1_GET_ALL,
  INFO1_GET_NOBINDATA,
  INFO1_READ,
  INFO2_RESPOND_ALL_OPS,
  INFO2_WRITE,
  PARTICLE_INTEGER,
  PARTICLE_NIL,
} from './constants.js'
import { keyDigest } from './digest.js'
import { WireError } from './errors.js'
import { batchRowFlags, BatchRequestWriter, encodeBatchRequest } from './batch-request.js'
import {
  BatchResponseDecoder,
  decodeBatchResponse,
  type BatchResponseRow,
} from './batch-response.js'
import { BatchRequestCursor, BatchResponseWriter, decodeBatchRequest } from './batch-server.js'
import { fieldString, MessageWriter, opName, opValue } from './msg.js'
import { decodeInteger, encodeInteger } from './particles.js'
import { compressFrame, encodeFrame, ProtoFrameReader } from './proto.js'
import { hex, toHex, concat, expectWireError } from './test-support/bytes.js'

// Reference doc §10.3 / §10.4.
const D1 = hex('ec91192d4b7f8ce35d5d78d34bca65cbaaaac960')
const D2 = hex('266fc5c994ab9d0aa1c367d99abce6d89e977083')
const BATCH_READ_REQUEST = hex(`
  02 03 00 00 00 00 00 6f
  16 08 00 00 00 00 00 00 00 00 00 00 00 00 00 00 03 e8 00 01 00 00
  00 00 00 55 29  00 00 00 02  0d
  00 00 00 00  ec 91 19 2d 4b 7f 8c e3 5d 5d 78 d3 4b ca 65 cb aa aa c9 60
  0a 03 00 00  00 00 00 00  00 02  00 00
  00 00 00 05 00 74 65 73 74   00 00 00 05 01 64 65 6d 6f
  00 00 00 01  26 6f c5 c9 94 ab 9d 0a a1 c3 67 d9 9a bc e6 d8 9e 97 70 83  01`)
const BATCH_READ_RESPONSE = hex(`
  02 03 00 00 00 00 00 53
  16 00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00 01  00 00 00 0d 01 01 00 01 61 00 00 00 00 00 00 00 01
  16 00 00 00 00 02 00 00 00 00 00 00 00 00 00 00 00 01 00 00 00 00
  16 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00`)

const READ_ALL = { info1: INFO1_READ | INFO1_GET_ALL, info2: 0, info3: 0, ttl: 0 }

/** A decoder collecting rows as objects (with ops copied out as OpRefs) into `rows`. */
function collector(rows: BatchResponseRow[], batchSize = 2 ** 32) {
  return new BatchResponseDecoder((index, resultCode, generation, voidTime, ops) => {
    if (index >= batchSize) return false
    const refs = []
    while (ops.next()) refs.push(ops.ref())
    rows.push({ index, resultCode, generation, voidTime, bytes: ops.bytes, ops: refs })
    return true
  })
}

/** Feeds `stream` in pieces of `size` bytes; returns all rows and the decoder. */
function decodeInChunks(stream: Uint8Array, size: number, batchSize?: number) {
  const rows: BatchResponseRow[] = []
  const decoder = collector(rows, batchSize)
  for (let at = 0; at < stream.length; at += size) {
    if (decoder.done) throw new Error(`LAST seen before byte ${at} of ${stream.length}`)
    decoder.push(stream.subarray(at, at + size))
  }
  return { rows, decoder }
}

describe('batch request: reference batchRead of key1, key2', () => {
  it('the digests are those of "key1" and "key2" in set "demo"', () => {
    expect(toHex(keyDigest('demo', 'key1'))).toBe(toHex(D1))
    expect(toHex(keyDigest('demo', 'key2'))).toBe(toHex(D2))
  })

  it('encodes the 119 bytes with BatchRequestWriter', () => {
    const batch = new BatchRequestWriter(new MessageWriter(64), { timeout: 1000 })
    batch.beginRow(0, D1, READ_ALL, 'test', 'demo')
    batch.endRow()
    batch.repeatRow(1, D2)
    const frame = batch.end()
    expect(frame.length).toBe(119)
    expect(toHex(frame)).toBe(toHex(BATCH_READ_REQUEST))
    expect(batch.rowCount).toBe(2)
  })

  it('encodes the same bytes with encodeBatchRequest', () => {
    const bytes = encodeBatchRequest(
      [
        { index: 0, digest: D1, attrs: READ_ALL, namespace: 'test', set: 'demo' },
        { index: 1, digest: D2, repeat: true },
      ],
      { timeout: 1000 },
    )
    expect(toHex(bytes)).toBe(toHex(BATCH_READ_REQUEST))
  })

  it('arrives whole through ProtoFrameReader fed byte by byte', () => {
    const reader = new ProtoFrameReader()
    const frames = []
    for (let at = 0; at < BATCH_READ_REQUEST.length; at++) {
      frames.push(...reader.push(BATCH_READ_REQUEST.subarray(at, at + 1)))
    }
    expect(frames).toHaveLength(1)
    const request = decodeBatchRequest(frames[0]!.body)
    expect(request.rows.map((r) => [r.index, toHex(r.digest), r.repeat])).toEqual([
      [0, toHex(D1), false],
      [1, toHex(D2), true],
    ])
  })

  it('decodes it, the REPEAT row inheriting ns, set and attributes', () => {
    const request = decodeBatchRequest(BATCH_READ_REQUEST, 8)
    expect(request.header.info1).toBe(INFO1_BATCH_INDEX)
    expect(request.header.transactionTtl).toBe(1000)
    expect(request.batchFlags).toBe(BATCH_FLAGS_DEFAULT)
    expect(request.parentFields).toEqual([])
    expect(request.end).toBe(BATCH_READ_REQUEST.length)
    const [row0, row1] = request.rows
    expect(request.rows).toHaveLength(2)
    expect(row0).toMatchObject({
      index: 0,
      repeat: false,
      rowFlags: BATCH_MSG_INFO | BATCH_MSG_TTL,
    })
    expect(row0!.header).toMatchObject({
      info1: 3,
      info2: 0,
      info3: 0,
      recordTtl: 0,
      nFields: 2,
      nOps: 0,
    })
    expect(toHex(row0!.digest)).toBe(toHex(D1))
    expect(row0!.fields.map((f) => [f.type, fieldString(BATCH_READ_REQUEST, f)])).toEqual([
      [FIELD_NAMESPACE, 'test'],
      [FIELD_SETNAME, 'demo'],
    ])
    expect(row1).toMatchObject({ index: 1, repeat: true })
    expect(toHex(row1!.digest)).toBe(toHex(D2))
    expect(row1!.header).toBe(row0!.header)
    expect(row1!.fields).toBe(row0!.fields)
    expect(row1!.ops).toBe(row0!.ops)
  })
})

describe('batch request rows', () => {
  it('sends only the attributes given and decodes them back', () => {
    const attrs = {
      info1: INFO1_READ,
      info2: INFO2_WRITE | INFO2_RESPOND_ALL_OPS,
      info3: 0x08,
      info4: 0x10,
      generation: 0x1234,
      ttl: 0xfffffffe,
    }
    expect(batchRowFlags(attrs)).toBe(
      BATCH_MSG_INFO | BATCH_MSG_INFO4 | BATCH_MSG_GEN | BATCH_MSG_TTL,
    )
    expect(batchRowFlags({ info1: INFO1_READ | INFO1_GET_NOBINDATA })).toBe(0)
    const value = encodeInteger(-7)
    const bytes = encodeBatchRequest(
      [
        {
          index: 7,
          digest: D1,
          attrs,
          namespace: 'test',
          set: '',
          fields: [{ type: FIELD_KEY, data: hex('03 6b 31') }],
          ops: [
            { op: AS_MSG_OP_WRITE, particleType: PARTICLE_INTEGER, name: 'n', value },
            { op: AS_MSG_OP_READ, name: 'm' },
          ],
        },
        { index: 9, digest: D2, repeat: true },
        {
          index: 3,
          digest: D2,
          attrs: { info1: INFO1_READ | INFO1_GET_NOBINDATA },
          namespace: 'bar',
        },
      ],
      { filter: hex('93 01 02 03'), flags: 0x08 },
    )
    const request = decodeBatchRequest(bytes, 8)
    expect(request.batchFlags).toBe(0x08)
    expect(request.parentFields).toHaveLength(1)
    expect(request.parentFields[0]!.type).toBe(FIELD_FILTER)
    const [full, repeat, old] = request.rows
    expect(full!.header).toMatchObject({
      info1: 1,
      info2: 0x81,
      info3: 0x08,
      info4: 0x10,
      generation: 0x1234,
      recordTtl: 0xfffffffe,
      nFields: 3,
      nOps: 2,
    })
    expect(fieldString(bytes, full!.fields[1]!)).toBe('')
    expect(full!.fields[2]!.type).toBe(FIELD_KEY)
    expect(full!.ops.map((op) => opName(bytes, op))).toEqual(['n', 'm'])
    expect(decodeInteger(bytes, full!.ops[0]!.valueOffset, full!.ops[0]!.valueLength)).toBe(-7n)
    expect(repeat).toMatchObject({ index: 9, repeat: true })
    expect(repeat!.ops).toBe(full!.ops)
    expect(old).toMatchObject({ index: 3, repeat: false, rowFlags: 0 })
    expect(old!.header).toMatchObject({
      info1: 0x21,
      info2: 0,
      info3: 0,
      generation: 0,
      recordTtl: 0,
    })
    expect(fieldString(bytes, old!.fields[0]!)).toBe('bar')
  })

  it('round-trips 10,000 rows with REPEAT, writing values straight into the buffer', () => {
    const writer = new MessageWriter(256)
    const batch = new BatchRequestWriter(writer, { timeout: 5000 })
    const name = new TextEncoder().encode('v')
    const digests: Uint8Array[] = []
    for (let i = 0; i < 10_000; i++) {
      const digest = keyDigest('s', i)
      digests.push(digest)
      // a full row every 1,000 rows, REPEAT otherwise; REPEAT cannot carry values, so
      // full rows hold the written value.
      if (i % 1000 === 0) {
        batch.beginRow(
          i,
          digest,
          { info1: 0, info2: INFO2_WRITE | INFO2_RESPOND_ALL_OPS, info3: 0, generation: 0, ttl: i },
          'test',
          's',
        )
        writer.opHeader(AS_MSG_OP_WRITE, PARTICLE_INTEGER, name, 8)
        writer.view.setBigInt64(writer.length, BigInt(i) * 3n)
        writer.skip(8)
        batch.endRow(0, 1)
      } else {
        batch.repeatRow(i, digest)
      }
    }
    const frame = batch.end()
    const request = decodeBatchRequest(frame, 8)
    expect(request.rows).toHaveLength(10_000)
    for (let i = 0; i < 10_000; i += 997) {
      const row = request.rows[i]!
      expect(row.index).toBe(i)
      expect(toHex(row.digest)).toBe(toHex(digests[i]!))
      const template = i - (i % 1000)
      expect(row.header.recordTtl).toBe(template)
      expect(decodeInteger(frame, row.ops[0]!.valueOffset)).toBe(BigInt(template) * 3n)
    }
    // and through the frame reader byte stream in odd chunks
    const reader = new ProtoFrameReader()
    const frames = []
    for (let at = 0; at < frame.length; at += 4093)
      frames.push(...reader.push(frame.subarray(at, at + 4093)))
    expect(decodeBatchRequest(frames[0]!.body).rows).toHaveLength(10_000)
  })
})

describe('BatchRequestCursor', () => {
  it('walks the reference request like decodeBatchRequest, without a row object per row', () => {
    const body = BATCH_READ_REQUEST.subarray(8)
    const cursor = new BatchRequestCursor(body)
    expect([
      cursor.rowCount,
      cursor.batchFlags,
      cursor.end,
      cursor.parentHeader.transactionTtl,
    ]).toEqual([2, 0x0d, body.length, 1000])
    const seen = []
    while (cursor.next()) {
      seen.push([
        cursor.row,
        cursor.index,
        toHex(cursor.digest),
        cursor.repeat,
        cursor.header,
        cursor.fields,
        cursor.ops,
      ])
    }
    const decoded = decodeBatchRequest(body)
    expect(seen).toEqual(
      decoded.rows.map((r, i) => [
        i,
        r.index,
        toHex(r.digest),
        r.repeat,
        r.header,
        r.fields,
        r.ops,
      ]),
    )
    expect(seen[1]![4]).toBe(seen[0]![4]) // REPEAT keeps the same header object
    expect(cursor.next()).toBe(false)
  })

  it('reports trailing bytes only once the rows are walked', () => {
    const bad = BATCH_READ_REQUEST.slice(8)
    bad.set([0, 0, 0, 1], 27) // one row announced, two present
    const cursor = new BatchRequestCursor(bad)
    expect(cursor.next()).toBe(true)
    expectWireError(() => cursor.next(), 'BAD_SIZE', bad.length - 25)
  })
})

describe('batch request: malformed', () => {
  const body = BATCH_READ_REQUEST.slice(8)

  it('every truncation is a WireError, never a partial result', () => {
    for (let end = 0; end < body.length; end++) {
      // a cut inside the message makes the batch field's size run past the end
      expect(() => decodeBatchRequest(body.subarray(0, end))).toThrow(WireError)
    }
  })

  it('a row count that cannot fit is refused before any row is read', () => {
    const bad = body.slice()
    bad.set([0x7f, 0xff, 0xff, 0xff], 27) // n_rows
    expectWireError(() => decodeBatchRequest(bad), 'BAD_SIZE', 27)
  })

  it('a REPEAT first row, rows that overrun the field, trailing bytes', () => {
    const repeatFirst = body.slice()
    repeatFirst[32 + 24] = 0x01
    expectWireError(() => decodeBatchRequest(repeatFirst), 'BAD_VALUE', 56)

    const oneRow = body.slice()
    oneRow.set([0, 0, 0, 1], 27) // says 1 row, 2 are there
    expectWireError(() => decodeBatchRequest(oneRow), 'BAD_SIZE', body.length - 25)

    const nsOverrun = body.slice()
    nsOverrun.set([0, 0, 0, 0x40], 68) // ns field size runs past the batch field
    expectWireError(() => decodeBatchRequest(nsOverrun), 'TRUNCATED', 68)

    const zeroField = body.slice()
    zeroField.set([0, 0, 0, 0], 68)
    expectWireError(() => decodeBatchRequest(zeroField), 'BAD_SIZE', 68)
  })

  it('not a batch request, or one without the batch field', () => {
    const notBatch = body.slice()
    notBatch[1] = INFO1_READ
    expectWireError(() => decodeBatchRequest(notBatch), 'BAD_TYPE', 1)
    const wrongField = body.slice()
    wrongField[26] = 40
    expectWireError(() => decodeBatchRequest(wrongField), 'BAD_TYPE', 0)
    const withSet = body.slice()
    withSet[26] = 42
    expectWireError(() => decodeBatchRequest(withSet), 'BAD_TYPE', 26)
  })

  it('writer misuse is refused', () => {
    const batch = new BatchRequestWriter(new MessageWriter())
    expect(() => batch.repeatRow(0, D1)).toThrow(WireError)
    expect(() => batch.beginRow(0, D1.subarray(0, 10), READ_ALL, 'test', '')).toThrow(WireError)
    batch.beginRow(0, D1, READ_ALL, 'test', '')
    expect(() => batch.end()).toThrow(WireError)
    expect(() => encodeBatchRequest([{ index: 0, digest: D1 }])).toThrow(WireError)
  })
})

describe('batch response: reference rows', () => {
  it('BatchResponseWriter produces the reference bytes', () => {
    const out = new BatchResponseWriter(new MessageWriter(64))
    out.row(0, 0, 1, 0, [
      { op: AS_MSG_OP_READ, particleType: PARTICLE_INTEGER, name: 'a', value: encodeInteger(1) },
    ])
    out.row(1, 2)
    expect(toHex(out.last())).toBe(toHex(BATCH_READ_RESPONSE))
  })

  const check = (rows: BatchResponseRow[], decoder: BatchResponseDecoder) => {
    expect(decoder.done).toBe(true)
    expect(decoder.resultCode).toBe(0)
    expect(rows.map((r) => [r.index, r.resultCode, r.generation, r.ops.length])).toEqual([
      [0, 0, 1, 1],
      [1, 2, 0, 0],
    ])
    const op = rows[0]!.ops[0]!
    expect(opName(rows[0]!.bytes, op)).toBe('a')
    expect(decodeInteger(rows[0]!.bytes, op.valueOffset, op.valueLength)).toBe(1n)
  }

  it('decodes as one chunk, without copying', () => {
    const { rows, decoder } = decodeInChunks(BATCH_READ_RESPONSE, BATCH_READ_RESPONSE.length, 2)
    check(rows, decoder)
    expect(rows[0]!.bytes.buffer).toBe(BATCH_READ_RESPONSE.buffer)
  })

  it('decodes byte by byte, handing the rows of a frame once its last byte arrives', () => {
    const rows: BatchResponseRow[] = []
    const decoder = collector(rows, 2)
    const completedAt: number[] = []
    for (let at = 0; at < BATCH_READ_RESPONSE.length; at++) {
      const before = rows.length
      const done = decoder.push(BATCH_READ_RESPONSE.subarray(at, at + 1))
      for (let r = before; r < rows.length; r++) completedAt.push(at + 1)
      expect(done).toBe(at === BATCH_READ_RESPONSE.length - 1)
    }
    check(rows, decoder)
    expect(completedAt).toEqual([BATCH_READ_RESPONSE.length, BATCH_READ_RESPONSE.length])
  })

  it('decodes at every two-chunk split point', () => {
    for (let split = 0; split <= BATCH_READ_RESPONSE.length; split++) {
      const rows: BatchResponseRow[] = []
      const decoder = collector(rows)
      decoder.push(BATCH_READ_RESPONSE.subarray(0, split))
      decoder.push(BATCH_READ_RESPONSE.subarray(split))
      check(rows, decoder)
    }
  })

  it('hands bin names decoded once per distinct name', () => {
    const names: string[] = []
    const decoder = new BatchResponseDecoder((_index, _result, _gen, _ttl, ops) => {
      while (ops.next()) names.push(ops.name())
      return true
    })
    const out = new BatchResponseWriter(new MessageWriter(64))
    for (let i = 0; i < 3; i++) {
      out.row(i, 0, 1, 0, [{ op: 1, particleType: 1, name: 'é', value: encodeInteger(i) }])
    }
    expect(decoder.push(out.last().slice())).toBe(true)
    expect(names).toEqual(['é', 'é', 'é'])
    expect(names[0]).toBe(names[2])
  })

  it('decodeBatchResponse reads a whole response and requires LAST', () => {
    const { rows, resultCode } = decodeBatchResponse(BATCH_READ_RESPONSE)
    expect(rows).toHaveLength(2)
    expect(resultCode).toBe(0)
    expectWireError(() => decodeBatchResponse(BATCH_READ_RESPONSE.subarray(0, 60)), 'TRUNCATED', 60)
  })
})

describe('batch response: many rows, many frames', () => {
  const N = 10_000
  const out = new BatchResponseWriter(new MessageWriter(1024), { frameSize: 4096 })
  const name = new TextEncoder().encode('bin')
  for (let i = 0; i < N; i++) {
    const index = N - 1 - i // rows may come in any order
    if (index % 3 === 0) {
      out.row(index, 2)
      continue
    }
    out.beginRow(index, 0, index % 65536, 1000 + index)
    out.writer.opHeader(AS_MSG_OP_WRITE, PARTICLE_INTEGER, name, 8)
    out.writer.view.setBigInt64(out.writer.length, BigInt(index) * -11n)
    out.writer.skip(8)
    out.writer.op(AS_MSG_OP_WRITE, PARTICLE_NIL, 'x')
    out.endRow(2)
  }
  const stream = out.last(0).slice()

  // Collects mismatches and asserts once: 10,000 expect() calls would dominate the run time.
  const verify = (rows: BatchResponseRow[]) => {
    expect(rows).toHaveLength(N)
    const seen = new Set<number>()
    const wrong: number[] = []
    for (const row of rows) {
      seen.add(row.index)
      if (row.index % 3 === 0) {
        if (row.resultCode !== 2 || row.ops.length !== 0) wrong.push(row.index)
        continue
      }
      const op = row.ops[0]!
      const ok =
        row.resultCode === 0 &&
        row.generation === row.index % 65536 &&
        row.voidTime === 1000 + row.index &&
        decodeInteger(row.bytes, op.valueOffset, op.valueLength) === BigInt(row.index) * -11n &&
        opName(row.bytes, row.ops[1]!) === 'x' &&
        opValue(row.bytes, row.ops[1]!).length === 0
      if (!ok) wrong.push(row.index)
    }
    expect(wrong).toEqual([])
    expect(seen.size).toBe(N)
  }

  it('splits rows over frames of about frameSize bytes', () => {
    const frames = new ProtoFrameReader().push(stream)
    expect(frames.length).toBeGreaterThan(stream.length / 4096 - 2)
    expect(frames.every((f) => f.body.length < 4096 + 64)).toBe(true)
  })

  for (const size of [stream.length, 65536, 4096, 1000, 37, 7]) {
    it(`decodes ${N} rows fed in chunks of ${size}`, () => {
      const { rows, decoder } = decodeInChunks(stream, size, N)
      expect(decoder.done).toBe(true)
      verify(rows)
    })
  }

  it('decodes a prefix of the rows byte by byte', () => {
    const prefix = new BatchResponseWriter(new MessageWriter())
    for (let i = 0; i < 200; i++)
      prefix.row(i, 0, 1, 2, [{ op: 1, particleType: 1, name: 'b', value: encodeInteger(i) }])
    const bytes = prefix.last().slice()
    const { rows, decoder } = decodeInChunks(bytes, 1)
    expect(decoder.done).toBe(true)
    expect(rows.map((r) => decodeInteger(r.bytes, r.ops[0]!.valueOffset))).toEqual(
      Array.from({ length: 200 }, (_, i) => BigInt(i)),
    )
  })

  it('decodes compressed frames, alone and followed by a plain LAST frame', () => {
    const rowsWriter = new BatchResponseWriter(new MessageWriter())
    for (let i = 0; i < 3; i++) {
      rowsWriter.row(i, 0, 1, 0, [{ op: 1, particleType: 1, name: 'a', value: encodeInteger(i) }])
    }
    const withLast = rowsWriter.last(0).slice()
    for (const size of [withLast.length * 2, 1]) {
      const { rows, decoder } = decodeInChunks(compressFrame(withLast), size, 3)
      expect(decoder.done).toBe(true)
      expect(rows.map((r) => decodeInteger(r.bytes, r.ops[0]!.valueOffset))).toEqual([0n, 1n, 2n])
    }
    // the rows in a compressed frame, LAST in a plain frame after it
    const rowsOnly = encodeFrame(3, withLast.subarray(8, withLast.length - 22))
    const lastOnly = new BatchResponseWriter(new MessageWriter()).last(0).slice()
    const { rows, decoder } = decodeInChunks(concat(compressFrame(rowsOnly), lastOnly), 5)
    expect(decoder.done).toBe(true)
    expect(rows.map((r) => r.index)).toEqual([0, 1, 2])
  })
})

describe('batch response: malformed', () => {
  it('a LAST message with an error code ends the stream with that code', () => {
    const bytes = new BatchResponseWriter(new MessageWriter()).last(11).slice()
    const { rows, decoder } = decodeInChunks(bytes, 1)
    expect(rows).toEqual([])
    expect(decoder.done).toBe(true)
    expect(decoder.resultCode).toBe(11)
  })

  it('a row index at or beyond the batch size names the index bytes', () => {
    expectWireError(() => collector([], 1).push(BATCH_READ_RESPONSE), 'BAD_VALUE', 8 + 39 + 14)
  })

  it('bytes after LAST, in the same chunk or later', () => {
    expectWireError(
      () => collector([]).push(concat(BATCH_READ_RESPONSE, hex('02'))),
      'BAD_SIZE',
      BATCH_READ_RESPONSE.length,
    )
    const decoder = collector([])
    decoder.push(BATCH_READ_RESPONSE)
    expectWireError(() => decoder.push(hex('02 03')), 'BAD_SIZE', BATCH_READ_RESPONSE.length)
  })

  it('a message that straddles its frame', () => {
    const bad = BATCH_READ_RESPONSE.slice()
    bad[7] = 0x50 // frame three bytes shorter than its messages: the LAST header is cut
    expectWireError(() => collector([]).push(bad), 'TRUNCATED', 8 + 39 + 22)
    // what follows the cut frame is read as the next frame's header
    const grown = concat(bad, hex('02 03 00 00 00 00 00 01 00'))
    expectWireError(() => collector([]).push(grown), 'BAD_VERSION', 8 + 80)
    const tiny = hex('02 03 00 00 00 00 00 05 16 00 00 00 00')
    expectWireError(() => collector([]).push(tiny), 'TRUNCATED', 8)
  })

  it('wrong version, info frames and bad header_sz name their stream offset', () => {
    const wrongVersion = BATCH_READ_RESPONSE.slice()
    wrongVersion[0] = 3
    expectWireError(() => collector([]).push(wrongVersion), 'BAD_VERSION', 0)
    const info = BATCH_READ_RESPONSE.slice()
    info[1] = 1
    expectWireError(() => collector([]).push(info), 'BAD_TYPE', 1)
    const badHeader = BATCH_READ_RESPONSE.slice()
    badHeader[8 + 39] = 0x17 // second message's header_sz
    expectWireError(() => collector([]).push(badHeader), 'BAD_SIZE', 47)
  })

  it('an op size that runs past its frame, byte by byte too', () => {
    const bad = BATCH_READ_RESPONSE.slice()
    bad.set([0, 0, 0, 0x7f], 30) // first op's size
    expectWireError(() => collector([]).push(bad), 'BAD_SIZE', 30)
    const decoder = collector([])
    expect(() => {
      for (let at = 0; at < bad.length; at++) decoder.push(bad.subarray(at, at + 1))
    }).toThrow(WireError)
  })

  it('an oversize frame is refused from its header; the reader then stays failed', () => {
    const decoder = new BatchResponseDecoder(() => true, { maxFrameSize: 100 })
    const error = expectWireError(() => decoder.push(hex('02 03 00 00 00 00 01 00')), 'OVERSIZE', 2)
    expect(() => decoder.push(BATCH_READ_RESPONSE)).toThrow(error)
  })

  it('accepts empty frames between messages, as the sync client does', () => {
    const stream = concat(hex('02 03 00 00 00 00 00 00'), BATCH_READ_RESPONSE)
    const { rows, decoder } = decodeInChunks(stream, 3)
    expect(rows).toHaveLength(2)
    expect(decoder.done).toBe(true)
  })
})

describe('batch response: large values', () => {
  it('assembles a message with a 128 KiB value fed byte by byte', () => {
    const value = Uint8Array.from({ length: 128 * 1024 }, (_, i) => (i * 13) & 0xff)
    const out = new BatchResponseWriter(new MessageWriter())
    out.row(0, 0, 1, 0, [{ op: 1, particleType: 4, name: 'big', value }])
    const stream = out.last().slice()
    const { rows, decoder } = decodeInChunks(stream, 1)
    expect(decoder.done).toBe(true)
    expect(Buffer.compare(opValue(rows[0]!.bytes, rows[0]!.ops[0]!), value)).toBe(0)
  })
})
