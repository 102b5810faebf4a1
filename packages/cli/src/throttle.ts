/**
 * Pacing of chunks: a token bucket at `--max-rps` rows/s, and on top of it AIMD — when the server
 * answers 8 (server memory), 14 (key busy) or 18 (device overload), or rows had to be re-sent,
 * the rate halves (at most once a second); each second without such an answer it grows back by a
 * twentieth of its ceiling, until it reaches `--max-rps` again (or, with no limit, the rate at
 * which it first backed off, after which it stops limiting).
 */

export const OVERLOAD_CODES: ReadonlySet<number> = new Set([8, 14, 18])

const MIN_RATE = 100
const DECREASE_EVERY_MS = 1000
const INCREASE_EVERY_MS = 1000

export interface Clock {
  now(): number
  sleep(ms: number): Promise<void>
}

const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
}

export class Throttle {
  /** Current limit in rows/s; null: none. */
  rate: number | null
  /** Times the rate was halved, and the lowest it went. */
  backoffs = 0
  lowestRate: number | null = null
  #ceiling: number | null
  #tokens = 0
  #last: number
  #lastDecrease = -Infinity
  #lastIncrease: number
  /** Rows sent recently, to start AIMD from the observed rate when there is no limit. */
  #window: Array<[number, number]> = []
  #queue: Promise<void> = Promise.resolve()

  constructor(
    readonly maxRps: number | null,
    readonly clock: Clock = systemClock,
  ) {
    this.rate = maxRps
    this.#ceiling = maxRps
    this.#last = clock.now()
    this.#lastIncrease = this.#last
  }

  /** Wait until `rows` may be sent. Calls are served in order. */
  acquire(rows: number): Promise<void> {
    const turn = this.#queue.then(() => this.#acquire(rows))
    this.#queue = turn.catch(() => {})
    return turn
  }

  async #acquire(rows: number): Promise<void> {
    this.#recover()
    if (this.rate !== null) {
      const now = this.clock.now()
      // a bucket of at most one second of rows
      this.#tokens = Math.min(this.rate, this.#tokens + ((now - this.#last) / 1000) * this.rate)
      this.#last = now
      this.#tokens -= rows
      if (this.#tokens < 0) await this.clock.sleep((-this.#tokens / this.rate) * 1000)
    }
    const now = this.clock.now()
    this.#window.push([now, rows])
    while (this.#window.length > 0 && now - this.#window[0]![0] > 2000) this.#window.shift()
  }

  #observedRate(): number {
    if (this.#window.length < 2) return MIN_RATE * 10
    const span = Math.max(1, this.clock.now() - this.#window[0]![0])
    return (this.#window.reduce((sum, [, r]) => sum + r, 0) / span) * 1000
  }

  /** The server pushed back: halve the rate (once per second at most). */
  overloaded(): void {
    const now = this.clock.now()
    if (now - this.#lastDecrease < DECREASE_EVERY_MS) return
    this.#lastDecrease = now
    this.#lastIncrease = now
    if (this.rate === null) {
      this.#ceiling = Math.max(MIN_RATE, this.#observedRate())
      this.rate = this.#ceiling
      this.#last = now
      this.#tokens = 0
    }
    this.rate = Math.max(MIN_RATE, this.rate / 2)
    this.backoffs++
    this.lowestRate = Math.min(this.lowestRate ?? Infinity, this.rate)
  }

  #recover(): void {
    if (this.rate === null || this.#ceiling === null) return
    const now = this.clock.now()
    const steps = Math.floor((now - this.#lastIncrease) / INCREASE_EVERY_MS)
    if (steps <= 0 || this.rate >= this.#ceiling) return
    this.#lastIncrease += steps * INCREASE_EVERY_MS
    this.rate = Math.min(this.#ceiling, this.rate + (steps * this.#ceiling) / 20)
    if (this.rate >= this.#ceiling && this.maxRps === null) {
      this.rate = null
      this.#ceiling = null
    }
  }
}
