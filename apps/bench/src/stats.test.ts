import { describe, expect, it } from 'vitest'
import { LatencyRecorder, percentileSorted, perSecond, round, summarize } from './stats.js'

describe('percentiles', () => {
  it('uses nearest rank', () => {
    const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1)
    expect(percentileSorted(sorted, 50)).toBe(50)
    expect(percentileSorted(sorted, 99)).toBe(99)
    expect(percentileSorted(sorted, 100)).toBe(100)
    expect(percentileSorted(sorted, 0)).toBe(1)
    expect(percentileSorted(new Float64Array(0), 50)).toBe(0)
    expect(() => percentileSorted(sorted, 101)).toThrow(RangeError)
  })

  it('summarizes unsorted samples without reordering them', () => {
    const values = Float64Array.from([5, 1, 4, 2, 3])
    expect(summarize(values)).toEqual({ p50: 3, p99: 5, max: 5, count: 5 })
    expect(Array.from(values)).toEqual([5, 1, 4, 2, 3])
  })
})

describe('LatencyRecorder', () => {
  it('grows past its first buffer and keeps every sample', () => {
    const recorder = new LatencyRecorder()
    for (let i = 0; i < 5000; i++) recorder.add(i % 100)
    expect(recorder.count).toBe(5000)
    expect(recorder.summary()).toMatchObject({ p50: 49, p99: 98, max: 99 })
  })

  it('refuses values that are not durations', () => {
    const recorder = new LatencyRecorder()
    expect(() => recorder.add(-1)).toThrow(RangeError)
    expect(() => recorder.add(Number.NaN)).toThrow(RangeError)
  })
})

describe('rates and rounding', () => {
  it('divides by seconds, and never by zero', () => {
    expect(perSecond(1000, 0.5)).toBe(2000)
    expect(perSecond(1000, 0)).toBe(0)
  })
  it('keeps three significant digits below 1000', () => {
    expect(round(12.3456)).toBe(12.3)
    expect(round(0.012345)).toBe(0.0123)
    expect(round(123456.7)).toBe(123457)
  })
})
