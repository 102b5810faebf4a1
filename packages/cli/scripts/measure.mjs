#!/usr/bin/env node
// Manual measurement on a real cluster (not run by the tests):
//   node packages/cli/scripts/measure.mjs --hosts 127.0.0.1:6000 --rows 1000000 --dir /tmp/m [--formats npy,arrow,parquet,csv] [--kill] [--speed]
// - every format: `ingest --verify all` of the same rows (exit code, mismatches, time, peak RSS)
// - --kill: a .parquet run killed with SIGKILL at about half, then --resume --verify all
// - --speed: writeNumpy from memory (the .npy read whole) against `ingest` of .npy and .parquet,
//   in the same run on the same server: rows/s and their ratio, and the CLI's peak RSS
// Files are made once per --dir and --rows. Peak RSS is /usr/bin/time -v's "Maximum resident set size".
// 10M rows need a namespace bigger than the shared server's 1 GiB (stop-writes at ~5.2M sensor
// rows): `server start --port P`, `server stop --port P`, raise `data-size` in
// /tmp/aerospike-P/node0/aerospike.conf (8G holds the three --speed sets), then
// `server start-node 0 --dir /tmp/aerospike-P` (start-node keeps the edited config).
/* global URL, performance, setInterval, clearInterval, setTimeout */
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync, createWriteStream } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { AsyncClient } from '@aerospike-numpy/async'
import { infoCommand } from '@aerospike-numpy/test-utils'
import { StructuredArray, dtype, readNpy, writeNpy } from '@aerospike-numpy/dtype'
import {
  Table,
  TimestampMillisecond,
  makeData,
  makeVector,
  tableFromArrays,
  tableToIPC,
} from 'apache-arrow'
import * as parquet from 'parquet-wasm/node'

const BIN = fileURLToPath(new URL('../bin/aerospike-numpy.js', import.meta.url))
const { values } = parseArgs({
  options: {
    hosts: { type: 'string' },
    rows: { type: 'string', default: '1000000' },
    dir: { type: 'string', default: '/tmp/aerospike-numpy-measure' },
    formats: { type: 'string', default: 'npy,arrow,parquet,csv' },
    kill: { type: 'boolean' },
    speed: { type: 'boolean' },
    verify: { type: 'boolean', default: true },
    'chunk-size': { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '4' },
  },
})
const hosts = values.hosts
const N = Number(values.rows)
const chunkSize = Number(values['chunk-size'])
const concurrency = Number(values.concurrency)
mkdirSync(values.dir, { recursive: true })
const file = (ext) => join(values.dir, `sensors-${N}.${ext}`)

const DT = dtype([
  ['sensor_id', '<i8'],
  ['ts', '<i8'],
  ['temperature', '<f8'],
  ['humidity', '<f4'],
  ['status', '|u1'],
])

function columns(start, n) {
  const c = {
    sensor_id: new BigInt64Array(n),
    ts: new BigInt64Array(n),
    temperature: new Float64Array(n),
    humidity: new Float32Array(n),
    status: new Uint8Array(n),
  }
  for (let i = 0; i < n; i++) {
    const k = start + i
    c.sensor_id[i] = BigInt(k)
    c.ts[i] = 1_767_225_600_000n + BigInt(k) * 100n
    c.temperature[i] = 15 + (k % 2000) / 100 + k / 1e9
    c.humidity[i] = Math.fround(20 + (k % 800) / 10)
    c.status[i] = k % 4
  }
  return c
}

