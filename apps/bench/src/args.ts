// Command-line flags of the bench. Parsing is pure so that bad flags are tested without a server.

export type DatasetName = 'sensor' | 'embeddings'
export type EngineName = 'official' | 'wire'

export interface BenchOptions {
  /**
   * Rows a run may write (raised to chunkSize × concurrency × 2); with `runSeconds` most runs stop
   * earlier, so that each setting is measured over the same time.
   */
  rows: number
  /** A run starts no new call after this many seconds (0: every run writes all its rows). */
  runSeconds: number
  chunkSizes: number[]
  concurrencies: number[]
  datasets: DatasetName[]
  /** Engines the chunk × concurrency matrix runs on; `null` = every engine that is available. */
  engines: EngineName[] | null
  /** Measure the blocking client too. */
  sync: boolean
  /** Worker threads for the `writeNumpy({ workers })` run; 0 skips that run. */
  workers: number
  /** `host:port[,host:port]`; `null` starts the embedded devserver. */
  hosts: string | null
  namespace: string
  /** Rows go to the sets `<setPrefix>_sensor` and `<setPrefix>_embeddings`. */
  setPrefix: string
  /** Extra copy of the JSON report. */
  jsonPath: string | null
  /** Directory for `<timestamp>.json` and `<timestamp>.svg`; `null` = `<repo>/bench-results`. */
  outDir: string | null
  /** Skip the official client's baselines (put loop, hand-built batchWrite). */
  baselines: boolean
  /** Measure the read and scan contenders (every engine, the official client's own, sync). */
  reads: boolean
  /**
   * Alternated rounds of each side-by-side cell (reads, scans, sync against async); the median
   * and the spread of the rounds are reported.
   */
  rounds: number
  /** Rows of the set the scan contenders read; `null` = 1,000,000 on a cluster, 20,000 on the devserver; 0 = no scans. */
  scanRows: number | null
  /** The native C client's benchmark for the ceiling row; `null` = `asbench` on PATH, if any. */
  asbench: string | null
  help: boolean
}

export const DEFAULT_OPTIONS: Readonly<BenchOptions> = Object.freeze({
  rows: 100_000,
  runSeconds: 0.5,
  chunkSizes: [100, 250, 500, 1000, 2000, 5000],
  concurrencies: [1, 4, 8],
  datasets: ['sensor', 'embeddings'] as DatasetName[],
  engines: null,
  sync: true,
  workers: 2,
  hosts: null,
  namespace: 'test',
  setPrefix: 'bench',
  jsonPath: null,
  outDir: null,
  baselines: true,
  reads: true,
  rounds: 3,
  scanRows: null,
  asbench: null,
  help: false,
})

/** Default rows of the scanned set: the million on a cluster, little on the devserver. */
export const SCAN_ROWS_CLUSTER = 1_000_000
export const SCAN_ROWS_DEVSERVER = 20_000

/** Rows the scan contenders read (0: none). */
export function scanRows(options: BenchOptions, onCluster: boolean): number {
  if (!options.reads) return 0
  return options.scanRows ?? (onCluster ? SCAN_ROWS_CLUSTER : SCAN_ROWS_DEVSERVER)
}

