// Picks the settings to recommend from the matrix, and the ratios against the baselines.

import type { DatasetName, EngineName } from './args.js'
import type { Cell } from './cells.js'
import { cells } from './cells.js'
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

/** A ratio of two cells' medians, fewer rounds counted on either side. */
function ratioOf(numerator: Cell, denominator: Cell, against = denominator.name): Ratio {
  return {
    dataset: numerator.dataset,
    runs: Math.min(numerator.runs, denominator.runs),
    numerator: numerator.name,
    denominator: against,
    chunkSize: numerator.chunkSize,
    concurrency: numerator.concurrency,
    ratio: numerator.rowsPerSec / denominator.rowsPerSec,
  }
}

/** The async cell a blocking client's cell ran beside: same call, engine, setting and group. */
function asyncTwin(all: readonly Cell[], sync: Cell): Cell | undefined {
  return all.find(
    (c) =>
      c.group === sync.group &&
      c.mode === 'async' &&
      c.contender === sync.contender.replace(/^sync /, '') &&
      c.engine === sync.engine &&
      c.dataset === sync.dataset &&
      c.chunkSize === sync.chunkSize &&
      c.rowsPerSec > 0,
  )
}

/**
 * The ratios of a run, from the medians of its cells (the rounds run side by side):
 * - batchWriteNumpy of each engine against each baseline of the official client, at one setting;
 * - the blocking client against async one call at a time (writes, batch reads) or beside it (scans);
 * - the worker pool against the plain bulk helper;
 * - the read contenders against the official client's batchRead of objects and asbench batch
 *   reads, the scans against the official client's query.foreach, writes against asbench writes.
 */
export function ratios(results: readonly RunResult[]): Ratio[] {
  const all = cells(results)
  const of = (group: Cell['group']) => all.filter((c) => c.group === group && c.rowsPerSec > 0)
  const out: Ratio[] = []
  for (const dataset of [...new Set(all.map((c) => c.dataset))]) {
    const paired = of('paired').filter((c) => c.dataset === dataset)
    for (const baseline of of('baseline').filter((c) => c.dataset === dataset)) {
      for (const ours of paired) out.push(ratioOf(ours, baseline))
    }
  }
  for (const sync of of('sync').filter((c) => c.mode === 'sync')) {
    const twin = asyncTwin(all, sync)
    if (twin !== undefined) out.push(ratioOf(sync, twin))
  }
  const plain = of('workers').find((c) => c.workers === 0)
  for (const pooled of of('workers').filter((c) => c.workers > 0)) {
    if (plain === undefined) continue
    out.push({
      ...ratioOf(pooled, plain, `${plain.contender} on the event loop`),
      numerator: `${pooled.contender} workers=${pooled.workers}`,
    })
  }
  const native = (name: string) => of('native').find((c) => c.contender === name)
  const versus = (group: Cell['group'], against: (Cell | undefined)[]) => {
    for (const cell of of(group)) {
      for (const d of against) {
        if (d !== undefined && d !== cell) out.push(ratioOf(cell, d))
      }
    }
  }
  const named = (group: Cell['group'], name: string) => of(group).find((c) => c.name === name)
  versus('read', [named('read', 'official batchRead (objects)'), native('asbench batch read')])
  for (const group of ['read-sync', 'scan'] as const) {
    for (const sync of of(group).filter((c) => c.mode === 'sync')) {
      const twin = asyncTwin(all, sync)
      if (twin !== undefined) out.push(ratioOf(sync, twin))
    }
  }
  versus('scan', [named('scan', 'official query.foreach (objects)')])
  const nativeWrite = native('asbench write')
  if (nativeWrite !== undefined) {
    for (const ours of of('paired').filter((c) => c.dataset === nativeWrite.dataset)) {
      out.push(ratioOf(ours, nativeWrite))
    }
  }
  return out
}
