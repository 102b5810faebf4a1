// Hand-written SVG: rows/s against chunk size, one line per concurrency, one panel per
// (dtype, engine); the official client's baselines as dashed horizontal lines. Then the read and
// scan panels: one bar per contender (median of its rounds, whisker from slowest to fastest),
// the native client's batch reads as a dashed line.

import type { Cell } from './cells.js'
import type { BenchReport } from './report.js'
import { formatNumber } from './table.js'

const WIDTH = 860
const PANEL_HEIGHT = 320
const MARGIN = { left: 78, right: 290, top: 44, bottom: 46 }
const LINE_COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2']
const BASELINE_COLORS = ['#555555', '#999999', '#b8860b', '#17becf']

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
}

/** A round upper bound for the y axis (1, 2 or 5 × 10^n) and its tick step. */
export function niceScale(max: number): { top: number; step: number } {
  if (!(max > 0)) return { top: 1, step: 0.2 }
  const magnitude = 10 ** Math.floor(Math.log10(max))
  for (const m of [1, 2, 5, 10]) {
    const top = m * magnitude
    if (top >= max) return { top, step: m === 2 ? magnitude / 2 : top / 5 }
  }
  return { top: 10 * magnitude, step: 2 * magnitude }
}

interface Panel {
  title: string
  dataset: string
  lines: { label: string; points: { chunk: number; rowsPerSec: number }[] }[]
  /** Legend text in two lines: what, and at which setting. */
  baselines: { label: string; detail: string; rowsPerSec: number }[]
}

function panels(report: BenchReport): Panel[] {
  const out: Panel[] = []
  const matrix = report.results.filter((r) => r.group === 'matrix' && r.chunkSize !== null)
  const keys = [...new Set(matrix.map((r) => `${r.dataset}\0${r.engine ?? ''}`))]
  for (const key of keys) {
    const [dataset, engine] = key.split('\0') as [string, string]
    const rows = matrix.filter((r) => r.dataset === dataset && (r.engine ?? '') === engine)
    const concurrencies = [...new Set(rows.map((r) => r.concurrency))].sort((a, b) => a - b)
    // One line per baseline: the mean of its rounds.
    const baselines: Panel['baselines'] = []
    for (const r of report.results) {
      if (r.group !== 'baseline' || r.dataset !== dataset) continue
      if (baselines.some((b) => b.label === r.contender)) continue
      const rounds = report.results.filter(
        (x) => x.group === 'baseline' && x.dataset === dataset && x.contender === r.contender,
      )
      baselines.push({
        label: r.contender,
        detail:
          (r.chunkSize === null
            ? `${r.concurrency} in flight`
            : `chunk ${r.chunkSize}, ${r.concurrency} in flight`) +
          (rounds.length > 1 ? `, mean of ${rounds.length}` : ''),
        rowsPerSec: rounds.reduce((sum, x) => sum + x.rowsPerSec, 0) / rounds.length,
      })
    }
    out.push({
      title: `${dataset} dtype, batchWriteNumpy on the ${engine} engine`,
      dataset,
      lines: concurrencies.map((c) => ({
        label: `${c} in flight`,
        points: rows
          .filter((r) => r.concurrency === c)
          .map((r) => ({ chunk: r.chunkSize as number, rowsPerSec: r.rowsPerSec }))
          .sort((a, b) => a.chunk - b.chunk),
      })),
      baselines,
    })
  }
  return out
}

/** The largest value a panel draws (panels of one dataset share their y axis). */
function panelMax(panel: Panel): number {
  return Math.max(
    0,
    ...panel.lines.flatMap((l) => l.points.map((p) => p.rowsPerSec)),
    ...panel.baselines.map((b) => b.rowsPerSec),
  )
}

