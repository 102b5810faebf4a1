/**
 * Retry as a value. `retry: n` re-sends only rows that failed with a transient code or were left
 * unanswered by a lost connection or node, after 10 ms, 20 ms, 40 ms … capped at 500 ms, and
 * stops early rather than overrun the policy's `totalTimeout`. A row that may have been applied
 * (in doubt) is re-sent only when the write is idempotent and `policy.resendInDoubt` allows it.
 * Time comes from an injectable `Clock` so the schedule is testable without waiting.
 */
import { isNodeLossResultCode, isTransientResultCode } from './codes.js'
import type { Engine, WriteJob } from './engine.js'
import { AerospikeError, ParamError } from './errors.js'
import { describe, integerIn, readOptions } from './input.js'
import { isIdempotentWrite, type ResolvedWritePolicy } from './policy.js'

export const DEFAULT_RETRY_BASE_DELAY_MS = 10
export const DEFAULT_RETRY_MAX_DELAY_MS = 500

export interface RetryOptions {
  /** How many times failed rows may be re-sent (0: never). */
  attempts: number
  /** First delay; each following delay doubles. Default 10 ms. */
  baseDelayMs?: number
  /** Cap on a single delay. Default 500 ms. */
  maxDelayMs?: number
}

export interface RetryPolicy {
  readonly attempts: number
  readonly baseDelayMs: number
  readonly maxDelayMs: number
}

export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number
  sleep(ms: number): Promise<void>
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}

export const NO_RETRY: RetryPolicy = Object.freeze({
  attempts: 0,
  baseDelayMs: DEFAULT_RETRY_BASE_DELAY_MS,
  maxDelayMs: DEFAULT_RETRY_MAX_DELAY_MS,
})

const MAX_ATTEMPTS = 1000

/** `retry` as users give it (`3`, or `{ attempts, baseDelayMs, maxDelayMs }`) → a policy. */
export function resolveRetry(retry: number | RetryOptions | undefined): RetryPolicy {
  if (retry === undefined) return NO_RETRY
  if (typeof retry !== 'number' && (typeof retry !== 'object' || retry === null)) {
    throw new ParamError(
      `retry must be a number of attempts or { attempts, baseDelayMs?, maxDelayMs? }, got ${describe(retry)}`,
    )
  }
  const opts =
    typeof retry === 'number'
      ? { attempts: retry }
      : readOptions(retry, ['attempts', 'baseDelayMs', 'maxDelayMs'], 'retry')
  const {
    attempts,
    baseDelayMs = DEFAULT_RETRY_BASE_DELAY_MS,
    maxDelayMs = DEFAULT_RETRY_MAX_DELAY_MS,
  } = opts
  const checked = integerIn(attempts, 0, MAX_ATTEMPTS, 'retry')
  for (const [name, v] of [
    ['baseDelayMs', baseDelayMs],
    ['maxDelayMs', maxDelayMs],
  ] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new ParamError(
        `retry.${name} must be a non-negative number of milliseconds, got ${describe(v)}`,
      )
    }
  }
  return { attempts: checked, baseDelayMs: baseDelayMs as number, maxDelayMs: maxDelayMs as number }
}

/** Delay before re-send number `attempt` (1-based): base · 2^(attempt-1), capped. */
export function retryDelayMs(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1))
}

export interface RetryEvent {
  /** 1 for the first re-send. */
  attempt: number
  /** Rows about to be re-sent. */
  rows: number
  delayMs: number
}

export interface WriteWithRetryOptions {
  retry: RetryPolicy
  clock?: Clock
  /** Called before each re-send, after the delay was chosen. */
  onRetry?: (event: RetryEvent) => void
  /** Stop sending when this returns true (an AbortSignal); rows not sent keep their code. */
  isAborted?: () => boolean
}

export interface WriteWithRetryReport {
  /** Calls made to the engine (1 + re-sends). */
  calls: number
  /** Rows re-sent, summed over re-sends. */
  rowsResent: number
  /** Why re-sending stopped while transient failures remained, if it did. */
  stoppedBy: 'attempts' | 'deadline' | 'abort' | null
}

/**
 * Write `job.rows` through `engine`, then re-send the rows `isResendable` picks, as `retry` says.
 * Each re-send is routed afresh by the engine, so after a node loss it reaches the partition's
 * new master once the cluster map says so. A whole-call failure (the engine throws) marks the
 * call's rows with its code and `inDoubt`; they are re-sent by the same rule. It is re-thrown
 * when no call got per-row answers at all, since then nothing about the rows is known beyond it.
 */
