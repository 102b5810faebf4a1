// Latency percentiles and rates. Nearest-rank percentiles over every sample: a run has at most
// a few hundred thousand calls, so keeping them all is cheaper than being approximately right.

export interface LatencySummary {
  p50: number
  p99: number
  max: number
  count: number
}

/** Collects durations in milliseconds into a growable Float64Array (no object per sample). */
export class LatencyRecorder {
  private samples = new Float64Array(1024)
  private size = 0

  add(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0)
      throw new RangeError(`latency must be a finite ms >= 0, got ${ms}`)
    if (this.size === this.samples.length) {
      const grown = new Float64Array(this.samples.length * 2)
      grown.set(this.samples)
      this.samples = grown
    }
    this.samples[this.size++] = ms
  }

  get count(): number {
    return this.size
  }

  summary(): LatencySummary {
    return summarize(this.samples.subarray(0, this.size))
  }
}

/** Nearest-rank percentile (p in 0..100) of values sorted ascending. */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be in 0..100, got ${p}`)
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
  return sorted[rank - 1] as number
}

export function summarize(values: Float64Array): LatencySummary {
  const sorted = Float64Array.from(values).sort()
  return {
    p50: percentileSorted(sorted, 50),
    p99: percentileSorted(sorted, 99),
    max: sorted.length === 0 ? 0 : (sorted[sorted.length - 1] as number),
    count: sorted.length,
  }
}

export function perSecond(count: number, seconds: number): number {
  return seconds > 0 ? count / seconds : 0
}

/** Rounds for display and JSON: 3 significant digits below 1000, whole numbers above. */
export function round(value: number): number {
  if (!Number.isFinite(value)) return value
  if (Math.abs(value) >= 1000) return Math.round(value)
  return Number(value.toPrecision(3))
}
