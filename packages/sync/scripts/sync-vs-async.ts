/**
 * Sync vs async `batchWriteNumpy` throughput at several chunk sizes, in one run, plus the fixed
 * cost of one blocking call. Both clients use the wire engine and keep one call in flight (the
 * blocking client cannot have more), writing the same rows to the same cluster; the order of the
 * two alternates per repeat, and the median of the repeats is reported.
 *
 *   node packages/sync/dist/scripts/sync-vs-async.js [--rows 50000] [--chunk-sizes 100,1000,5000]
 *        [--repeats 5] [--hosts host:port,...] [--json out.json]
 *
 * Without --hosts (or AEROSPIKE_HOSTS) it starts the devserver in this process: its numbers then
 * measure the devserver too, which shares this machine's cores with both clients.
 */
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'

import { AsyncClient } from '@aerospike-numpy/async'
import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
import { client, type Client } from '@aerospike-numpy/sync'
import { getTestCluster, uniqueSetName } from '@aerospike-numpy/test-utils'

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '50000' },
    'chunk-sizes': { type: 'string', default: '100,1000,5000' },
    repeats: { type: 'string', default: '5' },
    'overhead-calls': { type: 'string', default: '2000' },
    hosts: { type: 'string' },
    json: { type: 'string' },
  },
})

