// Raw-protocol tests: exact replies the client depends on, and bad or hostile input. Each case
// ends with the server still serving a well-formed request (on the same node, other connection).

import {
  AS_COMPRESSED_MESSAGE_TYPE,
  AS_INFO_MESSAGE_TYPE,
  AS_MESSAGE_TYPE,
  AS_MSG_OP_CDT_MODIFY,
  AS_MSG_OP_READ,
  AS_MSG_OP_WRITE,
  FIELD_DIGEST_RIPE,
  FIELD_NAMESPACE,
  FIELD_SETNAME,
  INFO1_BATCH_INDEX,
  INFO1_GET_ALL,
  INFO1_READ,
  INFO2_RESPOND_ALL_OPS,
  INFO2_WRITE,
  INFO3_LAST,
  PARTICLE_INTEGER,
  PARTICLE_NIL,
  compressFrame,
  decodeBatchResponse,
  decodeMessage,
  encodeBatchRequest,
  encodeFrame,
  encodeInfoRequest,
  encodeInteger,
  encodeMessage,
  encodeProtoHeader,
  keyDigest,
  parseInfoResponseMap,
  type DecodedMessage,
  type OpInput,
} from '@aerospike-numpy/wire'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { rawConnect } from './raw-client.test-helper.js'
import { startDevServer, type DevServer } from './server.js'

let server: DevServer
let host: string
let port: number

beforeAll(async () => {
  server = await startDevServer({ nodes: 3, maxFrameBytes: 1024 * 1024 })
  host = server.seeds[0]!.host
  port = server.seeds[0]!.port
})

afterAll(async () => {
  await server?.stop()
})

const SET = 'raw'

function putFrame(userKey: number, ops: OpInput[], info2 = INFO2_WRITE): Uint8Array {
  return encodeMessage({
    header: { info2, transactionTtl: 1000 },
    fields: [
      { type: FIELD_NAMESPACE, data: 'test' },
      { type: FIELD_SETNAME, data: SET },
      { type: FIELD_DIGEST_RIPE, data: keyDigest(SET, userKey) },
    ],
    ops,
  })
}

function getFrame(userKey: number): Uint8Array {
  return encodeMessage({
    header: { info1: INFO1_READ | INFO1_GET_ALL },
    fields: [
      { type: FIELD_NAMESPACE, data: 'test' },
      { type: FIELD_SETNAME, data: SET },
      { type: FIELD_DIGEST_RIPE, data: keyDigest(SET, userKey) },
    ],
  })
}

function intOp(name: string, value: number): OpInput {
  return { op: AS_MSG_OP_WRITE, particleType: PARTICLE_INTEGER, name, value: encodeInteger(value) }
}

async function exchange(frame: Uint8Array): Promise<DecodedMessage> {
  const connection = await rawConnect(host, port)
  try {
    connection.send(frame)
    const [reply] = await connection.frames(1)
    expect(reply!.type).toBe(AS_MESSAGE_TYPE)
    return decodeMessage(reply!.body)
  } finally {
    connection.destroy()
  }
}

/** The server still answers a good put + get on a fresh connection. */
async function expectStillServing(): Promise<void> {
  const value = Math.floor(Math.random() * 1e9)
  expect((await exchange(putFrame(7, [intOp('v', value)]))).header.resultCode).toBe(0)
  const got = await exchange(getFrame(7))
  expect(got.header.resultCode).toBe(0)
  expect(got.ops).toHaveLength(1)
  expect(
    new DataView(got.bytes.buffer, got.bytes.byteOffset + got.ops[0]!.valueOffset, 8).getBigInt64(
      0,
    ),
  ).toBe(BigInt(value))
}