function renderPanel(
  panel: Panel,
  top: number,
  chunkSizes: readonly number[],
  maxValue: number,
): string {
  const plotW = WIDTH - MARGIN.left - MARGIN.right
  const plotH = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom
  const x0 = MARGIN.left
  const y0 = top + MARGIN.top
  const { top: yTop, step } = niceScale(maxValue)
  const minChunk = Math.min(...chunkSizes)
  const maxChunk = Math.max(...chunkSizes)
  const logSpan = Math.log(maxChunk) - Math.log(minChunk)
  const xOf = (chunk: number): number =>
    logSpan === 0 ? x0 + plotW / 2 : x0 + ((Math.log(chunk) - Math.log(minChunk)) / logSpan) * plotW
  const yOf = (value: number): number => y0 + plotH - (value / yTop) * plotH
  const f = (n: number): string => n.toFixed(1)

  const parts: string[] = []
  parts.push(
    `<text x="${x0}" y="${top + 24}" font-size="15" font-weight="bold">${escapeXml(panel.title)}</text>`,
  )
  parts.push(
    `<rect x="${x0}" y="${y0}" width="${plotW}" height="${plotH}" fill="none" stroke="#ccc"/>`,
  )
  const ticks = Math.round(yTop / step)
  for (let t = 0; t <= ticks; t++) {
    const v = t * step
    const y = yOf(v)
    parts.push(`<line x1="${x0}" y1="${f(y)}" x2="${x0 + plotW}" y2="${f(y)}" stroke="#eee"/>`)
    parts.push(
      `<text x="${x0 - 6}" y="${f(y + 4)}" font-size="11" text-anchor="end">${formatNumber(v)}</text>`,
    )
  }
  for (const chunk of chunkSizes) {
    const x = xOf(chunk)
    parts.push(`<line x1="${f(x)}" y1="${y0}" x2="${f(x)}" y2="${y0 + plotH}" stroke="#eee"/>`)
    parts.push(
      `<text x="${f(x)}" y="${y0 + plotH + 16}" font-size="11" text-anchor="middle">${chunk}</text>`,
    )
  }
  parts.push(
    `<text x="${x0 + plotW / 2}" y="${y0 + plotH + 36}" font-size="12" text-anchor="middle">chunk size (rows per batch call, log scale)</text>`,
  )
  parts.push(
    `<text x="${x0 - 60}" y="${y0 + plotH / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 ${x0 - 60} ${y0 + plotH / 2})">rows/s</text>`,
  )

  let legendY = y0 + 6
  const legendX = x0 + plotW + 16
  panel.baselines.forEach((b, i) => {
    const color = BASELINE_COLORS[i % BASELINE_COLORS.length] as string
    const y = yOf(b.rowsPerSec)
    parts.push(
      `<line x1="${x0}" y1="${f(y)}" x2="${x0 + plotW}" y2="${f(y)}" stroke="${color}" stroke-width="1.5" stroke-dasharray="6 4"/>`,
    )
    parts.push(
      `<line x1="${legendX}" y1="${legendY}" x2="${legendX + 22}" y2="${legendY}" stroke="${color}" stroke-width="1.5" stroke-dasharray="6 4"/>`,
    )
    parts.push(
      `<text x="${legendX + 28}" y="${legendY + 4}" font-size="11">${escapeXml(b.label)}</text>`,
    )
    parts.push(
      `<text x="${legendX + 28}" y="${legendY + 17}" font-size="11" fill="#555">${escapeXml(b.detail)}</text>`,
    )
    legendY += 32
  })
  panel.lines.forEach((line, i) => {
    const color = LINE_COLORS[i % LINE_COLORS.length] as string
    const points = line.points.map((p) => `${f(xOf(p.chunk))},${f(yOf(p.rowsPerSec))}`).join(' ')
    parts.push(
      `<polyline points="${points}" fill="none" stroke="${color}" stroke-width="2"><title>${escapeXml(line.label)}</title></polyline>`,
    )
    for (const p of line.points) {
      parts.push(
        `<circle cx="${f(xOf(p.chunk))}" cy="${f(yOf(p.rowsPerSec))}" r="3" fill="${color}"><title>${escapeXml(`${line.label}, chunk ${p.chunk}: ${formatNumber(p.rowsPerSec)} rows/s`)}</title></circle>`,
      )
    }
    parts.push(
      `<line x1="${legendX}" y1="${legendY}" x2="${legendX + 22}" y2="${legendY}" stroke="${color}" stroke-width="2"/>`,
    )
    parts.push(
      `<text x="${legendX + 28}" y="${legendY + 4}" font-size="11">${escapeXml(line.label)}</text>`,
    )
    legendY += 18
  })
  return parts.join('\n')
}

