import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { escapeXml, niceScale, renderChart } from './chart.js'
import { makeReport, makeResult } from './test-fixtures.js'

/** numpy's python is on every machine here: its XML parser is the oracle for well-formedness. */
function parseWithPython(svg: string): { polylines: number; dashed: number; texts: string[] } {
  const script = `
import sys, json, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.read())
ns = '{http://www.w3.org/2000/svg}'
print(json.dumps({
  'polylines': len(root.findall('.//' + ns + 'polyline')),
  'dashed': len([l for l in root.findall('.//' + ns + 'line') if l.get('stroke-dasharray')]),
  'texts': [t.text for t in root.findall('.//' + ns + 'text')],
}))`
  const out = spawnSync('python3', ['-c', script], { input: svg, encoding: 'utf8' })
  if (out.status !== 0) throw new Error(`python3 could not parse the SVG: ${out.stderr}`)
  return JSON.parse(out.stdout) as { polylines: number; dashed: number; texts: string[] }
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
  it('draws one line per concurrency per panel and the baselines as dashed lines', () => {
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
    ]
    const svg = renderChart(makeReport(results))
    const parsed = parseWithPython(svg)
    expect(parsed.polylines).toBe(3)
    // each baseline: its line across the plot plus its legend swatch
    expect(parsed.dashed).toBe(4)
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
