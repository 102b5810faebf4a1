import { randomBytes } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  allRows,
  compileWritePlan,
  createReadOutcome,
  createWriteOutcome,
  KeyBatch,
  resolveReadPolicy,
  resolveWritePolicy,
  type ReadSink,
  type WriteOutcome,
} from '@aerospike-numpy/core'
import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
import { rowColumns } from '@aerospike-numpy/test-utils'
import {
  BatchResponseWriter,
  MessageWriter,
  PARTICLE_INTEGER,
  encodeFrame,
  keyDigest,
} from '@aerospike-numpy/wire'
import { batchRead, batchWrite } from './batch.js'
import { Cluster } from './cluster.js'
import {
  okResponse,
  startFakeNode,
  type BatchRequestSeen,
  type FakeNode,
} from './fake-node.test-helper.js'

const dt = dtype([
  ['_key', 'i4'],
  ['temperature', 'f8'],
  ['status', 'u1'],
])
const ROWS = 50

const sensorRows = (n = ROWS): StructuredArray =>
  StructuredArray.fromColumns(
    dt,
    rowColumns(n, { _key: (i) => i, temperature: (i) => i / 4, status: (i) => i % 3 }),
  )

let node: FakeNode
let cluster: Cluster

beforeEach(async () => {
  node = await startFakeNode()
  cluster = await Cluster.connect({ hosts: [[node.host, node.port]], tendIntervalMs: 60_000 })
})

afterEach(async () => {
  await cluster.close()
  await node.close()
})

async function write(
  policy: object = {},
): Promise<{ outcome: WriteOutcome; summary: Awaited<ReturnType<typeof batchWrite>> }> {
  const data = sensorRows()
  const outcome = createWriteOutcome(ROWS)
  const summary = await batchWrite(cluster, {
    plan: compileWritePlan(dt),
    data,
    rows: allRows(ROWS),
    namespace: 'test',
    set: 'fuzz',
    policy: resolveWritePolicy({ totalTimeout: 2000, socketTimeout: 500, ...policy }),
    outcome,
  })
  return { outcome, summary }
}

/** A valid response for `request`, as bytes, to be cut or corrupted by a test. */
function validResponse(request: BatchRequestSeen): Uint8Array {
  return okResponse(request)
}

