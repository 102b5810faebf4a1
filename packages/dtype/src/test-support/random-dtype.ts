// A seeded generator of dtype specs, written both as this package's spec and as Python source
// for numpy: nested structs, sub-arrays, padding, explicit and out-of-order offsets, align, and
// both byte orders.

import { pyReprShape, pyReprString } from '../pyliteral.js'
import type { DtypeSpec } from '../dtype.js'

/** mulberry32: small, fast, deterministic. */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export type Gen =
  | { t: 'str'; s: string }
  | { t: 'sub'; base: Gen; shape: number | number[] }
  | { t: 'list'; fields: { name: string; format: Gen; shape?: number | number[] }[] }
  | { t: 'dict'; names: string[]; formats: Gen[]; offsets?: number[]; itemsize?: number }

export function toSpec(g: Gen): DtypeSpec {
  switch (g.t) {
    case 'str':
      return g.s
    case 'sub':
      return [toSpec(g.base), g.shape]
    case 'list':
      return g.fields.map((f) =>
        f.shape === undefined ? [f.name, toSpec(f.format)] : [f.name, toSpec(f.format), f.shape],
      ) as DtypeSpec
    case 'dict': {
      const d: { names: string[]; formats: DtypeSpec[]; offsets?: number[]; itemsize?: number } = {
        names: g.names,
        formats: g.formats.map(toSpec),
      }
      if (g.offsets) d.offsets = g.offsets
      if (g.itemsize !== undefined) d.itemsize = g.itemsize
      return d
    }
  }
}

const pyShape = (s: number | number[]): string =>
  typeof s === 'number' ? String(s) : pyReprShape(s)

export function toPython(g: Gen): string {
  switch (g.t) {
    case 'str':
      return pyReprString(g.s)
    case 'sub':
      return `(${toPython(g.base)}, ${pyShape(g.shape)})`
    case 'list':
      return `[${g.fields
        .map(
          (f) =>
            `(${pyReprString(f.name)}, ${toPython(f.format)}${f.shape === undefined ? '' : `, ${pyShape(f.shape)}`})`,
        )
        .join(', ')}]`
    case 'dict': {
      let s = `{'names': [${g.names.map(pyReprString).join(', ')}], 'formats': [${g.formats.map(toPython).join(', ')}]`
      if (g.offsets) s += `, 'offsets': [${g.offsets.join(', ')}]`
      if (g.itemsize !== undefined) s += `, 'itemsize': ${g.itemsize}`
      return s + '}'
    }
  }
}

const SCALARS = [
  'i1',
  'u1',
  'i2',
  'u2',
  'i4',
  'u4',
  'i8',
  'u8',
  'f2',
  'f4',
  'f8',
  'c8',
  'c16',
  '?',
  'b1',
  'M8[ns]',
  'm8[us]',
  'M8[D]',
]
const ORDERS = ['', '', '<', '>', '>', '=', '|']
const NAMES = [
  'a',
  'b',
  'c',
  '_key',
  'emb',
  'score',
  'x y',
  "it's",
  'é',
  'ключ',
  '"q"',
  'tab\there',
  'n0',
  'long_field_name_1',
  '',
]

export interface GenOptions {
  /** Allow U, S and V leaves (value tests need them; all are fine for layout tests). */
  readonly strings?: boolean
}

