/**
 * Progress on stderr: a bar redrawn in place on a terminal, a plain line every few seconds
 * otherwise (logs, CI). Rows, rows/s, ETA when the total is known, failures.
 */

export interface ProgressState {
  rowsDone: number
  failed: number
  total: number | null
  /** Rows settled in an earlier run (resume). */
  skipped: number
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US')
}

function duration(s: number): string {
  if (!Number.isFinite(s)) return '?'
  const m = Math.floor(s / 60)
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`
}

export class Progress {
  readonly #stream: NodeJS.WriteStream
  readonly #tty: boolean
  readonly #intervalMs: number
  readonly #started = performance.now()
  #lastDraw = 0
  #drawn = false

  constructor(stream: NodeJS.WriteStream, options: { quiet?: boolean; intervalMs?: number } = {}) {
    this.#stream = stream
    this.#tty = stream.isTTY === true && options.quiet !== true
    this.#intervalMs =
      options.quiet === true ? Infinity : (options.intervalMs ?? (this.#tty ? 200 : 5000))
  }

  line(state: ProgressState): string {
    const seconds = (performance.now() - this.#started) / 1000
    const rate = state.rowsDone / Math.max(seconds, 1e-3)
    const parts = [
      `${fmt(state.rowsDone + state.skipped)}${state.total === null ? '' : ` / ${fmt(state.total)}`} rows`,
    ]
    if (state.total !== null && state.total > 0) {
      parts[0] += ` (${(((state.rowsDone + state.skipped) / state.total) * 100).toFixed(1)}%)`
    }
    parts.push(`${fmt(rate)} rows/s`)
    if (state.total !== null) {
      parts.push(
        `ETA ${duration((state.total - state.rowsDone - state.skipped) / Math.max(rate, 1e-9))}`,
      )
    }
    parts.push(`${fmt(state.failed)} failed`)
    return parts.join(', ')
  }

  update(state: ProgressState, force = false): void {
    const now = performance.now()
    if (!force && now - this.#lastDraw < this.#intervalMs) return
    if (this.#intervalMs === Infinity) return
    this.#lastDraw = now
    if (this.#tty) {
      const width = 30
      const share = state.total ? Math.min(1, (state.rowsDone + state.skipped) / state.total) : 0
      const bar = state.total
        ? `[${'#'.repeat(Math.round(share * width)).padEnd(width, '.')}] `
        : ''
      this.#stream.write(`\r\x1b[2K${bar}${this.line(state)}`)
      this.#drawn = true
    } else {
      this.#stream.write(`progress: ${this.line(state)}\n`)
    }
  }

  done(): void {
    if (this.#drawn) this.#stream.write('\n')
    this.#drawn = false
  }
}
