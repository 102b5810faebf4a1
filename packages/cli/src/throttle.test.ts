import { describe, expect, it } from 'vitest'
import { Throttle, type Clock } from './throttle.js'

/** A clock that only moves when sleeping (or by hand). */
function fakeClock(): Clock & { t: number } {
  const c = {
    t: 0,
    now: () => c.t,
    sleep: async (ms: number) => {
      c.t += ms
    },
  }
  return c
}

describe('Throttle', () => {
  it('paces to --max-rps', async () => {
    const clock = fakeClock()
    const t = new Throttle(1000, clock)
    for (let i = 0; i < 10; i++) await t.acquire(500)
    // 5,000 rows at 1,000 rows/s: five seconds
    expect(clock.t).toBeCloseTo(5000, 0)
  })

  it('halves on overload at most once a second, then recovers by a twentieth a second', async () => {
    const clock = fakeClock()
    const t = new Throttle(10_000, clock)
    t.overloaded()
    t.overloaded() // same second: ignored
    expect(t.rate).toBe(5000)
    clock.t += 1000
    t.overloaded()
    expect(t.rate).toBe(2500)
    expect(t.backoffs).toBe(2)
    expect(t.lowestRate).toBe(2500)
    clock.t += 3000
    await t.acquire(1)
    expect(t.rate).toBe(2500 + 3 * 500)
    clock.t += 60_000
    await t.acquire(1)
    expect(t.rate).toBe(10_000)
  })

  it('without a limit, backs off from the observed rate and lifts the limit once recovered', async () => {
    const clock = fakeClock()
    const t = new Throttle(null, clock)
    for (let i = 0; i < 20; i++) {
      await t.acquire(1000)
      clock.t += 100 // 10,000 rows/s observed
    }
    expect(t.rate).toBeNull()
    t.overloaded()
    expect(t.rate).toBeGreaterThan(4000)
    expect(t.rate).toBeLessThan(6000)
    clock.t += 30_000
    await t.acquire(1)
    expect(t.rate).toBeNull()
  })
})
