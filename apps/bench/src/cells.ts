// Cells: the runs of one contender at one setting (the alternated rounds) folded into one
// number to rank by — the median — with the spread of the rounds, and its share of the native
// client's rows/s for the same kind of work.

import type { RunGroup, RunResult } from './report.js'

export interface Cell {
  group: RunGroup
  /** The contender with its engine and mode, e.g. `batchRead (wire, async)`. */
  name: string
  contender: string
  dataset: RunResult['dataset']
  engine: RunResult['engine']
  mode: RunResult['mode']
  chunkSize: number | null
  concurrency: number
  workers: number
  /** Rounds measured. */
  runs: number
  /** Median rows/s of the rounds, and the slowest and fastest round. */
  rowsPerSec: number
  minRowsPerSec: number
  maxRowsPerSec: number
  /** Median client CPU per row of the rounds (null when not measurable). */
  clientCpuUsPerRow: number | null
  /** Rows that failed, over every round. */
  failures: number
  /** The median against asbench's rows/s for the same work (writes or batch reads), if run. */
  ofNative: number | null
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/**
 * A run's name in the cells and ratios: the contender, with its engine and (for our clients) its
 * mode; the official client's own contenders and asbench keep their names.
 */
export function cellName(r: Pick<RunResult, 'contender' | 'engine' | 'mode'>): string {
  return r.engine === null || r.contender.startsWith('official')
    ? r.contender
    : `${r.contender} (${r.engine}${r.mode === 'sync' ? '' : ', async'})`
}

/** asbench's run for the same kind of work as `group` (sensor rows only: asbench writes their shape). */
function nativeOf(group: RunGroup): string | null {
  switch (group) {
    case 'read':
    case 'read-sync':
      return 'asbench batch read'
    case 'paired':
    case 'baseline':
    case 'sync':
    case 'workers':
      return 'asbench write'
    case 'native':
    case 'matrix':
    case 'scan':
      return null
  }
}

/**
 * Every cell run in rounds, in order of first run: all groups but the matrix (whose settings run
 * once each and are drawn in the chart). A cell's key is everything but its numbers.
 */
export function cells(results: readonly RunResult[]): Cell[] {
  const groups = new Map<string, RunResult[]>()
  for (const r of results) {
    if (r.group === 'matrix') continue
    const key = [
      r.group,
      r.contender,
      r.dataset,
      r.engine,
      r.mode,
      r.chunkSize,
      r.concurrency,
      r.workers,
    ].join('\0')
    const list = groups.get(key) ?? []
    list.push(r)
    groups.set(key, list)
  }
  const out: Cell[] = []
  for (const list of groups.values()) {
    const first = list[0]!
    const speeds = list.map((r) => r.rowsPerSec)
    const cpu = list.map((r) => r.clientCpuUsPerRow).filter((c) => c !== null)
    out.push({
      group: first.group,
      name: cellName(first),
      contender: first.contender,
      dataset: first.dataset,
      engine: first.engine,
      mode: first.mode,
      chunkSize: first.chunkSize,
      concurrency: first.concurrency,
      workers: first.workers,
      runs: list.length,
      rowsPerSec: median(speeds),
      minRowsPerSec: Math.min(...speeds),
      maxRowsPerSec: Math.max(...speeds),
      clientCpuUsPerRow: cpu.length === 0 ? null : median(cpu),
      failures: list.reduce((sum, r) => sum + r.failures, 0),
      ofNative: null,
    })
  }
  for (const cell of out) {
    const nativeName = cell.group === 'native' ? cell.contender : nativeOf(cell.group)
    const native = out.find(
      (c) => c.group === 'native' && c.name === nativeName && c.rowsPerSec > 0,
    )
    if (native !== undefined && cell.dataset === native.dataset) {
      cell.ofNative = cell.rowsPerSec / native.rowsPerSec
    }
  }
  return out
}
