// Read-back of a sample of the rows a run reported written, compared byte for byte per bin.

import type { AsyncClient } from '@aerospike-numpy/async'
import type { StructuredArray } from '@aerospike-numpy/dtype'
import type { Dataset } from './datasets.js'

export const SAMPLE_ROWS = 256

/** Up to `count` rows whose code is 0, spread evenly from the first to the last of them. */
export function sampleWrittenRows(codes: Int32Array, count = SAMPLE_ROWS): number[] {
  const written: number[] = []
  for (let i = 0; i < codes.length; i++) if (codes[i] === 0) written.push(i)
  if (written.length <= count) return written
  // count points from the first to the last written row, evenly spaced (step > 1: no repeats)
  const step = (written.length - 1) / (count - 1)
  const picked = new Set<number>()
  for (let k = 0; k < count; k++) picked.add(written[Math.round(k * step)] as number)
  return [...picked].sort((a, b) => a - b)
}

function fieldBytes(array: StructuredArray, row: number, offset: number, size: number): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset + row * array.stride + offset, size)
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/**
 * Reads the sampled rows back and counts those that are missing or differ from what was written
 * in any bin. The stamp bin makes a row left over from an earlier run count as different.
 */
export async function verifySample(
  reader: AsyncClient,
  namespace: string,
  dataset: Dataset,
  codes: Int32Array,
): Promise<{ rows: number; mismatches: number }> {
  const rows = sampleWrittenRows(codes)
  if (rows.length === 0) return { rows: 0, mismatches: 0 }
  const keyColumn = dataset.data.get('_key') as Int32Array
  const keys = rows.map(
    (row) => [namespace, dataset.set, keyColumn[row] as number] as [string, string, number],
  )
  const back = await reader.batchRead(keys, {
    dtype: dataset.readDtype,
    policy: { totalTimeout: 30_000, socketTimeout: 30_000 },
  })
  const readFields = dataset.readDtype.fields ?? []
  let mismatches = 0
  rows.forEach((row, j) => {
    if (back.resultCodes[j] !== 0) {
      mismatches++
      return
    }
    for (const field of readFields) {
      const written = dataset.dtype.field(field.name)
      if (written === undefined) throw new Error(`read dtype field ${field.name} is not written`)
      const size = field.dtype.itemsize
      const expected = fieldBytes(dataset.data, row, written.offset, size)
      const actual = fieldBytes(back.batchRecords, j, field.offset, size)
      if (!sameBytes(expected, actual)) {
        mismatches++
        return
      }
    }
  })
  return { rows: rows.length, mismatches }
}