describe('info', () => {
  it('answers the tend commands positionally, echoing each line', async () => {
    const connection = await rawConnect(host, port)
    connection.send(
      encodeInfoRequest([
        'node',
        'partition-generation',
        'build',
        'features',
        'peers-clear-std',
        'replicas',
        'no-such-thing',
      ]),
    )
    const [reply] = await connection.frames(1)
    connection.destroy()
    expect(reply!.type).toBe(AS_INFO_MESSAGE_TYPE)
    const text = new TextDecoder().decode(reply!.body)
    const lines = text.split('\n')
    expect(lines.map((line) => line.split('\t')[0])).toEqual([
      'node',
      'partition-generation',
      'build',
      'features',
      'peers-clear-std',
      'replicas',
      'no-such-thing',
      '',
    ])
    const values = parseInfoResponseMap(reply!.body)
    expect(values.get('node')).toBe(server.nodes[0]!.name)
    expect(values.get('build')).toBe('8.0.0.0')
    expect(values.get('features')!.split(';')).toEqual(
      expect.arrayContaining(['batch-any', 'pscans', 'peers', 'replicas']),
    )
    expect(values.get('no-such-thing')).toBe('ERROR:4:unrecognized command')
    // Peers: the two other nodes, each with its address.
    const peers = values.get('peers-clear-std')!
    for (const node of server.nodes.slice(1))
      expect(peers).toContain(`[${node.name},,[${node.host}:${node.port}]]`)
    expect(peers).not.toContain(server.nodes[0]!.name)
    // replicas: test:0,1,<684 chars>;bar:0,1,<684 chars>; node 0 owns p % 3 === 0.
    const entries = values.get('replicas')!.split(';')
    expect(entries.map((entry) => entry.split(':')[0])).toEqual(['test', 'bar'])
    const bitmap = Buffer.from(entries[0]!.split(',')[2]!, 'base64')
    expect(entries[0]!.split(',')[2]).toHaveLength(684)
    for (const p of [0, 1, 2, 3, 4095])
      expect((bitmap[p >> 3]! & (0x80 >> (p & 7))) !== 0).toBe(p % 3 === 0)
  })

  it('truncate commands: errors for bad arguments, ok otherwise', async () => {
    const connection = await rawConnect(host, port)
    const future = (BigInt(Date.now()) + 3_600_000n) * 1_000_000n
    connection.send(
      encodeInfoRequest([
        'truncate:set=x',
        'truncate:namespace=nope;set=x',
        'truncate-namespace:namespace=test;set=x',
        `truncate:namespace=test;set=x;lut=${future}`,
        'truncate:namespace=test;set=x',
        'truncate-namespace:namespace=bar',
      ]),
    )
    const [reply] = await connection.frames(1)
    connection.destroy()
    expect([...parseInfoResponseMap(reply!.body).values()]).toEqual([
      "ERROR:4:missing 'namespace'",
      'ERROR:4:unknown namespace',
      'ERROR:4:unexpected set name',
      'ERROR:4:would truncate in the future',
      'ok',
      'ok',
    ])
  })
})

