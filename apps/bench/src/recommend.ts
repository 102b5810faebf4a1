// Picks the settings to recommend from the matrix, and the ratios against the baselines.

import type { DatasetName, EngineName } from './args.js'
import type { Ratio, Recommendation, RunResult } from './report.js'

/** A setting within this fraction of the fastest counts as just as good. */
export const GOOD_ENOUGH = 0.95

/**
 * For each (dataset, engine) of the matrix: among settings with no failed row, the fastest;
 * then, of those within 5% of it, the one with the fewest chunks in flight and then the smallest
 * chunk (less memory, lower latency per call, gentler on a shared cluster).
 */
export function recommend(results: readonly RunResult[]): Recommendation[] {
  const groups = new Map<string, RunResult[]>()
  for (const result of results) {
    if (result.group !== 'matrix' || result.engine === null || result.chunkSize === null) continue
    if (result.failures > 0 || (result.verified !== null && result.verified.mismatches > 0))
      continue
    const id = `${result.dataset}\0${result.engine}`
    const list = groups.get(id) ?? []
    list.push(result)
    groups.set(id, list)
  }
  const recommendations: Recommendation[] = []
  for (const list of groups.values()) {
    const best = Math.max(...list.map((r) => r.rowsPerSec))
    const good = list
      .filter((r) => r.rowsPerSec >= best * GOOD_ENOUGH)
      .sort((a, b) => a.concurrency - b.concurrency || (a.chunkSize ?? 0) - (b.chunkSize ?? 0))
    const pick = good[0] as RunResult
    recommendations.push({
      dataset: pick.dataset,
      engine: pick.engine as EngineName,
      chunkSize: pick.chunkSize as number,
      concurrency: pick.concurrency,
      rowsPerSec: pick.rowsPerSec,
      bestRowsPerSec: best,
    })
  }
  return recommendations.sort(
    (a, b) => a.dataset.localeCompare(b.dataset) || b.rowsPerSec - a.rowsPerSec,
  )
}

/** The recommendation to print first for a dataset: the fastest engine's. */
export function headline(
  recommendations: readonly Recommendation[],
  dataset: DatasetName,
): Recommendation | undefined {
  return recommendations
    .filter((r) => r.dataset === dataset)
    .sort((a, b) => b.rowsPerSec - a.rowsPerSec)[0]
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length
}

