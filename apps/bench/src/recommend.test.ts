import { describe, expect, it } from 'vitest'
import { headline, ratios, recommend } from './recommend.js'
import { makeResult } from './test-fixtures.js'

describe('recommend', () => {
  it('prefers fewer chunks in flight, then smaller chunks, within 5% of the fastest', () => {
    const results = [
      makeResult({ chunkSize: 100, concurrency: 1, rowsPerSec: 10_000 }),
      makeResult({ chunkSize: 1000, concurrency: 1, rowsPerSec: 96_000 }),
      makeResult({ chunkSize: 5000, concurrency: 1, rowsPerSec: 97_000 }),
      makeResult({ chunkSize: 1000, concurrency: 4, rowsPerSec: 100_000 }),
      makeResult({ chunkSize: 500, concurrency: 4, rowsPerSec: 99_000 }),
    ]
    expect(recommend(results)).toEqual([
      {
        dataset: 'sensor',
        engine: 'wire',
        chunkSize: 1000,
        concurrency: 1,
        rowsPerSec: 96_000,
        bestRowsPerSec: 100_000,
      },
    ])
  })

  it('never recommends a setting that lost rows or read back wrong values', () => {
    const results = [
      makeResult({ chunkSize: 1000, rowsPerSec: 200_000, failures: 3, failureCodes: { '9': 3 } }),
      makeResult({ chunkSize: 2000, rowsPerSec: 190_000, verified: { rows: 10, mismatches: 1 } }),
      makeResult({ chunkSize: 500, rowsPerSec: 50_000 }),
    ]
    expect(recommend(results)[0]).toMatchObject({ chunkSize: 500, rowsPerSec: 50_000 })
    expect(recommend([results[0]!, results[1]!])).toEqual([])
  })

  it('recommends per dataset and engine; the headline is the fastest engine', () => {
    const results = [
      makeResult({ engine: 'official', rowsPerSec: 40_000 }),
      makeResult({ engine: 'wire', rowsPerSec: 120_000 }),
      makeResult({ dataset: 'embeddings', engine: 'wire', rowsPerSec: 30_000 }),
      makeResult({ group: 'baseline', engine: 'official', rowsPerSec: 999_999 }),
    ]
    const recommendations = recommend(results)
    expect(recommendations.map((r) => `${r.dataset}/${r.engine}`)).toEqual([
      'embeddings/wire',
      'sensor/wire',
      'sensor/official',
    ])
    expect(headline(recommendations, 'sensor')?.engine).toBe('wire')
    expect(headline(recommendations, 'embeddings')?.rowsPerSec).toBe(30_000)
  })
})

describe('ratios', () => {
  it('compares each baseline with batchWriteNumpy at the same chunk size and concurrency', () => {
    const results = [
      makeResult({ engine: 'wire', chunkSize: 1000, concurrency: 4, rowsPerSec: 150_000 }),
      makeResult({ engine: 'official', chunkSize: 1000, concurrency: 4, rowsPerSec: 60_000 }),
      makeResult({ engine: 'wire', chunkSize: 500, concurrency: 4, rowsPerSec: 1 }),
      makeResult({ engine: 'wire', chunkSize: 1000, concurrency: 1, rowsPerSec: 1 }),
      makeResult({
        group: 'baseline',
        contender: 'official batchWrite (hand-built records)',
        engine: 'official',
        chunkSize: 1000,
        concurrency: 4,
        rowsPerSec: 50_000,
      }),
      makeResult({
        group: 'baseline',
        contender: 'official put loop',
        engine: 'official',
        chunkSize: null,
        concurrency: 4,
        rowsPerSec: 10_000,
      }),
    ]
    const out = ratios(results).map((r) => [r.numerator, r.denominator, r.chunkSize, r.ratio])
    expect(out).toEqual([
      ['batchWriteNumpy (wire)', 'official batchWrite (hand-built records)', 1000, 3],
      ['batchWriteNumpy (official)', 'official batchWrite (hand-built records)', 1000, 1.2],
      ['batchWriteNumpy (wire)', 'official put loop', 1000, 15],
      ['batchWriteNumpy (official)', 'official put loop', 1000, 6],
    ])
  })

  it('compares sync with async one call at a time, and workers with the event loop', () => {
    const results = [
      makeResult({ engine: 'wire', chunkSize: 100, concurrency: 1, rowsPerSec: 40_000 }),
      makeResult({ engine: 'wire', chunkSize: 100, concurrency: 4, rowsPerSec: 90_000 }),
      makeResult({
        group: 'sync',
        contender: 'sync batchWriteNumpy',
        mode: 'sync',
        chunkSize: 100,
        rowsPerSec: 30_000,
      }),
      makeResult({ group: 'workers', contender: 'writeNumpy', workers: 0, rowsPerSec: 100_000 }),
      makeResult({ group: 'workers', contender: 'writeNumpy', workers: 2, rowsPerSec: 150_000 }),
    ]
    expect(ratios(results).map((r) => [r.numerator, r.denominator, r.ratio])).toEqual([
      ['sync batchWriteNumpy', 'batchWriteNumpy (wire), async', 0.75],
      ['writeNumpy workers=2', 'writeNumpy on the event loop', 1.5],
    ])
  })
})
