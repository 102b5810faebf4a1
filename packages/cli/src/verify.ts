/**
 * Verification: read rows back by key (`batchRead` with the bins' dtype) and compare each bin's
 * bytes with the source's converted row. Floats compare equal when both are NaN (the server keeps
 * doubles; a NaN's payload bits are not data).
 */
import { runBounded, type AsyncClient } from '@aerospike-numpy/async'
import type { ReadPolicy, UserKey } from '@aerospike-numpy/core'
import { dtype, type Dtype, type StructuredArray } from '@aerospike-numpy/dtype'
import { chunks, type NullPolicy } from './convert.js'
import type { Mapping } from './mapping.js'
import type { Source } from './source.js'

export interface VerifyResult {
  mode: 'sample' | 'all'
  rowsVerified: number
  mismatches: number
  missing: number
  firstMismatches: Array<{ row: number; key: string; bins: string[] | 'missing' }>
}

const SAMPLE_TARGET = 10_000

/** The bins of the write dtype at the same offsets, to read back into. */
export function readDtype(mapping: Mapping): Dtype {
  const bins = mapping.plan.bins.map((b) => b.field)
  return dtype({
    names: bins.map((f) => f.name),
    formats: bins.map((f) => f.dtype),
    offsets: bins.map((f) => f.offset),
    itemsize: mapping.writeDtype.itemsize,
  })
}

function sameValue(a: Uint8Array, b: Uint8Array, at: number, size: number, field: Dtype): boolean {
  let equal = true
  for (let k = 0; k < size; k++) {
    if (a[at + k] !== b[at + k]) {
      equal = false
      break
    }
  }
  if (equal || field.kind !== 'f' || field.isSubarray) return equal
  const va = new DataView(a.buffer, a.byteOffset + at, size)
  const vb = new DataView(b.buffer, b.byteOffset + at, size)
  const le = field.byteOrder !== '>'
  const read = (v: DataView) =>
    size === 8 ? v.getFloat64(0, le) : size === 4 ? v.getFloat32(0, le) : v.getUint16(0, le)
  const x = read(va)
  const y = read(vb)
  if (size === 2)
    return (
      (x & 0x7c00) === 0x7c00 && (x & 0x3ff) !== 0 && (y & 0x7c00) === 0x7c00 && (y & 0x3ff) !== 0
    )
  return Number.isNaN(x) && Number.isNaN(y)
}

function keyText(key: UserKey): string {
  return key instanceof Uint8Array ? `0x${Buffer.from(key).toString('hex')}` : String(key)
}

export async function verify(
  client: AsyncClient,
  source: Source,
  mapping: Mapping,
  options: {
    namespace: string
    set: string
    chunkRows: number
    nulls: NullPolicy
    mode: 'sample' | 'all'
    /** Rows known not written (failed, in doubt, not sent): not verified. */
    skip: (row: number) => boolean
    policy?: ReadPolicy
    concurrency?: number
    onProgress?: (rowsVerified: number) => void
  },
): Promise<VerifyResult> {
  const result: VerifyResult = {
    mode: options.mode,
    rowsVerified: 0,
    mismatches: 0,
    missing: 0,
    firstMismatches: [],
  }
  const readDt = readDtype(mapping)
  const bins = mapping.plan.bins.map((b) => ({
    name: b.name,
    offset: b.field.offset,
    size: b.field.dtype.itemsize,
    dtype: b.field.dtype,
  }))
  const total = source.rows
  const step =
    options.mode === 'all' ? 1 : Math.max(1, Math.floor((total ?? 1_000_000) / SAMPLE_TARGET))
  const keyOf = (data: StructuredArray, i: number) =>
    mapping.plan.key.value(new Uint8Array(data.buffer), data.byteOffset + i * data.stride, i)
  const note = (row: number, key: UserKey, what: string[] | 'missing') => {
    if (result.firstMismatches.length < 10)
      result.firstMismatches.push({ row, key: keyText(key), bins: what })
  }
  await runBounded(
    chunks(source, mapping, { chunkRows: options.chunkRows, nulls: options.nulls }),
    options.concurrency ?? 2,
    async (chunk) => {
      const rows: number[] = []
      for (let i = 0; i < chunk.data.length; i++) {
        const row = chunk.start + i
        if (row % step === 0 && !options.skip(row)) rows.push(i)
      }
      if (rows.length === 0) return
      const keys = rows.map((i) => [options.namespace, options.set, keyOf(chunk.data, i)])
      const back = await client.batchRead(keys, {
        dtype: readDt,
        ...(options.policy === undefined ? {} : { policy: options.policy }),
      })
      const got = back.batchRecords
      const gotBytes = new Uint8Array(got.buffer)
      const want = new Uint8Array(chunk.data.buffer)
      rows.forEach((i, k) => {
        const row = chunk.start + i
        result.rowsVerified++
        if (back.resultCodes[k] !== 0) {
          result.missing++
          result.mismatches++
          note(row, keyOf(chunk.data, i), 'missing')
          return
        }
        const bad: string[] = []
        for (const b of bins) {
          const a = chunk.data.byteOffset + i * chunk.data.stride + b.offset
          const g = got.byteOffset + k * got.stride + b.offset
          if (
            !sameValue(
              want.subarray(a, a + b.size),
              gotBytes.subarray(g, g + b.size),
              0,
              b.size,
              b.dtype,
            )
          )
            bad.push(b.name)
        }
        if (bad.length > 0) {
          result.mismatches++
          note(row, keyOf(chunk.data, i), bad)
        }
      })
      options.onProgress?.(result.rowsVerified)
    },
  )
  return result
}
