// A one-line progress bar, drawn only on a TTY; elsewhere (CI logs, pipes) only plain lines.

export interface ProgressStream {
  isTTY?: boolean
  columns?: number
  write(text: string): boolean
}

const REDRAW_MS = 100

export class Progress {
  private done = 0
  private label = ''
  private lastDraw = 0
  private drawn = false
  readonly enabled: boolean

  constructor(
    private readonly stream: ProgressStream,
    private total: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.enabled = stream.isTTY === true
  }

  /** Adds to the planned amount of work (runs are planned as engines turn out available). */
  grow(units: number): void {
    this.total += units
  }

  setLabel(label: string): void {
    this.label = label
    this.draw(true)
  }

  advance(units: number): void {
    this.done += units
    this.draw(false)
  }

  /** Prints a line above the bar (or just the line when there is no bar). */
  log(line: string): void {
    if (this.enabled && this.drawn) this.stream.write('\r\x1b[2K')
    this.stream.write(line + '\n')
    this.drawn = false
    this.draw(true)
  }

  finish(): void {
    if (this.enabled && this.drawn) this.stream.write('\r\x1b[2K')
    this.drawn = false
  }

  /** The bar's text for a terminal of `columns` columns. */
  render(columns: number): string {
    const fraction = this.total > 0 ? Math.min(1, this.done / this.total) : 0
    const percent = `${Math.floor(fraction * 100)}`.padStart(3) + '%'
    const barWidth = Math.max(10, Math.min(30, columns - 40))
    const filled = Math.round(fraction * barWidth)
    const bar = '[' + '#'.repeat(filled) + '.'.repeat(barWidth - filled) + ']'
    const text = `${bar} ${percent} ${this.label}`
    return text.length > columns - 1 ? text.slice(0, Math.max(0, columns - 1)) : text
  }

  private draw(force: boolean): void {
    if (!this.enabled) return
    const t = this.now()
    if (!force && t - this.lastDraw < REDRAW_MS) return
    this.lastDraw = t
    // A pseudo-terminal may report 0 columns: treat that as unknown.
    this.stream.write('\r\x1b[2K' + this.render(this.stream.columns || 80))
    this.drawn = true
  }
}
