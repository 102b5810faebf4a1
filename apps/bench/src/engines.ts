// `node dist/engines.js`: the wire engine against the official engine on the same rows, in the
// same run. Client CPU per row comes from process.cpuUsage() of this process, with the server in
// another process (a devserver child, or the cluster in AEROSPIKE_HOSTS / --hosts), so the server's
// work is not counted. Then the caller's event-loop delay (p99) during a large writeNumpy with and
// without worker threads.
//
//   node dist/engines.js [--rows 200000] [--big-rows 1000000] [--hosts h:p,h:p] [--json out.json]

import { spawn, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { AsyncClient } from '@aerospike-numpy/async'
import { dtype, StructuredArray } from '@aerospike-numpy/dtype'

/** The guide's sensor dtype. */
export const sensorDtype = dtype([
  ['_key', 'i4'],
  ['temperature', 'f8'],
  ['humidity', 'f4'],
  ['pressure', 'f4'],
  ['status', 'u1'],
])

export function sensorRows(n: number): StructuredArray {
  const a = StructuredArray.zeros(sensorDtype, n)
  a.set(
    '_key',
    Int32Array.from({ length: n }, (_, i) => i),
  )
  a.set(
    'temperature',
    Float64Array.from({ length: n }, (_, i) => 20 + (i % 1000) / 100),
  )
  a.set(
    'humidity',
    Float32Array.from({ length: n }, (_, i) => (i % 100) / 2),
  )
  a.set(
    'pressure',
    Float32Array.from({ length: n }, (_, i) => 1000 + (i % 50)),
  )
  a.set(
    'status',
    Uint8Array.from({ length: n }, (_, i) => i % 3),
  )
  return a
}

export interface EngineRun {
  engine: 'wire' | 'official'
  chunkSize: number
  inFlight: number
  rows: number
  failed: number
  seconds: number
  rowsPerSecond: number
  /** Client CPU (user + system) per row, µs. */
  cpuMicrosPerRow: number
}

export interface LoopDelayRun {
  workers: number
  rows: number
  failed: number
  seconds: number
  rowsPerSecond: number
  p50Ms: number
  p99Ms: number
  maxMs: number
}

/** Starts the devserver CLI as a child process; resolves with its hosts string. */
async function startDevServerProcess(): Promise<{ hosts: string; child: ChildProcess }> {
  const devserverIndex = fileURLToPath(import.meta.resolve('@aerospike-numpy/devserver'))
  const cli = devserverIndex.replace(/index\.js$/, 'cli.js')
  const child = spawn(process.execPath, [cli, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const hosts = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /listening: (\S+)/.exec(out)
      if (m !== null) resolve(m[1]!)
    })
    child.once('exit', (code) => reject(new Error(`devserver exited with ${code}`)))
  })
  return { hosts, child }
}

async function timedWrite(
  client: AsyncClient,
  data: StructuredArray,
  set: string,
  chunkSize: number,
  inFlight: number,
  workers?: number,
): Promise<{ seconds: number; cpuMicros: number; failed: number }> {
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const result = await client.writeNumpy(data, 'test', set, sensorDtype, {
    chunkSize,
    concurrency: inFlight,
    policy: { totalTimeout: 30_000, socketTimeout: 30_000 },
    ...(workers === undefined ? {} : { workers }),
  })
  const seconds = (performance.now() - t0) / 1000
  const cpu = process.cpuUsage(cpu0)
  return { seconds, cpuMicros: cpu.user + cpu.system, failed: result.failedCount }
}

