// The bench run: matrix, baselines, sync, workers — then the report. Every run's rows are
// checked one by one (result codes) and a sample of them is read back and compared.

import { spawnSync } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { AsyncClient } from '@aerospike-numpy/async'
import type { BenchOptions, DatasetName, EngineName } from './args.js'
import { scanRows } from './args.js'
import { cells } from './cells.js'
import type { Dataset } from './datasets.js'
import { makeDataset } from './datasets.js'
import type { Measurement } from './measure.js'
import { countFailures } from './measure.js'
import type { Client as OfficialClient } from 'aerospike'
import { connectOfficial, handBuiltBatchWrite, putLoop } from './official.js'
import type { Progress } from './progress.js'
import { headline, ratios, recommend } from './recommend.js'
import type { BenchReport, RunResult, Skipped } from './report.js'
import type { Client } from '@aerospike-numpy/sync'
import type { RunShape } from './runs.js'
import { KEY_STORED_POLICY, bulkWrite, numpyBatches, syncBatches } from './runs.js'
import { perSecond } from './stats.js'
import { formatNumber } from './table.js'
import { openTarget } from './target.js'
import type { Target } from './target.js'
import { verifySample } from './verify.js'
import { asbenchRead, asbenchWrite, findAsbench, type NativeRun } from './asbench.js'
import { READ_CONTENDERS, checkRead, runRead, type ReadClients } from './reads.js'
import type { ReadChunk, ReadContender } from './reads.js'

const ENGINES: readonly EngineName[] = ['wire', 'official']
const SYNC_CHUNKS = [100, 1000, 5000]
/** Seconds of each round of asbench batch reads. */
const NATIVE_READ_SECONDS = 3

/** Chunk sizes of the sync-against-async writes: those of 100, 1000, 5000 in the matrix, else its first. */
function syncChunks(options: BenchOptions): number[] {
  const chosen = SYNC_CHUNKS.filter((k) => options.chunkSizes.includes(k))
  return chosen.length > 0 ? chosen : [options.chunkSizes[0] as number]
}
/** Rounds of (batchWriteNumpy per engine, batchWrite by hand, put loop) for the ratios. */
export const BASELINE_ROUNDS = 2

/**
 * Before the first measured run of a client: a few calls not counted, so that neither JIT
 * compilation nor fresh connections (nor a devserver that just started) weigh on one setting.
 */
function warmUpShape(dataset: Dataset): RunShape {
  return {
    rows: Math.min(4000, dataset.data.length),
    chunkSize: 500,
    concurrency: 2,
    maxSeconds: 0.3,
  }
}

async function warmUp(run: () => Promise<Measurement>): Promise<void> {
  await run()
}

export function message(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? error.name) : String(error)
}

/** Rows of one matrix run: at least two full rounds of `concurrency` chunks. */
export function rowsForRun(rows: number, chunkSize: number, concurrency: number): number {
  return Math.max(rows, chunkSize * concurrency * 2)
}

interface RunMeta {
  group: RunResult['group']
  contender: string
  dataset: Dataset
  engine: EngineName | null
  mode: 'async' | 'sync'
  chunkSize: number | null
  concurrency: number
  workers: number
}

/** One cell of alternated rounds: what it is, how to run it, and the check its reads made. */
interface RoundCell {
  meta: RunMeta
  run: (dataset: Dataset) => Promise<Measurement>
  /** What a read contender's check found; null: nothing to check (asbench); absent: a write. */
  checked?: { rows: number; mismatches: number } | null
}

export class Bench {
  readonly results: RunResult[] = []
  readonly skipped: Skipped[] = []
  private runIndex = 0
  private readonly clients = new Map<EngineName, AsyncClient>()
  private readonly datasets = new Map<DatasetName, Dataset>()
  private official: OfficialClient | null = null

  constructor(
    private readonly options: BenchOptions,
    private readonly target: Target,
    private readonly progress: Progress,
  ) {}

  /** Records what was not measured and why; `runs` planned runs are counted as done. */
  private skip(what: string, why: string, runs = 0): void {
    this.skipped.push({ what, why })
    this.progress.advance(runs)
    this.progress.log(`skipped: ${what}: ${why}`)
  }