async function makeFiles(needed) {
  const block = 1_000_000
  if (needed.has('npy') && !existsSync(file('npy'))) {
    const a = StructuredArray.zeros(DT, N)
    for (let s = 0; s < N; s += block) {
      const c = columns(s, Math.min(block, N - s))
      const part = a.slice(s, s + c.status.length)
      for (const name of DT.names) part.set(name, c[name])
    }
    await writeNpy(file('npy'), a)
  }
  if (
    (needed.has('arrow') && !existsSync(file('arrow'))) ||
    (needed.has('parquet') && !existsSync(file('parquet')))
  ) {
    const batches = []
    for (let s = 0; s < N; s += block) {
      const c = columns(s, Math.min(block, N - s))
      const t = tableFromArrays({
        sensor_id: c.sensor_id,
        temperature: c.temperature,
        humidity: c.humidity,
        status: c.status,
      })
      const ts = makeVector(
        makeData({ type: new TimestampMillisecond(), length: c.ts.length, data: c.ts }),
      )
      batches.push(
        new Table({
          sensor_id: t.getChild('sensor_id'),
          ts,
          temperature: t.getChild('temperature'),
          humidity: t.getChild('humidity'),
          status: t.getChild('status'),
        }),
      )
    }
    const table = batches.reduce((a, b) => a.concat(b))
    if (needed.has('arrow') && !existsSync(file('arrow')))
      writeFileSync(file('arrow'), tableToIPC(table, 'file'))
    if (needed.has('parquet') && !existsSync(file('parquet'))) {
      const props = new parquet.WriterPropertiesBuilder()
        .setCompression(parquet.Compression.SNAPPY)
        .setMaxRowGroupSize(100_000)
        .build()
      writeFileSync(
        file('parquet'),
        parquet.writeParquet(parquet.Table.fromIPCStream(tableToIPC(table, 'stream')), props),
      )
    }
  }
  if (needed.has('csv') && !existsSync(file('csv'))) {
    const out = createWriteStream(file('csv'))
    out.write('sensor_id,ts,temperature,humidity,status\n')
    for (let s = 0; s < N; s += block) {
      const c = columns(s, Math.min(block, N - s))
      let text = ''
      for (let i = 0; i < c.status.length; i++) {
        text += `${c.sensor_id[i]},${c.ts[i]},${c.temperature[i].toPrecision(17)},${c.humidity[i]},${c.status[i]}\n`
      }
      if (!out.write(text)) await new Promise((r) => out.once('drain', r))
    }
    await new Promise((r) => out.end(r))
  }
}

/** Run the CLI under /usr/bin/time -v; resolves with exit code, JSON summary, seconds, peak RSS (MB). */
function cli(args, { killAt } = {}) {
  return new Promise((resolve) => {
    const started = performance.now()
    const child = spawn(
      '/usr/bin/time',
      ['-v', process.execPath, BIN, ...args, '--json', '--quiet'],
      { stdio: 'pipe' },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    let timer = null
    if (killAt !== undefined) {
      timer = setInterval(() => {
        try {
          const cp = JSON.parse(readFileSync(killAt.checkpoint, 'utf8'))
          if (cp.chunks * chunkSize >= killAt.rows) {
            clearInterval(timer)
            // SIGKILL the node process itself (time's child)
            spawn('pkill', ['-KILL', '-P', String(child.pid)])
          }
        } catch {
          // no checkpoint yet, or being replaced
        }
      }, 20)
    }
    child.on('exit', (code) => {
      if (timer) clearInterval(timer)
      const seconds = (performance.now() - started) / 1000
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)
      let summary = null
      try {
        summary = JSON.parse(stdout)
      } catch {
        // killed: no summary
      }
      const signal = /Command terminated by signal (\d+)/.exec(stderr)
      resolve({
        code,
        signal: signal ? Number(signal[1]) : null,
        summary,
        seconds,
        rssMB: rss ? Number(rss[1]) / 1024 : null,
        stderr: stderr
          .split('\n')
          .filter((l) => l.startsWith('error'))
          .join('\n'),
      })
    })
  })
}

async function present(client, set, n) {
  let found = 0
  const dt = dtype([['status', 'i8']])
  for (let s = 0; s < n; s += 5000) {
    const keys = Array.from({ length: Math.min(5000, n - s) }, (_, i) => ['test', set, s + i])
    found += (
      await client.batchRead(keys, { dtype: dt, bins: [], policy: { totalTimeout: 30000 } })
    ).foundCount()
  }
  return found
}