describe('messages', () => {
  it('answers several requests sent at once, in order', async () => {
    const connection = await rawConnect(host, port)
    connection.send(Buffer.concat([putFrame(1, [intOp('a', 1)]), getFrame(1), getFrame(424242)]))
    const replies = (await connection.frames(3)).map((frame) => decodeMessage(frame.body))
    connection.destroy()
    expect(replies.map((reply) => reply.header.resultCode)).toEqual([0, 0, 2])
    expect(replies[1]!.header.generation).toBeGreaterThanOrEqual(1)
  })

  it('respond-all-ops returns one bin per op, nil for writes', async () => {
    const reply = await exchange(
      putFrame(
        2,
        [intOp('a', 5), { op: AS_MSG_OP_READ, name: 'a' }, { op: AS_MSG_OP_READ, name: 'missing' }],
        INFO2_WRITE | INFO2_RESPOND_ALL_OPS,
      ),
    )
    expect(reply.header.resultCode).toBe(0)
    expect(reply.ops.map((op) => op.particleType)).toEqual([
      PARTICLE_NIL,
      PARTICLE_INTEGER,
      PARTICLE_NIL,
    ])
    expect(reply.ops.map((op) => op.valueLength)).toEqual([0, 8, 0])
  })

  it('a bin name with a NUL inside gets BIN_NAME (21), as on a real server', async () => {
    expect((await exchange(putFrame(4, [intOp('a\0b', 1)]))).header.resultCode).toBe(21)
    expect((await exchange(putFrame(4, [intOp('x'.repeat(15), 1)]))).header.resultCode).toBe(0)
  })

  it('unknown op types get PARAMETER (4); unimplemented CDT ops get UNSUPPORTED_FEATURE (16)', async () => {
    expect((await exchange(putFrame(3, [{ op: 99, name: 'a' }]))).header.resultCode).toBe(4)
    const cdt = {
      op: AS_MSG_OP_CDT_MODIFY,
      particleType: 4,
      name: 'l',
      value: Uint8Array.of(0x92, 1, 2),
    }
    expect((await exchange(putFrame(3, [cdt]))).header.resultCode).toBe(16)
    expect((await exchange(getFrame(3))).header.resultCode).toBe(2)
  })

  it('unknown field types, a query without partitions, bad namespace get error replies', async () => {
    const unknownField = encodeMessage({
      header: { info1: INFO1_READ | INFO1_GET_ALL },
      fields: [
        { type: FIELD_NAMESPACE, data: 'test' },
        { type: 77, data: Uint8Array.of(1, 2, 3) },
        { type: FIELD_DIGEST_RIPE, data: keyDigest(SET, 1) },
      ],
    })
    expect((await exchange(unknownField)).header.resultCode).toBe(4)
    const noDigest = encodeMessage({
      header: { info1: INFO1_READ },
      fields: [{ type: FIELD_NAMESPACE, data: 'test' }],
    })
    // Without a digest a message is a query (server as_transaction_is_query); one that does not
    // ask for partition-done messages is refused with UNSUPPORTED_FEATURE, in a LAST message.
    const refused = await exchange(noDigest)
    expect(refused.header.resultCode).toBe(16)
    expect(refused.header.info3 & INFO3_LAST).toBe(INFO3_LAST)
    const badNamespace = encodeMessage({
      header: { info1: INFO1_READ | INFO1_GET_ALL },
      fields: [
        { type: FIELD_NAMESPACE, data: 'nope' },
        { type: FIELD_DIGEST_RIPE, data: keyDigest(SET, 1) },
      ],
    })
    expect((await exchange(badNamespace)).header.resultCode).toBe(20)
    await expectStillServing()
  })

  it('a message whose fields run past its frame gets PARAMETER, and the connection stays usable', async () => {
    const good = getFrame(1)
    // Claim one more field than the body holds.
    const body = good.slice(8)
    body[19] = body[19]! + 1
    const connection = await rawConnect(host, port)
    connection.send(encodeFrame(AS_MESSAGE_TYPE, body))
    connection.send(getFrame(1))
    const replies = (await connection.frames(2)).map((frame) => decodeMessage(frame.body))
    connection.destroy()
    expect(replies.map((reply) => reply.header.resultCode)).toEqual([4, 0])
  })

  it('accepts compressed (type 4) requests', async () => {
    const frame = compressFrame(
      putFrame(5, [
        intOp('big', 1),
        { op: AS_MSG_OP_WRITE, particleType: 3, name: 's', value: new Uint8Array(4000).fill(65) },
      ]),
    )
    expect(frame[1]).toBe(AS_COMPRESSED_MESSAGE_TYPE)
    expect((await exchange(frame)).header.resultCode).toBe(0)
    const record = await server.getRecord('test', SET, 5)
    expect(record!.bins.find((bin) => bin.name === 's')!.bytes).toHaveLength(4000)
  })
})

