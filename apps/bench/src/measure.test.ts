import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import {
  countFailures,
  errorCode,
  LoopDelayMonitor,
  runChunked,
  runWhole,
  UNKNOWN_FAILURE,
} from './measure.js'

describe('runChunked', () => {
  it('covers every row once, in chunks, with at most `concurrency` calls in flight', async () => {
    const seen = new Uint8Array(10_050)
    let inFlight = 0
    let maxInFlight = 0
    let reported = 0
    const m = await runChunked(
      seen.length,
      1000,
      4,
      async (start, end, codes) => {
        inFlight++
        maxInFlight = Math.max(maxInFlight, inFlight)
        await sleep(2)
        for (let i = start; i < end; i++) {
          seen[i]!++
          codes[i] = 0
        }
        inFlight--
      },
      { onRows: (rows) => (reported += rows) },
    )
    expect(seen.every((n) => n === 1)).toBe(true)
    expect(maxInFlight).toBe(4)
    expect(m.calls).toBe(11)
    expect(m.latencyMs.count).toBe(11)
    expect(m.latencyMs.p50).toBeGreaterThan(0)
    expect(reported).toBe(10_050)
    expect(countFailures(m.resultCodes).failures).toBe(0)
  })

  it('counts rows of a call that threw, with its code, and rows a call forgot to report', async () => {
    const m = await runChunked(300, 100, 2, async (start, end, codes) => {
      if (start === 100) throw Object.assign(new Error('timeout'), { code: 9 })
      for (let i = start; i < end; i++) codes[i] = i === 250 ? 14 : 0
      if (start === 200) codes[299] = UNKNOWN_FAILURE // a call that "forgot" a row
    })
    expect(countFailures(m.resultCodes)).toEqual({
      failures: 102,
      failureCodes: { '9': 100, '14': 1, [String(UNKNOWN_FAILURE)]: 1 },
    })
    expect(m.errors).toEqual(['Error: timeout'])
  })

  it('starts no call after maxSeconds, and counts only the rows of calls it made', async () => {
    const m = await runChunked(
      1_000_000,
      100,
      2,
      async (start, end, codes) => {
        await sleep(20)
        codes.fill(0, start, end)
      },
      { maxSeconds: 0.1 },
    )
    expect(m.rows).toBeGreaterThan(0)
    expect(m.rows).toBeLessThan(1_000_000)
    expect(m.rows % 100).toBe(0)
    expect(m.resultCodes.length).toBe(m.rows)
    expect(m.calls * 100).toBe(m.rows)
    expect(countFailures(m.resultCodes).failures).toBe(0)
  })
})

describe('runWhole', () => {
  it('marks every row failed when the call throws', async () => {
    const m = await runWhole(5, async () => {
      throw new Error('boom')
    })
    expect(Array.from(m.resultCodes)).toEqual([-1, -1, -1, -1, -1])
    expect(m.errors).toEqual(['Error: boom'])
    expect(m.latencyMs.count).toBe(0)
  })

  it('sees a blocked event loop', async () => {
    const m = await runWhole(1, async (codes) => {
      await sleep(15)
      const until = performance.now() + 80
      while (performance.now() < until) {
        // block the loop
      }
      await sleep(15)
      codes[0] = 0
    })
    expect(m.eventLoopDelayMs.max).toBeGreaterThan(40)
  })
})

describe('LoopDelayMonitor', () => {
  it('counts a loop blocked until the end as one long delay', () => {
    const monitor = new LoopDelayMonitor()
    monitor.start()
    const until = performance.now() + 60
    while (performance.now() < until) {
      // blocked, as during a sync call: no tick can fire
    }
    expect(monitor.stop().max).toBeGreaterThan(40)
  })
})

describe('errorCode', () => {
  it('reads numeric code or result, else unknown', () => {
    expect(errorCode({ code: 9 })).toBe(9)
    expect(errorCode({ code: 'ERR_X', result: 14 })).toBe(14)
    expect(errorCode(new Error('x'))).toBe(UNKNOWN_FAILURE)
    expect(errorCode(null)).toBe(UNKNOWN_FAILURE)
  })
})
