// Throughput and memory of the devserver under the official client's batchWrite.
//
//   node packages/devserver/scripts/measure-batch-write.mjs [--rows 200000] [--chunk 5000] [--nodes 1]
//
// Writes `rows` records (int key, bins: i integer, f float, s 16-char string) in batchWrite calls
// of `chunk` rows, one call at a time, and prints rows/s and the server thread's heap growth per
// record (after a forced GC on the server's isolate). The numbers include the official client's
// own cost per row: they measure the pair, not the devserver alone.

import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'

import Aerospike from 'aerospike'

import { startDevServer } from '../dist/index.js'

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '200000' },
    chunk: { type: 'string', default: '5000' },
    nodes: { type: 'string', default: '1' },
  },
})
const rows = Number(values.rows)
const chunk = Number(values.chunk)
const nodes = Number(values.nodes)

const server = await startDevServer({ nodes })
const client = await Aerospike.connect({
  hosts: server.hosts,
  log: { level: Aerospike.log.OFF },
  policies: { batchParentWrite: { totalTimeout: 60_000, socketTimeout: 60_000 } },
})
const before = await server.memoryStats({ gc: true })
const loadBefore = server.serverLoad()
const cpuBefore = process.cpuUsage()
const set = 'measure'
let failed = 0
let busyMs = 0
const started = performance.now()
for (let start = 0; start < rows; start += chunk) {
  const records = []
  for (let i = start; i < Math.min(rows, start + chunk); i++) {
    records.push({
      type: Aerospike.batchType.BATCH_WRITE,
      key: new Aerospike.Key('test', set, i),
      ops: [
        Aerospike.operations.write('i', i),
        Aerospike.operations.write('f', new Aerospike.Double(i + 0.25)),
        Aerospike.operations.write('s', `row-${String(i).padStart(12, '0')}`),
      ],
    })
  }
  const t0 = performance.now()
  const results = await client.batchWrite(records)
  busyMs += performance.now() - t0
  for (const result of results) if (result.status !== 0) failed++
}
const elapsedMs = performance.now() - started
const cpu = process.cpuUsage(cpuBefore)
const serverActiveMs = server.serverLoad().activeMs - loadBefore.activeMs
const after = await server.memoryStats({ gc: true })
const stored = await server.recordCount('test', set)
await client.close()
await server.stop()

const perRecord = (after.heapUsed - before.heapUsed) / stored
console.log(
  JSON.stringify(
    {
      rows,
      chunk,
      nodes,
      failed,
      stored,
      elapsedMs: Math.round(elapsedMs),
      rowsPerSecond: Math.round(rows / (elapsedMs / 1000)),
      rowsPerSecondInBatchWrite: Math.round(rows / (busyMs / 1000)),
      // CPU of the whole process (client threads + server worker) per row, and wall time the server
      // thread was busy per row (includes time the OS gave to other processes):
      // on a loaded machine rows/s drop while these stay put.
      processCpuMicrosPerRow: +((cpu.user + cpu.system) / rows).toFixed(1),
      serverActiveWallMicrosPerRow: +((serverActiveMs * 1000) / rows).toFixed(1),
      serverHeapBytesPerRecord: Math.round(perRecord),
      serverHeapUsedMB: +(after.heapUsed / 2 ** 20).toFixed(1),
      processRssMB: +(after.rss / 2 ** 20).toFixed(1),
    },
    null,
    2,
  ),
)
if (failed > 0 || stored !== rows) process.exitCode = 1