export const USAGE = `Usage: node apps/bench/dist/main.js [flags]

Measures batchWriteNumpy over a chunk size × concurrency matrix, with the official client's
put loop and hand-built batchWrite as baselines, both engines, sync vs async and workers; then
the read contenders (batchRead, batchReadNumpy, the official client's batchRead) and the scans
(scanNumpyAll, the official client's query.foreach), with asbench as the native ceiling.
Without --hosts (or AEROSPIKE_HOSTS) it starts the embedded devserver: those numbers measure
the devserver too; a real cluster gives the numbers that count.

  --rows N               most rows a run writes (default ${DEFAULT_OPTIONS.rows}; at least chunk × concurrency × 2)
  --run-seconds S        a run starts no new call after S seconds (default ${DEFAULT_OPTIONS.runSeconds}; 0 = write all rows)
  --chunk-sizes A,B,..   chunk sizes (default ${DEFAULT_OPTIONS.chunkSizes.join(',')})
  --concurrency A,B,..   chunks in flight (default ${DEFAULT_OPTIONS.concurrencies.join(',')})
  --dtype NAME           sensor | embeddings | both (default both)
  --engine NAME          official | wire | both: engines of the matrix (default: every available one)
  --sync / --no-sync     measure the blocking client too (default on)
  --workers N            writeNumpy({ workers: N }) run, 0 to skip (default ${DEFAULT_OPTIONS.workers})
  --no-baselines         skip the official client's put loop and hand-built batchWrite
  --reads / --no-reads   measure batchRead and batchReadNumpy of each engine and of the blocking
                         client, the official client's batchRead, and the scans (default on)
  --scan-rows N          rows of the set the scan contenders read: scanNumpyAll of each engine and
                         of the blocking client, the official client's query.foreach (default
                         ${SCAN_ROWS_CLUSTER.toLocaleString('en-US')} on a cluster, ${SCAN_ROWS_DEVSERVER.toLocaleString('en-US')} on the devserver; 0 = no scans)
  --rounds N             alternated rounds of each side-by-side cell (reads, scans, sync against
                         async); median and min–max shown (default ${DEFAULT_OPTIONS.rounds}; --read-rounds is the same)
  --asbench PATH         the native C client's asbench for a ceiling row (writes and batch reads of
                         the same shape; cluster only; default: asbench on PATH, if any)
  --hosts H:P[,H:P]      use this cluster (default: AEROSPIKE_HOSTS, else the embedded devserver)
  --namespace NS         namespace to write into (default ${DEFAULT_OPTIONS.namespace})
  --set-prefix P         write to the sets P_sensor and P_embeddings (default ${DEFAULT_OPTIONS.setPrefix})
  --json PATH            also write the JSON report to PATH
  --out-dir DIR          where <timestamp>.json and .svg go (default <repo>/bench-results)
  --help                 this text
`

