import { StructuredArray } from '@aerospike-numpy/dtype'
import { describe, expect, it } from 'vitest'
import { makeDataset } from './datasets.js'
import { checkRead, markScanned, READ_CONTENDERS, type ReadChunk } from './reads.js'

const dataset = makeDataset('sensor', 8, 'reads_test')

/** The dataset's rows `rows` (in that order) as a structured array, as a scan would return them. */
function rowsOf(rows: readonly number[], change?: { row: number; field: string; value: number }) {
  const columns: Record<string, ArrayLike<number>> = {}
  for (const name of dataset.dtype.names ?? []) {
    const column = dataset.data.get(name) as unknown as Float64Array
    const picked = Float64Array.from(rows, (row) => column[row]!)
    if (change?.field === name) picked[rows.indexOf(change.row)] = change.value
    columns[name] = picked
  }
  return StructuredArray.fromColumns(dataset.dtype, columns as never)
}

/** A scan returning `rows` in that order, marking them as a scan contender does. */
function scanOf(rows: number[], change?: { row: number; field: string; value: number }): ReadChunk {
  return async (_start, _end, codes) => {
    const keys = Int32Array.from(rows)
    markScanned(keys, codes)
    return { kind: 'numpy', array: rowsOf(rows, change), keys }
  }
}

describe('checkRead', () => {
  it('finds a scan right when it returns every row once, in any order', async () => {
    expect(await checkRead(scanOf([7, 3, 0, 1, 2, 6, 5, 4]), dataset, 8)).toEqual({
      rows: 8,
      mismatches: 0,
    })
  })

  it('counts rows a scan left out and rows whose value differs', async () => {
    expect(await checkRead(scanOf([7, 3, 0, 1, 2, 6]), dataset, 8)).toEqual({
      rows: 8,
      mismatches: 2,
    })
    const wrong = scanOf([7, 3, 0, 1, 2, 6, 5, 4], { row: 5, field: 'humidity', value: -1 })
    expect(await checkRead(wrong, dataset, 8)).toEqual({ rows: 8, mismatches: 1 })
  })

  it('fails a scan that returns a row twice or a row that is not in the set', async () => {
    await expect(checkRead(scanOf([0, 1, 1]), dataset, 8)).rejects.toThrow(
      'the scan returned the row with key 1 twice',
    )
    await expect(checkRead(scanOf([0, 8]), dataset, 8)).rejects.toThrow(
      'the scan returned a row with key 8, not one of the 8 rows',
    )
  })

  it('compares the official client records by key too, and batch reads row by row', async () => {
    const temperature = dataset.data.get('temperature') as Float64Array
    const objects: ReadChunk = async (_start, _end, codes) => {
      const keys = [2, 0, 1]
      markScanned(keys, codes)
      const bins = keys.map((k) => ({
        temperature: k === 1 ? 0 : temperature[k],
        humidity: (dataset.data.get('humidity') as Float32Array)[k],
        pressure: (dataset.data.get('pressure') as Float32Array)[k],
        status: (dataset.data.get('status') as Uint8Array)[k],
      }))
      return { kind: 'objects', bins, keys }
    }
    // row 1 differs, rows 3..7 are missing
    expect(await checkRead(objects, dataset, 8)).toEqual({ rows: 8, mismatches: 6 })
    const batch: ReadChunk = async (start, end, codes) => {
      codes.fill(0, start, end)
      codes[start + 1] = 2 // not found
      return { kind: 'numpy', array: dataset.data.slice(start, end) }
    }
    expect(await checkRead(batch, dataset, 4)).toEqual({ rows: 4, mismatches: 1 })
  })
})

describe('READ_CONTENDERS', () => {
  it("has batchRead, batchReadNumpy and scanNumpyAll of both engines and sync, and the official client's own", () => {
    const names = READ_CONTENDERS.map(
      (c) => `${c.kind} ${c.contender} ${c.engine} ${c.mode}${c.oneAtATime ? ' 1' : ''}`,
    )
    expect(names).toEqual([
      'batch batchRead wire async',
      'batch batchRead official async',
      'batch batchReadNumpy wire async',
      'batch batchReadNumpy official async',
      'batch official batchRead (objects) official async',
      'batch batchRead wire async 1',
      'batch sync batchRead wire sync 1',
      'batch batchReadNumpy wire async 1',
      'batch sync batchReadNumpy wire sync 1',
      'scan scanNumpyAll wire async',
      'scan scanNumpyAll official async',
      'scan sync scanNumpyAll wire sync',
      'scan official query.foreach (objects) official async',
    ])
  })

  it('says why a contender cannot run when its client is missing', () => {
    const none = { engines: new Map(), official: null, sync: null }
    const why = READ_CONTENDERS.map((c) => c.open(none, 'test', dataset))
    expect(new Set(why)).toEqual(
      new Set([
        'the wire engine is not available',
        'the official engine is not available',
        'the official client is not connected',
        'the blocking client is not available',
      ]),
    )
  })
})
