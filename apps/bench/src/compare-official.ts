// Async `batchWriteNumpy` vs the official client's `batchWrite` fed with records built by hand:
// the same rows (the guide's sensor dtype), chunk size and chunks in flight, in the same run,
// alternating, against the devserver in its own process (or --hosts). Client CPU comes from
// process.cpuUsage(), which is meaningful because the server runs in another process.
//
//   node apps/bench/dist/compare-official.js [--rows 200000] [--chunk 1000] [--concurrency 4]
//        [--repeat 3] [--engine official|wire] [--hosts 127.0.0.1:3000] [--json out.json]

import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
import { asyncBatchWriteNumpy } from './contenders/async-batch-write-numpy.js'
import type { Contender, WriteShape } from './contenders/contender.js'
import { officialBatchWrite } from './contenders/official-batch-write.js'

const USAGE = `usage: node apps/bench/dist/compare-official.js [--rows N] [--chunk N] [--concurrency N]
       [--repeat N] [--engine official|wire] [--hosts host:port,...] [--json path]`

interface Options {
  rows: number
  chunk: number
  concurrency: number
  repeat: number
  engine: 'official' | 'wire'
  hosts: string | null
  json: string | null
}

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback
  const n = Number(text)
  if (!Number.isSafeInteger(n) || n < 1)
    throw new Error(`--${name} must be a positive integer, got '${text}'\n${USAGE}`)
  return n
}

