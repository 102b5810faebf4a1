// Plain-text tables for the terminal (and for pasting into notes: they are valid Markdown too).

import { headline } from './recommend.js'
import type { Cell } from './cells.js'
import type { BenchReport, Ratio, Recommendation, RunResult } from './report.js'
import { round } from './stats.js'

export function formatNumber(value: number): string {
  const rounded = round(value)
  return Math.abs(rounded) >= 1000 ? rounded.toLocaleString('en-US') : String(rounded)
}

/** A Markdown table with columns padded to equal width; numbers right-aligned. */
export function renderTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)))
  const numeric = header.map(
    (_, c) => rows.length > 0 && rows.every((r) => /^[-\d.,]+[%×]?$|^—$/.test(r[c] ?? '')),
  )
  const line = (cells: readonly string[]): string =>
    '| ' +
    cells
      .map((cell, c) => (numeric[c] ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0)))
      .join(' | ') +
    ' |'
  const rule =
    '|' +
    widths.map((w, c) => (numeric[c] ? '-'.repeat(w + 1) + ':' : '-'.repeat(w + 2))).join('|') +
    '|'
  return [line(header), rule, ...rows.map(line)].join('\n')
}

export const RESULT_HEADER = [
  'what',
  'dtype',
  'engine',
  'mode',
  'chunk',
  'in flight',
  'rows',
  'rows/s',
  'MB/s',
  'p50 ms',
  'p99 ms',
  'loop p99 ms',
  'client µs/row',
  'failures',
  'verified',
] as const

export function resultRow(r: RunResult): string[] {
  const failures =
    r.failures === 0
      ? '0'
      : `${r.failures} (${Object.entries(r.failureCodes)
          .map(([code, n]) => `code ${code}: ${n}`)
          .join(', ')})`
  const verified =
    r.verified === null
      ? '—'
      : r.verified.mismatches === 0
        ? `${r.verified.rows} ok`
        : `${r.verified.mismatches}/${r.verified.rows} WRONG`
  return [
    r.workers > 0 ? `${r.contender} workers=${r.workers}` : r.contender,
    r.dataset,
    r.engine ?? '—',
    r.mode,
    chunkText(r),
    String(r.concurrency),
    formatNumber(r.rows),
    formatNumber(r.rowsPerSec),
    formatNumber(r.mbPerSec),
    // The bulk helper is one call for all rows: no latency per batch to show.
    r.latencyMs.count === 0 ? '—' : formatNumber(r.latencyMs.p50),
    r.latencyMs.count === 0 ? '—' : formatNumber(r.latencyMs.p99),
    formatNumber(r.eventLoopDelayMs.p99),
    r.clientCpuUsPerRow === null ? '—' : formatNumber(r.clientCpuUsPerRow),
    failures,
    verified,
  ]
}

/** A run's chunk: rows per call; a put is one; a scan reads the whole set in one call. */
function chunkText(r: Pick<RunResult, 'group' | 'chunkSize'>): string {
  if (r.chunkSize !== null) return String(r.chunkSize)
  return r.group === 'scan' ? 'whole set' : '1 (put)'
}

const WORK: Record<Cell['group'], string> = {
  matrix: 'write',
  paired: 'write',
  baseline: 'write',
  sync: 'write, 1 call at a time',
  workers: 'bulk write',
  read: 'batch read',
  'read-sync': 'batch read, 1 call at a time',
  scan: 'scan',
  native: 'native C client',
}

export const CELL_HEADER = [
  'work',
  'what',
  'dtype',
  'chunk',
  'in flight',
  'rounds',
  'rows/s (median)',
  'min–max',
  'client µs/row',
  '% of native',
  'failures',
] as const

export function cellRow(c: Cell): string[] {
  return [
    WORK[c.group],
    c.workers > 0 ? `${c.name} workers=${c.workers}` : c.name,
    c.dataset,
    chunkText(c),
    String(c.concurrency),
    String(c.runs),
    formatNumber(c.rowsPerSec),
    `${formatNumber(c.minRowsPerSec)}–${formatNumber(c.maxRowsPerSec)}`,
    c.clientCpuUsPerRow === null ? '—' : formatNumber(c.clientCpuUsPerRow),
    c.ofNative === null ? '—' : `${(c.ofNative * 100).toFixed(0)}%`,
    String(c.failures),
  ]
}

