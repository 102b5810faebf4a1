import { describe, expect, it } from 'vitest'
import { sampleWrittenRows } from './verify.js'

describe('sampleWrittenRows', () => {
  it('takes every written row when there are few', () => {
    expect(sampleWrittenRows(Int32Array.from([0, 9, 0, 0, 14]), 10)).toEqual([0, 2, 3])
  })

  it('spreads the sample over the run, keeps the last row, and skips failed rows', () => {
    const codes = new Int32Array(10_000)
    codes[9_998] = 9
    const rows = sampleWrittenRows(codes, 100)
    expect(rows).toHaveLength(100)
    expect(rows[0]).toBe(0)
    expect(rows.at(-1)).toBe(9_999)
    expect(rows).not.toContain(9_998)
    expect(new Set(rows).size).toBe(100)
    expect(rows.every((r, i) => i === 0 || r > rows[i - 1]!)).toBe(true)
    // evenly spread: no gap much larger than 10000 / 99 (plus the failed row skipped)
    expect(Math.max(...rows.slice(1).map((r, i) => r - rows[i]!))).toBeLessThanOrEqual(103)
  })

  it('samples nothing from a run where nothing was written', () => {
    expect(sampleWrittenRows(new Int32Array(50).fill(-10))).toEqual([])
  })
})
