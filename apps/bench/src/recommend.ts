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

/**
 * Each baseline against batchWriteNumpy of every engine at the baseline's own chunk size and
 * concurrency (the matrix row measured in the same run with the same setting); the blocking
 * client against async calls one at a time; the worker pool against the plain bulk helper.
 */
export function ratios(results: readonly RunResult[]): Ratio[] {
  const out: Ratio[] = []
  for (const baseline of results) {
    if (baseline.group !== 'baseline' || baseline.rowsPerSec <= 0) continue
    for (const ours of results) {
      if (ours.group !== 'matrix' || ours.dataset !== baseline.dataset) continue
      if (ours.concurrency !== baseline.concurrency) continue
      // The put loop has no chunk size: compare it with our run at the chunk the batch baseline used.
      const chunk =
        baseline.chunkSize ??
        results.find(
          (r) =>
            r.group === 'baseline' &&
            r.dataset === baseline.dataset &&
            r.chunkSize !== null &&
            r.concurrency === baseline.concurrency,
        )?.chunkSize
      if (chunk === undefined || ours.chunkSize !== chunk) continue
      out.push({
        dataset: baseline.dataset,
        numerator: `batchWriteNumpy (${ours.engine})`,
        denominator: baseline.contender,
        chunkSize: chunk,
        concurrency: baseline.concurrency,
        ratio: ours.rowsPerSec / baseline.rowsPerSec,
      })
    }
  }
  for (const sync of results) {
    if (sync.group !== 'sync') continue
    const async = results.find(
      (r) =>
        r.group === 'matrix' &&
        r.dataset === sync.dataset &&
        r.engine === sync.engine &&
        r.chunkSize === sync.chunkSize &&
        r.concurrency === 1,
    )
    if (async === undefined || async.rowsPerSec <= 0) continue
    out.push({
      dataset: sync.dataset,
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
      numerator: `${pooled.contender} workers=${pooled.workers}`,
      denominator: `${plain.contender} on the event loop`,
      chunkSize: pooled.chunkSize,
      concurrency: pooled.concurrency,
      ratio: pooled.rowsPerSec / plain.rowsPerSec,
    })
  }
  return out
}