describe('batch', () => {
  it('answers rows with their request index, REPEAT rows inheriting, then LAST', async () => {
    await exchange(putFrame(10, [intOp('a', 10)]))
    const rows = [10, 11, 10].map((k, i) =>
      i === 0
        ? {
            index: 40 + i,
            digest: keyDigest(SET, k),
            attrs: { info1: INFO1_READ | INFO1_GET_ALL, info2: 0, info3: 0, ttl: 0 },
            namespace: 'test',
            set: SET,
          }
        : { index: 40 + i, digest: keyDigest(SET, k), repeat: true },
    )
    const connection = await rawConnect(host, port)
    connection.send(encodeBatchRequest(rows, { timeout: 1000 }))
    const frames = await connection.frames(1)
    connection.destroy()
    const { rows: answered, resultCode } = decodeBatchResponse(
      encodeFrame(AS_MESSAGE_TYPE, frames[0]!.body),
    )
    expect(resultCode).toBe(0)
    expect(answered.map((row) => [row.index, row.resultCode, row.ops.length])).toEqual([
      [40, 0, 1],
      [41, 2, 0],
      [42, 0, 1],
    ])
  })

  it('splits a large reply into several frames of bounded size', async () => {
    const n = 3000
    const rows = Array.from({ length: n }, (_, i) =>
      i === 0
        ? {
            index: i,
            digest: keyDigest(SET, 100_000 + i),
            attrs: {
              info1: 0,
              info2: INFO2_WRITE | INFO2_RESPOND_ALL_OPS,
              info3: 0,
              generation: 0,
              ttl: 0,
            },
            namespace: 'test',
            set: SET,
            ops: [
              {
                op: AS_MSG_OP_WRITE,
                particleType: 3,
                name: 'pad',
                value: new Uint8Array(100).fill(66),
              },
            ],
          }
        : { index: i, digest: keyDigest(SET, 100_000 + i), repeat: true },
    )
    const connection = await rawConnect(host, port)
    connection.send(encodeBatchRequest(rows))
    // Read back all of them: every one holds the 100-byte pad.
    const readRows = rows.map((row, i) =>
      i === 0
        ? {
            ...row,
            attrs: { info1: INFO1_READ | INFO1_GET_ALL, info2: 0, info3: 0, ttl: 0 },
            ops: [],
          }
        : row,
    )
    const collected: DecodedMessage[] = []
    const writeReply = await collectBatch(connection, collected)
    expect(writeReply.rows).toBe(n)
    connection.send(encodeBatchRequest(readRows))
    collected.length = 0
    const readReply = await collectBatch(connection, collected)
    connection.destroy()
    expect(readReply.rows).toBe(n)
    expect(readReply.frames).toBeGreaterThan(1)
    expect(readReply.largestFrame).toBeLessThan(256 * 1024)
    expect(collected.every((row) => row.header.resultCode === 0 && row.ops.length === 1)).toBe(true)
  })

  it('a batch field announcing more rows than it holds gets a LAST with PARAMETER', async () => {
    const frame = encodeBatchRequest([
      {
        index: 0,
        digest: keyDigest(SET, 1),
        attrs: { info1: INFO1_READ | INFO1_GET_ALL },
        namespace: 'test',
        set: SET,
      },
    ])
    // n_rows sits right after the BATCH_INDEX field header: proto 8 + msg 22 + field header 5.
    new DataView(frame.buffer, frame.byteOffset).setUint32(35, 1_000_000)
    const reply = await exchange(frame)
    expect(reply.header.info3 & INFO3_LAST).toBe(INFO3_LAST)
    expect(reply.header.resultCode).toBe(4)
  })

  it('a client that disconnects mid-batch does not disturb the server', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) =>
      i === 0
        ? {
            index: i,
            digest: keyDigest(SET, i),
            attrs: { info1: INFO1_READ | INFO1_GET_ALL, ttl: 0, info2: 0, info3: 0 },
            namespace: 'test',
            set: SET,
          }
        : { index: i, digest: keyDigest(SET, i), repeat: true },
    )
    const frame = encodeBatchRequest(rows)
    const half = await rawConnect(host, port)
    half.send(frame.subarray(0, frame.length >> 1))
    half.destroy()
    const whole = await rawConnect(host, port)
    whole.send(frame)
    whole.destroy()
    await expectStillServing()
  })
})