export async function runEngineComparison(
  hosts: string,
  rows: number,
  log: (line: string) => void,
): Promise<EngineRun[]> {
  const data = sensorRows(rows)
  // A generous tend timeout for both: a devserver busy with large batches answers info late.
  const clients = {
    wire: await new AsyncClient({ hosts, engine: 'wire', connTimeoutMs: 5000 }).connect(),
    official: await new AsyncClient({ hosts, engine: 'official', connTimeoutMs: 5000 }).connect(),
  }
  const runs: EngineRun[] = []
  try {
    // Warm up both (JIT, connection pools) on a small slice.
    for (const client of Object.values(clients))
      await timedWrite(client, data.slice(0, 20_000), 'bench_warm', 1000, 4)
    for (const chunkSize of [1000, 5000]) {
      for (const inFlight of [1, 4]) {
        for (const engine of ['wire', 'official'] as const) {
          // The same keys every run: the server's record count stays the same.
          const set = 'bench_engines'
          const r = await timedWrite(clients[engine], data, set, chunkSize, inFlight)
          const run: EngineRun = {
            engine,
            chunkSize,
            inFlight,
            rows,
            failed: r.failed,
            seconds: r.seconds,
            rowsPerSecond: rows / r.seconds,
            cpuMicrosPerRow: r.cpuMicros / rows,
          }
          runs.push(run)
          log(
            `${engine.padEnd(8)} chunk ${String(chunkSize).padStart(4)} in flight ${inFlight}: ` +
              `${Math.round(run.rowsPerSecond).toString().padStart(7)} rows/s, ` +
              `client CPU ${run.cpuMicrosPerRow.toFixed(2)} µs/row, failed ${run.failed}`,
          )
        }
      }
    }
  } finally {
    await clients.wire.close()
    await clients.official.close()
  }
  return runs
}

export async function runLoopDelay(
  hosts: string,
  rows: number,
  log: (line: string) => void,
): Promise<LoopDelayRun[]> {
  const data = sensorRows(rows)
  const client = await new AsyncClient({ hosts, engine: 'wire', connTimeoutMs: 5000 }).connect()
  const runs: LoopDelayRun[] = []
  try {
    for (const workers of [0, 2]) {
      const histogram = monitorEventLoopDelay({ resolution: 1 })
      histogram.enable()
      const r = await timedWrite(
        client,
        data,
        'bench_loop',
        1000,
        4,
        workers === 0 ? undefined : workers,
      )
      histogram.disable()
      const run: LoopDelayRun = {
        workers,
        rows,
        failed: r.failed,
        seconds: r.seconds,
        rowsPerSecond: rows / r.seconds,
        p50Ms: histogram.percentile(50) / 1e6,
        p99Ms: histogram.percentile(99) / 1e6,
        maxMs: histogram.max / 1e6,
      }
      runs.push(run)
      log(
        `writeNumpy ${rows} rows, ${workers === 0 ? 'no workers' : `${workers} workers`}: ` +
          `${Math.round(run.rowsPerSecond)} rows/s, event-loop delay p50 ${run.p50Ms.toFixed(1)} ms, ` +
          `p99 ${run.p99Ms.toFixed(1)} ms, max ${run.maxMs.toFixed(1)} ms, failed ${run.failed}`,
      )
    }
  } finally {
    await client.close()
  }
  return runs
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '200000' },
      'big-rows': { type: 'string', default: '1000000' },
      hosts: { type: 'string' },
      json: { type: 'string' },
    },
  })
  const log = (line: string): void => {
    process.stdout.write(`${line}\n`)
  }
  let hosts = values.hosts ?? process.env['AEROSPIKE_HOSTS']
  let child: ChildProcess | null = null
  if (hosts === undefined || hosts === '') {
    const started = await startDevServerProcess()
    hosts = started.hosts
    child = started.child
    log(`devserver (child process) at ${hosts}: real-server numbers are what count`)
  } else {
    log(`cluster at ${hosts}`)
  }
  try {
    const engines = await runEngineComparison(hosts, Number(values.rows), log)
    const loop = await runLoopDelay(hosts, Number(values['big-rows']), log)
    if (values.json !== undefined)
      writeFileSync(values.json, JSON.stringify({ hosts, engines, loop }, null, 2))
  } finally {
    child?.kill('SIGTERM')
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `engines bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    )
    process.exitCode = 1
  })
}