const BAR = { label: 330, plotRight: 740, row: 24, height: 14, top: 52, bottom: 40 }

interface BarPanel {
  title: string
  bars: { label: string; cell: Cell }[]
  ceiling: Cell | null
}

/** The read panel (batch reads, with asbench's) and the scan panel, where they ran. */
function barPanels(report: BenchReport): BarPanel[] {
  const out: BarPanel[] = []
  const reads = report.cells.filter((c) => c.group === 'read' || c.group === 'read-sync')
  const first = reads[0]
  if (first !== undefined) {
    out.push({
      title: `Batch reads, ${first.dataset} dtype, chunk ${first.chunkSize ?? '?'} (median of the rounds)`,
      bars: reads.map((cell) => ({
        label:
          cell.group === 'read-sync'
            ? `${cell.name}, 1 call at a time`
            : `${cell.name}, ${cell.concurrency} in flight`,
        cell,
      })),
      ceiling:
        report.cells.find((c) => c.group === 'native' && c.contender === 'asbench batch read') ??
        null,
    })
  }
  const scans = report.cells.filter((c) => c.group === 'scan')
  if (scans.length > 0) {
    const rows = report.results.find((r) => r.group === 'scan')?.rows ?? 0
    out.push({
      title: `Scans of a set of ${formatNumber(rows)} ${scans[0]!.dataset} rows (median of the rounds)`,
      bars: scans.map((cell) => ({ label: cell.name, cell })),
      ceiling: null,
    })
  }
  return out
}

function barPanelHeight(panel: BarPanel): number {
  return BAR.top + panel.bars.length * BAR.row + BAR.bottom
}

