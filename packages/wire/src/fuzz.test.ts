// Mutated and random inputs: every decoder either returns or throws a WireError naming an offset
// inside (or at the end of) its input; nothing else escapes, nothing loops.
import { describe, expect, it } from 'vitest'
import { encodeBatchRequest } from './batch-request.js'
import { BatchResponseDecoder } from './batch-response.js'
import { BatchResponseWriter, decodeBatchRequest } from './batch-server.js'
import { encodeKeyField, keyDigest } from './digest.js'
import { WireError } from './errors.js'
import { parseInfoRequest, parseInfoResponse } from './info.js'
import { decodeMessage, encodeMessage, MessageWriter, opName, scanMessage } from './msg.js'
import { decodeParticle } from './particles.js'
import { compressFrame, ProtoFrameReader } from './proto.js'
import {
  decodeScanRequest,
  encodeScanRequest,
  ScanResponseDecoder,
  ScanResponseWriter,
} from './scan.js'

/** Small deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const digest = keyDigest('demo', 'key1')
const SAMPLES: Uint8Array[] = [
  encodeMessage({
    header: { info1: 3, transactionTtl: 1000 },
    fields: [
      { type: 0, data: 'test' },
      { type: 1, data: 'demo' },
      { type: 4, data: digest },
    ],
    ops: [
      { op: 2, particleType: 1, name: 'a', value: new Uint8Array(8) },
      { op: 2, particleType: 3, name: 'str', value: new TextEncoder().encode('hello') },
      { op: 2, particleType: 23, name: 'geo', value: new Uint8Array([0, 0, 0, 0x7b, 0x7d]) },
    ],
  }),
  encodeBatchRequest(
    [
      {
        index: 0,
        digest,
        attrs: { info1: 3, info2: 0, info3: 0, ttl: 0, generation: 2 },
        namespace: 'test',
        set: 'demo',
        ops: [{ op: 1, name: 'a' }],
      },
      { index: 1, digest, repeat: true },
      { index: 2, digest, attrs: { info1: 1 }, namespace: 'test' },
    ],
    { timeout: 1000 },
  ),
  (() => {
    // A batch response: two rows with bins, one not found, a row in its own frame, LAST.
    const out = new BatchResponseWriter(new MessageWriter(256), { frameSize: 60 })
    out.row(0, 0, 3, 100, [
      { op: 1, particleType: 1, name: 'a', value: new Uint8Array(8) },
      { op: 1, particleType: 3, name: 'str', value: new TextEncoder().encode('hi') },
    ])
    out.row(1, 2)
    out.row(2, 0, 1, 0, [{ op: 1, particleType: 4, name: 'blob', value: new Uint8Array(5) }])
    return out.last().slice()
  })(),
]

const SCAN_REQUEST = encodeScanRequest({
  namespace: 'test',
  set: 'demo',
  partitions: [0, 1, 2, 4095],
  digests: keyDigest('demo', 'resume'),
  bins: ['a', 'bb'],
  maxRecords: 1000,
  recordsPerSecond: 10,
  socketTimeout: 5000,
  taskId: 99n,
})

const SCAN_ANSWER = (() => {
  const w = new ScanResponseWriter(new MessageWriter(64), { frameSize: 120 })
  const ns = new TextEncoder().encode('test')
  for (let i = 0; i < 4; i++) {
    w.beginRecord(ns, keyDigest('demo', i), ns, i % 2 === 0 ? encodeKeyField(i) : null, 1, 0)
    w.writer.op(1, 1, 'a', new Uint8Array(8))
    w.endRecord(1)
    if (i === 2) w.partitionDone(9, 11)
  }
  return w.last(0).slice()
})()

function mutate(sample: Uint8Array, random: () => number): Uint8Array {
  const out = sample.slice()
  const edits = 1 + Math.floor(random() * 4)
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(random() * out.length)
    out[at] =
      random() < 0.5
        ? Math.floor(random() * 256)
        : [0, 1, 0x7f, 0x80, 0xff][Math.floor(random() * 5)]!
  }
  return random() < 0.2 ? out.subarray(0, Math.floor(random() * out.length)) : out
}

function expectOnlyWireErrors(input: Uint8Array, run: () => void): void {
  try {
    run()
  } catch (error) {
    if (!(error instanceof WireError)) {
      throw new Error(`non-WireError for ${Buffer.from(input).toString('hex')}: ${String(error)}`)
    }
    expect(error.offset).toBeGreaterThanOrEqual(0)
    expect(error.offset).toBeLessThanOrEqual(input.length + 8)
  }
}

describe('mutated inputs', () => {
  const random = rng(20261125)
  const rounds = 3000

  it('decodeMessage / scanMessage / particles', () => {
    for (let i = 0; i < rounds; i++) {
      const input = mutate(SAMPLES[0]!, random).subarray(8)
      expectOnlyWireErrors(input, () => {
        const end = scanMessage(input, 0, input.length)
        const message = decodeMessage(input)
        expect(message.end).toBe(end)
        for (const op of message.ops) {
          opName(input, op)
          decodeParticle(op.particleType, input, op.valueOffset, op.valueLength)
        }
      })
    }
  })

  it('decodeBatchRequest', () => {
    for (let i = 0; i < rounds; i++) {
      const input = mutate(SAMPLES[1]!, random).subarray(8)
      expectOnlyWireErrors(input, () => {
        const request = decodeBatchRequest(input)
        for (const row of request.rows) {
          expect(row.digest).toHaveLength(20)
          expect(row.end).toBeLessThanOrEqual(input.length)
        }
      })
    }
  })

  it('ProtoFrameReader in random chunks', () => {
    for (let i = 0; i < rounds; i++) {
      const sample = SAMPLES[i % 3]!
      const input = mutate(random() < 0.1 ? compressFrame(sample) : sample, random)
      const reader = new ProtoFrameReader({ maxFrameSize: 4096 })
      expectOnlyWireErrors(input, () => {
        for (let at = 0; at < input.length;) {
          const size = 1 + Math.floor(random() * 40)
          reader.push(input.subarray(at, at + size))
          at += size
        }
      })
    }
  })

  it('decodeScanRequest', () => {
    for (let i = 0; i < rounds; i++) {
      const input = mutate(SCAN_REQUEST, random).subarray(8)
      expectOnlyWireErrors(input, () => {
        const request = decodeScanRequest(input)
        expect(request.digests.length % 20).toBe(0)
        for (const pid of request.partitions) expect(pid).toBeLessThan(4096)
      })
    }
  }, 30_000)

  it('ScanResponseDecoder in random chunks: records stay inside their message', () => {
    for (let i = 0; i < rounds; i++) {
      const input = mutate(random() < 0.1 ? compressFrame(SCAN_ANSWER) : SCAN_ANSWER, random)
      const decoder = new ScanResponseDecoder(
        {
          onRecord(r) {
            expect(r.digestOffset + 20).toBeLessThanOrEqual(r.end)
            expect(r.opsOffset).toBeLessThanOrEqual(r.end)
            expect(r.end).toBeLessThanOrEqual(r.bytes.length)
            if (r.keyOffset >= 0) expect(r.keyOffset + r.keyLength).toBeLessThanOrEqual(r.end)
          },
          onPartitionDone(partition) {
            expect(partition).toBeLessThan(4096)
          },
        },
        { maxFrameSize: 4096 },
      )
      expectOnlyWireErrors(input, () => {
        for (let at = 0; at < input.length;) {
          const size = 1 + Math.floor(random() * 40)
          decoder.push(input.subarray(at, at + size))
          at += size
        }
      })
    }
  }, 30_000)

  it('BatchResponseDecoder in random chunks: every op it hands lies inside its frame', () => {
    let rows = 0
    let completed = 0
    for (let i = 0; i < rounds; i++) {
      const sample = SAMPLES[2]!
      const input = mutate(random() < 0.1 ? compressFrame(sample) : sample, random)
      const seen = new Set<number>()
      const decoder = new BatchResponseDecoder(
        (index, _result, _generation, _voidTime, ops) => {
          if (seen.has(index)) return false
          seen.add(index)
          rows++
          let n = 0
          while (ops.next()) {
            n++
            expect(ops.nameOffset + ops.nameLength).toBeLessThanOrEqual(ops.bytes.length)
            expect(ops.valueLength).toBeGreaterThanOrEqual(0)
            expect(ops.valueOffset + ops.valueLength).toBeLessThanOrEqual(ops.bytes.length)
            ops.name()
            decodeParticle(ops.particleType, ops.bytes, ops.valueOffset, ops.valueLength)
          }
          expect(n).toBe(ops.count)
          return true
        },
        { maxFrameSize: 4096 },
      )
      expectOnlyWireErrors(input, () => {
        for (let at = 0; at < input.length;) {
          const size = 1 + Math.floor(random() * 40)
          if (decoder.push(input.subarray(at, at + size))) completed++
          at += size
        }
      })
    }
    // The mutations leave many responses whole or decodable: the checks above did run.
    expect(rows).toBeGreaterThan(rounds / 2)
    expect(completed).toBeGreaterThan(0)
  })

  it('info parsers', () => {
    for (let i = 0; i < rounds; i++) {
      const input = Uint8Array.from({ length: Math.floor(random() * 40) }, () =>
        Math.floor(random() * 256),
      )
      expectOnlyWireErrors(input, () => {
        parseInfoRequest(input)
        parseInfoResponse(input)
      })
    }
  })
})