function options(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      rows: { type: 'string' },
      chunk: { type: 'string' },
      concurrency: { type: 'string' },
      repeat: { type: 'string' },
      engine: { type: 'string' },
      hosts: { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean' },
    },
  })
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`)
    process.exit(0)
  }
  const engine = values.engine ?? 'official'
  if (engine !== 'official' && engine !== 'wire')
    throw new Error(`--engine must be official or wire\n${USAGE}`)
  return {
    rows: positive('rows', values.rows, 200_000),
    chunk: positive('chunk', values.chunk, 1000),
    concurrency: positive('concurrency', values.concurrency, 4),
    repeat: positive('repeat', values.repeat, 3),
    engine,
    hosts: values.hosts ?? process.env['AEROSPIKE_HOSTS'] ?? null,
    json: values.json ?? null,
  }
}

/** The guide's sensor rows, seeded: the same bytes for every contender. */
function sensorData(rows: number): StructuredArray {
  const dt = dtype([
    ['_key', 'i4'],
    ['temperature', 'f8'],
    ['humidity', 'f4'],
    ['pressure', 'f4'],
    ['status', 'u1'],
  ])
  let s = 12345
  const rnd = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0
    return s / 4294967296
  }
  const data = StructuredArray.zeros(dt, rows)
  data.set(
    '_key',
    Int32Array.from({ length: rows }, (_, i) => i),
  )
  data.set(
    'temperature',
    Float64Array.from({ length: rows }, () => 25 + 10 * (rnd() - 0.5)),
  )
  data.set(
    'humidity',
    Float32Array.from({ length: rows }, () => 30 + 60 * rnd()),
  )
  data.set(
    'pressure',
    Float32Array.from({ length: rows }, () => 1013.25 + 20 * (rnd() - 0.5)),
  )
  data.set(
    'status',
    Uint8Array.from({ length: rows }, () => (rnd() < 0.9 ? 1 : 0)),
  )
  return data
}

/** The devserver CLI in a child process on a free port; resolves with its hosts. */
async function startDevServerProcess(): Promise<{ hosts: string; child: ChildProcess }> {
  const cli = fileURLToPath(new URL('./cli.js', import.meta.resolve('@aerospike-numpy/devserver')))
  const child = spawn(process.execPath, [cli, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const hosts = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout!.setEncoding('utf8')
    child.stdout!.on('data', (text: string) => {
      out += text
      const m = /listening: (\S+)/.exec(out)
      if (m !== null) resolve(m[1]!)
    })
    child.once('exit', (code) =>
      reject(new Error(`devserver exited (${code}) before listening:\n${out}`)),
    )
    child.once('error', reject)
  })
  return { hosts, child }
}

interface RunResult {
  contender: string
  round: number
  rows: number
  written: number
  wallMs: number
  rowsPerSecond: number
  clientCpuUsPerRow: number
}

async function measure(
  c: Contender,
  data: StructuredArray,
  shape: WriteShape,
  round: number,
): Promise<RunResult> {
  const set = `cmp_${randomBytes(3).toString('hex')}_${round}`
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const written = await c.write(data, set, shape)
  const wallMs = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  return {
    contender: c.name,
    round,
    rows: data.length,
    written,
    wallMs,
    rowsPerSecond: data.length / (wallMs / 1000),
    clientCpuUsPerRow: (cpu.user + cpu.system) / data.length,
  }
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

async function main(): Promise<void> {
  const opts = options(process.argv.slice(2))
  let server: ChildProcess | null = null
  let hosts = opts.hosts
  if (hosts === null) {
    const started = await startDevServerProcess()
    server = started.child
    hosts = started.hosts
  }
  const contenders: Contender[] = []
  try {
    contenders.push(await officialBatchWrite(hosts))
    contenders.push(await asyncBatchWriteNumpy(hosts, opts.engine))
    const data = sensorData(opts.rows)
    const shape: WriteShape = {
      namespace: 'test',
      chunkSize: opts.chunk,
      concurrency: opts.concurrency,
      timeoutMs: 30_000,
    }
    // warm-up: connections opened, code paths compiled, on rows not measured
    const warm = data.slice(0, Math.min(data.length, 5 * opts.chunk))
    for (const c of contenders)
      await c.write(warm, `cmp_warmup_${randomBytes(3).toString('hex')}`, shape)

    const runs: RunResult[] = []
    for (let round = 1; round <= opts.repeat; round++) {
      // alternate who goes first, so neither always meets a fuller server
      const order = round % 2 === 1 ? contenders : [...contenders].reverse()
      for (const c of order) {
        const r = await measure(c, data, shape, round)
        runs.push(r)
        process.stderr.write(
          `round ${round}: ${c.name}: ${Math.round(r.rowsPerSecond)} rows/s, ${r.clientCpuUsPerRow.toFixed(1)} µs CPU/row, ${r.written}/${r.rows} written\n`,
        )
      }
    }

    const summary = contenders.map((c) => {
      const mine = runs.filter((r) => r.contender === c.name)
      return {
        contender: c.name,
        medianRowsPerSecond: Math.round(median(mine.map((r) => r.rowsPerSecond))),
        bestRowsPerSecond: Math.round(Math.max(...mine.map((r) => r.rowsPerSecond))),
        medianClientCpuUsPerRow: Number(median(mine.map((r) => r.clientCpuUsPerRow)).toFixed(2)),
        allRowsWritten: mine.every((r) => r.written === r.rows),
      }
    })
    const [official, ours] = summary
    const ratio = ours!.medianRowsPerSecond / official!.medianRowsPerSecond
    const lines = [
      `rows ${opts.rows}, chunk ${opts.chunk}, in flight ${opts.concurrency}, rounds ${opts.repeat}, server ${server === null ? hosts : `devserver (own process) ${hosts}`}, load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
      '',
      '| contender | median rows/s | best rows/s | client CPU µs/row | every row written |',
      '|---|---:|---:|---:|---|',
      ...summary.map(
        (s) =>
          `| ${s.contender} | ${s.medianRowsPerSecond} | ${s.bestRowsPerSecond} | ${s.medianClientCpuUsPerRow} | ${s.allRowsWritten ? 'yes' : 'NO'} |`,
      ),
      '',
      `async / official (median rows/s): ${ratio.toFixed(2)}×`,
    ]
    process.stdout.write(`${lines.join('\n')}\n`)
    if (opts.json !== null) {
      await writeFile(
        opts.json,
        `${JSON.stringify({ options: { ...opts, hosts }, summary, ratio, runs }, null, 2)}\n`,
      )
    }
    if (!summary.every((s) => s.allRowsWritten)) process.exitCode = 1
  } finally {
    for (const c of contenders) await c.close()
    server?.kill('SIGTERM')
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  )
  process.exit(1)
})