export class DtypeGenerator {
  private readonly r: () => number
  /** numpy applies align to nested lists and dicts too; explicit offsets must respect it. */
  private align = false
  constructor(
    seed: number,
    private readonly options: GenOptions = { strings: true },
  ) {
    this.r = rng(seed)
  }

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.r() * (hi - lo + 1))
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)] as T
  }
  chance(p: number): boolean {
    return this.r() < p
  }

  scalar(): Gen {
    const order = this.pick(ORDERS)
    if (this.options.strings !== false && this.chance(0.2)) {
      const kind = this.pick(['S', 'U', 'V'])
      return { t: 'str', s: `${kind === 'U' ? order : ''}${kind}${this.int(1, 9)}` }
    }
    return { t: 'str', s: order + this.pick(SCALARS) }
  }

  shape(): number | number[] {
    if (this.chance(0.3)) return this.int(1, 5)
    const dims = this.int(1, 3)
    return Array.from({ length: dims }, () => this.int(1, 4))
  }

  /** A field type: a scalar, a sub-array, or (while depth allows) a nested struct. */
  format(depth: number): Gen {
    const roll = this.r()
    if (depth > 0 && roll < 0.15) return this.struct(depth - 1, this.align)
    if (roll < 0.3) {
      const base =
        depth > 0 && this.chance(0.2) ? this.struct(depth - 1, this.align) : this.scalar()
      return { t: 'sub', base, shape: this.shape() }
    }
    return this.scalar()
  }

  names(n: number, allowEmpty: boolean): string[] {
    const out: string[] = []
    while (out.length < n) {
      const name = this.chance(0.6) ? `f${out.length}_${this.int(0, 99)}` : this.pick(NAMES)
      if (name === '' && !allowEmpty) continue
      if (name !== '' && out.includes(name)) continue
      if (name === '' && out.includes(`f${out.length}`)) continue
      out.push(name)
    }
    // '' becomes f<i> in a list: keep those from clashing with explicit names.
    return out.map((n, i) => (n === '' && out.includes(`f${i}`) ? 'z' + i : n))
  }

  struct(depth: number, align = false): Gen {
    const n = this.int(1, 5)
    if (this.chance(0.6)) {
      const names = this.names(n, true)
      return {
        t: 'list',
        fields: names.map((name) => {
          const format = this.format(depth)
          return this.chance(0.2) && format.t === 'str'
            ? { name, format, shape: this.shape() }
            : { name, format }
        }),
      }
    }
    const names = this.names(n, false)
    const formats = names.map(() => this.format(depth))
    if (this.chance(0.3)) return { t: 'dict', names, formats }
    // Explicit offsets: fields placed in a random order with random gaps, never overlapping.
    const sizes = formats.map((f) => sizeOf(f, align))
    const aligns = formats.map((f) => alignOf(f, align))
    const order = names.map((_, i) => i).sort(() => this.r() - 0.5)
    const offsets = new Array<number>(n).fill(0)
    let cur = 0
    for (const i of order) {
      cur += this.chance(0.5) ? this.int(0, 7) : 0
      const a = align ? (aligns[i] as number) : 1
      cur = Math.ceil(cur / a) * a
      offsets[i] = cur
      cur += sizes[i] as number
    }
    const g: Gen = { t: 'dict', names, formats, offsets }
    if (this.chance(0.4)) {
      const maxAlign = align ? Math.max(1, ...aligns) : 1
      g.itemsize = Math.ceil(cur / maxAlign) * maxAlign + maxAlign * this.int(0, 3)
    }
    return g
  }

  /** A top-level spec: mostly structs, sometimes a scalar or a sub-array. */
  top(align: boolean): Gen {
    this.align = align
    const roll = this.r()
    if (roll < 0.1) return this.scalar()
    if (roll < 0.2) return { t: 'sub', base: this.scalar(), shape: this.shape() }
    return this.struct(this.int(0, 3), align)
  }
}

// Sizes and alignments of generated specs, computed independently of the package (for placing
// explicit offsets only; the package's own answers are checked against numpy).
function scalarInfo(s: string): [number, number] {
  const m = /^[<>=|]?(.*)$/.exec(s)?.[1] ?? s
  if (m.startsWith('M8') || m.startsWith('m8')) return [8, 8]
  if (m === '?' || m === 'b1') return [1, 1]
  const kind = m[0] as string
  const n = Number(m.slice(1))
  if (kind === 'S' || kind === 'V') return [n, 1]
  if (kind === 'U') return [4 * n, 4]
  if (kind === 'c') return [n, n / 2]
  return [n, n]
}
const dims = (s: number | number[]): number =>
  typeof s === 'number' ? s : s.reduce((a, b) => a * b, 1)
export function sizeOf(g: Gen, align: boolean): number {
  switch (g.t) {
    case 'str':
      return scalarInfo(g.s)[0]
    case 'sub':
      return sizeOf(g.base, align) * dims(g.shape)
    case 'list': {
      let cur = 0
      let maxA = 1
      for (const f of g.fields) {
        const fg: Gen =
          f.shape === undefined ? f.format : { t: 'sub', base: f.format, shape: f.shape }
        const a = align ? alignOf(fg, align) : 1
        maxA = Math.max(maxA, a)
        cur = Math.ceil(cur / a) * a + sizeOf(fg, align)
      }
      return Math.ceil(cur / maxA) * maxA
    }
    case 'dict': {
      if (!g.offsets)
        return sizeOf(
          { t: 'list', fields: g.names.map((name, i) => ({ name, format: g.formats[i] as Gen })) },
          align,
        )
      let end = 0
      g.offsets.forEach((o, i) => (end = Math.max(end, o + sizeOf(g.formats[i] as Gen, align))))
      const maxA = align ? Math.max(1, ...g.formats.map((f) => alignOf(f, align))) : 1
      return g.itemsize ?? Math.ceil(end / maxA) * maxA
    }
  }
}
export function alignOf(g: Gen, align: boolean): number {
  switch (g.t) {
    case 'str':
      return scalarInfo(g.s)[1]
    case 'sub':
      return alignOf(g.base, align)
    case 'list':
      return align ? Math.max(1, ...g.fields.map((f) => alignOf(f.format, align))) : 1
    case 'dict':
      return align ? Math.max(1, ...g.formats.map((f) => alignOf(f, align))) : 1
  }
}
