// Timing of one run: calls kept `concurrency` in flight, a latency per call, every row's result
// code, and the calling thread's event-loop delay.

import type { LatencySummary } from './stats.js'
import { LatencyRecorder } from './stats.js'

/** The code given to rows of a call that threw without a numeric code of its own. */
export const UNKNOWN_FAILURE = -1

export interface Measurement {
  rows: number
  seconds: number
  calls: number
  latencyMs: LatencySummary
  /** Per row: the result code it ended with (0 = written). */
  resultCodes: Int32Array
  eventLoopDelayMs: { p50: number; p99: number; max: number }
  /** CPU time of this whole process (every thread: user + system) during the run, µs. */
  cpuMicros: number
  /** The first few distinct messages of calls that threw (their rows are counted as failed). */
  errors: string[]
}

const MAX_ERRORS = 3

function noteError(errors: string[], error: unknown): void {
  const text =
    error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]}` : String(error)
  if (errors.length < MAX_ERRORS && !errors.includes(text)) errors.push(text)
}

function cpuMicrosSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start)
  return used.user + used.system
}

const LOOP_TICK_MS = 10

/**
 * Watches the event loop of the calling thread: a 10 ms interval timer records how late each tick
 * fires. Unlike perf_hooks' histogram it also counts the tick still pending when the run ends, so
 * a run that never yields to the loop (the blocking client) shows its whole length as delay.
 */
export class LoopDelayMonitor {
  private timer: NodeJS.Timeout | null = null
  private last = 0
  private delays = new LatencyRecorder()

  constructor(private readonly now: () => number = () => performance.now()) {}

  start(): void {
    this.delays = new LatencyRecorder()
    this.last = this.now()
    this.timer = setInterval(() => {
      const t = this.now()
      this.delays.add(Math.max(0, t - this.last - LOOP_TICK_MS))
      this.last = t
    }, LOOP_TICK_MS)
  }

  stop(): { p50: number; p99: number; max: number } {
    if (this.timer !== null) clearInterval(this.timer)
    this.timer = null
    const pending = this.now() - this.last - LOOP_TICK_MS
    if (pending > 0 || this.delays.count === 0) this.delays.add(Math.max(0, pending))
    const { p50, p99, max } = this.delays.summary()
    return { p50, p99, max }
  }
}

/** The numeric code of a thrown error (our AerospikeError, the official client's), if any. */
export function errorCode(error: unknown): number {
  if (typeof error === 'object' && error !== null) {
    const candidate = error as { code?: unknown; result?: unknown }
    if (typeof candidate.code === 'number' && Number.isInteger(candidate.code))
      return candidate.code
    if (typeof candidate.result === 'number' && Number.isInteger(candidate.result))
      return candidate.result
  }
  return UNKNOWN_FAILURE
}

/**
 * Writes rows [start, end) in one call and puts each row's code into `codes` (indexed by row).
 * Throwing marks every row of the call with the error's code.
 */
export type ChunkCall = (start: number, end: number, codes: Int32Array) => Promise<void>

export interface ChunkedOptions {
  /** Start no new call after this many seconds (0: none); rows never started are not counted. */
  maxSeconds?: number | undefined
  /** Told how many rows finished, for the progress bar. */
  onRows?: ((rows: number) => void) | undefined
}

/**
 * Sends up to `rows` rows in calls of `chunkSize`, `concurrency` calls in flight (as `writeNumpy`
 * does), timing each call. With `maxSeconds`, stops starting calls at the deadline: the
 * measurement then covers the rows of the calls that were made, all of them finished.
 */
export async function runChunked(
  rows: number,
  chunkSize: number,
  concurrency: number,
  call: ChunkCall,
  options: ChunkedOptions = {},
): Promise<Measurement> {
  const codes = new Int32Array(rows).fill(UNKNOWN_FAILURE)
  const latencies = new LatencyRecorder()
  const loop = new LoopDelayMonitor()
  const onRows = options.onRows ?? (() => {})
  const errors: string[] = []
  let next = 0
  let calls = 0
  loop.start()
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const deadline =
    options.maxSeconds !== undefined && options.maxSeconds > 0
      ? t0 + options.maxSeconds * 1000
      : Infinity
  const lane = async (): Promise<void> => {
    while (next < rows && performance.now() < deadline) {
      const start = next
      const end = Math.min(rows, start + chunkSize)
      next = end
      const callStart = performance.now()
      try {
        await call(start, end, codes)
      } catch (error) {
        codes.fill(errorCode(error), start, end)
        noteError(errors, error)
      }
      latencies.add(performance.now() - callStart)
      calls++
      onRows(end - start)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, lane))
  const seconds = (performance.now() - t0) / 1000
  const cpuMicros = cpuMicrosSince(cpu0)
  return {
    rows: next,
    seconds,
    calls,
    latencyMs: latencies.summary(),
    resultCodes: codes.subarray(0, next),
    eventLoopDelayMs: loop.stop(),
    cpuMicros,
    errors,
  }
}

/** Sends all rows in one call whose latency is not split per batch (the bulk helper's runs). */
export async function runWhole(
  rows: number,
  call: (codes: Int32Array) => Promise<void>,
): Promise<Measurement> {
  const codes = new Int32Array(rows).fill(UNKNOWN_FAILURE)
  const errors: string[] = []
  const loop = new LoopDelayMonitor()
  loop.start()
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  try {
    await call(codes)
  } catch (error) {
    codes.fill(errorCode(error))
    noteError(errors, error)
  }
  const seconds = (performance.now() - t0) / 1000
  const cpuMicros = cpuMicrosSince(cpu0)
  return {
    rows,
    seconds,
    calls: 1,
    latencyMs: { p50: 0, p99: 0, max: 0, count: 0 },
    resultCodes: codes,
    eventLoopDelayMs: loop.stop(),
    cpuMicros,
    errors,
  }
}

/** Failed rows and their codes, counted row by row. */
export function countFailures(codes: Int32Array): {
  failures: number
  failureCodes: Record<string, number>
} {
  let failures = 0
  const failureCodes: Record<string, number> = {}
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i] as number
    if (code === 0) continue
    failures++
    failureCodes[code] = (failureCodes[code] ?? 0) + 1
  }
  return { failures, failureCodes }
}