describe('batch write against a misbehaving node', () => {
  it('writes every row when the node answers correctly, in several frames', async () => {
    node.setResponder((request, socket) => {
      const batch = new BatchResponseWriter(new MessageWriter(256), { frameSize: 64 })
      // Rows answered out of order: the index routes them.
      for (const index of [...request.indices].reverse()) batch.row(index, 0, 7, 0)
      const bytes = batch.last(0)
      // Byte by byte: every chunk boundary must work.
      for (let i = 0; i < bytes.length; i++) socket.write(bytes.subarray(i, i + 1))
    })
    const { outcome, summary } = await write()
    expect(summary.nodes).toHaveLength(1)
    expect(summary.nodes[0]!.error).toBeNull()
    expect([...outcome.resultCodes]).toEqual(new Array(ROWS).fill(0))
    expect([...outcome.generations]).toEqual(new Array(ROWS).fill(7))
    expect([...outcome.ttls]).toEqual(new Array(ROWS).fill(0xffffffff))
    expect(outcome.inDoubt.every((v) => v === 0)).toBe(true)
  })

  it('truncated response then silence: socket timeout, rows 9 and inDoubt', async () => {
    node.setResponder((request, socket) => {
      // Small frames: the ones complete before the cut are decoded as they arrive.
      const batch = new BatchResponseWriter(new MessageWriter(256), { frameSize: 100 })
      for (const index of request.indices) batch.row(index, 0, 1, 0)
      const bytes = batch.last(0)
      socket.write(bytes.subarray(0, bytes.length >> 1))
    })
    const started = Date.now()
    const { outcome, summary } = await write({ socketTimeout: 200 })
    expect(Date.now() - started).toBeLessThan(1900)
    expect(summary.nodes[0]!.error?.code).toBe(9)
    // Rows answered before the cut keep their result; the rest are timeouts, in doubt.
    const answered = outcome.resultCodes.filter((c) => c === 0).length
    expect(answered).toBeGreaterThan(0)
    expect(answered).toBeLessThan(ROWS)
    for (let i = 0; i < ROWS; i++) {
      if (outcome.resultCodes[i] !== 0) {
        expect(outcome.resultCodes[i]).toBe(9)
        expect(outcome.inDoubt[i]).toBe(1)
      }
    }
  })

  it('total timeout bounds a node that never answers', async () => {
    node.setResponder(() => {})
    const started = Date.now()
    const { outcome, summary } = await write({ totalTimeout: 300, socketTimeout: 0 })
    expect(Date.now() - started).toBeLessThan(1500)
    expect(summary.nodes[0]!.error?.name).toBe('TimeoutError')
    expect(new Set(outcome.resultCodes)).toEqual(new Set([9]))
    expect(outcome.inDoubt.every((v) => v === 1)).toBe(true)
  })

  it('a write that reached the server is never re-sent, whatever maxRetries says', async () => {
    node.setResponder((_request, socket) => socket.destroy())
    const { outcome } = await write({ maxRetries: 3 })
    expect(node.batchRequests).toBe(1)
    expect(new Set(outcome.resultCodes)).toEqual(new Set([-10]))
    expect(outcome.inDoubt.every((v) => v === 1)).toBe(true)
  })

  it('connection dropped mid-response: rows -10 and inDoubt, the socket is not reused', async () => {
    node.setResponder((request, socket) => {
      const bytes = validResponse(request)
      socket.end(bytes.subarray(0, 100))
    })
    const { outcome, summary } = await write()
    expect(summary.nodes[0]!.error?.code).toBe(-10)
    expect(outcome.resultCodes.filter((c) => c === -10).length).toBeGreaterThan(0)
    expect(outcome.resultCodes.every((c) => c === 0 || c === -10)).toBe(true)
    node.setResponder((request, socket) => socket.write(okResponse(request)))
    const again = await write()
    expect(again.outcome.resultCodes.every((c) => c === 0)).toBe(true)
  })

  it('oversized frame header: a protocol error, no allocation of the announced size', async () => {
    node.setResponder((_request, socket) => {
      socket.write(Uint8Array.from([2, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))
    })
    const { outcome, summary } = await write()
    expect(summary.nodes[0]!.error?.code).toBe(-1)
    expect(summary.nodes[0]!.error?.message).toMatch(/exceeds the maximum/)
    expect(new Set(outcome.resultCodes)).toEqual(new Set([-1]))
    expect(outcome.inDoubt.every((v) => v === 1)).toBe(true)
  })

  it('garbage bytes: a protocol error naming what is wrong', async () => {
    node.setResponder((_request, socket) =>
      socket.write(Uint8Array.from(randomBytes(64), (b, i) => (i === 0 ? 7 : b))),
    )
    const { summary } = await write()
    expect(summary.nodes[0]!.error?.code).toBe(-1)
    expect(summary.nodes[0]!.error?.message).toMatch(/proto version 7/)
  })

  it('a frame shorter than a message header, a bad header size, impossible op sizes, unknown row index', async () => {
    const cases: [string, (request: BatchRequestSeen) => Uint8Array, RegExp][] = [
      ['short frame', () => encodeFrame(3, new Uint8Array(10)), /header needs 22 bytes.*at byte 8/],
      [
        'header size 30',
        (request) => {
          const bytes = validResponse(request)
          bytes[8] = 30
          return bytes
        },
        /header size 30.*at byte 8\)/,
      ],
      [
        'op crossing the frame',
        (request) => {
          const w = new BatchResponseWriter(new MessageWriter(256))
          w.row(request.indices[0]!, 0, 1, 0, [
            {
              op: 1,
              particleType: PARTICLE_INTEGER,
              name: new Uint8Array([97]),
              value: new Uint8Array(8),
            },
          ])
          const bytes = w.last(0)
          // op size field of the first row's op: proto 8 + msg 22
          new DataView(bytes.buffer, bytes.byteOffset).setUint32(30, 1_000_000)
          return bytes
        },
        /op 0 size 1000000.*at byte 30\)/,
      ],
      [
        'row index not in the request',
        () => {
          const w = new BatchResponseWriter(new MessageWriter(256))
          w.row(ROWS + 5, 0, 1, 0)
          return w.last(0)
        },
        /index 55 was not sent in this request.*at byte 22\)/,
      ],
      [
        'row answered twice',
        (request) => {
          const w = new BatchResponseWriter(new MessageWriter(256))
          w.row(request.indices[0]!, 0, 1, 0)
          w.row(request.indices[0]!, 0, 1, 0)
          return w.last(0)
        },
        /already answered/,
      ],
      [
        'bytes after LAST',
        (request) => {
          const bytes = validResponse(request)
          const out = new Uint8Array(bytes.length + 30)
          out.set(bytes)
          out.set(bytes.subarray(0, 30), bytes.length)
          return out
        },
        /after the LAST message/,
      ],
    ]
    for (const [label, make, pattern] of cases) {
      node.setResponder((request, socket) => socket.write(make(request)))
      const { summary, outcome } = await write()
      expect(summary.nodes[0]!.error?.code, label).toBe(-1)
      expect(summary.nodes[0]!.error?.message, label).toMatch(pattern)
      expect(
        outcome.resultCodes.every((c) => c === 0 || c === -1),
        label,
      ).toBe(true)
    }
  })

  it('random responses never hang and always leave every row with a code', async () => {
    for (let round = 0; round < 30; round++) {
      node.setResponder((request, socket) => {
        const valid = validResponse(request)
        const mode = round % 3
        if (mode === 0) socket.write(randomBytes(1 + ((round * 37) % 300)))
        else if (mode === 1) {
          const cut = valid.subarray(0, (round * 53) % valid.length)
          socket.end(cut)
        } else {
          const corrupt = Uint8Array.from(valid)
          for (let k = 0; k < 5; k++)
            corrupt[8 + ((round * 97 + k * 13) % (corrupt.length - 8))] = (round * 31 + k) & 0xff
          socket.write(corrupt)
        }
      })
      const { outcome } = await write({ totalTimeout: 400, socketTimeout: 200 })
      expect(outcome.resultCodes.includes(-5), `round ${round}`).toBe(false) // every row was decided
    }
  })

  it('a failed batch (LAST with a code) gives that code to every unanswered row, not in doubt', async () => {
    node.setResponder((_request, socket) =>
      socket.write(new BatchResponseWriter(new MessageWriter(64)).last(4)),
    )
    const { outcome, summary } = await write()
    expect(summary.nodes[0]!.error?.result).toBe(4)
    expect(new Set(outcome.resultCodes)).toEqual(new Set([4]))
    expect(outcome.inDoubt.every((v) => v === 0)).toBe(true)
  })

  it('rows the server skipped before LAST are NO_RESPONSE (-15)', async () => {
    node.setResponder((request, socket) => {
      const w = new BatchResponseWriter(new MessageWriter(256))
      for (const index of request.indices.slice(0, 10)) w.row(index, 0, 1, 0)
      socket.write(w.last(0))
    })
    const { outcome } = await write()
    expect(outcome.resultCodes.filter((c) => c === 0)).toHaveLength(10)
    expect(outcome.resultCodes.filter((c) => c === -15)).toHaveLength(ROWS - 10)
  })

  it('per-row server codes land on their rows', async () => {
    node.setResponder((request, socket) => {
      const w = new BatchResponseWriter(new MessageWriter(256))
      for (const index of request.indices) w.row(index, index % 2 === 0 ? 0 : 5, 1, 0)
      socket.write(w.last(0))
    })
    const { outcome } = await write()
    for (let i = 0; i < ROWS; i++) expect(outcome.resultCodes[i]).toBe(i % 2 === 0 ? 0 : 5)
  })

  it('sends the policy as batch-write attributes and the keys when asked', async () => {
    let seen: BatchRequestSeen | null = null
    node.setResponder((request, socket) => {
      seen = request
      socket.write(okResponse(request))
    })
    await write({
      ttl: 3600,
      key: 1,
      exists: 1,
      commitLevel: 1,
      durableDelete: true,
      gen: 1,
      generation: 4,
    })
    const { decodeBatchRequest } = await import('@aerospike-numpy/wire')
    const decoded = decodeBatchRequest(seen!.body, 0, seen!.body.length)
    expect(decoded.rows).toHaveLength(ROWS)
    const row = decoded.rows[3]!
    expect(row.header.recordTtl).toBe(3600)
    expect(row.header.generation).toBe(4)
    expect(row.header.info2).toBe(0x01 | 0x20 | 0x10 | 0x04) // WRITE | CREATE_ONLY | DURABLE_DELETE | GENERATION
    expect(row.header.info3).toBe(0x02) // COMMIT_MASTER
    expect(row.fields.map((f) => f.type)).toEqual([0, 1, 2])
    expect(row.ops.map((o) => o.particleType)).toEqual([2, 1])
    expect(Buffer.from(row.digest).toString('hex')).toBe(
      Buffer.from(keyDigest('fuzz', row.index)).toString('hex'),
    )
  })
})