function renderBarPanel(panel: BarPanel, top: number): string {
  const x0 = BAR.label
  const plotW = BAR.plotRight - x0
  const { top: xTop, step } = niceScale(
    Math.max(0, ...panel.bars.map((b) => b.cell.maxRowsPerSec), panel.ceiling?.rowsPerSec ?? 0),
  )
  const xOf = (value: number): number => x0 + (value / xTop) * plotW
  const y0 = top + BAR.top
  const plotH = panel.bars.length * BAR.row
  const f = (n: number): string => n.toFixed(1)
  const parts: string[] = []
  parts.push(
    `<text x="10" y="${top + 24}" font-size="15" font-weight="bold">${escapeXml(panel.title)}</text>`,
  )
  const ticks = Math.round(xTop / step)
  for (let t = 0; t <= ticks; t++) {
    const x = xOf(t * step)
    parts.push(`<line x1="${f(x)}" y1="${y0}" x2="${f(x)}" y2="${y0 + plotH}" stroke="#eee"/>`)
    parts.push(
      `<text x="${f(x)}" y="${y0 + plotH + 16}" font-size="11" text-anchor="middle">${formatNumber(t * step)}</text>`,
    )
  }
  parts.push(
    `<text x="${x0 + plotW / 2}" y="${y0 + plotH + 34}" font-size="12" text-anchor="middle">rows/s (bar: median; whisker: slowest to fastest round)</text>`,
  )
  panel.bars.forEach((bar, i) => {
    const c = bar.cell
    const y = y0 + i * BAR.row + (BAR.row - BAR.height) / 2
    const mid = y + BAR.height / 2
    const color =
      c.engine === 'official' ? BASELINE_COLORS[0] : LINE_COLORS[c.mode === 'sync' ? 1 : 0]
    const detail = `${bar.label}: ${formatNumber(c.rowsPerSec)} rows/s (${formatNumber(c.minRowsPerSec)}–${formatNumber(c.maxRowsPerSec)}, ${c.runs} rounds)`
    parts.push(
      `<text x="${x0 - 6}" y="${f(mid + 4)}" font-size="11" text-anchor="end">${escapeXml(bar.label)}</text>`,
    )
    parts.push(
      `<rect x="${x0}" y="${f(y)}" width="${f(xOf(c.rowsPerSec) - x0)}" height="${BAR.height}" fill="${color}"><title>${escapeXml(detail)}</title></rect>`,
    )
    parts.push(
      `<line x1="${f(xOf(c.minRowsPerSec))}" y1="${f(mid)}" x2="${f(xOf(c.maxRowsPerSec))}" y2="${f(mid)}" stroke="#000"/>`,
    )
    for (const v of [c.minRowsPerSec, c.maxRowsPerSec]) {
      parts.push(
        `<line x1="${f(xOf(v))}" y1="${f(y + 2)}" x2="${f(xOf(v))}" y2="${f(y + BAR.height - 2)}" stroke="#000"/>`,
      )
    }
    parts.push(
      `<text x="${f(Math.max(xOf(c.maxRowsPerSec), xOf(c.rowsPerSec)) + 6)}" y="${f(mid + 4)}" font-size="11">${formatNumber(c.rowsPerSec)}</text>`,
    )
  })
  if (panel.ceiling !== null) {
    const x = xOf(panel.ceiling.rowsPerSec)
    parts.push(
      `<line x1="${f(x)}" y1="${y0 - 6}" x2="${f(x)}" y2="${y0 + plotH}" stroke="#d62728" stroke-width="1.5" stroke-dasharray="6 4"/>`,
    )
    parts.push(
      `<text x="${f(x)}" y="${y0 - 10}" font-size="11" text-anchor="middle" fill="#d62728">${escapeXml(`${panel.ceiling.contender}: ${formatNumber(panel.ceiling.rowsPerSec)}`)}</text>`,
    )
  }
  return parts.join('\n')
}

export function renderChart(report: BenchReport): string {
  const list = panels(report)
  const bars = barPanels(report)
  const chunkSizes = [
    ...new Set(
      report.results
        .filter((r) => r.group === 'matrix' && r.chunkSize !== null)
        .map((r) => r.chunkSize as number),
    ),
  ].sort((a, b) => a - b)
  const footer = 40
  const matrixHeight = Math.max(1, list.length) * PANEL_HEIGHT
  let height = matrixHeight + footer
  const body =
    list.length === 0 || chunkSizes.length === 0
      ? `<text x="20" y="40" font-size="14">No matrix results to draw.</text>`
      : list
          .map((panel, i) => {
            const shared = Math.max(
              ...list.filter((p) => p.dataset === panel.dataset).map(panelMax),
            )
            return renderPanel(panel, i * PANEL_HEIGHT, chunkSizes, shared)
          })
          .join('\n')
  const barBodies: string[] = []
  for (const panel of bars) {
    barBodies.push(renderBarPanel(panel, height - footer))
    height += barPanelHeight(panel)
  }
  const note = `${report.server.kind === 'devserver' ? 'devserver (measures the devserver too; a real cluster gives the numbers that count)' : `cluster ${report.server.hosts}`} · ${report.machine.cpus} × ${report.machine.cpuModel} · load ${report.machine.loadAverage[0] ?? '?'} · Node ${report.machine.node} · ${report.startedAt}`
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif">`,
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    body,
    ...barBodies,
    `<text x="10" y="${height - 14}" font-size="10" fill="#555">${escapeXml(note)}</text>`,
    '</svg>',
    '',
  ].join('\n')
}