  async connect(): Promise<void> {
    for (const engine of ENGINES) {
      const client = new AsyncClient({ hosts: this.target.hosts, engine })
      try {
        await client.connect()
        this.clients.set(engine, client)
      } catch (error) {
        await client.close().catch(() => {})
        this.skip(`${engine} engine`, message(error))
      }
    }
    if (this.clients.size === 0) throw new Error('no engine could connect to ' + this.target.hosts)
  }

  async close(): Promise<void> {
    for (const client of this.clients.values()) await client.close().catch(() => {})
    this.clients.clear()
    if (this.official !== null) await this.official.close()
    this.official = null
  }

  /** The engines the matrix runs on. */
  matrixEngines(): EngineName[] {
    const wanted = this.options.engines ?? ENGINES
    for (const engine of wanted) {
      if (!this.clients.has(engine) && this.options.engines !== null) {
        this.skip(`matrix on the ${engine} engine`, 'that engine is not available (see above)')
      }
    }
    return wanted.filter((engine) => this.clients.has(engine))
  }

  /** Reads back through the official engine when it is there, so the check crosses engines. */
  private reader(): AsyncClient {
    return (this.clients.get('official') ?? this.clients.get('wire')) as AsyncClient
  }

  private dataset(name: DatasetName, rows: number): Dataset {
    const existing = this.datasets.get(name)
    if (existing !== undefined && existing.data.length >= rows) return existing
    const created = makeDataset(name, rows, this.options.setPrefix)
    this.datasets.set(name, created)
    return created
  }

  /** Runs the progress bar counts: planned up front, each finished or skipped run advances it. */
  planRuns(engines: number): void {
    const o = this.options
    let runs = o.datasets.length * engines * o.chunkSizes.length * o.concurrencies.length
    if (o.baselines) runs += BASELINE_ROUNDS * (engines + 2) * o.datasets.length
    if (o.sync) runs += syncChunks(o).length * (this.clients.has('wire') ? 2 : 1) * o.rounds
    if (o.workers > 0) runs += 2
    this.progress.grow(runs)
  }

  /**
   * Runs and records one measurement. A write run stamps its rows and reads a sample back; a read
   * run gives the check it made of what it reads (`checked`).
   */
  private async record(
    meta: RunMeta,
    run: (dataset: Dataset) => Promise<Measurement>,
    checked?: { rows: number; mismatches: number } | null,
  ): Promise<RunResult> {
    const dataset = meta.dataset
    if (checked === undefined) dataset.stamp(this.runIndex++)
    const label =
      `${meta.contender} ${dataset.name}${meta.engine ? ` ${meta.engine}` : ''} ${meta.mode}` +
      `${meta.chunkSize !== null ? ` chunk ${meta.chunkSize}` : ''} ×${meta.concurrency}` +
      `${meta.workers > 0 ? ` workers=${meta.workers}` : ''}`
    this.progress.setLabel(label)
    const m = await run(dataset)
    const verified =
      checked !== undefined
        ? checked
        : await verifySample(this.reader(), this.options.namespace, dataset, m.resultCodes)
    const bytes = m.rows * dataset.dtype.itemsize
    const result: RunResult = {
      group: meta.group,
      contender: meta.contender,
      dataset: dataset.name,
      engine: meta.engine,
      mode: meta.mode,
      chunkSize: meta.chunkSize,
      concurrency: meta.concurrency,
      workers: meta.workers,
      rows: m.rows,
      bytes,
      seconds: m.seconds,
      rowsPerSec: perSecond(m.rows, m.seconds),
      mbPerSec: perSecond(bytes, m.seconds) / 1e6,
      calls: m.calls,
      latencyMs: m.latencyMs,
      ...countFailures(m.resultCodes),
      eventLoopDelayMs: m.eventLoopDelayMs,
      errors: m.errors,
      // asbench is another process: this one's CPU says nothing about it
      clientCpuUsPerRow:
        this.target.serverInProcess || m.rows === 0 || meta.group === 'native'
          ? null
          : m.cpuMicros / m.rows,
      verified,
    }
    this.results.push(result)
    this.progress.advance(1)
    this.progress.log(
      `${label}: ${formatNumber(result.rowsPerSec)} rows/s, ${result.failures} failed` +
        (verified === null ? '' : `, ${verified.mismatches}/${verified.rows} read back wrong`) +
        (m.errors.length > 0 ? ` (${m.errors.join('; ')})` : ''),
    )
    return result
  }

