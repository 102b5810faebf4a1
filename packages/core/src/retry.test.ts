import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
import {
  POLICY_EXISTS_CREATE,
  POLICY_EXISTS_CREATE_OR_REPLACE,
  POLICY_EXISTS_REPLACE,
  POLICY_EXISTS_UPDATE,
} from '@aerospike-numpy/wire'
import { describe, expect, it } from 'vitest'
import { allRows, createWriteOutcome, type Engine, type WriteJob } from './engine.js'
import { AerospikeError, ConnectionError, ParamError, TimeoutError } from './errors.js'
import { compileWritePlan } from './plan.js'
import { resolveWritePolicy } from './policy.js'
import { isResendable, resolveRetry, retryDelayMs, writeWithRetry, type Clock } from './retry.js'

/** A clock whose sleeps advance time at once and are recorded. */
function fakeClock(): Clock & { sleeps: number[]; t: number } {
  const clock = {
    t: 0,
    sleeps: [] as number[],
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms)
      clock.t += ms
    },
  }
  return clock
}

/**
 * An engine answering each row from a script: `codes(row, attempt)` gives the code of the
 * attempt-th send of that row. Records which rows each call carried.
 */
function scriptedEngine(
  codes: (row: number, attempt: number) => number | Error,
): Engine & { calls: number[][] } {
  const attempts = new Map<number, number>()
  const calls: number[][] = []
  return {
    kind: 'official',
    calls,
    connect: async () => {},
    close: async () => {},
    isConnected: () => true,
    read: async () => {},
    async write(job: WriteJob) {
      calls.push([...job.rows])
      for (const row of job.rows) {
        const attempt = attempts.get(row) ?? 0
        attempts.set(row, attempt + 1)
        const code = codes(row, attempt)
        if (code instanceof Error) throw code
        job.outcome.resultCodes[row] = code
        job.outcome.generations[row] = code === 0 ? attempt + 1 : 0
        job.outcome.inDoubt[row] = 0
      }
    },
  }
}

function job(n: number, policy: object = {}): WriteJob {
  const dt = dtype([
    ['_key', 'i4'],
    ['x', 'f8'],
  ])
  return {
    plan: compileWritePlan(dt),
    data: StructuredArray.zeros(dt, n),
    rows: allRows(n),
    namespace: 'test',
    set: 's',
    policy: resolveWritePolicy(policy),
    outcome: createWriteOutcome(n),
  }
}

