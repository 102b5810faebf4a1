// The shape of a bench report: what the JSON file holds and what the table and chart draw from.

import type { BenchOptions, DatasetName, EngineName } from './args.js'
import type { Cell } from './cells.js'
import type { LatencySummary } from './stats.js'

/**
 * matrix: batchWriteNumpy over chunk sizes × concurrency; baseline: the official client by hand;
 * paired: batchWriteNumpy run between the baselines' rounds, at their setting; sync; workers;
 * the read contenders and the native ceiling.
 */
export type RunGroup =
  | 'matrix'
  | 'baseline'
  | 'paired'
  | 'sync'
  | 'workers'
  /** read contenders in alternated rounds; read-sync: the blocking client beside async, 1 call at a time */
  | 'read'
  | 'read-sync'
  /** scan contenders (the whole set in one call), in the same alternated rounds as the reads */
  | 'scan'
  /** the native C client (asbench), a separate process: the ceiling */
  | 'native'

export interface RunResult {
  group: RunGroup
  /** What was measured, e.g. `batchWriteNumpy`, `official put loop`, `writeNumpy workers=2`. */
  contender: string
  dataset: DatasetName
  engine: EngineName | null
  mode: 'async' | 'sync'
  /** Rows per call; `null` for one record per call (the put loop). */
  chunkSize: number | null
  concurrency: number
  workers: number
  rows: number
  /** Row payload bytes: rows × the dtype's itemsize. */
  bytes: number
  seconds: number
  rowsPerSec: number
  mbPerSec: number
  calls: number
  /** Per call (a batch call, or one put), in milliseconds. */
  latencyMs: LatencySummary
  /** Rows that did not end with result 0, counted row by row from the results. */
  failures: number
  /** Result code → rows, for the failures. */
  failureCodes: Record<string, number>
  /** The calling thread's event-loop delay during the run, in milliseconds. */
  eventLoopDelayMs: { p50: number; p99: number; max: number }
  /**
   * CPU of the client process per row written, µs (all its threads: the official addon's, the
   * sync client's and the pool's workers included); null when the server ran inside it.
   */
  clientCpuUsPerRow: number | null
  /** Messages of calls that threw (their rows are in `failures`), the first few. */
  errors: string[]
  /** Rows read back after the run and compared value by value with what was written. */
  verified: { rows: number; mismatches: number } | null
}

export interface Skipped {
  what: string
  why: string
}

export interface Recommendation {
  dataset: DatasetName
  engine: EngineName
  chunkSize: number
  concurrency: number
  rowsPerSec: number
  /** The fastest setting of the matrix; the recommendation is within 5% of it. */
  bestRowsPerSec: number
}

export interface Ratio {
  dataset: DatasetName
  /** Runs averaged on each side (the baselines' rounds). */
  runs: number
  numerator: string
  denominator: string
  chunkSize: number | null
  concurrency: number
  ratio: number
}

export interface BenchReport {
  version: 1
  startedAt: string
  finishedAt: string
  durationSeconds: number
  machine: {
    cpus: number
    cpuModel: string
    totalMemGiB: number
    node: string
    platform: string
    /** 1, 5 and 15 minute load averages when the run started: other work skews the numbers. */
    loadAverage: number[]
  }
  server: { kind: 'devserver' | 'cluster'; hosts: string; note: string }
  /** The git commit of the code measured (null outside a checkout). */
  commit: string | null
  options: BenchOptions
  results: RunResult[]
  skipped: Skipped[]
  recommendations: Recommendation[]
  /** Every contender run in rounds: median rows/s, spread of the rounds, share of native. */
  cells: Cell[]
  ratios: Ratio[]
}

export const DEVSERVER_NOTE =
  'Server: the embedded devserver (a JavaScript process on this machine). These numbers measure ' +
  'the devserver too; run with --hosts against a real cluster for the numbers that count.'

export const CLUSTER_NOTE = 'Server: the cluster given by --hosts / AEROSPIKE_HOSTS.'