/** Results grouped by a key, in order of first appearance. */
function groupBy(
  results: readonly RunResult[],
  key: (r: RunResult) => string,
): Map<string, RunResult[]> {
  const groups = new Map<string, RunResult[]>()
  for (const r of results) {
    const k = key(r)
    const list = groups.get(k) ?? []
    list.push(r)
    groups.set(k, list)
  }
  return groups
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** Name of a read run's side in the ratios: contender, engine, mode. */
function readName(r: RunResult): string {
  return r.engine === null || r.contender.startsWith('official')
    ? r.contender
    : `${r.contender} (${r.engine}${r.mode === 'sync' ? '' : ', async'})`
}

/**
 * The read contenders against the official client's batchRead of objects and against asbench
 * batch reads; the blocking client's reads against async one call at a time; batchWriteNumpy
 * against asbench writes. Medians of the rounds.
 */
function readRatios(results: readonly RunResult[]): Ratio[] {
  const out: Ratio[] = []
  const native = (name: string) =>
    results.find((r) => r.group === 'native' && r.contender === name && r.rowsPerSec > 0)
  for (const group of ['read', 'read-sync'] as const) {
    const runs = groupBy(
      results.filter((r) => r.group === group),
      readName,
    )
    const side = (name: string) => {
      const list = runs.get(name)
      return list === undefined
        ? undefined
        : { list, rowsPerSec: median(list.map((r) => r.rowsPerSec)) }
    }
    const denominators =
      group === 'read'
        ? [side('official batchRead (objects)'), native('asbench batch read')].filter(
            (d) => d !== undefined,
          )
        : [side('batchRead (wire, async)')].filter((d) => d !== undefined)
    for (const [name, list] of runs) {
      const rowsPerSec = median(list.map((r) => r.rowsPerSec))
      for (const d of denominators) {
        const dName = 'list' in d ? readName(d.list[0]!) : d.contender
        if (dName === name) continue
        if (group === 'read-sync' && list[0]!.mode !== 'sync') continue
        const first = list[0]!
        out.push({
          dataset: first.dataset,
          runs: Math.min(list.length, 'list' in d ? d.list.length : 1),
          numerator: name,
          denominator: dName,
          chunkSize: first.chunkSize,
          concurrency: first.concurrency,
          ratio: rowsPerSec / d.rowsPerSec,
        })
      }
    }
  }
  const nativeWrite = native('asbench write')
  if (nativeWrite !== undefined) {
    const paired = groupBy(
      results.filter((r) => r.group === 'paired' && r.dataset === 'sensor'),
      (r) => r.engine ?? '',
    )
    for (const [engine, list] of paired) {
      out.push({
        dataset: 'sensor',
        runs: list.length,
        numerator: `batchWriteNumpy (${engine})`,
        denominator: 'asbench write',
        chunkSize: list[0]!.chunkSize,
        concurrency: list[0]!.concurrency,
        ratio: mean(list.map((r) => r.rowsPerSec)) / nativeWrite.rowsPerSec,
      })
    }
  }
  return out
}

/**
 * Each baseline against batchWriteNumpy of every engine, from the rounds run side by side at the
 * same chunk size and concurrency (mean rows/s of each side's rounds); the blocking client
 * against async calls one at a time; the worker pool against the plain bulk helper.
 */
export function ratios(results: readonly RunResult[]): Ratio[] {
  const out: Ratio[] = []
  for (const dataset of [...new Set(results.map((r) => r.dataset))]) {
    const baselines = groupBy(
      results.filter((r) => r.group === 'baseline' && r.dataset === dataset && r.rowsPerSec > 0),
      (r) => r.contender,
    )
    const ours = groupBy(
      results.filter((r) => r.group === 'paired' && r.dataset === dataset),
      (r) => r.engine ?? '',
    )
    for (const [contender, baseline] of baselines) {
      for (const [engine, paired] of ours) {
        const first = paired[0] as RunResult
        out.push({
          dataset,
          runs: Math.min(baseline.length, paired.length),
          numerator: `batchWriteNumpy (${engine})`,
          denominator: contender,
          chunkSize: first.chunkSize,
          concurrency: first.concurrency,
          ratio: mean(paired.map((r) => r.rowsPerSec)) / mean(baseline.map((r) => r.rowsPerSec)),
        })
      }
    }
  }
  for (const sync of results) {
    if (sync.group !== 'sync' || sync.mode !== 'sync') continue
    const async = results.find(
      (r) =>
        r.group === 'sync' &&
        r.mode === 'async' &&
        r.dataset === sync.dataset &&
        r.chunkSize === sync.chunkSize,
    )
    if (async === undefined || async.rowsPerSec <= 0) continue
    out.push({
      dataset: sync.dataset,
      runs: 1,
      numerator: sync.contender,
      denominator: `batchWriteNumpy (${async.engine}), async`,
      chunkSize: sync.chunkSize,
      concurrency: 1,
      ratio: sync.rowsPerSec / async.rowsPerSec,
    })
  }
  const plain = results.find((r) => r.group === 'workers' && r.workers === 0)
  for (const pooled of results) {
    if (pooled.group !== 'workers' || pooled.workers === 0) continue
    if (plain === undefined || plain.rowsPerSec <= 0) continue
    out.push({
      dataset: pooled.dataset,
      runs: 1,
      numerator: `${pooled.contender} workers=${pooled.workers}`,
      denominator: `${plain.contender} on the event loop`,
      chunkSize: pooled.chunkSize,
      concurrency: pooled.concurrency,
      ratio: pooled.rowsPerSec / plain.rowsPerSec,
    })
  }
  out.push(...readRatios(results))
  return out
}