describe('retry as a value', () => {
  it('resolves numbers and objects; rejects bad values and unknown keys', () => {
    expect(resolveRetry(undefined).attempts).toBe(0)
    expect(resolveRetry(3)).toEqual({ attempts: 3, baseDelayMs: 10, maxDelayMs: 500 })
    expect(resolveRetry({ attempts: 2, baseDelayMs: 1 })).toEqual({
      attempts: 2,
      baseDelayMs: 1,
      maxDelayMs: 500,
    })
    expect(() => resolveRetry(-1)).toThrow(ParamError)
    expect(() => resolveRetry(1.5)).toThrow(/integer/)
    expect(() => resolveRetry({ attempts: 1, jitter: true } as never)).toThrow(
      /unknown retry key 'jitter'/,
    )
  })

  it('delays 10, 20, 40 … ms capped at 500', () => {
    const p = resolveRetry(10)
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((a) => retryDelayMs(p, a))).toEqual([
      10, 20, 40, 80, 160, 320, 500, 500,
    ])
  })

  it('re-sends only rows with transient codes, with the backoff schedule', async () => {
    // row 1: key busy twice then ok; row 2: timeout once; row 3: record exists (permanent)
    const engine = scriptedEngine((row, attempt) => {
      if (row === 1) return attempt < 2 ? 14 : 0
      if (row === 2) return attempt < 1 ? 9 : 0
      if (row === 3) return 5
      return 0
    })
    const j = job(5, { totalTimeout: 0 })
    const clock = fakeClock()
    const report = await writeWithRetry(engine, j, { retry: resolveRetry(3), clock })
    expect(engine.calls).toEqual([[0, 1, 2, 3, 4], [1, 2], [1]])
    expect(clock.sleeps).toEqual([10, 20])
    expect([...j.outcome.resultCodes]).toEqual([0, 0, 0, 5, 0])
    expect(report).toEqual({ calls: 3, rowsResent: 3, stoppedBy: null })
  })

  it('retry 0 leaves transient failures as they are; exhausted attempts are reported', async () => {
    const engine = scriptedEngine(() => 18)
    const j = job(2)
    const none = await writeWithRetry(engine, j, { retry: resolveRetry(0), clock: fakeClock() })
    expect(engine.calls.length).toBe(1)
    expect([...j.outcome.resultCodes]).toEqual([18, 18])
    expect(none.stoppedBy).toBeNull()
    const clock = fakeClock()
    const two = await writeWithRetry(
      scriptedEngine(() => 8),
      job(2, { totalTimeout: 0 }),
      { retry: resolveRetry(2), clock },
    )
    expect(two.stoppedBy).toBe('attempts')
    expect(clock.sleeps).toEqual([10, 20])
  })

  it('stops before totalTimeout would be exceeded', async () => {
    const engine = scriptedEngine(() => 14)
    const clock = fakeClock()
    const j = job(1, { totalTimeout: 100 })
    const report = await writeWithRetry(engine, j, { retry: resolveRetry(10), clock })
    // 10 + 20 + 40 = 70 elapsed; the next delay (80) would reach 150 > 100
    expect(clock.sleeps).toEqual([10, 20, 40])
    expect(report.stoppedBy).toBe('deadline')
    expect(j.outcome.resultCodes[0]).toBe(14)
  })

  it('a whole-call failure marks the rows; transient ones are retried, others thrown', async () => {
    let call = 0
    const flaky: Engine = {
      ...scriptedEngine(() => 0),
      async write(job) {
        call++
        if (call === 1) throw new TimeoutError('timed out', { inDoubt: true })
        for (const row of job.rows) job.outcome.resultCodes[row] = 0
      },
    }
    const j = job(3, { totalTimeout: 0 })
    await writeWithRetry(flaky, j, { retry: resolveRetry(1), clock: fakeClock() })
    expect([...j.outcome.resultCodes]).toEqual([0, 0, 0])
    expect([...j.outcome.inDoubt]).toEqual([0, 0, 0])

    const refused = scriptedEngine(() => new AerospikeError(20, 'namespace not found'))
    const j2 = job(2)
    await expect(
      writeWithRetry(refused, j2, { retry: resolveRetry(3), clock: fakeClock() }),
    ).rejects.toMatchObject({ code: 20 })
    expect([...j2.outcome.resultCodes]).toEqual([20, 20])

    const alwaysTimeout = scriptedEngine(() => new TimeoutError('timed out', { inDoubt: true }))
    const j3 = job(2, { totalTimeout: 0 })
    await expect(
      writeWithRetry(alwaysTimeout, j3, { retry: resolveRetry(2), clock: fakeClock() }),
    ).rejects.toBeInstanceOf(TimeoutError)
    expect([...j3.outcome.inDoubt]).toEqual([1, 1])
  })

  it('keeps a row in doubt when a later attempt fails too', async () => {
    let call = 0
    const engine: Engine = {
      ...scriptedEngine(() => 0),
      async write(job) {
        call++
        for (const row of job.rows) {
          job.outcome.resultCodes[row] = call === 1 ? 9 : 14
          job.outcome.inDoubt[row] = call === 1 ? 1 : 0
        }
      },
    }
    const j = job(1, { totalTimeout: 0 })
    await writeWithRetry(engine, j, { retry: resolveRetry(1), clock: fakeClock() })
    expect(j.outcome.resultCodes[0]).toBe(14)
    expect(j.outcome.inDoubt[0]).toBe(1)
  })

  it('stops re-sending when aborted', async () => {
    const engine = scriptedEngine(() => 14)
    const report = await writeWithRetry(engine, job(1, { totalTimeout: 0 }), {
      retry: resolveRetry(5),
      clock: fakeClock(),
      isAborted: () => true,
    })
    expect(report.stoppedBy).toBe('abort')
    expect(engine.calls.length).toBe(1)
  })
})

