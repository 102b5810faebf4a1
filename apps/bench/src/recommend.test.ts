import { describe, expect, it } from 'vitest'
import { headline, ratios, recommend } from './recommend.js'
import { makeNative, makeResult } from './test-fixtures.js'

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
  it('compares each baseline with batchWriteNumpy run beside it, as means over the rounds', () => {
    const paired = { group: 'paired' as const, chunkSize: 1000, concurrency: 4 }
    const batch = {
      group: 'baseline' as const,
      contender: 'official batchWrite (records by hand)',
      engine: 'official' as const,
      chunkSize: 1000,
      concurrency: 4,
    }
    const put = {
      group: 'baseline' as const,
      contender: 'official put loop',
      engine: 'official' as const,
      chunkSize: null,
      concurrency: 4,
    }
    const results = [
      // the matrix is not what the baselines are compared with
      makeResult({ engine: 'wire', chunkSize: 1000, concurrency: 4, rowsPerSec: 999_999 }),
      // round 1
      makeResult({ ...paired, engine: 'wire', rowsPerSec: 140_000 }),
      makeResult({ ...paired, engine: 'official', rowsPerSec: 50_000 }),
      makeResult({ ...batch, rowsPerSec: 45_000 }),
      makeResult({ ...put, rowsPerSec: 9_000 }),
      // round 2
      makeResult({ ...paired, engine: 'wire', rowsPerSec: 160_000 }),
      makeResult({ ...paired, engine: 'official', rowsPerSec: 70_000 }),
      makeResult({ ...batch, rowsPerSec: 55_000 }),
      makeResult({ ...put, rowsPerSec: 11_000 }),
      // another dataset, one round
      makeResult({ ...paired, dataset: 'embeddings', engine: 'wire', rowsPerSec: 20_000 }),
      makeResult({ ...batch, dataset: 'embeddings', rowsPerSec: 10_000 }),
    ]
    const out = ratios(results).map((r) => [
      r.dataset,
      r.numerator,
      r.denominator,
      r.chunkSize,
      r.runs,
      r.ratio,
    ])
    expect(out).toEqual([
      [
        'sensor',
        'batchWriteNumpy (wire, async)',
        'official batchWrite (records by hand)',
        1000,
        2,
        3,
      ],
      [
        'sensor',
        'batchWriteNumpy (official, async)',
        'official batchWrite (records by hand)',
        1000,
        2,
        1.2,
      ],
      ['sensor', 'batchWriteNumpy (wire, async)', 'official put loop', 1000, 2, 15],
      ['sensor', 'batchWriteNumpy (official, async)', 'official put loop', 1000, 2, 6],
      [
        'embeddings',
        'batchWriteNumpy (wire, async)',
        'official batchWrite (records by hand)',
        1000,
        1,
        2,
      ],
    ])
  })

  it('compares sync with async one call at a time beside it (medians of the rounds), and workers with the event loop', () => {
    const sync = { group: 'sync' as const, engine: 'wire' as const, concurrency: 1 }
    const results = [
      makeResult({ engine: 'wire', chunkSize: 100, concurrency: 1, rowsPerSec: 1 }),
      makeResult({ ...sync, mode: 'async', chunkSize: 100, rowsPerSec: 40_000 }),
      makeResult({
        ...sync,
        contender: 'sync batchWriteNumpy',
        mode: 'sync',
        chunkSize: 100,
        rowsPerSec: 30_000,
      }),
      ...[50_000, 40_000, 55_000].map((rowsPerSec) =>
        makeResult({ ...sync, mode: 'async', chunkSize: 1000, rowsPerSec }),
      ),
      ...[60_000, 70_000, 10_000].map((rowsPerSec) =>
        makeResult({
          ...sync,
          contender: 'sync batchWriteNumpy',
          mode: 'sync',
          chunkSize: 1000,
          rowsPerSec,
        }),
      ),
      makeResult({ group: 'workers', contender: 'writeNumpy', workers: 0, rowsPerSec: 100_000 }),
      makeResult({ group: 'workers', contender: 'writeNumpy', workers: 2, rowsPerSec: 150_000 }),
    ]
    expect(
      ratios(results).map((r) => [r.numerator, r.denominator, r.chunkSize, r.runs, r.ratio]),
    ).toEqual([
      ['sync batchWriteNumpy (wire)', 'batchWriteNumpy (wire, async)', 100, 1, 0.75],
      ['sync batchWriteNumpy (wire)', 'batchWriteNumpy (wire, async)', 1000, 3, 1.2],
      ['writeNumpy workers=2', 'writeNumpy on the event loop', 1000, 1, 1.5],
    ])
  })

  it('compares reads with the official client and asbench, sync with async, scans with query.foreach', () => {
    const read = { group: 'read' as const, chunkSize: 1000, concurrency: 4 }
    const oneAtATime = { group: 'read-sync' as const, chunkSize: 1000, concurrency: 1 }
    const scan = { group: 'scan' as const, chunkSize: null, concurrency: 1 }
    const official = { engine: 'official' as const }
    const results = [
      makeResult({ ...read, contender: 'batchReadNumpy', rowsPerSec: 300 }),
      makeResult({
        ...read,
        contender: 'official batchRead (objects)',
        ...official,
        rowsPerSec: 100,
      }),
      makeResult({ ...oneAtATime, contender: 'batchReadNumpy', rowsPerSec: 200 }),
      makeResult({
        ...oneAtATime,
        contender: 'sync batchReadNumpy',
        mode: 'sync',
        rowsPerSec: 190,
      }),
      makeResult({ ...scan, contender: 'scanNumpyAll', rowsPerSec: 900 }),
      makeResult({ ...scan, contender: 'sync scanNumpyAll', mode: 'sync', rowsPerSec: 450 }),
      makeResult({
        ...scan,
        contender: 'official query.foreach (objects)',
        ...official,
        rowsPerSec: 300,
      }),
      makeNative('asbench batch read', 600),
    ]
    expect(ratios(results).map((r) => [r.numerator, r.denominator, r.ratio])).toEqual([
      ['batchReadNumpy (wire, async)', 'official batchRead (objects)', 3],
      ['batchReadNumpy (wire, async)', 'asbench batch read', 0.5],
      ['official batchRead (objects)', 'asbench batch read', 100 / 600],
      ['sync batchReadNumpy (wire)', 'batchReadNumpy (wire, async)', 0.95],
      ['sync scanNumpyAll (wire)', 'scanNumpyAll (wire, async)', 0.5],
      ['scanNumpyAll (wire, async)', 'official query.foreach (objects)', 3],
      ['sync scanNumpyAll (wire)', 'official query.foreach (objects)', 1.5],
    ])
  })
})
