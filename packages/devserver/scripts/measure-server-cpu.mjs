// CPU the devserver spends per batch-write row, without a client or sockets: batch-index request
// frames (one full row per record, like the official client's batchWrite of distinct records)
// are run straight through the server's batch executor on this thread.
//
//   node packages/devserver/scripts/measure-server-cpu.mjs [--rows 200000] [--chunk 5000]

import { performance } from 'node:perf_hooks'
import { TextEncoder, parseArgs } from 'node:util'

import {
  AS_MSG_OP_WRITE,
  INFO2_RESPOND_ALL_OPS,
  INFO2_WRITE,
  MessageWriter,
  PARTICLE_FLOAT,
  PARTICLE_INTEGER,
  PARTICLE_STRING,
  encodeBatchRequest,
  encodeFloat,
  encodeInteger,
  keyDigest,
} from '@aerospike-numpy/wire'

import { executeBatch } from '../dist/batch.js'
import { DevCluster } from '../dist/cluster.js'

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '200000' },
    chunk: { type: 'string', default: '5000' },
  },
})
const rows = Number(values.rows)
const chunk = Number(values.chunk)
const text = new TextEncoder()

const cluster = new DevCluster({
  host: '127.0.0.1',
  port: 0,
  nodes: 1,
  namespaces: ['test'],
  clusterName: null,
  maxFrameBytes: 128 * 1024 * 1024,
})

function request(start) {
  const batchRows = []
  for (let i = start; i < Math.min(rows, start + chunk); i++) {
    batchRows.push({
      index: i - start,
      digest: keyDigest('measure', i),
      attrs: {
        info1: 0,
        info2: INFO2_WRITE | INFO2_RESPOND_ALL_OPS,
        info3: 0,
        generation: 0,
        ttl: 0,
      },
      namespace: 'test',
      set: 'measure',
      ops: [
        { op: AS_MSG_OP_WRITE, particleType: PARTICLE_INTEGER, name: 'i', value: encodeInteger(i) },
        {
          op: AS_MSG_OP_WRITE,
          particleType: PARTICLE_FLOAT,
          name: 'f',
          value: encodeFloat(i + 0.25),
        },
        {
          op: AS_MSG_OP_WRITE,
          particleType: PARTICLE_STRING,
          name: 's',
          value: text.encode(`row-${String(i).padStart(12, '0')}`),
        },
      ],
    })
  }
  // The body after the 8-byte proto header, as the connection hands it to the executor.
  return encodeBatchRequest(batchRows).subarray(8)
}

const bodies = []
for (let start = 0; start < rows; start += chunk) bodies.push(request(start))
globalThis.gc?.()
const heapBefore = process.memoryUsage().heapUsed
const cpuBefore = process.cpuUsage()
const started = performance.now()
let replyBytes = 0
for (const body of bodies)
  replyBytes += executeBatch(cluster, body, new MessageWriter(64 * 1024), Date.now()).length
const elapsedMs = performance.now() - started
const cpu = process.cpuUsage(cpuBefore)
globalThis.gc?.()
const heapAfter = process.memoryUsage().heapUsed
console.log(
  JSON.stringify(
    {
      rows,
      chunk,
      stored: cluster.namespaces.get('test').records.size,
      serverCpuMicrosPerRow: +((cpu.user + cpu.system) / rows).toFixed(2),
      wallMicrosPerRow: +((elapsedMs * 1000) / rows).toFixed(2),
      replyBytesPerRow: +(replyBytes / rows).toFixed(1),
      ...(globalThis.gc ? { heapBytesPerRecord: Math.round((heapAfter - heapBefore) / rows) } : {}),
    },
    null,
    2,
  ),
)
