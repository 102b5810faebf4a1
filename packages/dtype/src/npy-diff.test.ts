// .npy against numpy: files numpy writes are read value for value (whole and streamed), our
// encoding of them is byte-identical, and files we build from JS values numpy reads back and
// re-saves to the very same bytes.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { encodeNpy, parseNpy, parseNpyHeader } from './npy.js'
import { dtype } from './dtype.js'
import type { DtypeSpec } from './dtype.js'
import { NpyFormatError } from './errors.js'
import { openNpy, readNpy } from './npy-file.js'
import { StructuredArray } from './structured-array.js'
import { canonRows, runOracle } from './test-support/oracle.js'
import type { OracleJob, OracleResult } from './test-support/oracle.js'
import { DtypeGenerator, toPython, toSpec } from './test-support/random-dtype.js'
import type { Gen } from './test-support/random-dtype.js'
import { pyReprString } from './pyliteral.js'

function throwsNpyError(f: () => unknown): boolean {
  try {
    f()
    return false
  } catch (err) {
    return err instanceof NpyFormatError
  }
}

const dir = mkdtempSync(join(tmpdir(), 'dtype-npy-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface FileCase {
  label: string
  python: string
  rows: number
  zeroD?: boolean
  align?: boolean
  spec?: DtypeSpec
}

const s = (text: string): Gen => ({ t: 'str', s: text })
const manyFields: Gen = {
  t: 'list',
  fields: Array.from({ length: 3500 }, (_, i) => ({
    name: `field_${i}`,
    format: s(i % 2 ? '>u2' : 'u1'),
  })),
}

const FIXED: FileCase[] = [
  { label: 'plain 1-D <f4', python: "'<f4'", rows: 7 },
  { label: 'plain 1-D >i8', python: "'>i8'", rows: 5 },
  { label: '2-D <f4 (N, 16)', python: "('<f4', (16,))", rows: 9 },
  { label: '3-D >f8 (N, 2, 3)', python: "('>f8', (2, 3))", rows: 4 },
  { label: '2-D u1 (N, 3)', python: "('u1', (3,))", rows: 3 },
  { label: 'empty array', python: "[('_key', '<i4'), ('emb', '<f4', (4,))]", rows: 0 },
  { label: '0-d struct', python: "[('a', '<i4'), ('b', '>f2')]", rows: 1, zeroD: true },
  { label: '0-d scalar', python: "'<u2'", rows: 1, zeroD: true },
  {
    label: 'guide dtype',
    python: "[('_key', '<i4'), ('score', '<f8'), ('count', '<i4')]",
    rows: 6,
  },
  { label: 'embedding', python: "[('_key', '<i8'), ('emb', '<f4', (128,))]", rows: 5 },
  {
    label: 'aligned with padding',
    python: "[('a', 'i1'), ('b', '>i4'), ('c', 'S3'), ('d', '<f8')]",
    rows: 4,
    align: true,
  },
  {
    label: 'every kind',
    python:
      "[('t', '>M8[us]'), ('d', '<m8[ns]'), ('u', '<U3'), ('U', '>U2'), ('s', 'S2'), ('b', '?'), ('c', '>c8'), ('C', '<c16'), ('h', '>f2'), ('v', 'V3'), ('q', '>u8')]",
    rows: 6,
  },
  {
    label: 'version 3 (non-latin-1 name)',
    python: "[('ключ', '<i4'), ('emb', '<f2', (3,))]",
    rows: 3,
  },
  { label: 'latin-1 name stays version 1', python: "[('café', '<i4')]", rows: 2 },
  { label: 'version 2 (3500 fields)', python: toPython(manyFields), rows: 2 },
]

function randomFileCases(count: number, seed: number): FileCase[] {
  const gen = new DtypeGenerator(seed)
  return Array.from({ length: count }, (_, i) => {
    const align = i % 4 === 0
    const g = gen.top(align)
    return {
      label: `random #${i} ${toPython(g)}`,
      python: toPython(g),
      rows: 1 + (i % 5),
      align,
      spec: toSpec(g),
    }
  })
}

describe('.npy against numpy', () => {
  const cases = [...FIXED, ...randomFileCases(150, 7)]
  const paths = cases.map((_, i) => join(dir, `numpy-${i}.npy`))
  let saved: OracleResult[] = []

  beforeAll(() => {
    saved = runOracle(
      cases.map((c, i): OracleJob => ({
        op: 'save',
        spec: c.python,
        rows: c.rows,
        seed: i,
        path: paths[i] as string,
        zero_d: c.zeroD === true,
        align: c.align === true,
      })),
    )
  })

  it('reads every file numpy writes value for value, and encodes it to the same bytes', async () => {
    const problems: string[] = []
    let checked = 0
    let refusedByBoth = 0
    for (const [i, c] of cases.entries()) {
      const r = saved[i] as OracleResult
      if (!r.ok) {
        // numpy cannot save out-of-order fields (no descr); neither can we.
        if (!/out-of-order/.test(r.error ?? '') || !c.spec)
          problems.push(`${c.label}: numpy: ${r.error}`)
        else if (
          !throwsNpyError(() =>
            encodeNpy(
              StructuredArray.zeros(dtype(c.spec as DtypeSpec, { align: c.align === true }), 1),
            ),
          )
        ) {
          problems.push(`${c.label}: we encode a dtype numpy cannot save`)
        } else refusedByBoth++
        continue
      }
      const bytes = new Uint8Array(readFileSync(paths[i] as string))
      let a: StructuredArray
      try {
        a = parseNpy(bytes)
      } catch (err) {
        problems.push(`${c.label}: ${(err as Error).message}`)
        continue
      }
      const header = parseNpyHeader(bytes)
      if (JSON.stringify(header.shape) !== JSON.stringify(r.shape))
        problems.push(`${c.label}: shape ${header.shape} vs ${r.shape}`)
      if (JSON.stringify(canonRows(a)) !== JSON.stringify(r.rows))
        problems.push(`${c.label}: values differ`)
      // A 0-d array loads as one row and is written back as shape (1,): the only layout we do not keep.
      const expected = c.zeroD ? null : Buffer.from(bytes)
      if (c.zeroD) {
        if (header.shape.length !== 0 || a.length !== 1)
          problems.push(`${c.label}: 0-d array not one row`)
      } else if (Buffer.compare(Buffer.from(encodeNpy(a)), Buffer.from(bytes)) !== 0) {
        problems.push(`${c.label}: encodeNpy bytes differ`)
      }
      // Through our own writers: the values read, written again from JS, give numpy's bytes.
      const rebuilt = StructuredArray.fromRows(a.dtype, [...a])
      if (expected && Buffer.compare(Buffer.from(encodeNpy(rebuilt)), expected) !== 0) {
        problems.push(`${c.label}: rebuilt from values, bytes differ`)
      }
      const whole = await readNpy(paths[i] as string)
      if (JSON.stringify(canonRows(whole)) !== JSON.stringify(r.rows))
        problems.push(`${c.label}: readNpy values differ`)
      checked++
    }
    expect(problems.slice(0, 10)).toEqual([])
    expect(checked + refusedByBoth).toBe(cases.length)
    expect(checked).toBeGreaterThan(cases.length * 0.75)
    const versions = cases.map((_, i) => (saved[i]?.ok ? readFileSync(paths[i] as string)[6] : 0))
    expect(versions[FIXED.findIndex((c) => c.label.startsWith('version 3'))]).toBe(3)
    expect(versions[FIXED.findIndex((c) => c.label.startsWith('version 2'))]).toBe(2)
    expect(versions[FIXED.findIndex((c) => c.label.startsWith('latin-1'))]).toBe(1)
  })

  it('loads a 2-D <f4 array as rows of a sub-array dtype', () => {
    const i = FIXED.findIndex((c) => c.label === '2-D <f4 (N, 16)')
    const a = parseNpy(new Uint8Array(readFileSync(paths[i] as string)))
    expect(a.length).toBe(9)
    expect(a.dtype.toString()).toBe("('<f4', (16,))")
    expect(a.dtype.base.str).toBe('<f4')
    expect((a.values() as Float32Array).length).toBe(9 * 16)
  })

  it('streams every file in chunks with the same values as a whole read', async () => {
    const problems: string[] = []
    for (const [i, c] of cases.entries()) {
      if (!saved[i]?.ok) continue
      const chunkRows = 1 + (i % 3)
      const rows: unknown[][] = []
      let chunks = 0
      for await (const chunk of openNpy(paths[i] as string, { chunkRows })) {
        if (chunk.length > chunkRows) problems.push(`${c.label}: chunk of ${chunk.length} rows`)
        rows.push(...canonRows(chunk))
        chunks++
      }
      if (JSON.stringify(rows) !== JSON.stringify(saved[i]?.rows))
        problems.push(`${c.label}: streamed values differ`)
      const expectedRows = saved[i]?.rows?.length ?? 0
      if (chunks !== Math.ceil(expectedRows / chunkRows))
        problems.push(`${c.label}: ${chunks} chunks`)
    }
    expect(problems.slice(0, 10)).toEqual([])
  })

  it('writes files numpy reads back and re-saves to identical bytes', () => {
    const ours: { label: string; path: string; back: string; array: StructuredArray }[] = []
    for (const [i, c] of cases.entries()) {
      if (!saved[i]?.ok) continue
      // Re-laid-out data: a strided view (every other row of a doubled array) written by encodeNpy.
      const a = parseNpy(new Uint8Array(readFileSync(paths[i] as string)))
      const doubled = StructuredArray.zeros(a.dtype, a.length * 2)
      for (let r = 0; r < a.length; r++) doubled.setRow(2 * r, a.row(r))
      const strided = StructuredArray.fromBuffer(a.dtype, doubled.buffer, {
        stride: 2 * a.dtype.itemsize,
        length: a.length,
      })
      const path = join(dir, `ours-${i}.npy`)
      writeFileSync(path, encodeNpy(strided))
      ours.push({ label: c.label, path, back: join(dir, `back-${i}.npy`), array: strided })
    }
    // Field names numpy must read back exactly (quotes, escapes, non-ASCII).
    for (const name of ["it's", 'é"\'\n', 'tab\there', 'ключ 🙂', '\\back', '\u0001\u00a0']) {
      const dt = `[(${pyReprString(name)}, '<i2')]`
      const array = StructuredArray.fromRows(dt, [[1], [-2]])
      const path = join(dir, `name-${ours.length}.npy`)
      writeFileSync(path, encodeNpy(array))
      ours.push({ label: `name ${JSON.stringify(name)}`, path, back: `${path}.back.npy`, array })
    }
    const results = runOracle(
      ours.map((o): OracleJob => ({ op: 'load', path: o.path, resave: o.back })),
    )
    const problems: string[] = []
    ours.forEach((o, k) => {
      const r = results[k] as OracleResult
      if (!r.ok) {
        problems.push(`${o.label}: numpy cannot load our file: ${r.error}`)
        return
      }
      if (Buffer.compare(readFileSync(o.path), readFileSync(o.back)) !== 0)
        problems.push(`${o.label}: numpy re-saves different bytes`)
      if (JSON.stringify(canonRows(o.array)) !== JSON.stringify(r.rows))
        problems.push(`${o.label}: numpy reads different values`)
      if (r.text !== o.array.dtype.base.toString() && r.text !== o.array.dtype.toString())
        problems.push(`${o.label}: numpy dtype ${r.text}`)
    })
    expect(problems.slice(0, 10)).toEqual([])
    expect(ours.length).toBeGreaterThan(140)
  })
})