  /**
   * Runs `cells` in `rounds` rounds whose order alternates (forwards, backwards, …): each cell's
   * rounds are spread over the same stretch of time as its neighbours', so a ratio of medians
   * compares runs made side by side.
   */
  private async alternate(rounds: number, list: readonly RoundCell[]): Promise<void> {
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? list : [...list].reverse()
      for (const cell of order) await this.record(cell.meta, cell.run, cell.checked)
    }
  }

  /** Resolves to the engines it ran on. */
  async matrix(): Promise<EngineName[]> {
    const engines = this.matrixEngines()
    this.planRuns(engines.length)
    const { chunkSizes, concurrencies, rows } = this.options
    for (const name of this.options.datasets) {
      const maxRows = Math.max(
        ...chunkSizes.flatMap((k) => concurrencies.map((c) => rowsForRun(rows, k, c))),
      )
      const dataset = this.dataset(name, maxRows)
      for (const engine of engines) {
        const client = this.clients.get(engine) as AsyncClient
        await warmUp(() =>
          numpyBatches(client, this.options.namespace, dataset, warmUpShape(dataset)),
        )
        for (const concurrency of concurrencies) {
          for (const chunkSize of chunkSizes) {
            const shape = {
              rows: rowsForRun(rows, chunkSize, concurrency),
              chunkSize,
              concurrency,
              maxSeconds: this.options.runSeconds,
            }
            await this.record(
              {
                group: 'matrix',
                contender: 'batchWriteNumpy',
                dataset,
                engine,
                mode: 'async',
                chunkSize,
                concurrency,
                workers: 0,
              },
              () => numpyBatches(client, this.options.namespace, dataset, shape),
            )
          }
        }
      }
    }
    return engines
  }

  /**
   * The official client by hand, at the setting recommended for each dataset, in rounds that
   * alternate with batchWriteNumpy of every engine at that same setting: the ratios compare runs
   * made side by side, not minutes apart.
   */
  async baselines(engines: readonly EngineName[]): Promise<void> {
    if (!this.options.baselines) return
    const perDataset = BASELINE_ROUNDS * (engines.length + 2)
    const recommendations = recommend(this.results)
    for (const name of this.options.datasets) {
      const pick = headline(recommendations, name)
      if (pick === undefined) {
        this.skip(
          `baselines for ${name}`,
          'no setting of the matrix finished without failures',
          perDataset,
        )
        continue
      }
      if (this.official === null) {
        try {
          this.official = await connectOfficial(this.target.hosts)
        } catch (error) {
          this.skip('official client baselines', message(error), perDataset)
          return
        }
      }
      const official = this.official
      const rows = rowsForRun(this.options.rows, pick.chunkSize, pick.concurrency)
      const dataset = this.dataset(name, rows)
      const shape = {
        rows,
        chunkSize: pick.chunkSize,
        concurrency: pick.concurrency,
        maxSeconds: this.options.runSeconds,
      }
      const setting = {
        dataset,
        mode: 'async' as const,
        chunkSize: pick.chunkSize,
        concurrency: pick.concurrency,
        workers: 0,
      }
      await warmUp(() =>
        handBuiltBatchWrite(official, this.options.namespace, dataset, warmUpShape(dataset)),
      )
      const ours = engines.map((engine) => {
        const client = this.clients.get(engine) as AsyncClient
        return {
          meta: { ...setting, group: 'paired' as const, contender: 'batchWriteNumpy', engine },
          run: () => numpyBatches(client, this.options.namespace, dataset, shape),
        }
      })
      await this.alternate(BASELINE_ROUNDS, [
        ...ours,
        {
          meta: {
            ...setting,
            group: 'baseline',
            contender: 'official batchWrite (records by hand)',
            engine: 'official',
          },
          run: () => handBuiltBatchWrite(official, this.options.namespace, dataset, shape),
        },
        {
          meta: {
            ...setting,
            group: 'baseline',
            contender: 'official put loop',
            engine: 'official',
            chunkSize: null,
          },
          run: () => putLoop(official, this.options.namespace, dataset, shape),
        },
      ])
    }
  }

  /**
   * The blocking client against async batchWriteNumpy with one call in flight, in alternated
   * rounds at each chunk size.
   */
  async sync(): Promise<void> {
    if (!this.options.sync) return
    const chunks = syncChunks(this.options)
    const syncRuns = chunks.length * (this.clients.has('wire') ? 2 : 1) * this.options.rounds
    let client: Client
    try {
      const { client: makeClient } = await import('@aerospike-numpy/sync')
      client = makeClient({ hosts: this.target.hosts }).connect()
    } catch (error) {
      this.skip('sync client', message(error), syncRuns)
      return
    }
    try {
      const dataset = this.dataset('sensor', this.options.rows)
      const rows = this.options.rows
      const writer = client
      await warmUp(() => syncBatches(writer, this.options.namespace, dataset, warmUpShape(dataset)))
      // The same engine asynchronously, one call at a time, beside each blocking run.
      const asyncClient = this.clients.get('wire')
      for (const chunkSize of chunks) {
        const setting = {
          group: 'sync' as const,
          dataset,
          engine: 'wire' as const,
          chunkSize,
          concurrency: 1,
          workers: 0,
        }
        const shape = { rows, chunkSize, concurrency: 1, maxSeconds: this.options.runSeconds }
        const pair: RoundCell[] = []
        if (asyncClient !== undefined) {
          pair.push({
            meta: { ...setting, contender: 'batchWriteNumpy', mode: 'async' },
            run: () => numpyBatches(asyncClient, this.options.namespace, dataset, shape),
          })
        }
        pair.push({
          meta: { ...setting, contender: 'sync batchWriteNumpy', mode: 'sync' },
          run: () => syncBatches(writer, this.options.namespace, dataset, shape),
        })
        await this.alternate(this.options.rounds, pair)
      }
    } finally {
      client.close()
    }
  }

  /** The bulk helper with and without worker threads, watching the caller's event loop. */
  async workers(): Promise<void> {
    if (this.options.workers === 0) return
    // The bulk helper cannot stop at a deadline without failing rows: it writes a fixed count.
    const engine: EngineName = this.clients.has('wire') ? 'wire' : 'official'
    const client = this.clients.get(engine) as AsyncClient
    const pick = headline(recommend(this.results), 'sensor')
    const chunkSize = pick?.chunkSize ?? 1000
    const concurrency = pick?.concurrency ?? 4
    const rows = this.options.rows
    const dataset = this.dataset('sensor', rows)
    // A small call first: a missing worker pool is "skipped", not a run full of failures.
    try {
      await client.writeNumpy(
        dataset.data.slice(0, 10),
        this.options.namespace,
        dataset.set,
        dataset.dtype,
        {
          workers: this.options.workers,
        },
      )
    } catch (error) {
      this.skip(`writeNumpy with workers=${this.options.workers}`, message(error), 2)
      return
    }
    for (const workers of [0, this.options.workers]) {
      await this.record(
        {
          group: 'workers',
          contender: 'writeNumpy',
          dataset,
          engine,
          mode: 'async',
          chunkSize,
          concurrency,
          workers,
        },
        () =>
          bulkWrite(client, this.options.namespace, dataset, {
            rows,
            chunkSize,
            concurrency,
            workers,
          }),
      )
    }
  }

  /**
   * Writes the rows the read contenders read, to a set of their own; false (and skipped) when a
   * row failed. The scans' set is emptied first, so that a scan meets only this run's rows.
   */
  private async writeReadSet(
    dataset: Dataset,
    shape: { chunkSize: number; concurrency: number },
    kind: ReadContender['kind'],
  ): Promise<boolean> {
    const writer = this.clients.get('wire') ?? this.reader()
    const namespace = this.options.namespace
    dataset.stamp(this.runIndex++)
    if (kind === 'scan') {
      if (this.official === null) {
        this.skip('scans', 'the official client is not connected: cannot empty the set to scan')
        return false
      }
      await this.official.truncate(namespace, dataset.set, 0)
    }
    const all = { rows: dataset.data.length, ...shape }
    const written = await numpyBatches(
      writer,
      namespace,
      dataset,
      all,
      kind === 'scan' ? KEY_STORED_POLICY : undefined,
    )
    const { failures } = countFailures(written.resultCodes)
    if (failures > 0) {
      const what = kind === 'scan' ? 'scans' : 'reads'
      this.skip(
        what,
        `writing the rows to read failed (${failures} rows): ${written.errors.join('; ')}`,
      )
      return false
    }
    return true
  }

  /**
   * The read contenders: batch reads at one setting (1000 × 4 where the matrix has them) on
   * `--rows` rows, and scans of a set of `--scan-rows` rows, each written once to a set of its
   * own. Each contender is checked value by value first (a scan: every row exactly once), then
   * all run in alternated rounds; the blocking client beside async one call at a time. Then the
   * native ceiling.
   */
  async reads(): Promise<void> {
    if (!this.options.reads) return
    const { chunkSize, concurrency } = readSetting(this.options)
    try {
      this.official ??= await connectOfficial(this.target.hosts)
    } catch (error) {
      this.skip('official client reads', message(error))
    }
    const datasets = new Map<ReadContender['kind'], Dataset>()
    const batchSet = makeDataset('sensor', this.options.rows, `${this.options.setPrefix}_read`)
    if (await this.writeReadSet(batchSet, { chunkSize, concurrency }, 'batch')) {
      datasets.set('batch', batchSet)
    }
    const scanned = scanRows(this.options, this.target.kind === 'cluster')
    if (scanned > 0) {
      const scanSet = makeDataset('sensor', scanned, `${this.options.setPrefix}_scan`)
      if (await this.writeReadSet(scanSet, { chunkSize, concurrency }, 'scan')) {
        datasets.set('scan', scanSet)
      }
    }
    let sync: Client | null = null
    try {
      if (this.options.sync) {
        const { client: makeClient } = await import('@aerospike-numpy/sync')
        sync = makeClient({ hosts: this.target.hosts }).connect()
      }
    } catch (error) {
      this.skip('sync reads', message(error))
    }
    const clients: ReadClients = { engines: this.clients, official: this.official, sync }
    try {
      const list: RoundCell[] = []
      for (const c of READ_CONTENDERS) {
        const dataset = datasets.get(c.kind)
        if (dataset === undefined) continue
        const name = `${c.contender} (${c.engine ?? 'native'}, ${c.mode})`
        const cell = await this.openRead(c, clients, dataset, { chunkSize, concurrency })
        if (typeof cell === 'string') this.skip(name, cell)
        else list.push(cell)
      }
      if (datasets.has('batch')) list.push(...(await this.native(chunkSize, concurrency)))
      this.progress.grow(list.length * this.options.rounds)
      await this.alternate(this.options.rounds, list)
    } finally {
      sync?.close()
    }
  }

  /**
   * A read contender ready for its rounds: checked (a batch contender on its first chunk, a scan
   * on the whole set) and warmed up; or why it cannot run.
   */
  private async openRead(
    c: ReadContender,
    clients: ReadClients,
    dataset: Dataset,
    setting: { chunkSize: number; concurrency: number },
  ): Promise<RoundCell | string> {
    const reader: ReadChunk | string = c.open(clients, this.options.namespace, dataset)
    if (typeof reader === 'string') return reader
    const rows = dataset.data.length
    const scan = c.kind === 'scan'
    let checked: { rows: number; mismatches: number }
    try {
      // a scan's check is its warm-up too
      checked = await checkRead(reader, dataset, scan ? rows : Math.min(setting.chunkSize, rows))
      if (!scan) {
        const warm = { ...warmUpShape(dataset), concurrency: c.oneAtATime ? 1 : 2 }
        await runRead(reader, c.kind, warm)
      }
    } catch (error) {
      return message(error)
    }
    const shape = {
      rows,
      chunkSize: setting.chunkSize,
      concurrency: c.oneAtATime || scan ? 1 : setting.concurrency,
      // like every cell: no new call after --run-seconds (a scan is one call)
      maxSeconds: this.options.runSeconds,
    }
    return {
      meta: {
        group: scan ? 'scan' : c.oneAtATime ? 'read-sync' : 'read',
        contender: c.contender,
        dataset,
        engine: c.engine,
        mode: c.mode,
        chunkSize: scan ? null : setting.chunkSize,
        concurrency: shape.concurrency,
        workers: 0,
      },
      run: () => runRead(reader, c.kind, shape),
      checked,
    }
  }

  /**
   * asbench's cells, the ceiling: inserts and batch reads of rows of the sensor shape, run in the
   * read rounds beside our contenders. Its rows are written once first (which checks it runs).
   */
  private async native(chunkSize: number, concurrency: number): Promise<RoundCell[]> {
    const path = findAsbench(this.options.asbench)
    if (path === null) return []
    if (this.target.kind !== 'cluster') {
      this.skip('asbench', 'it needs a real cluster (--hosts), not the devserver')
      return []
    }
    const target = {
      path,
      hosts: this.target.hosts,
      namespace: this.options.namespace,
      set: `${this.options.setPrefix}_asbench`,
      rows: this.options.rows,
      chunkSize,
      concurrency,
    }
    try {
      await asbenchWrite(target)
    } catch (error) {
      this.skip('asbench', message(error))
      return []
    }
    const measured = async (run: () => Promise<NativeRun>): Promise<Measurement> => {
      let native: NativeRun = { rows: 0, seconds: 0 }
      const errors: string[] = []
      try {
        native = await run()
      } catch (error) {
        errors.push(message(error))
      }
      return {
        rows: native.rows,
        seconds: native.seconds,
        calls: Math.round(native.rows / chunkSize),
        latencyMs: { p50: 0, p99: 0, max: 0, count: 0 },
        resultCodes: new Int32Array(0),
        eventLoopDelayMs: { p50: 0, p99: 0, max: 0 },
        cpuMicros: 0,
        errors,
      }
    }
    const meta = {
      group: 'native' as const,
      dataset: this.dataset('sensor', this.options.rows),
      engine: null,
      mode: 'async' as const,
      chunkSize,
      concurrency,
      workers: 0,
    }
    return [
      {
        meta: { ...meta, contender: 'asbench write' },
        run: () => measured(() => asbenchWrite(target)),
        checked: null,
      },
      {
        meta: { ...meta, contender: 'asbench batch read' },
        run: () => measured(() => asbenchRead(target, NATIVE_READ_SECONDS)),
        checked: null,
      },
    ]
  }
}