describe('batch read against a misbehaving node', () => {
  function keys(n: number): KeyBatch {
    return KeyBatch.from(
      Array.from({ length: n }, (_, i) => ({
        namespace: 'test',
        set: 'fuzz',
        key: i,
        digest: keyDigest('fuzz', i),
      })),
    )
  }
  const sink: ReadSink = { binParticle() {}, setValue() {} }

  it('sends rows after the first as REPEAT and decodes bins into the sink', async () => {
    let seen: BatchRequestSeen | null = null
    node.setResponder((request, socket) => {
      seen = request
      const w = new BatchResponseWriter(new MessageWriter(256))
      for (const index of request.indices) {
        const value = new Uint8Array(8)
        new DataView(value.buffer).setBigInt64(0, BigInt(index * 10))
        if (index === 2) w.row(index, 2, 0, 0)
        else
          w.row(index, 0, 3, 0, [
            { op: 1, particleType: PARTICLE_INTEGER, name: new TextEncoder().encode('n'), value },
          ])
      }
      socket.write(w.last(0))
    })
    const got: [number, string, number, bigint][] = []
    const outcome = createReadOutcome(5)
    await batchRead(cluster, {
      keys: keys(5),
      bins: ['n'],
      policy: resolveReadPolicy({}),
      sink: {
        binParticle(row, bytes, view, nameOffset, nameLength, type, offset, length) {
          expect(length).toBe(8)
          got.push([
            row,
            Buffer.from(bytes.subarray(nameOffset, nameOffset + nameLength)).toString(),
            type,
            view.getBigInt64(offset),
          ])
        },
        setValue() {},
      },
      outcome,
    })
    const { decodeBatchRequest } = await import('@aerospike-numpy/wire')
    const decoded = decodeBatchRequest(seen!.body, 0, seen!.body.length)
    expect(decoded.rows.map((r) => r.repeat)).toEqual([false, true, true, true, true])
    expect([...outcome.resultCodes]).toEqual([0, 0, 2, 0, 0])
    expect(got.sort((a, b) => a[0] - b[0])).toEqual([
      [0, 'n', 1, 0n],
      [1, 'n', 1, 10n],
      [3, 'n', 1, 30n],
      [4, 'n', 1, 40n],
    ])
  })

  it('truncated read response: rows get -10, no hang', async () => {
    node.setResponder((request, socket) => socket.end(validResponse(request).subarray(0, 40)))
    const outcome = createReadOutcome(5)
    const summary = await batchRead(cluster, {
      keys: keys(5),
      bins: null,
      policy: resolveReadPolicy({}),
      sink,
      outcome,
    })
    expect(summary.nodes[0]!.error?.code).toBe(-10)
    expect(outcome.resultCodes.every((c) => c === 0 || c === -10)).toBe(true)
  })

  it('re-sends unanswered reads after a dropped connection (maxRetries), not with maxRetries 0', async () => {
    let calls = 0
    node.setResponder((request, socket) => {
      calls++
      if (calls === 1) socket.destroy()
      else socket.write(okResponse(request))
    })
    const outcome = createReadOutcome(5)
    const summary = await batchRead(cluster, {
      keys: keys(5),
      bins: null,
      policy: resolveReadPolicy({ maxRetries: 2 }),
      sink,
      outcome,
    })
    expect(calls).toBe(2)
    expect([...outcome.resultCodes]).toEqual([0, 0, 0, 0, 0])
    expect(summary.nodes.map((n) => n.error?.code ?? null)).toEqual([-10, null])
    calls = 0
    const once = createReadOutcome(5)
    await batchRead(cluster, {
      keys: keys(5),
      bins: null,
      policy: resolveReadPolicy({ maxRetries: 0 }),
      sink,
      outcome: once,
    })
    expect(calls).toBe(1)
    expect(new Set(once.resultCodes)).toEqual(new Set([-10]))
  })

  it('an unknown namespace fails the whole call before sending', async () => {
    const outcome = createReadOutcome(1)
    const k = KeyBatch.from([{ namespace: 'nope', set: 's', key: 1, digest: keyDigest('s', 1) }])
    await expect(
      batchRead(cluster, { keys: k, bins: null, policy: resolveReadPolicy({}), sink, outcome }),
    ).rejects.toMatchObject({
      result: 20,
    })
    expect(node.batchRequests).toBe(0)
  })
})

