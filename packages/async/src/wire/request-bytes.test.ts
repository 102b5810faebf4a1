// The wire engine's batch-write requests, byte for byte against the official client's: a TCP
// proxy in front of the cluster records what each client sends, and every batch row is decoded
// into what a server acts on (digest, namespace, set, info bits, generation, TTL, user key, ops).
// Ignored, as a server reads them the same way: row order and index, REPEAT vs full rows, the
// parent timeout, the parent allowInline bits, INFO2_RESPOND_ALL_OPS (only changes which nil
// bins come back) and field order. Works against AEROSPIKE_HOSTS too: the proxy forwards. On a
// cluster of several nodes the clients reach the other nodes directly (they learn their addresses
// from the cluster), so the proxy sees exactly the rows whose partitions its node masters.
import { Worker } from 'node:worker_threads'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
import { ownsPartition, parseReplicas } from '@aerospike-numpy/cluster/internal'
import {
  clusterTtlConfig,
  getTestCluster,
  infoCommand,
  uniqueSetName,
  type TestCluster,
} from '@aerospike-numpy/test-utils'
import {
  AS_MESSAGE_TYPE,
  BATCH_FLAG_INLINE_DATA_IN_MEMORY,
  BATCH_FLAG_INLINE_DATA_ON_DEVICE,
  BatchRequestCursor,
  decodeMessage,
  fieldBytes,
  fieldString,
  FIELD_SETNAME,
  INFO1_BATCH_INDEX,
  INFO2_RESPOND_ALL_OPS,
  keyDigest,
  partitionId,
  ProtoFrameReader,
} from '@aerospike-numpy/wire'
import { AsyncClient } from '../client.js'
import type { EngineName } from '../config.js'
import { TEST_POLICY } from '../test-support/engines.js'
import { POLICY_KEY_SEND } from '../index.js'

const sensor = dtype([
  ['_key', 'i4'],
  ['temperature', 'f8'],
  ['humidity', 'f4'],
  ['pressure', 'f4'],
  ['status', 'u1'],
])

function sensorRows(n: number): StructuredArray {
  const a = StructuredArray.zeros(sensor, n)
  const range = (f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i))
  a.set('_key', Int32Array.from(range((i) => i)))
  a.set('temperature', Float64Array.from(range((i) => (i === 0 ? 1.0 : 20 + i / 3))))
  a.set('humidity', Float32Array.from(range((i) => i / 2)))
  a.set('pressure', Float32Array.from(range((i) => 1000 + i)))
  a.set('status', Uint8Array.from(range((i) => i % 4)))
  return a
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

/** One batch row as a server acts on it. */
interface NormalRow {
  digest: string
  namespace: string
  set: string
  info1: number
  info2: number
  info3: number
  info4: number
  generation: number
  ttl: number
  /** Every row field but namespace and set, sorted by type: `type:hex`. */
  fields: string[]
  /** `op/particle/flags/name=hex`, in request order. */
  ops: string[]
}

interface Captured {
  /** Batch-index requests: parent info bits and flags (allowInline bits masked), and rows. */
  parents: string[]
  rows: NormalRow[]
  /** Type-3 messages that were not batch-index requests (single-record commands). */
  singles: number
}

function emptyCapture(): Captured {
  return { parents: [], rows: [], singles: 0 }
}

