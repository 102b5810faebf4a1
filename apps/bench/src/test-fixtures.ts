// Builders of report values for the unit tests (not part of the built app).

import { DEFAULT_OPTIONS } from './args.js'
import { cells } from './cells.js'
import type { BenchReport, RunResult } from './report.js'
import { DEVSERVER_NOTE } from './report.js'

export function makeResult(overrides: Partial<RunResult>): RunResult {
  const rows = overrides.rows ?? 10_000
  const seconds = overrides.seconds ?? 1
  return {
    group: 'matrix',
    contender: 'batchWriteNumpy',
    dataset: 'sensor',
    engine: 'wire',
    mode: 'async',
    chunkSize: 1000,
    concurrency: 1,
    workers: 0,
    rows,
    bytes: rows * 21,
    seconds,
    rowsPerSec: rows / seconds,
    mbPerSec: (rows * 21) / seconds / 1e6,
    calls: 10,
    latencyMs: { p50: 1, p99: 2, max: 3, count: 10 },
    failures: 0,
    failureCodes: {},
    eventLoopDelayMs: { p50: 10, p99: 20, max: 30 },
    clientCpuUsPerRow: 4.5,
    errors: [],
    verified: { rows: 100, mismatches: 0 },
    ...overrides,
  }
}

/** asbench's cell (`asbench batch read` / `asbench write`) at chunk 1000 × 4. */
export function makeNative(contender: string, rowsPerSec: number): RunResult {
  return makeResult({
    group: 'native',
    contender,
    engine: null,
    chunkSize: 1000,
    concurrency: 4,
    rowsPerSec,
    clientCpuUsPerRow: null,
    verified: null,
  })
}

export function makeReport(results: RunResult[]): BenchReport {
  return {
    version: 1,
    startedAt: '2026-11-26T00:00:00.000Z',
    finishedAt: '2026-11-26T00:01:00.000Z',
    durationSeconds: 60,
    machine: {
      cpus: 2,
      cpuModel: 'Test CPU <x>',
      totalMemGiB: 4,
      node: 'v20.0.0',
      platform: 'linux',
      loadAverage: [0.1, 0.2, 0.3],
    },
    server: { kind: 'devserver', hosts: '127.0.0.1:1234', note: DEVSERVER_NOTE },
    commit: null,
    options: { ...DEFAULT_OPTIONS },
    results,
    skipped: [],
    recommendations: [],
    cells: cells(results),
    ratios: [],
  }
}