describe('rows without a master', () => {
  it('are INVALID_NODE without retries, and routed after a tend when the map gains their partitions', async () => {
    const lonely = await startFakeNode({ name: 'BB9000000000009' })
    lonely.setInfo('replicas', `test:0,1,${'A'.repeat(683)}=`)
    const c = await Cluster.connect({ hosts: [[lonely.host, lonely.port]], tendIntervalMs: 60_000 })
    try {
      const job = (maxRetries: number) => ({
        plan: compileWritePlan(dt),
        data: sensorRows(),
        rows: allRows(ROWS),
        namespace: 'test',
        set: 'moved',
        policy: resolveWritePolicy({ maxRetries }),
        outcome: createWriteOutcome(ROWS),
      })
      const none = job(0)
      const first = await batchWrite(c, none)
      expect(first.unroutedRows).toBe(ROWS)
      expect(new Set(none.outcome.resultCodes)).toEqual(new Set([-8]))
      // The node now claims every partition; only a tend can tell.
      lonely.setInfo('replicas', `test:0,1,${'/'.repeat(682)}8=`)
      lonely.setInfo('partition-generation', '2')
      const retried = job(1)
      const second = await batchWrite(c, retried)
      expect(second.unroutedRows).toBe(0)
      expect(new Set(retried.outcome.resultCodes)).toEqual(new Set([0]))
      expect(lonely.batchRequests).toBe(1)
    } finally {
      await c.close()
      await lonely.close()
    }
  })
})

describe('closing the cluster', () => {
  it('ends a batch in flight at once: its rows fail with -10, nothing hangs', async () => {
    node.setResponder(() => {})
    const pending = write({ totalTimeout: 0, socketTimeout: 0 })
    await new Promise((r) => setTimeout(r, 50))
    const started = Date.now()
    await cluster.close()
    const { outcome, summary } = await pending
    expect(Date.now() - started).toBeLessThan(1000)
    expect(summary.nodes[0]!.error?.code).toBe(-10)
    expect(new Set(outcome.resultCodes)).toEqual(new Set([-10]))
  })
})
