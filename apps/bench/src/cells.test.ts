import { describe, expect, it } from 'vitest'
import { cellName, cells, median } from './cells.js'
import { makeNative, makeResult } from './test-fixtures.js'

const read = { group: 'read' as const, contender: 'batchRead', chunkSize: 1000, concurrency: 4 }

describe('cells', () => {
  it('folds the rounds of one contender into median, slowest and fastest', () => {
    const out = cells([
      makeResult({ ...read, rowsPerSec: 300, clientCpuUsPerRow: 3 }),
      makeResult({ ...read, rowsPerSec: 100, clientCpuUsPerRow: 1 }),
      makeResult({ ...read, rowsPerSec: 200, clientCpuUsPerRow: 2, failures: 4 }),
      makeResult({ ...read, engine: 'official', rowsPerSec: 50 }),
    ])
    expect(out).toHaveLength(2)
    expect(out[0]).toMatchObject({
      name: 'batchRead (wire, async)',
      runs: 3,
      rowsPerSec: 200,
      minRowsPerSec: 100,
      maxRowsPerSec: 300,
      clientCpuUsPerRow: 2,
      failures: 4,
      ofNative: null,
    })
    expect(out[1]).toMatchObject({ name: 'batchRead (official, async)', runs: 1, rowsPerSec: 50 })
  })

  it('leaves the matrix out: its settings run once each and are drawn in the chart', () => {
    expect(cells([makeResult({ group: 'matrix' })])).toEqual([])
  })

  it('gives each cell its share of asbench on the same work, sensor rows only', () => {
    const out = cells([
      makeResult({ ...read, rowsPerSec: 500 }),
      makeResult({ ...read, group: 'read-sync', mode: 'sync', contender: 'sync batchRead' }),
      makeResult({ group: 'paired', rowsPerSec: 300 }),
      makeResult({ group: 'paired', dataset: 'embeddings', rowsPerSec: 300 }),
      makeResult({ group: 'scan', contender: 'scanNumpyAll', chunkSize: null, rowsPerSec: 9 }),
      makeNative('asbench batch read', 1000),
      makeNative('asbench write', 600),
    ])
    expect(out.map((c) => [c.group, c.name, c.dataset, c.ofNative])).toEqual([
      ['read', 'batchRead (wire, async)', 'sensor', 0.5],
      ['read-sync', 'sync batchRead (wire)', 'sensor', 10],
      ['paired', 'batchWriteNumpy (wire, async)', 'sensor', 0.5],
      ['paired', 'batchWriteNumpy (wire, async)', 'embeddings', null],
      ['scan', 'scanNumpyAll (wire, async)', 'sensor', null],
      ['native', 'asbench batch read', 'sensor', 1],
      ['native', 'asbench write', 'sensor', 1],
    ])
  })

  it('names the official client and asbench as they are, ours with engine and mode', () => {
    expect(
      cellName({
        contender: 'official query.foreach (objects)',
        engine: 'official',
        mode: 'async',
      }),
    ).toBe('official query.foreach (objects)')
    expect(cellName({ contender: 'sync scanNumpyAll', engine: 'wire', mode: 'sync' })).toBe(
      'sync scanNumpyAll (wire)',
    )
    expect(median([3, 1, 2, 10])).toBe(2.5)
  })
})
