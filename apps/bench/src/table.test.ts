import { describe, expect, it } from 'vitest'
import { recommend, ratios } from './recommend.js'
import { formatNumber, renderReport, renderTable, resultRow } from './table.js'
import { makeNative, makeReport, makeResult } from './test-fixtures.js'

describe('renderTable', () => {
  it('pads columns and right-aligns numeric ones', () => {
    const text = renderTable(
      ['name', 'n'],
      [
        ['a', '1'],
        ['bbb', '1,000'],
      ],
    )
    expect(text.split('\n')).toEqual([
      '| name |     n |',
      '|------|------:|',
      '| a    |     1 |',
      '| bbb  | 1,000 |',
    ])
  })
})

describe('result rows', () => {
  it('shows failures with their codes and wrong read-backs loudly', () => {
    const row = resultRow(
      makeResult({
        failures: 7,
        failureCodes: { '9': 5, '14': 2 },
        verified: { rows: 100, mismatches: 3 },
      }),
    )
    expect(row).toContain('7 (code 9: 5, code 14: 2)')
    expect(row).toContain('3/100 WRONG')
  })

  it('marks the put loop as one record per call', () => {
    const row = resultRow(makeResult({ group: 'baseline', chunkSize: null, verified: null }))
    expect(row).toContain('1 (put)')
    expect(row).toContain('—')
  })

  it('formats numbers with separators above 1000', () => {
    expect(formatNumber(123456.4)).toBe('123,456')
    expect(formatNumber(1.23456)).toBe('1.23')
  })
})

describe('renderReport', () => {
  it('says what the server was, totals the checks, and prints the recommendation', () => {
    const results = [
      makeResult({ chunkSize: 1000, concurrency: 4, rowsPerSec: 120_000 }),
      makeResult({ group: 'paired', chunkSize: 1000, concurrency: 4, rowsPerSec: 120_000 }),
      makeResult({
        chunkSize: 100,
        concurrency: 4,
        rowsPerSec: 20_000,
        failures: 2,
        failureCodes: { '9': 2 },
      }),
      makeResult({
        group: 'baseline',
        contender: 'official put loop',
        engine: 'official',
        chunkSize: null,
        concurrency: 4,
        rowsPerSec: 12_000,
        verified: null,
      }),
      makeResult({
        group: 'baseline',
        contender: 'official batchWrite (hand-built records)',
        engine: 'official',
        chunkSize: 1000,
        concurrency: 4,
        rowsPerSec: 60_000,
        verified: null,
      }),
    ]
    const report = makeReport(results)
    report.recommendations = recommend(results)
    report.ratios = ratios(results)
    report.skipped = [{ what: 'sync client', why: 'not built yet' }]
    const text = renderReport(report)
    expect(text).toContain('measure the devserver too')
    expect(text).toContain('skipped: sync client: not built yet')
    expect(text).toContain(
      '50,000 rows written, 2 failed (shown per run above), 0 read back different',
    )
    expect(text).toContain('10.00×')
    expect(text).toContain('2.00×')
    expect(text).toMatch(/Recommended[^\n]*\n\| dtype +\| engine/)
    expect(text).toMatch(/\| sensor \| wire +\| +1000 \| +4 \| 120,000 \|/)
    expect(text).toContain(
      '→ sensor: writeNumpy(…, { chunkSize: 1000, concurrency: 4 }) on the wire engine (120,000 rows/s here)',
    )
  })

  it('shows each contender of the rounds: median, slowest–fastest round, % of native', () => {
    const read = { group: 'read' as const, contender: 'batchRead', concurrency: 4 }
    const report = makeReport([
      ...[100_000, 300_000, 200_000].map((rowsPerSec) => makeResult({ ...read, rowsPerSec })),
      makeResult({ group: 'scan', contender: 'scanNumpyAll', chunkSize: null, rowsPerSec: 9e5 }),
      makeNative('asbench batch read', 400_000),
    ])
    const text = renderReport(report)
    const lines = text.slice(text.indexOf('Side by side')).split('\n')
    const row = (what: string) => lines.find((l) => l.includes(`| ${what} `))
    expect(row('batchRead (wire, async)')).toMatch(
      /^\| batch read +\| batchRead \(wire, async\) +\| sensor \| 1000 +\| +4 \| +3 \| +200,000 \| 100,000–300,000 +\| +4\.5 \| +50% \| +0 \|$/,
    )
    expect(row('scanNumpyAll (wire, async)')).toMatch(
      /^\| scan +\| scanNumpyAll \(wire, async\) +\| sensor \| whole set \| +1 \| +1 \| +900,000 \| 900,000–900,000 +\| +4\.5 \| +— \|/,
    )
    expect(row('asbench batch read')).toMatch(/\| +400,000 \| 400,000–400,000 +\| +— \| +100% \|/)
  })

  it('prints the errors of calls that threw', () => {
    const report = makeReport([
      makeResult({ failures: 100, failureCodes: { '-1': 100 }, errors: ['Error: worker died'] }),
    ])
    expect(renderReport(report)).toContain(
      'error: batchWriteNumpy sensor wire async 1000 1: Error: worker died',
    )
  })

  it('says so when nothing can be recommended', () => {
    const report = makeReport([makeResult({ failures: 1, failureCodes: { '-10': 1 } })])
    expect(renderReport(report)).toContain('No recommendation')
  })
})
