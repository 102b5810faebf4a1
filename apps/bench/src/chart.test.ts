import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { escapeXml, niceScale, renderChart } from './chart.js'
import { makeNative, makeReport, makeResult } from './test-fixtures.js'

/** numpy's python is on every machine here: its XML parser is the oracle for well-formedness. */
interface Parsed {
  polylines: number
  dashed: number
  /** Bars: rects with a tooltip (the background rect has none). */
  bars: string[]
  texts: string[]
}

function parseWithPython(svg: string): Parsed {
  const script = `
import sys, json, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.read())
ns = '{http://www.w3.org/2000/svg}'
print(json.dumps({
  'polylines': len(root.findall('.//' + ns + 'polyline')),
  'dashed': len([l for l in root.findall('.//' + ns + 'line') if l.get('stroke-dasharray')]),
  'bars': [r.find(ns + 'title').text for r in root.findall('.//' + ns + 'rect') if r.find(ns + 'title') is not None],
  'texts': [t.text for t in root.findall('.//' + ns + 'text')],
}))`
  const out = spawnSync('python3', ['-c', script], { input: svg, encoding: 'utf8' })
  if (out.status !== 0) throw new Error(`python3 could not parse the SVG: ${out.stderr}`)
  return JSON.parse(out.stdout) as Parsed
}

describe('niceScale', () => {
  it.each([
    [0, 1],
    [7, 10],
    [12_000, 20_000],
    [45_000, 50_000],
    [100_000, 100_000],
    [100_001, 200_000],
  ])('rounds %d up to %d', (max, top) => {
    const scale = niceScale(max)
    expect(scale.top).toBe(top)
    expect(Number.isInteger(Math.round(scale.top / scale.step))).toBe(true)
  })
})

describe('renderChart', () => {
  it('draws one line per concurrency per panel and the baselines as dashed lines; then the read and scan panels', () => {
    const read = {
      group: 'read' as const,
      contender: 'batchReadNumpy',
      chunkSize: 1000,
      concurrency: 4,
    }
    const scan = {
      group: 'scan' as const,
      contender: 'scanNumpyAll',
      chunkSize: null,
      rows: 50_000,
    }
    const results = [
      ...[100, 1000, 5000].flatMap((chunkSize) =>
        [1, 4].map((concurrency) =>
          makeResult({ chunkSize, concurrency, rowsPerSec: chunkSize * concurrency }),
        ),
      ),
      ...[100, 1000, 5000].map((chunkSize) =>
        makeResult({ dataset: 'embeddings', chunkSize, concurrency: 1, rowsPerSec: chunkSize }),
      ),
      makeResult({
        group: 'baseline',
        contender: 'official put loop',
        chunkSize: null,
        concurrency: 4,
        rowsPerSec: 3000,
      }),
      makeResult({
        group: 'baseline',
        contender: 'official batchWrite <hand-built>',
        concurrency: 4,
        rowsPerSec: 9000,
      }),
      // three rounds of one read contender, one of another, the native ceiling; two scans
      ...[100_000, 300_000, 200_000].map((rowsPerSec) => makeResult({ ...read, rowsPerSec })),
      makeResult({
        ...read,
        group: 'read-sync',
        contender: 'sync batchReadNumpy',
        mode: 'sync',
        concurrency: 1,
      }),
      makeNative('asbench batch read', 400_000),
      makeResult({ ...scan, rowsPerSec: 900_000 }),
      makeResult({
        ...scan,
        contender: 'official query.foreach (objects)',
        engine: 'official',
        rowsPerSec: 300_000,
      }),
    ]
    const svg = renderChart(makeReport(results))
    const parsed = parseWithPython(svg)
    expect(parsed.polylines).toBe(3)
    // each baseline: its line across the plot plus its legend swatch; the native ceiling's line
    expect(parsed.dashed).toBe(5)
    expect(parsed.bars).toEqual([
      'batchReadNumpy (wire, async), 4 in flight: 200,000 rows/s (100,000–300,000, 3 rounds)',
      'sync batchReadNumpy (wire), 1 call at a time: 10,000 rows/s (10,000–10,000, 1 rounds)',
      'scanNumpyAll (wire, async): 900,000 rows/s (900,000–900,000, 1 rounds)',
      'official query.foreach (objects): 300,000 rows/s (300,000–300,000, 1 rounds)',
    ])
    expect(parsed.texts).toContain('Batch reads, sensor dtype, chunk 1000 (median of the rounds)')
    expect(parsed.texts).toContain('Scans of a set of 50,000 sensor rows (median of the rounds)')
    expect(parsed.texts).toContain('asbench batch read: 400,000')
    expect(parsed.texts).toContain('sensor dtype, batchWriteNumpy on the wire engine')
    expect(parsed.texts).toContain('official batchWrite <hand-built>')
    expect(parsed.texts).toContain('chunk 1000, 4 in flight')
    expect(parsed.texts.some((t) => t.includes('measures the devserver too'))).toBe(true)
  })

  it('is still a valid SVG with nothing to draw', () => {
    const parsed = parseWithPython(renderChart(makeReport([])))
    expect(parsed.texts).toContain('No matrix results to draw.')
  })

  it('escapes text', () => {
    expect(escapeXml('<a & "b">')).toBe('&lt;a &amp; &quot;b&quot;&gt;')
  })
})