function positiveInt(text: string, flag: string): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${flag} must be a positive integer, got ${text}`)
  return n
}

const totalRows = positiveInt(values.rows, '--rows')
const chunkSizes = values['chunk-sizes']
  .split(',')
  .map((s) => positiveInt(s.trim(), '--chunk-sizes'))
const repeats = positiveInt(values.repeats, '--repeats')
const overheadCalls = positiveInt(values['overhead-calls'], '--overhead-calls')
if (values.hosts !== undefined) process.env['AEROSPIKE_HOSTS'] = values.hosts

// The sensor rows of the guide: _key i4, temperature f8, humidity f4, pressure f4, status u1.
const dt = dtype([
  ['_key', 'i4'],
  ['temperature', 'f8'],
  ['humidity', 'f4'],
  ['pressure', 'f4'],
  ['status', 'u1'],
])
const data = StructuredArray.fromColumns(dt, {
  _key: Int32Array.from({ length: totalRows }, (_, i) => i),
  temperature: Float64Array.from({ length: totalRows }, (_, i) => 20 + (i % 100) / 10),
  humidity: Float32Array.from({ length: totalRows }, (_, i) => 0.3 + (i % 50) / 100),
  pressure: Float32Array.from({ length: totalRows }, (_, i) => 1000 + (i % 30)),
  status: Uint8Array.from({ length: totalRows }, (_, i) => i % 3),
})
const policy = { totalTimeout: 30_000, socketTimeout: 30_000 }

function checkAllWritten(codes: Int32Array, what: string): void {
  for (let i = 0; i < codes.length; i++) {
    if (codes[i] !== 0) throw new Error(`${what}: row ${i} failed with code ${codes[i]}`)
  }
}

function runSync(c: Client, chunkSize: number, set: string): number {
  const started = performance.now()
  for (let start = 0; start < totalRows; start += chunkSize) {
    const result = c.batchWriteNumpy(data.slice(start, start + chunkSize), 'test', set, dt, {
      policy,
    })
    checkAllWritten(result.resultCodes, 'sync')
  }
  return totalRows / ((performance.now() - started) / 1000)
}

async function runAsync(a: AsyncClient, chunkSize: number, set: string): Promise<number> {
  const started = performance.now()
  for (let start = 0; start < totalRows; start += chunkSize) {
    const result = await a.batchWriteNumpy(data.slice(start, start + chunkSize), 'test', set, dt, {
      policy,
    })
    checkAllWritten(result.resultCodes, 'async')
  }
  return totalRows / ((performance.now() - started) / 1000)
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** Median time of one call, after as many untimed calls to warm the path up. */
function microseconds(run: () => void, calls: number): number {
  for (let i = 0; i < calls; i++) run()
  const samples: number[] = []
  for (let i = 0; i < calls; i++) {
    const t = performance.now()
    run()
    samples.push((performance.now() - t) * 1000)
  }
  return median(samples)
}

async function microsecondsAsync(run: () => Promise<unknown>, calls: number): Promise<number> {
  for (let i = 0; i < calls; i++) await run()
  const samples: number[] = []
  for (let i = 0; i < calls; i++) {
    const t = performance.now()
    await run()
    samples.push((performance.now() - t) * 1000)
  }
  return median(samples)
}

const cluster = await getTestCluster()
const target = cluster.isReal ? `cluster ${cluster.hostsString}` : 'devserver (in this process)'
const syncClient = client({ hosts: cluster.hosts }).connect()
const asyncClient = await new AsyncClient({ hosts: cluster.hosts, engine: 'wire' }).connect()

try {
  // Warm both paths at every chunk size first: each client runs in its own thread, with its own
  // JIT, and the first passes (and the devserver's) are several times slower than later ones.
  const warm = uniqueSetName('warm')
  for (const chunkSize of chunkSizes) {
    runSync(syncClient, chunkSize, warm)
    await runAsync(asyncClient, chunkSize, warm)
  }

  const rows: { chunkSize: number; syncRowsPerSec: number; asyncRowsPerSec: number }[] = []
  for (const chunkSize of chunkSizes) {
    const syncRuns: number[] = []
    const asyncRuns: number[] = []
    for (let r = 0; r < repeats; r++) {
      const set = uniqueSetName(`svsa_${chunkSize}`)
      if (r % 2 === 0) {
        syncRuns.push(runSync(syncClient, chunkSize, set))
        asyncRuns.push(await runAsync(asyncClient, chunkSize, set))
      } else {
        asyncRuns.push(await runAsync(asyncClient, chunkSize, set))
        syncRuns.push(runSync(syncClient, chunkSize, set))
      }
    }
    rows.push({ chunkSize, syncRowsPerSec: median(syncRuns), asyncRowsPerSec: median(asyncRuns) })
  }

  // Fixed cost of one blocking call: a round trip that does no I/O (isConnected), an empty write
  // (validated and answered in the worker, no network), and one-row writes sync vs async.
  const one = data.slice(0, 1)
  const empty = data.slice(0, 0)
  const overheadSet = uniqueSetName('svsa_one')
  const roundTripUs = microseconds(() => syncClient.isConnected(), overheadCalls)
  const emptyWriteUs = microseconds(
    () => syncClient.batchWriteNumpy(empty, 'test', overheadSet, dt),
    overheadCalls,
  )
  const asyncEmptyWriteUs = await microsecondsAsync(
    () => asyncClient.batchWriteNumpy(empty, 'test', overheadSet, dt),
    overheadCalls,
  )
  const syncOneRowUs = microseconds(
    () => syncClient.batchWriteNumpy(one, 'test', overheadSet, dt, { policy }),
    overheadCalls,
  )
  const asyncOneRowUs = await microsecondsAsync(
    () => asyncClient.batchWriteNumpy(one, 'test', overheadSet, dt, { policy }),
    overheadCalls,
  )

  console.log(
    `sync vs async batchWriteNumpy — ${target}, ${totalRows} rows of ${dt.itemsize} bytes per run,`,
  )
  console.log(`one call in flight, wire engine, median of ${repeats} runs`)
  console.log('')
  console.log('chunk size | sync rows/s | async rows/s | sync/async')
  console.log('---------: | ----------: | -----------: | ---------:')
  for (const r of rows) {
    console.log(
      `${String(r.chunkSize).padStart(10)} | ${Math.round(r.syncRowsPerSec).toLocaleString('en-US').padStart(11)} | ${Math.round(r.asyncRowsPerSec).toLocaleString('en-US').padStart(12)} | ${(r.syncRowsPerSec / r.asyncRowsPerSec).toFixed(2).padStart(10)}`,
    )
  }
  console.log('')
  console.log(`fixed cost of one sync call (median of ${overheadCalls}):`)
  console.log(`  round trip without I/O (isConnected):     ${roundTripUs.toFixed(1)} µs`)
  console.log(
    `  empty batchWriteNumpy: sync ${emptyWriteUs.toFixed(1)} µs, async ${asyncEmptyWriteUs.toFixed(1)} µs`,
  )
  console.log(
    `  1-row batchWriteNumpy: sync ${syncOneRowUs.toFixed(1)} µs, async ${asyncOneRowUs.toFixed(1)} µs (difference ${(syncOneRowUs - asyncOneRowUs).toFixed(1)} µs)`,
  )
  if (!cluster.isReal) {
    console.log('')
    console.log(
      'These numbers measure the devserver too (it runs in this process, on the same cores);',
    )
    console.log('run with --hosts against a real cluster for numbers that count.')
  }
  if (values.json !== undefined) {
    writeFileSync(
      values.json,
      JSON.stringify(
        {
          target,
          totalRows,
          repeats,
          rows,
          overheadCalls,
          roundTripUs,
          emptyWriteUs,
          asyncEmptyWriteUs,
          syncOneRowUs,
          asyncOneRowUs,
        },
        null,
        2,
      ),
    )
  }
} finally {
  syncClient.close()
  await asyncClient.close()
  await cluster.close()
}