/** Decodes one AS_MSG body sent by a client into `out`. */
function record(body: Uint8Array, out: Captured): void {
  const msg = decodeMessage(body, 0, body.length)
  if ((msg.header.info1 & INFO1_BATCH_INDEX) === 0) {
    out.singles++
    return
  }
  const cursor = new BatchRequestCursor(body, 0, body.length)
  const h = cursor.parentHeader
  const flags =
    cursor.batchFlags & ~(BATCH_FLAG_INLINE_DATA_IN_MEMORY | BATCH_FLAG_INLINE_DATA_ON_DEVICE)
  out.parents.push(
    `info ${h.info1}/${h.info2}/${h.info3}/${h.info4} gen ${h.generation} ttl ${h.recordTtl} ` +
      `flags ${flags} parentFields ${cursor.parentFields.length}`,
  )
  while (cursor.next()) {
    const header = cursor.header!
    let namespace = ''
    let set = ''
    const fields: string[] = []
    for (const f of cursor.fields) {
      if (f.type === 0) namespace = fieldString(body, f)
      else if (f.type === FIELD_SETNAME) set = fieldString(body, f)
      else fields.push(`${f.type}:${hex(fieldBytes(body, f))}`)
    }
    fields.sort()
    const ops = cursor.ops.map((op) => {
      const name = Buffer.from(body.subarray(op.nameOffset, op.nameOffset + op.nameLength))
      const value = body.subarray(op.valueOffset, op.valueOffset + op.valueLength)
      return `${op.op}/${op.particleType}/${op.flags}/${name.toString('utf8')}=${hex(value)}`
    })
    out.rows.push({
      digest: hex(cursor.digest),
      namespace,
      set,
      info1: header.info1,
      info2: header.info2 & ~INFO2_RESPOND_ALL_OPS,
      info3: header.info3,
      info4: header.info4,
      generation: header.generation,
      ttl: header.recordTtl,
      fields,
      ops,
    })
  }
}

