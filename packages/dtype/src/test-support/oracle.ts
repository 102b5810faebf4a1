// Runs numpy_oracle.py once per batch of jobs (python3 with numpy is on every machine here).

import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

import type { Dtype } from '../dtype.js'
import { descrRepr } from '../dtype.js'
import type { RowValue } from '../codec.js'
import type { StructuredArray } from '../structured-array.js'

const SCRIPT = fileURLToPath(new URL('./numpy_oracle.py', import.meta.url))

export type OracleJob =
  | { op: 'dtype'; spec: string; align?: boolean }
  | { op: 'descr_dtype'; descr: string }
  | { op: 'equal'; a: number; b: number }
  | {
      op: 'save'
      spec: string
      rows: number
      seed: number
      path: string
      zero_d?: boolean
      align?: boolean
    }
  | { op: 'load'; path: string; resave: string }
  | { op: 'half'; doubles: string[] }

export interface OracleResult {
  ok: boolean
  error?: string
  itemsize?: number
  alignment?: number
  str?: string
  text?: string
  kind?: string
  isalignedstruct?: boolean
  layout?: unknown
  descr?: string
  descr_error?: string
  equal?: boolean
  rows?: unknown[][]
  shape?: number[]
  bits?: number[]
  decoded?: string[]
}

export function runOracle(jobs: readonly OracleJob[]): OracleResult[] {
  const r = spawnSync('python3', [SCRIPT], {
    input: JSON.stringify(jobs),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  })
  if (r.status !== 0) throw new Error(`numpy oracle failed (${r.status}): ${r.stderr}`)
  const out = JSON.parse(r.stdout) as OracleResult[]
  if (out.length !== jobs.length)
    throw new Error(`numpy oracle answered ${out.length} of ${jobs.length} jobs`)
  return out
}

/** The same shape as numpy_oracle.py's `layout()`. */
export function layoutOf(dt: Dtype): unknown {
  if (dt.fields)
    return {
      fields: dt.fields.map((f) => [f.name, f.offset, layoutOf(f.dtype)]),
      itemsize: dt.itemsize,
    }
  if (dt.isSubarray) return { base: layoutOf(dt.base), shape: [...dt.shape] }
  return dt.str
}

/** What the oracle's `describe()` reports, computed by this package. */
export function describeDtype(dt: Dtype): OracleResult {
  const out: OracleResult = {
    ok: true,
    itemsize: dt.itemsize,
    alignment: dt.alignment,
    str: dt.str,
    text: dt.toString(),
    kind: dt.kind,
    isalignedstruct: dt.isAlignedStruct,
    layout: layoutOf(dt),
  }
  try {
    out.descr = descrRepr(dt.descr)
  } catch (err) {
    out.descr_error = (err as Error).message
  }
  return out
}

const f64 = new DataView(new ArrayBuffer(8))
function hex64(x: number): string {
  f64.setFloat64(0, x)
  return f64.getBigUint64(0).toString(16).padStart(16, '0')
}
const hex = (b: Uint8Array): string =>
  Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')

/** numpy_oracle.py's `canon()` for one value of `dt` read by this package. */
export function canon(dt: Dtype, v: RowValue): unknown[] {
  if (dt.fields) {
    const obj = v as Record<string, RowValue>
    return dt.fields.flatMap((f) => canon(f.dtype, obj[f.name] as RowValue))
  }
  if (dt.isSubarray) {
    const items = Array.from(v as ArrayLike<RowValue>)
    if (dt.base.kind === 'c' && !dt.base.isSubarray && !dt.base.isStructured) {
      // complex sub-arrays come back as interleaved re, im
      const out: unknown[] = []
      for (let i = 0; i < items.length; i += 2)
        out.push([hex64(items[i] as number), hex64(items[i + 1] as number)])
      return out
    }
    if (dt.base.kind === 'b' && !dt.base.isStructured) return items.map((x) => (x ? 'T' : 'F'))
    return items.flatMap((x) => canon(dt.base, x))
  }
  switch (dt.kind) {
    case 'i':
    case 'u':
    case 'M':
    case 'm':
      return [String(v)]
    case 'f':
      return [hex64(v as number)]
    case 'c': {
      const c = v as { re: number; im: number }
      return [[hex64(c.re), hex64(c.im)]]
    }
    case 'b':
      return [v ? 'T' : 'F']
    case 'S':
    case 'V':
      return [hex(v as Uint8Array)]
    case 'U':
      return [v as string]
    default:
      throw new Error(`kind ${dt.kind}`)
  }
}

export function canonRows(a: StructuredArray): unknown[][] {
  return [...a].map((row) => canon(a.dtype, row))
}