export class UsageError extends Error {
  readonly code = 'ERR_BENCH_USAGE'
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

const MAX_ROWS = 100_000_000
const MAX_CHUNK = 1_000_000
const MAX_CONCURRENCY = 1024
const MAX_WORKERS = 64

function positiveInt(flag: string, text: string, max: number, allowZero = false): number {
  if (!/^\d+$/.test(text)) {
    throw new UsageError(`${flag} expects a whole number, got "${text}"`)
  }
  const value = Number(text)
  if ((!allowZero && value === 0) || value > max) {
    throw new UsageError(`${flag} must be between ${allowZero ? 0 : 1} and ${max}, got ${text}`)
  }
  return value
}

function intList(flag: string, text: string, max: number): number[] {
  const parts = text.split(',').map((part) => part.trim())
  if (parts.length === 0 || parts.some((part) => part === '')) {
    throw new UsageError(`${flag} expects a comma-separated list of whole numbers, got "${text}"`)
  }
  const values = parts.map((part) => positiveInt(flag, part, max))
  return [...new Set(values)].sort((a, b) => a - b)
}

/** Checks `host:port[,host:port]`; returns it normalised (no spaces). */
export function parseHosts(text: string, source = '--hosts'): string {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
  if (entries.length === 0) throw new UsageError(`${source} is empty`)
  for (const entry of entries) {
    const match = /^(.+):(\d+)$/.exec(entry)
    const port = match ? Number(match[2]) : NaN
    if (!match || port < 1 || port > 65535) {
      throw new UsageError(`${source}: "${entry}" is not host:port (port 1..65535)`)
    }
  }
  return entries.join(',')
}

export function parseArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): BenchOptions {
  const options: BenchOptions = {
    ...DEFAULT_OPTIONS,
    chunkSizes: [...DEFAULT_OPTIONS.chunkSizes],
    concurrencies: [...DEFAULT_OPTIONS.concurrencies],
    datasets: [...DEFAULT_OPTIONS.datasets],
  }
  const envHosts = env['AEROSPIKE_HOSTS']
  if (envHosts !== undefined && envHosts.trim() !== '') {
    options.hosts = parseHosts(envHosts, 'AEROSPIKE_HOSTS')
  }

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    const eq = arg.indexOf('=')
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg
    const inlineValue = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : undefined
    const value = (): string => {
      if (inlineValue !== undefined) return inlineValue
      const next = argv[i + 1]
      if (next === undefined || next.startsWith('--')) {
        throw new UsageError(`${flag} needs a value`)
      }
      i++
      return next
    }
    const noValue = (): void => {
      if (inlineValue !== undefined) throw new UsageError(`${flag} takes no value`)
    }
    switch (flag) {
      case '--rows':
        options.rows = positiveInt(flag, value(), MAX_ROWS)
        break
      case '--run-seconds': {
        const text = value()
        const seconds = Number(text)
        if (!/^\d+(\.\d+)?$/.test(text) || seconds > 3600) {
          throw new UsageError(`--run-seconds expects seconds from 0 to 3600, got "${text}"`)
        }
        options.runSeconds = seconds
        break
      }
      case '--chunk-sizes':
      case '--chunk-size':
        options.chunkSizes = intList(flag, value(), MAX_CHUNK)
        break
      case '--concurrency':
        options.concurrencies = intList(flag, value(), MAX_CONCURRENCY)
        break
      case '--dtype': {
        const name = value()
        if (name === 'both') options.datasets = ['sensor', 'embeddings']
        else if (name === 'sensor' || name === 'embeddings') options.datasets = [name]
        else throw new UsageError(`--dtype must be sensor, embeddings or both, got "${name}"`)
        break
      }
      case '--engine': {
        const name = value()
        if (name === 'both') options.engines = ['official', 'wire']
        else if (name === 'official' || name === 'wire') options.engines = [name]
        else throw new UsageError(`--engine must be official, wire or both, got "${name}"`)
        break
      }
      case '--sync':
        noValue()
        options.sync = true
        break
      case '--no-sync':
        noValue()
        options.sync = false
        break
      case '--workers':
        options.workers = positiveInt(flag, value(), MAX_WORKERS, true)
        break
      case '--no-baselines':
        noValue()
        options.baselines = false
        break
      case '--reads':
        noValue()
        options.reads = true
        break
      case '--no-reads':
        noValue()
        options.reads = false
        break
      case '--rounds':
      case '--read-rounds':
        options.rounds = positiveInt(flag, value(), 100)
        break
      case '--scan-rows':
        options.scanRows = positiveInt(flag, value(), MAX_ROWS, true)
        break
      case '--asbench':
        options.asbench = value()
        break
      case '--hosts':
        options.hosts = parseHosts(value())
        break
      case '--namespace': {
        const ns = value()
        if (ns === '' || Buffer.byteLength(ns) > 31) {
          throw new UsageError(`--namespace must be 1..31 bytes, got "${ns}"`)
        }
        options.namespace = ns
        break
      }
      case '--set-prefix': {
        const prefix = value()
        if (!/^[A-Za-z0-9_-]{1,40}$/.test(prefix)) {
          throw new UsageError(`--set-prefix must be 1..40 of A-Z a-z 0-9 _ -, got "${prefix}"`)
        }
        options.setPrefix = prefix
        break
      }
      case '--json':
        options.jsonPath = value()
        break
      case '--out-dir':
        options.outDir = value()
        break
      case '--help':
      case '-h':
        options.help = true
        break
      default:
        throw new UsageError(`unknown flag "${arg}" (see --help)`)
    }
  }
  return options
}