export function renderCells(list: readonly Cell[]): string {
  return renderTable(CELL_HEADER, list.map(cellRow))
}

export function renderResults(results: readonly RunResult[]): string {
  return renderTable(RESULT_HEADER, results.map(resultRow))
}

export function renderRecommendations(recommendations: readonly Recommendation[]): string {
  return renderTable(
    ['dtype', 'engine', 'chunk size', 'in flight', 'rows/s', 'fastest rows/s'],
    recommendations.map((r) => [
      r.dataset,
      r.engine,
      String(r.chunkSize),
      String(r.concurrency),
      formatNumber(r.rowsPerSec),
      formatNumber(r.bestRowsPerSec),
    ]),
  )
}

export function renderRatios(ratios: readonly Ratio[]): string {
  return renderTable(
    ['dtype', 'ours', 'against', 'chunk', 'in flight', 'runs each', 'ratio'],
    ratios.map((r) => [
      r.dataset,
      r.numerator,
      r.denominator,
      r.chunkSize === null ? '—' : String(r.chunkSize),
      String(r.concurrency),
      String(r.runs),
      `${r.ratio.toFixed(2)}×`,
    ]),
  )
}

/** Everything printed at the end of a run. */
export function renderReport(report: BenchReport): string {
  const parts: string[] = []
  parts.push(report.server.note)
  parts.push('')
  parts.push(renderResults(report.results))
  const errored = report.results.filter((r) => r.errors.length > 0)
  if (errored.length > 0) {
    parts.push('')
    for (const r of errored) {
      const what = resultRow(r).slice(0, 6).join(' ')
      for (const e of r.errors) parts.push(`error: ${what}: ${e}`)
    }
  }
  if (report.skipped.length > 0) {
    parts.push('')
    for (const s of report.skipped) parts.push(`skipped: ${s.what}: ${s.why}`)
  }
  const failures = report.results.reduce((sum, r) => sum + r.failures, 0)
  const mismatches = report.results.reduce((sum, r) => sum + (r.verified?.mismatches ?? 0), 0)
  const rows = report.results.reduce((sum, r) => sum + r.rows, 0)
  parts.push('')
  parts.push(
    `Checked: ${formatNumber(rows)} rows written, ${failures} failed` +
      (failures > 0 ? ' (shown per run above)' : '') +
      `, ${mismatches} read back different from what was written.`,
  )
  if (report.cells.length > 0) {
    parts.push('')
    parts.push(
      'Side by side: each contender over its alternated rounds (median rows/s, slowest–fastest ' +
        'round; % of native = of asbench on the same work, when it ran):',
    )
    parts.push(renderCells(report.cells))
  }
  if (report.ratios.length > 0) {
    parts.push('')
    parts.push(
      'Ratios of median rows/s (same run, measured side by side; "runs each": rounds of the fewer side):',
    )
    parts.push(renderRatios(report.ratios))
  }
  parts.push('')
  if (report.recommendations.length === 0) {
    parts.push('No recommendation: no setting of the matrix finished without failures.')
  } else {
    parts.push(
      'Recommended (fewest chunks in flight, then smallest chunk, within 5% of the fastest):',
    )
    parts.push(renderRecommendations(report.recommendations))
    for (const dataset of [...new Set(report.recommendations.map((r) => r.dataset))]) {
      const best = headline(report.recommendations, dataset)
      if (best === undefined) continue
      parts.push(
        `→ ${dataset}: writeNumpy(…, { chunkSize: ${best.chunkSize}, concurrency: ${best.concurrency} }) ` +
          `on the ${best.engine} engine (${formatNumber(best.rowsPerSec)} rows/s here)`,
      )
    }
  }
  return parts.join('\n')
}