async function collectBatch(
  connection: Awaited<ReturnType<typeof rawConnect>>,
  into: DecodedMessage[],
): Promise<{ rows: number; frames: number; largestFrame: number }> {
  let frames = 0
  let largestFrame = 0
  for (;;) {
    const [frame] = await connection.frames(1)
    frames++
    largestFrame = Math.max(largestFrame, frame!.body.length)
    let offset = 0
    while (offset < frame!.body.length) {
      const message = decodeMessage(frame!.body, offset)
      offset = message.end
      if ((message.header.info3 & INFO3_LAST) !== 0)
        return { rows: into.length, frames, largestFrame }
      into.push(message)
    }
  }
}

describe('hostile framing closes the connection and nothing else', () => {
  it('garbage bytes', async () => {
    const connection = await rawConnect(host, port)
    connection.send(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))
    expect(await connection.closed()).toBe(true)
    await expectStillServing()
  })

  it('wrong proto version', async () => {
    const frame = getFrame(1)
    frame[0] = 3
    const connection = await rawConnect(host, port)
    connection.send(frame)
    expect(await connection.closed()).toBe(true)
    await expectStillServing()
  })

  it('an oversize frame is refused from its header, before any body arrives', async () => {
    const connection = await rawConnect(host, port)
    connection.send(encodeProtoHeader(AS_MESSAGE_TYPE, 64 * 1024 * 1024))
    expect(await connection.closed()).toBe(true)
    await expectStillServing()
  })

  it('a compressed frame that does not inflate', async () => {
    const connection = await rawConnect(host, port)
    const body = new Uint8Array(40).fill(7)
    new DataView(body.buffer).setUint32(4, 100)
    connection.send(encodeFrame(AS_COMPRESSED_MESSAGE_TYPE, body))
    expect(await connection.closed()).toBe(true)
    await expectStillServing()
  })

  it('a compressed frame announcing a huge inflated size', async () => {
    const frame = compressFrame(getFrame(1))
    new DataView(frame.buffer, frame.byteOffset).setUint32(12, 0x7fffffff)
    const connection = await rawConnect(host, port)
    connection.send(frame)
    expect(await connection.closed()).toBe(true)
    await expectStillServing()
  })

  it('an admin (security) message, as on a server without security', async () => {
    const connection = await rawConnect(host, port)
    connection.send(encodeFrame(2, new Uint8Array(24)))
    expect(await connection.closed()).toBe(true)
    await expectStillServing()
  })

  it('a truncated frame leaves the connection waiting while others are served', async () => {
    const connection = await rawConnect(host, port)
    const frame = getFrame(1)
    connection.send(frame.subarray(0, frame.length - 5))
    await expectStillServing()
    expect(await connection.closed(200)).toBe(false)
    connection.send(frame.subarray(frame.length - 5))
    const [reply] = await connection.frames(1)
    connection.destroy()
    expect(decodeMessage(reply!.body).header.resultCode).toBe(0)
  })

  it('a client that pipelines thousands of requests and never reads does not hold up other clients', async () => {
    const connection = await rawConnect(host, port)
    const one = getFrame(1)
    const many = new Uint8Array(one.length * 5000)
    for (let i = 0; i < 5000; i++) many.set(one, i * one.length)
    connection.socket.pause()
    connection.send(many)
    await expectStillServing()
    connection.destroy()
    await expectStillServing()
  })

  it('a message body shorter than an AS_MSG header', async () => {
    const reply = await exchange(encodeFrame(AS_MESSAGE_TYPE, new Uint8Array(10)))
    expect(reply.header.resultCode).toBe(4)
  })

  it('a batch-index flag on a message without a batch field', async () => {
    const reply = await exchange(
      encodeMessage({
        header: { info1: INFO1_BATCH_INDEX },
        fields: [{ type: FIELD_NAMESPACE, data: 'test' }],
      }),
    )
    expect(reply.header.info3 & INFO3_LAST).toBe(INFO3_LAST)
    expect(reply.header.resultCode).toBe(4)
  })
})