export async function writeWithRetry(
  engine: Pick<Engine, 'write'>,
  job: WriteJob,
  options: WriteWithRetryOptions,
): Promise<WriteWithRetryReport> {
  const clock = options.clock ?? systemClock
  const { retry } = options
  const started = clock.now()
  const totalTimeout = job.policy.totalTimeout
  const deadline = totalTimeout > 0 ? started + totalTimeout : Infinity
  const { resultCodes, inDoubt } = job.outcome

  let answered = false
  let lastError: AerospikeError | null = null
  const send = async (rows: Uint32Array): Promise<void> => {
    try {
      await engine.write(rows === job.rows ? job : { ...job, rows })
      answered = true
    } catch (error) {
      if (!(error instanceof AerospikeError) || error instanceof ParamError) throw error
      lastError = error
      for (const row of rows) {
        resultCodes[row] = error.code
        inDoubt[row] = error.inDoubt ? 1 : 0
      }
    }
  }

  const mayResendInDoubt = resendsInDoubt(job.policy)
  await send(job.rows)
  const report: WriteWithRetryReport = { calls: 1, rowsResent: 0, stoppedBy: null }
  if (!answered && lastError !== null) {
    const e = lastError as AerospikeError
    if (!isResendable(e.code, e.inDoubt, mayResendInDoubt)) throw lastError
  }
  for (let attempt = 1; ; attempt++) {
    const pending = resendableRows(job.rows, resultCodes, inDoubt, mayResendInDoubt)
    if (pending.length === 0) break
    if (attempt > retry.attempts) {
      report.stoppedBy = retry.attempts > 0 ? 'attempts' : null
      break
    }
    const delayMs = retryDelayMs(retry, attempt)
    if (clock.now() + delayMs >= deadline) {
      report.stoppedBy = 'deadline'
      break
    }
    if (options.isAborted?.() === true) {
      report.stoppedBy = 'abort'
      break
    }
    options.onRetry?.({ attempt, rows: pending.length, delayMs })
    await clock.sleep(delayMs)
    // onRetry, or something during the delay, may have stopped the write
    if (options.isAborted?.() === true) {
      report.stoppedBy = 'abort'
      break
    }
    // a row that may have been applied by an earlier attempt stays in doubt unless it succeeds now
    const wasInDoubt = pending.map((row) => inDoubt[row]!)
    await send(pending)
    for (let k = 0; k < pending.length; k++) {
      const row = pending[k]!
      inDoubt[row] = resultCodes[row] === 0 ? 0 : inDoubt[row]! | wasInDoubt[k]!
    }
    report.calls++
    report.rowsResent += pending.length
  }
  if (!answered && lastError !== null) throw lastError
  return report
}

/** Whether rows in doubt may be re-sent under this policy. */
export function resendsInDoubt(policy: ResolvedWritePolicy): boolean {
  return policy.resendInDoubt && isIdempotentWrite(policy)
}

/**
 * The retry decision for one failed row: a transient code, or a lost connection or node; and, if
 * the row may have been applied, only when re-sending it in doubt is allowed.
 */
export function isResendable(code: number, inDoubt: boolean, mayResendInDoubt: boolean): boolean {
  if (code === 0 || (inDoubt && !mayResendInDoubt)) return false
  return isTransientResultCode(code) || isNodeLossResultCode(code)
}

/** The rows among `rows` that `isResendable` picks. */
export function resendableRows(
  rows: Uint32Array,
  resultCodes: Int32Array,
  inDoubt: Uint8Array,
  mayResendInDoubt: boolean,
): Uint32Array {
  // Called after every chunk: written rows (code 0) are skipped first.
  let n = 0
  for (let k = 0; k < rows.length; k++) {
    const row = rows[k]!
    const code = resultCodes[row]!
    if (code !== 0 && isResendable(code, inDoubt[row] === 1, mayResendInDoubt)) n++
  }
  const out = new Uint32Array(n)
  if (n === 0) return out
  let j = 0
  for (let k = 0; k < rows.length; k++) {
    const row = rows[k]!
    const code = resultCodes[row]!
    if (code !== 0 && isResendable(code, inDoubt[row] === 1, mayResendInDoubt)) out[j++] = row
  }
  return out
}