// The proxy runs in a worker thread: the official client's connect blocks this thread while it
// validates the seed, so a proxy on this event loop could not answer it.
const PROXY_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const net = require('node:net')
let next = 0
const sockets = new Set()
const server = net.createServer((client) => {
  const id = next++
  const upstream = net.createConnection({ host: workerData.host, port: workerData.port })
  sockets.add(client).add(upstream)
  client.on('data', (chunk) => {
    parentPort.postMessage({ id, chunk })
    upstream.write(chunk)
  })
  upstream.on('data', (chunk) => client.write(chunk))
  const end = () => {
    client.destroy()
    upstream.destroy()
    sockets.delete(client)
    sockets.delete(upstream)
  }
  client.on('close', end).on('error', end)
  upstream.on('close', end).on('error', end)
})
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }))
parentPort.on('message', (m) => {
  if (m === 'flush') parentPort.postMessage({ flushed: true })
  if (m === 'stop') {
    sockets.forEach((s) => s.destroy())
    server.close(() => parentPort.close())
  }
})
`

interface Proxy {
  port: number
  /** Resolves once every byte received so far has been handed to `sink()`. */
  flush(): Promise<void>
  stop(): Promise<void>
}

/** Forwards every connection to `target`, decoding the client→server AS_MSGs into `sink()`. */
async function startProxy(target: [string, number], sink: () => Captured): Promise<Proxy> {
  const worker = new Worker(PROXY_SOURCE, {
    eval: true,
    workerData: { host: target[0], port: target[1] },
  })
  const readers = new Map<number, ProtoFrameReader>()
  let flushed: (() => void) | null = null
  const port = await new Promise<number>((resolve, reject) => {
    worker.on('error', reject)
    worker.on(
      'message',
      (m: { port?: number; flushed?: boolean; id?: number; chunk?: Uint8Array }) => {
        if (m.port !== undefined) resolve(m.port)
        else if (m.flushed === true) flushed?.()
        else if (m.id !== undefined && m.chunk !== undefined) {
          let reader = readers.get(m.id)
          if (reader === undefined) readers.set(m.id, (reader = new ProtoFrameReader()))
          for (const frame of reader.push(m.chunk)) {
            if (frame.type === AS_MESSAGE_TYPE) record(frame.body, sink())
          }
        }
      },
    )
  })
  return {
    port,
    flush: () =>
      new Promise<void>((resolve) => {
        flushed = resolve
        worker.postMessage('flush')
      }),
    async stop() {
      const exited = new Promise((resolve) => worker.once('exit', resolve))
      worker.postMessage('stop')
      await exited
    },
  }
}

const byDigest = (a: NormalRow, b: NormalRow) => (a.digest < b.digest ? -1 : 1)

const ROWS = 50

/** Digests (hex, sorted) of keys 0..n-1 of the set whose partitions `host` masters in `test`. */
async function digestsMasteredBy(
  host: [string, number],
  set: string,
  n: number,
): Promise<string[]> {
  const replicas = parseReplicas(await infoCommand(host[0], host[1], 'replicas'))
  const test = replicas.find((r) => r.namespace === 'test')
  if (test === undefined) throw new Error(`${host.join(':')} serves no namespace 'test'`)
  const digests: string[] = []
  for (let i = 0; i < n; i++) {
    const digest = keyDigest(set, i)
    if (ownsPartition(test.bitmaps[0]!, partitionId(digest))) digests.push(hex(digest))
  }
  return digests.sort()
}

describe('batchWriteNumpy request bytes: wire engine vs official client', () => {
  let tc: TestCluster
  let proxy: Proxy
  let capture = emptyCapture()
  const clients = new Map<EngineName, AsyncClient>()

  beforeAll(async () => {
    tc = await getTestCluster({ nodes: 1 })
    proxy = await startProxy(tc.hosts[0]!, () => capture)
    for (const engine of ['official', 'wire'] as const) {
      const client = new AsyncClient({
        hosts: [['127.0.0.1', proxy.port]],
        engine,
        log: { level: -1 },
      })
      clients.set(engine, await client.connect())
    }
  })

  afterAll(async () => {
    for (const client of clients.values()) await client.close()
    await proxy?.stop()
    await tc?.close()
  })

  async function captureWrite(
    engine: EngineName,
    set: string,
    policy: Record<string, unknown>,
  ): Promise<Captured> {
    capture = emptyCapture()
    const result = await clients
      .get(engine)!
      // generous timeouts (a loaded machine, a fresh cluster): the parent timeout is not compared
      .batchWriteNumpy(sensorRows(ROWS), 'test', set, sensor, {
        policy: { ...TEST_POLICY, ...policy },
      })
    expect(result.failedCount).toBe(0)
    await proxy.flush()
    const got = capture
    capture = emptyCapture()
    got.rows = got.rows.filter((r) => r.set === set).sort(byDigest)
    return got
  }

  async function compare(policy: Record<string, unknown>): Promise<NormalRow[]> {
    const set = uniqueSetName('reqbytes')
    const official = await captureWrite('official', set, policy)
    const wire = await captureWrite('wire', set, policy)
    // The proxied node's share of the rows (all 50 on one node), as batches: never single-record
    // commands.
    const mastered = await digestsMasteredBy(tc.hosts[0]!, set, ROWS)
    expect(official.singles).toBe(0)
    expect(wire.singles).toBe(0)
    expect(official.rows.length).toBeGreaterThan(1)
    expect(official.rows.map((r) => r.digest)).toEqual(mastered)
    expect(wire.rows.length).toBe(official.rows.length)
    expect(new Set(wire.parents)).toEqual(new Set(official.parents))
    for (let i = 0; i < official.rows.length; i++) {
      expect(wire.rows[i], `row with digest ${official.rows[i]!.digest}`).toEqual(official.rows[i])
    }
    return official.rows
  }

  it('default policy: same rows, digests, info bits, TTL and ops', async () => {
    const rows = await compare({})
    // the digest-only default sends no user key
    expect(rows.every((r) => r.fields.length === 0)).toBe(true)
    expect(rows[0]!.ops.map((op) => op.split('=')[0])).toEqual([
      '2/2/0/temperature',
      '2/2/0/humidity',
      '2/2/0/pressure',
      '2/1/0/status',
    ])
  })

  it('key SEND: the same user key field on every row', async () => {
    const rows = await compare({ key: POLICY_KEY_SEND })
    expect(rows.every((r) => r.fields.length === 1 && r.fields[0]!.startsWith('2:01'))).toBe(true)
  })

  it('a TTL, where the namespace takes TTL writes', async () => {
    if (!(await clusterTtlConfig(tc)).ttlWritesAllowed) return
    const rows = await compare({ ttl: 5000 })
    expect(rows.every((r) => r.ttl === 5000)).toBe(true)
  })
})