/** Chunk size and chunks in flight of the read runs: 1000 × 4 where the matrix has them. */
export function readSetting(options: BenchOptions): { chunkSize: number; concurrency: number } {
  const { chunkSizes, concurrencies } = options
  return {
    chunkSize: chunkSizes.includes(1000) ? 1000 : (chunkSizes[chunkSizes.length - 1] as number),
    concurrency: concurrencies.includes(4)
      ? 4
      : (concurrencies[concurrencies.length - 1] as number),
  }
}

function gitCommit(): string | null {
  const out = spawnSync('git', ['rev-parse', 'HEAD'], {
    cwd: path.dirname(fileURLToPath(import.meta.url)),
    encoding: 'utf8',
  })
  return out.status === 0 ? out.stdout.trim() : null
}

function machine(): BenchReport['machine'] {
  const cpus = os.cpus()
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    totalMemGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverage: os.loadavg().map((n) => Math.round(n * 100) / 100),
  }
}

/**
 * The whole run. Without `given`, writes to `options.hosts` or a devserver of its own (stopped at
 * the end); a `given` target is left running.
 */
export async function runBench(
  options: BenchOptions,
  progress: Progress,
  given?: Target,
): Promise<BenchReport> {
  const startedAt = new Date()
  const target = given ?? (await openTarget(options.hosts, options.namespace))
  progress.log(target.note)
  const bench = new Bench(options, target, progress)
  try {
    await bench.connect()
    const engines = await bench.matrix()
    await bench.baselines(engines)
    await bench.sync()
    await bench.workers()
    await bench.reads()
  } finally {
    await bench.close().catch(() => {})
    if (given === undefined) await target.close().catch(() => {})
    progress.finish()
  }
  const finishedAt = new Date()
  return {
    version: 1,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationSeconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
    machine: machine(),
    server: { kind: target.kind, hosts: target.hosts, note: target.note },
    commit: gitCommit(),
    options,
    results: bench.results,
    skipped: bench.skipped,
    recommendations: recommend(bench.results),
    cells: cells(bench.results),
    ratios: ratios(bench.results),
  }
}