describe('rows a lost connection or node left unanswered', () => {
  /** Row 0: connection refused before sending; row 1: cut after sending (in doubt); row 2: no master. */
  function nodeLossEngine(): Engine & { calls: number[][] } {
    const engine = scriptedEngine(() => 0)
    let call = 0
    return {
      ...engine,
      async write(job) {
        call++
        engine.calls.push([...job.rows])
        for (const row of job.rows) {
          const first = call === 1
          job.outcome.resultCodes[row] = first ? [-10, -10, -8][row]! : 0
          job.outcome.inDoubt[row] = first && row === 1 ? 1 : 0
        }
      },
    }
  }

  it('re-sends them, in doubt too, for a plain upsert', async () => {
    const engine = nodeLossEngine()
    const j = job(3, { totalTimeout: 0 })
    await writeWithRetry(engine, j, { retry: resolveRetry(1), clock: fakeClock() })
    expect(engine.calls).toEqual([
      [0, 1, 2],
      [0, 1, 2],
    ])
    expect([...j.outcome.resultCodes]).toEqual([0, 0, 0])
    expect([...j.outcome.inDoubt]).toEqual([0, 0, 0])
  })

  it.each([
    ['resendInDoubt: false', { resendInDoubt: false }],
    ['a create-only write', { exists: POLICY_EXISTS_CREATE }],
    ['an update-only write', { exists: POLICY_EXISTS_UPDATE }],
    ['a replace-only write', { exists: POLICY_EXISTS_REPLACE }],
  ])('never re-sends a row in doubt with %s; the others are re-sent', async (_, policy) => {
    const engine = nodeLossEngine()
    const j = job(3, { totalTimeout: 0, ...policy })
    await writeWithRetry(engine, j, { retry: resolveRetry(1), clock: fakeClock() })
    expect(engine.calls).toEqual([
      [0, 1, 2],
      [0, 2],
    ])
    expect([...j.outcome.resultCodes]).toEqual([0, -10, 0])
    expect([...j.outcome.inDoubt]).toEqual([0, 1, 0])
  })

  it('a transient code in doubt follows the same rule', async () => {
    const engine: Engine = {
      ...scriptedEngine(() => 0),
      async write(job) {
        for (const row of job.rows) {
          job.outcome.resultCodes[row] = 9
          job.outcome.inDoubt[row] = 1
        }
      },
    }
    const created = job(1, { totalTimeout: 0, exists: POLICY_EXISTS_CREATE })
    const report = await writeWithRetry(engine, created, {
      retry: resolveRetry(3),
      clock: fakeClock(),
    })
    expect(report.calls).toBe(1)
    const upsert = job(1, { totalTimeout: 0, exists: POLICY_EXISTS_CREATE_OR_REPLACE })
    expect(
      (await writeWithRetry(engine, upsert, { retry: resolveRetry(3), clock: fakeClock() })).calls,
    ).toBe(4)
  })

  it('a whole-call failure in doubt is re-sent, then answered per row', async () => {
    let call = 0
    const engine: Engine = {
      ...scriptedEngine(() => 0),
      async write(job) {
        call++
        if (call === 1) throw new ConnectionError('node lost', { inDoubt: true })
        for (const row of job.rows) job.outcome.resultCodes[row] = 0
      },
    }
    const j = job(2, { totalTimeout: 0 })
    await writeWithRetry(engine, j, { retry: resolveRetry(2), clock: fakeClock() })
    expect([...j.outcome.resultCodes]).toEqual([0, 0])
    expect([...j.outcome.inDoubt]).toEqual([0, 0])
    // without re-sends in doubt, the error is thrown with its rows marked
    call = 0
    const k = job(2, { totalTimeout: 0, resendInDoubt: false })
    await expect(
      writeWithRetry(engine, k, { retry: resolveRetry(2), clock: fakeClock() }),
    ).rejects.toMatchObject({ code: -10, inDoubt: true })
    expect([...k.outcome.inDoubt]).toEqual([1, 1])
  })
})

describe('isResendable', () => {
  it('picks transient and node-loss codes; rows in doubt only when allowed', () => {
    for (const code of [9, 14, 18, 8, 11, -10, -8, -15]) {
      expect(isResendable(code, false, false)).toBe(true)
      expect(isResendable(code, true, false)).toBe(false)
      expect(isResendable(code, true, true)).toBe(true)
    }
    for (const code of [0, 2, 5, 13, 22, -2, -1, 1])
      expect(isResendable(code, false, true)).toBe(false)
  })
})