const tag = Date.now().toString(36)
const [seedHost, seedPort] = hosts.split(',')[0].split(':')
/** Drop a set once measured: the server's namespace is 1 GiB in memory (stop-writes beyond). */
async function truncate(set) {
  await infoCommand(seedHost, Number(seedPort), `truncate:namespace=test;set=${set}`)
  await new Promise((r) => setTimeout(r, 3000))
}
const common = [
  '--hosts',
  hosts,
  '-n',
  'test',
  '--key',
  'sensor_id',
  '--chunk-size',
  String(chunkSize),
  '--concurrency',
  String(concurrency),
  '--timeout',
  '30000',
]
console.log(
  `# ${N.toLocaleString('en-US')} rows, hosts ${hosts}, chunk ${chunkSize} × ${concurrency}, load ${(
    await import('node:os')
  )
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
)
const formats = values.formats.split(',').filter(Boolean)
const needed = new Set([
  ...formats,
  ...(values.kill ? ['parquet'] : []),
  ...(values.speed ? ['npy', 'parquet'] : []),
])
await makeFiles(needed)
const client = await new AsyncClient({ hosts }).connect()
try {
  for (const ext of formats) {
    const set = `m_${ext}_${tag}`
    const r = await cli([
      'ingest',
      file(ext),
      ...common,
      '-s',
      set,
      ...(values.verify ? ['--verify', 'all'] : []),
    ])
    const s = r.summary ?? {}
    const found = await present(client, set, N + 1000)
    console.log(
      `${ext}: exit ${r.code}, written ${s.written}, failed ${s.failed}, verified ${s.verify?.rowsVerified}, mismatches ${s.verify?.mismatches}, records found ${found}, ${r.seconds.toFixed(1)} s wall, peak RSS ${r.rssMB?.toFixed(0)} MB ${r.stderr}`,
    )
  }
  if (values.kill) {
    const set = `m_kill_${tag}`
    const checkpoint = join(values.dir, `kill-${tag}.ckpt`)
    const args = ['ingest', file('parquet'), ...common, '-s', set, '--checkpoint', checkpoint]
    const first = await cli(args, { killAt: { checkpoint, rows: N * 0.5 } })
    const settled = JSON.parse(readFileSync(checkpoint, 'utf8')).chunks * chunkSize
    const before = await present(client, set, N)
    const second = await cli([...args, '--resume', '--verify', 'all'])
    const s = second.summary ?? {}
    const found = await present(client, set, N + 1000)
    console.log(
      `kill: first run signal ${first.signal} (code ${first.code}) with ${settled} rows settled in the checkpoint, ${before} records present; resumed: exit ${second.code}, sent ${s.sentThisRun} (${((s.sentThisRun / N) * 100).toFixed(1)}% of the rows), skipped ${s.fromCheckpoint}, written ${s.written}, verified ${s.verify?.rowsVerified}, mismatches ${s.verify?.mismatches}, records found ${found} of ${N}`,
    )
  }
  if (values.speed) {
    const array = await readNpy(file('npy'))
    const set = `m_base_${tag}`
    const t0 = performance.now()
    const res = await client.writeNumpy(array, 'test', set, DT, {
      keyField: 'sensor_id',
      chunkSize,
      concurrency,
      policy: { totalTimeout: 30000, socketTimeout: 30000 },
    })
    const base = N / ((performance.now() - t0) / 1000)
    console.log(
      `writeNumpy from memory: ${Math.round(base).toLocaleString('en-US')} rows/s (${res.writtenCount} written)`,
    )
    await truncate(set)
    for (const ext of ['npy', 'parquet']) {
      const r = await cli(['ingest', file(ext), ...common, '-s', `m_speed_${ext}_${tag}`])
      await truncate(`m_speed_${ext}_${tag}`)
      const rate = N / r.seconds
      // the summary's own rate: from ingest() called (file opened) to the end, without process start
      const inner = r.summary?.rowsPerSecond ?? NaN
      console.log(
        `ingest .${ext}: exit ${r.code}, ${Math.round(rate).toLocaleString('en-US')} rows/s over the whole process (${r.seconds.toFixed(1)} s wall), ${(rate / base).toFixed(2)}× writeNumpy; ${Math.round(inner).toLocaleString('en-US')} rows/s from ingest() called, ${(inner / base).toFixed(2)}×; peak RSS ${r.rssMB?.toFixed(0)} MB`,
      )
    }
  }
} finally {
  await client.close()
}
