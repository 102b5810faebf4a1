// numpy dtypes as byte layouts. `dtype(spec)` accepts numpy's spellings and produces a `Dtype`
// whose itemsize, alignment, field offsets, `descr` and `str` agree with numpy's byte for byte
// (numpy itself is the oracle in the tests). Zero-size types and overlapping fields, which numpy
// tolerates, are refused here: a row layout with them cannot be written safely.

import { describeValue, readOptions, readingInput } from './args.js'
import { DtypeSpecError } from './errors.js'
import {
  PyLiteralSyntaxError,
  PyTuple,
  parsePyLiteral,
  pyReprShape,
  pyReprString,
} from './pyliteral.js'
import type { PyValue } from './pyliteral.js'

export type DtypeKind = 'b' | 'i' | 'u' | 'f' | 'c' | 'S' | 'U' | 'V' | 'O' | 'M' | 'm'
export type ByteOrder = '<' | '>' | '|'

export interface DtypeField {
  readonly name: string
  readonly dtype: Dtype
  readonly offset: number
}

/** numpy's `descr` spelling: a type string, a nested field list, or (type, shape) for a nested sub-array. */
export type DescrType = string | DescrEntry[] | [DescrType, number[]]
export type DescrEntry =
  [name: string, type: DescrType] | [name: string, type: DescrType, shape: number[]]

export type ShapeSpec = number | readonly number[]
export type FieldSpec =
  | readonly [name: string, format: DtypeSpec]
  | readonly [name: string, format: DtypeSpec, shape: ShapeSpec]
export interface DictSpec {
  readonly names: readonly string[]
  readonly formats: readonly DtypeSpec[]
  readonly offsets?: readonly number[]
  readonly itemsize?: number
  readonly titles?: readonly (string | null | undefined)[]
  readonly aligned?: boolean
}
export type DtypeSpec =
  string | Dtype | readonly [DtypeSpec, ShapeSpec] | readonly FieldSpec[] | DictSpec

export interface DtypeOptions {
  /** numpy's `align=True`: C-struct layout (fields at multiples of their alignment, padded itemsize). */
  readonly align?: boolean
}

/** numpy caps an itemsize at a C int. */
const MAX_ITEMSIZE = 0x7fffffff
const MAX_NESTING = 32
/** Byte order meant by `=` (and by no prefix). Every platform this package supports is little-endian. */
const NATIVE: ByteOrder = '<'

interface DtypeInit {
  kind: DtypeKind
  itemsize: number
  alignment: number
  byteOrder: ByteOrder
  timeUnit?: string
  subarray?: { base: Dtype; shape: readonly number[] }
  fields?: readonly DtypeField[]
  alignedStruct?: boolean
}

/** A numpy dtype: a fixed-size byte layout. Build one with `dtype(spec)`. */
export class Dtype {
  readonly kind: DtypeKind
  readonly itemsize: number
  readonly alignment: number
  readonly byteOrder: ByteOrder
  /** Element dtype of a sub-array; the dtype itself otherwise. */
  readonly base: Dtype
  /** Shape of a sub-array; `[]` otherwise. */
  readonly shape: readonly number[]
  /** Fields in numpy's order (the order of `names`), or null when not structured. */
  readonly fields: readonly DtypeField[] | null
  readonly names: readonly string[] | null
  /** numpy's `isalignedstruct`: built with `align: true`. Not part of equality. */
  readonly isAlignedStruct: boolean
  /** datetime64/timedelta64 unit as numpy prints it (`'ns'`, `'10ms'`), `''` for generic; `''` for other kinds. */
  readonly timeUnit: string
  private readonly byName: ReadonlyMap<string, DtypeField>

  /** @internal Use `dtype(spec)`. */
  constructor(init: DtypeInit) {
    this.kind = init.kind
    this.itemsize = init.itemsize
    this.alignment = init.alignment
    this.byteOrder = init.byteOrder
    this.timeUnit = init.timeUnit ?? ''
    this.base = init.subarray ? init.subarray.base : this
    this.shape = Object.freeze(init.subarray ? [...init.subarray.shape] : [])
    this.fields = init.fields
      ? Object.freeze(init.fields.map((f) => Object.freeze({ ...f })))
      : null
    this.names = this.fields ? Object.freeze(this.fields.map((f) => f.name)) : null
    this.isAlignedStruct = init.alignedStruct ?? false
    this.byName = new Map((this.fields ?? []).map((f) => [f.name, f]))
    Object.freeze(this)
  }

  get isStructured(): boolean {
    return this.fields !== null
  }

  get isSubarray(): boolean {
    return this.base !== this
  }

  /** Number of base elements in a sub-array (1 otherwise). */
  get count(): number {
    return this.shape.reduce((a, b) => a * b, 1)
  }

  field(name: string): DtypeField | undefined {
    return this.byName.get(name)
  }

  /** numpy's `dtype.str`: `'<i4'`, `'|S16'`, `'<M8[ns]'`, `'|V12'` for structured and sub-array. */
  get str(): string {
    if (this.isStructured || this.isSubarray) return `|V${this.itemsize}`
    switch (this.kind) {
      case 'b':
        return '|b1'
      case 'O':
        return '|O'
      case 'U':
        return `${this.byteOrder}U${this.itemsize / 4}`
      case 'M':
      case 'm':
        return `${this.byteOrder}${this.kind}8${this.timeUnit ? `[${this.timeUnit}]` : ''}`
      default:
        return `${this.byteOrder}${this.kind}${this.itemsize}`
    }
  }

  /** numpy's `dtype.name`: `'int32'`, `'float16'`, `'bytes128'`, `'void96'`, `'datetime64[ns]'`. */
  get name(): string {
    const bits = this.itemsize * 8
    switch (this.kind) {
      case 'b':
        return 'bool'
      case 'i':
        return `int${bits}`
      case 'u':
        return `uint${bits}`
      case 'f':
        return `float${bits}`
      case 'c':
        return `complex${bits}`
      case 'S':
        return `bytes${bits}`
      case 'U':
        return `str${bits}`
      case 'V':
        return `void${bits}`
      case 'O':
        return 'object'
      case 'M':
        return `datetime64${this.timeUnit ? `[${this.timeUnit}]` : ''}`
      case 'm':
        return `timedelta64${this.timeUnit ? `[${this.timeUnit}]` : ''}`
    }
  }

  /**
   * numpy's `dtype.descr`: `[['', '<i4']]` for a plain type, the field list with `['', '|Vn']`
   * padding entries for a structured one. Throws for out-of-order fields, as numpy does.
   */
  get descr(): DescrEntry[] {
    if (!this.isStructured) return [['', this.str]]
    return structDescr(this)
  }

  /** numpy equality: same layout, names, offsets, byte orders and units (the aligned flag aside). */
  equals(other: Dtype): boolean {
    if (this === other) return true
    if (!isDtype(other)) return false
    if (this.itemsize !== other.itemsize || this.kind !== other.kind) return false
    if (this.isSubarray !== other.isSubarray || this.isStructured !== other.isStructured)
      return false
    if (this.isSubarray) {
      return sameShape(this.shape, other.shape) && this.base.equals(other.base)
    }
    const a = this.fields
    const b = other.fields
    if (a && b) {
      if (a.length !== b.length) return false
      return a.every((f, i) => {
        const g = b[i]
        return (
          g !== undefined && f.name === g.name && f.offset === g.offset && f.dtype.equals(g.dtype)
        )
      })
    }
    return this.byteOrder === other.byteOrder && this.timeUnit === other.timeUnit
  }

  /**
   * A plain, structured-cloneable spec that `dtype()` turns back into an equal dtype (explicit
   * offsets and itemsize; the aligned flag and a struct's `alignment`, which numpy's equality
   * ignores, are not kept). For
   * sending a dtype to a worker thread or storing it as JSON.
   */
  toSpec():
    | string
    | [DtypeSpec, number[]]
    | { names: string[]; formats: DtypeSpec[]; offsets: number[]; itemsize: number } {
    if (this.fields) {
      return {
        names: this.fields.map((f) => f.name),
        formats: this.fields.map((f) => f.dtype.toSpec()),
        offsets: this.fields.map((f) => f.offset),
        itemsize: this.itemsize,
      }
    }
    if (this.isSubarray) return [this.base.toSpec(), [...this.shape]]
    return this.str
  }

  toJSON(): unknown {
    return this.toSpec()
  }

  /** numpy's `str(dtype)`: `'int32'`, `'>f8'`, `"[('a', '<i4'), ('b', '<f8')]"`, `"('<f4', (128,))"`. */
  toString(): string {
    if (this.isStructured) return structRepr(this, true)
    if (this.isSubarray) return subarrayRepr(this)
    if (this.kind === 'S' || this.kind === 'U' || this.kind === 'V' || this.byteOrder === '>') {
      return this.str
    }
    return this.name
  }
}

/** `value instanceof Dtype`, false (not an exception) for a Proxy that refuses to be looked at. */
function isDtype(value: unknown): value is Dtype {
  try {
    return value instanceof Dtype
  } catch {
    return false
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}

function descrType(dt: Dtype): DescrType {
  if (dt.isStructured) return structDescr(dt)
  if (dt.isSubarray) return [descrType(dt.base), [...dt.shape]]
  return dt.str
}

function structDescr(dt: Dtype): DescrEntry[] {
  const out: DescrEntry[] = []
  let offset = 0
  for (const f of dt.fields ?? []) {
    if (f.offset > offset) {
      out.push(['', `|V${f.offset - offset}`])
      offset = f.offset
    } else if (f.offset < offset) {
      throw new DtypeSpecError(
        'DTYPE_BAD_OFFSET',
        'dtype.descr is not defined for types with overlapping or out-of-order fields',
      )
    }
    if (f.dtype.isSubarray) out.push([f.name, descrType(f.dtype.base), [...f.dtype.shape]])
    else out.push([f.name, descrType(f.dtype)])
    offset += f.dtype.itemsize
  }
  if (dt.itemsize > offset) out.push(['', `|V${dt.itemsize - offset}`])
  return out
}

/** Python `repr` of a `descr` value, as numpy writes it into a `.npy` header. */
export function descrRepr(descr: DescrType): string {
  if (typeof descr === 'string') return pyReprString(descr)
  if (isDescrTuple(descr)) return `(${descrRepr(descr[0])}, ${pyReprShape(descr[1])})`
  const items = (descr as DescrEntry[]).map((e) => {
    const parts = [pyReprString(e[0]), descrRepr(e[1])]
    if (e.length === 3) parts.push(pyReprShape(e[2]))
    return `(${parts.join(', ')})`
  })
  return `[${items.join(', ')}]`
}

function isDescrTuple(d: DescrType): d is [DescrType, number[]] {
  // A field list's entries start with a name; a (type, shape) pair ends with a list of numbers.
  const second = Array.isArray(d) ? d[1] : undefined
  return Array.isArray(second) && second.length > 0 && second.every((x) => typeof x === 'number')
}

// ---- numpy's str(dtype) (numpy/_core/_dtype.py), reproduced for the kinds supported here ----

function scalarRepr(dt: Dtype): string {
  const order = dt.byteOrder === '|' ? '' : dt.byteOrder
  switch (dt.kind) {
    case 'b':
      return "'?'"
    case 'O':
      return "'O'"
    case 'S':
      return `'S${dt.itemsize}'`
    case 'V':
      return `'V${dt.itemsize}'`
    case 'U':
      return `'${order}U${dt.itemsize / 4}'`
    case 'M':
    case 'm':
      return `'${order}${dt.kind}8${dt.timeUnit ? `[${dt.timeUnit}]` : ''}'`
    default:
      return `'${order}${dt.kind}${dt.itemsize}'`
  }
}

function constructionRepr(dt: Dtype): string {
  if (dt.isStructured) return structRepr(dt, false)
  if (dt.isSubarray) return subarrayRepr(dt)
  return scalarRepr(dt)
}

function subarrayRepr(dt: Dtype): string {
  return `(${constructionRepr(dt.base)}, ${pyReprShape(dt.shape)})`
}

function alignUp(offset: number, alignment: number): number {
  return Math.ceil(offset / alignment) * alignment
}

function isPacked(dt: Dtype): boolean {
  let total = 0
  let maxAlign = 1
  for (const f of dt.fields ?? []) {
    if (dt.isAlignedStruct) {
      total = alignUp(total, f.dtype.alignment)
      maxAlign = Math.max(maxAlign, f.dtype.alignment)
    }
    if (f.offset !== total) return false
    total += f.dtype.itemsize
  }
  if (dt.isAlignedStruct) total = alignUp(total, maxAlign)
  return total === dt.itemsize
}

function structRepr(dt: Dtype, includeAlign: boolean): string {
  const fields = dt.fields ?? []
  if (!(includeAlign && dt.isAlignedStruct) && isPacked(dt)) {
    const items = fields.map((f) =>
      f.dtype.isSubarray
        ? `(${pyReprString(f.name)}, ${constructionRepr(f.dtype.base)}, ${pyReprShape(f.dtype.shape)})`
        : `(${pyReprString(f.name)}, ${constructionRepr(f.dtype)})`,
    )
    return `[${items.join(', ')}]`
  }
  let s = `{'names': [${fields.map((f) => pyReprString(f.name)).join(', ')}]`
  s += `, 'formats': [${fields.map((f) => constructionRepr(f.dtype)).join(', ')}]`
  s += `, 'offsets': [${fields.map((f) => f.offset).join(', ')}]`
  s += `, 'itemsize': ${dt.itemsize}`
  if (includeAlign && dt.isAlignedStruct) s += ", 'aligned': True"
  return s + '}'
}

// ---- building dtypes ----

export interface Context {
  readonly align: boolean
  readonly depth: number
  /** Where in the spec we are, for error messages: `field 'emb'`, `format 2`. */
  readonly where: string
}

function at(ctx: Context): string {
  return ctx.where ? ` (${ctx.where})` : ''
}

function inner(ctx: Context, where: string): Context {
  if (ctx.depth + 1 > MAX_NESTING) {
    throw new DtypeSpecError(
      'DTYPE_BAD_SPEC',
      `dtype nested deeper than ${MAX_NESTING} levels${at(ctx)}`,
    )
  }
  return {
    align: ctx.align,
    depth: ctx.depth + 1,
    where: ctx.where ? `${ctx.where} › ${where}` : where,
  }
}

/**
 * Build a dtype from any of numpy's spellings: `'<i4'`, `'S16'`, `'i4,f8'`, `'(2,3)f4'`,
 * `['f4', [128]]`, `[['a', 'i4'], ['b', 'f4', 3]]`, `{ names, formats, offsets?, itemsize? }`,
 * or `.npy` descr text such as `"[('_key', '<i4'), ('emb', '<f4', (128,))]"`.
 */
export function dtype(spec: DtypeSpec, options?: DtypeOptions): Dtype {
  const o = readOptions(options, ['align'], 'dtype options', specError)
  if (o.align !== undefined && typeof o.align !== 'boolean') {
    throw specError(`dtype options.align must be true or false, got ${describeValue(o.align)}`)
  }
  const ctx: Context = { align: o.align === true, depth: 0, where: '' }
  // The spec is the caller's object: a getter or Proxy in it may throw while it is read.
  return readingInput(
    () => convert(spec, ctx),
    (detail, cause) => specError(`the dtype spec could not be read: ${detail}`, cause),
  )
}

function specError(message: string, cause?: unknown): DtypeSpecError {
  return new DtypeSpecError('DTYPE_BAD_SPEC', message, { cause })
}

/** Every element is a number (holes of a sparse array are not). */
function allNumbers(a: readonly unknown[]): boolean {
  for (let i = 0; i < a.length; i++) if (typeof a[i] !== 'number') return false
  return true
}

function convert(spec: unknown, ctx: Context): Dtype {
  if (spec instanceof Dtype) return spec
  if (typeof spec === 'string') return fromString(spec, ctx)
  if (Array.isArray(spec)) {
    const second: unknown = spec[1]
    if (
      spec.length === 2 &&
      (typeof second === 'number' || (Array.isArray(second) && allNumbers(second)))
    ) {
      const first: unknown = spec[0]
      if (typeof first === 'string' && /^[<>=|]?[SUVa]$/.test(first)) {
        // numpy's (flexible type, itemsize) tuple: ('S', 10) is 'S10', ('U', 3) is '<U3'.
        if (typeof second !== 'number') {
          throw new DtypeSpecError(
            'DTYPE_BAD_SIZE',
            `(${JSON.stringify(first)}, size) needs a number${at(ctx)}`,
          )
        }
        return fromScalarString(`${first}${second}`, ctx)
      }
      const base = convert(first, inner(ctx, 'sub-array base'))
      return subarray(base, second as ShapeSpec, ctx)
    }
    return fromFieldList(spec, ctx)
  }
  if (typeof spec === 'object' && spec !== null)
    return fromDict(spec as Record<string, unknown>, ctx)
  throw new DtypeSpecError(
    'DTYPE_BAD_SPEC',
    `cannot make a dtype from ${describeValue(spec)}${at(ctx)}`,
  )
}

function checkDim(d: unknown, ctx: Context): number {
  if (typeof d !== 'number' || !Number.isInteger(d)) {
    throw new DtypeSpecError(
      'DTYPE_BAD_SIZE',
      `sub-array dimension ${describeValue(d)} is not an integer${at(ctx)}`,
    )
  }
  if (d <= 0) {
    throw new DtypeSpecError(
      'DTYPE_BAD_SIZE',
      `sub-array dimension ${d} must be positive${at(ctx)}`,
    )
  }
  if (d > MAX_ITEMSIZE) {
    throw new DtypeSpecError('DTYPE_BAD_SIZE', `sub-array dimension ${d} is too large${at(ctx)}`)
  }
  return d
}

export function subarray(
  base: Dtype,
  shapeSpec: ShapeSpec,
  ctx: Context = { align: false, depth: 0, where: '' },
): Dtype {
  // Array.from, not map: a hole in a sparse shape is checked (and refused) like any other value.
  const shape =
    typeof shapeSpec === 'number'
      ? [checkDim(shapeSpec, ctx)]
      : Array.from(shapeSpec, (d) => checkDim(d, ctx))
  if (shape.length === 0) return base
  let itemsize = base.itemsize
  for (const d of shape) {
    itemsize *= d
    if (itemsize > MAX_ITEMSIZE) {
      throw new DtypeSpecError(
        'DTYPE_BAD_SIZE',
        `sub-array of ${pyReprShape(shape)} × ${base.itemsize} bytes is too large${at(ctx)}`,
      )
    }
  }
  return new Dtype({
    kind: 'V',
    itemsize,
    alignment: base.alignment,
    byteOrder: '|',
    subarray: { base, shape },
  })
}

function fromFieldList(list: readonly unknown[], ctx: Context): Dtype {
  if (list.length === 0) {
    throw new DtypeSpecError(
      'DTYPE_BAD_SIZE',
      `a structured dtype needs at least one field${at(ctx)}`,
    )
  }
  const names: string[] = []
  const dtypes: Dtype[] = []
  // A loop, not forEach: a hole in a sparse list is a bad field, not a skipped one.
  for (let i = 0; i < list.length; i++) {
    const item: unknown = list[i]
    if (!Array.isArray(item) || (item.length !== 2 && item.length !== 3)) {
      throw new DtypeSpecError(
        'DTYPE_BAD_SPEC',
        `field ${i} must be [name, format] or [name, format, shape], got ${describeValue(item)}${at(ctx)}`,
      )
    }
    const rawName: unknown = item[0]
    if (typeof rawName !== 'string') {
      throw new DtypeSpecError(
        'DTYPE_UNSUPPORTED',
        `field ${i}: the name must be a string (titles are not supported)${at(ctx)}`,
      )
    }
    const name = rawName === '' ? `f${i}` : rawName
    const fctx = inner(ctx, `field ${pyReprString(name)}`)
    let dt = convert(item[1], fctx)
    if (item.length === 3) {
      const shape: unknown = item[2]
      if (typeof shape !== 'number' && !(Array.isArray(shape) && allNumbers(shape))) {
        throw new DtypeSpecError(
          'DTYPE_BAD_SPEC',
          `shape must be a number or an array of numbers${at(fctx)}`,
        )
      }
      dt = subarray(dt, shape as ShapeSpec, fctx)
    }
    names.push(name)
    dtypes.push(dt)
  }
  return makeStruct(names, dtypes, null, null, ctx.align, ctx)
}

const DICT_KEYS = new Set(['names', 'formats', 'offsets', 'itemsize', 'titles', 'aligned'])

function fromDict(spec: Record<string, unknown>, ctx: Context): Dtype {
  for (const key of Object.keys(spec)) {
    if (!DICT_KEYS.has(key)) {
      throw new DtypeSpecError(
        'DTYPE_BAD_SPEC',
        `unknown key ${JSON.stringify(key)} in a dtype dict${at(ctx)}`,
      )
    }
  }
  const { names, formats, offsets, itemsize, titles, aligned } = spec
  if (!Array.isArray(names) || !Array.from(names).every((n) => typeof n === 'string')) {
    throw new DtypeSpecError(
      'DTYPE_BAD_SPEC',
      `a dtype dict needs 'names', an array of strings${at(ctx)}`,
    )
  }
  if (!Array.isArray(formats) || formats.length !== names.length) {
    throw new DtypeSpecError(
      'DTYPE_BAD_SPEC',
      `'formats' must be an array as long as 'names' (${names.length})${at(ctx)}`,
    )
  }
  if (
    titles !== undefined &&
    (!Array.isArray(titles) || titles.some((t) => t !== null && t !== undefined))
  ) {
    throw new DtypeSpecError('DTYPE_UNSUPPORTED', `field titles are not supported${at(ctx)}`)
  }
  if (offsets !== undefined && (!Array.isArray(offsets) || offsets.length !== names.length)) {
    throw new DtypeSpecError(
      'DTYPE_BAD_SPEC',
      `'offsets' must be an array as long as 'names' (${names.length})${at(ctx)}`,
    )
  }
  if (aligned !== undefined && typeof aligned !== 'boolean') {
    throw new DtypeSpecError('DTYPE_BAD_SPEC', `'aligned' must be a boolean${at(ctx)}`)
  }
  if (names.length === 0) {
    throw new DtypeSpecError(
      'DTYPE_BAD_SIZE',
      `a structured dtype needs at least one field${at(ctx)}`,
    )
  }
  const dctx: Context = { ...ctx, align: ctx.align || aligned === true }
  // Array.from, not map: a hole in a sparse `formats` is converted (and refused), not skipped.
  const dtypes = Array.from(formats as unknown[], (f, i) =>
    convert(f, inner(dctx, `field ${pyReprString(names[i] as string)}`)),
  )
  let size: number | null = null
  if (itemsize !== undefined) {
    if (
      typeof itemsize !== 'number' ||
      !Number.isInteger(itemsize) ||
      itemsize <= 0 ||
      itemsize > MAX_ITEMSIZE
    ) {
      throw new DtypeSpecError(
        'DTYPE_BAD_SIZE',
        `itemsize ${describeValue(itemsize)} must be a positive integer${at(ctx)}`,
      )
    }
    size = itemsize
  }
  return makeStruct(
    Array.from(names as string[]),
    dtypes,
    offsets === undefined ? null : Array.from(offsets as unknown[]),
    size,
    dctx.align,
    dctx,
  )
}

function makeStruct(
  names: readonly string[],
  dtypes: readonly Dtype[],
  offsetsIn: readonly unknown[] | null,
  itemsizeIn: number | null,
  align: boolean,
  ctx: Context,
): Dtype {
  const seen = new Set<string>()
  for (const n of names) {
    if (seen.has(n))
      throw new DtypeSpecError(
        'DTYPE_BAD_SPEC',
        `field ${pyReprString(n)} occurs more than once${at(ctx)}`,
      )
    seen.add(n)
  }
  const offsets: number[] = []
  let maxAlign = 1
  let total = 0
  dtypes.forEach((dt, i) => {
    const name = names[i] as string
    if (align) maxAlign = Math.max(maxAlign, dt.alignment)
    let offset: number
    if (offsetsIn === null) {
      offset = align ? alignUp(total, dt.alignment) : total
    } else {
      const o = offsetsIn[i]
      if (typeof o !== 'number' || !Number.isInteger(o) || o < 0) {
        throw new DtypeSpecError(
          'DTYPE_BAD_OFFSET',
          `field ${pyReprString(name)}: offset ${describeValue(o)} must be a non-negative integer${at(ctx)}`,
        )
      }
      if (align && o % dt.alignment !== 0) {
        throw new DtypeSpecError(
          'DTYPE_BAD_OFFSET',
          `field ${pyReprString(name)}: offset ${o} is not a multiple of its alignment ${dt.alignment} (align: true)${at(ctx)}`,
        )
      }
      offset = o
    }
    offsets.push(offset)
    total = offsetsIn === null ? offset + dt.itemsize : Math.max(total, offset + dt.itemsize)
    if (total > MAX_ITEMSIZE) {
      throw new DtypeSpecError(
        'DTYPE_BAD_SIZE',
        `structured dtype larger than ${MAX_ITEMSIZE} bytes${at(ctx)}`,
      )
    }
  })
  if (align) total = alignUp(total, maxAlign)
  let itemsize = total
  if (itemsizeIn !== null) {
    if (itemsizeIn < total) {
      throw new DtypeSpecError(
        'DTYPE_BAD_OFFSET',
        `the fields need ${total} bytes, more than itemsize ${itemsizeIn}${at(ctx)}`,
      )
    }
    if (align && itemsizeIn % maxAlign !== 0) {
      throw new DtypeSpecError(
        'DTYPE_BAD_SIZE',
        `itemsize ${itemsizeIn} is not a multiple of the alignment ${maxAlign} (align: true)${at(ctx)}`,
      )
    }
    itemsize = itemsizeIn
  }
  const fields = dtypes.map((dt, i) => ({
    name: names[i] as string,
    dtype: dt,
    offset: offsets[i] as number,
  }))
  const byOffset = [...fields].sort((a, b) => a.offset - b.offset)
  for (let i = 1; i < byOffset.length; i++) {
    const prev = byOffset[i - 1] as DtypeField
    const cur = byOffset[i] as DtypeField
    if (prev.offset + prev.dtype.itemsize > cur.offset) {
      throw new DtypeSpecError(
        'DTYPE_BAD_OFFSET',
        `fields ${pyReprString(prev.name)} (bytes ${prev.offset}..${prev.offset + prev.dtype.itemsize}) and ${pyReprString(cur.name)} (offset ${cur.offset}) overlap${at(ctx)}`,
      )
    }
  }
  return new Dtype({
    kind: 'V',
    itemsize,
    alignment: align ? maxAlign : 1,
    byteOrder: '|',
    fields,
    alignedStruct: align,
  })
}

// ---- strings ----

type Scalar = { kind: DtypeKind; itemsize: number; alignment: number }

// A Map, not an object: 'constructor' or 'toString' must not find Object.prototype's members.
const SCALARS = new Map<string, Scalar>()
function defineScalar(
  kind: DtypeKind,
  itemsize: number,
  alignment: number,
  ...spellings: string[]
): void {
  for (const s of spellings) SCALARS.set(s, { kind, itemsize, alignment })
}
defineScalar('b', 1, 1, '?', 'b1', 'bool', 'bool_')
defineScalar('i', 1, 1, 'b', 'i1', 'int8', 'byte')
defineScalar('u', 1, 1, 'B', 'u1', 'uint8', 'ubyte')
defineScalar('i', 2, 2, 'h', 'i2', 'int16', 'short')
defineScalar('u', 2, 2, 'H', 'u2', 'uint16', 'ushort')
defineScalar('i', 4, 4, 'i', 'i4', 'int32', 'intc')
defineScalar('u', 4, 4, 'I', 'u4', 'uint32', 'uintc')
defineScalar('i', 8, 8, 'l', 'q', 'p', 'i8', 'int64', 'int', 'long', 'longlong', 'intp')
defineScalar('u', 8, 8, 'L', 'Q', 'P', 'u8', 'uint64', 'uint', 'ulong', 'ulonglong', 'uintp')
defineScalar('f', 2, 2, 'e', 'f2', 'float16', 'half')
defineScalar('f', 4, 4, 'f', 'f4', 'float32', 'single')
defineScalar('f', 8, 8, 'd', 'f8', 'float64', 'float', 'double')
defineScalar('c', 8, 4, 'F', 'c8', 'complex64', 'csingle')
defineScalar('c', 16, 8, 'D', 'c16', 'complex128', 'complex', 'cdouble')
defineScalar('O', 8, 8, 'O', 'O8', 'object', 'object_')

const TIME_UNITS = new Set([
  'Y',
  'M',
  'W',
  'D',
  'h',
  'm',
  's',
  'ms',
  'us',
  'μs',
  'ns',
  'ps',
  'fs',
  'as',
  'generic',
])
const UNSUPPORTED = new Set([
  'g',
  'G',
  'f16',
  'c32',
  'longdouble',
  'clongdouble',
  'float128',
  'complex256',
  'T',
])

function fromString(text: string, ctx: Context): Dtype {
  if (text.length > 1_000_000)
    throw new DtypeSpecError(
      'DTYPE_SYNTAX',
      `dtype text longer than 1,000,000 characters${at(ctx)}`,
    )
  const trimmed = text.trimStart()
  if (trimmed.startsWith('[')) return fromDescrText(text, ctx)
  if (isCommaString(text)) return fromCommaString(text, ctx)
  return fromScalarString(text, ctx)
}

function syntax(text: string, message: string, ctx: Context, cause?: unknown): DtypeSpecError {
  const shown = JSON.stringify(text.length > 80 ? text.slice(0, 77) + '...' : text)
  return new DtypeSpecError('DTYPE_SYNTAX', `dtype ${shown}: ${message}${at(ctx)}`, { cause })
}

const SCALAR_RE = /^([<>=|]?)([A-Za-z?]+)([0-9]*)(?:\[([0-9]*)([A-Za-zμ]+)\])?$/

function fromScalarString(text: string, ctx: Context): Dtype {
  const m = SCALAR_RE.exec(text)
  if (!m) throw syntax(text, 'not a data type numpy understands', ctx)
  const order = m[1] ?? ''
  const letters = m[2] ?? ''
  const digits = m[3] ?? ''
  const unitCount = m[4]
  const unit = m[5]
  const code = letters + digits
  if (UNSUPPORTED.has(code)) {
    throw new DtypeSpecError(
      'DTYPE_UNSUPPORTED',
      `dtype ${JSON.stringify(text)}: extended precision and variable-width string types are not supported${at(ctx)}`,
    )
  }
  if (digits.length > 10)
    throw new DtypeSpecError(
      'DTYPE_BAD_SIZE',
      `dtype ${JSON.stringify(text)}: size ${digits} is too large${at(ctx)}`,
    )
  const isTime =
    ((letters === 'M' || letters === 'm') && (digits === '' || digits === '8')) ||
    code === 'datetime64' ||
    code === 'timedelta64'
  if (isTime) {
    const kind: DtypeKind = letters === 'M' || code === 'datetime64' ? 'M' : 'm'
    if (order !== '' && letters.length > 1) {
      throw syntax(text, 'a byte-order prefix goes only before a type code', ctx)
    }
    let timeUnit = ''
    if (unit !== undefined) {
      if (!TIME_UNITS.has(unit))
        throw syntax(text, `unknown datetime unit ${JSON.stringify(unit)}`, ctx)
      const count = unitCount === undefined || unitCount === '' ? 1 : Number(unitCount)
      if (!Number.isSafeInteger(count) || count <= 0 || count > 0x7fffffff)
        throw syntax(text, 'bad datetime unit multiplier', ctx)
      if (unit !== 'generic') timeUnit = `${count === 1 ? '' : count}${unit === 'μs' ? 'us' : unit}`
      else if (count !== 1) throw syntax(text, 'a generic unit takes no multiplier', ctx)
    }
    return new Dtype({
      kind,
      itemsize: 8,
      alignment: 8,
      byteOrder: order === '>' ? '>' : NATIVE,
      timeUnit,
    })
  }
  if (unit !== undefined) throw syntax(text, 'only datetime64 and timedelta64 take a [unit]', ctx)
  let scalar = SCALARS.get(code)
  if (!scalar && (letters === 'S' || letters === 'a' || letters === 'U' || letters === 'V')) {
    const n = digits === '' ? 0 : Number(digits)
    if (n === 0) {
      throw new DtypeSpecError(
        'DTYPE_BAD_SIZE',
        `dtype ${JSON.stringify(text)}: ${letters} needs a positive size${at(ctx)}`,
      )
    }
    const itemsize = letters === 'U' ? n * 4 : n
    if (itemsize > MAX_ITEMSIZE) {
      throw new DtypeSpecError(
        'DTYPE_BAD_SIZE',
        `dtype ${JSON.stringify(text)}: size ${n} is too large${at(ctx)}`,
      )
    }
    scalar = {
      kind: letters === 'a' ? 'S' : (letters as DtypeKind),
      itemsize,
      alignment: letters === 'U' ? 4 : 1,
    }
  }
  if (!scalar) {
    if (/^[biufc]$/.test(letters) && digits !== '') {
      throw new DtypeSpecError(
        'DTYPE_BAD_SIZE',
        `dtype ${JSON.stringify(text)}: ${letters} has no ${digits}-byte size${at(ctx)}`,
      )
    }
    throw new DtypeSpecError(
      'DTYPE_UNKNOWN_KIND',
      `dtype ${JSON.stringify(text)}: unknown data type${at(ctx)}`,
    )
  }
  if (order !== '' && letters.length > 1)
    throw syntax(text, 'a byte-order prefix goes only before a type code', ctx)
  const hasOrder =
    scalar.kind !== 'b' &&
    scalar.kind !== 'S' &&
    scalar.kind !== 'V' &&
    scalar.kind !== 'O' &&
    scalar.itemsize > 1
  const byteOrder: ByteOrder = !hasOrder ? '|' : order === '>' ? '>' : NATIVE
  return new Dtype({
    kind: scalar.kind,
    itemsize: scalar.itemsize,
    alignment: scalar.alignment,
    byteOrder,
  })
}

/** numpy's `_check_for_commastring`. */
function isCommaString(s: string): boolean {
  const c0 = s[0] ?? ''
  const c1 = s[1] ?? ''
  const isOrder = (c: string): boolean => c === '<' || c === '>' || c === '=' || c === '|'
  const isDigit = (c: string): boolean => c >= '0' && c <= '9'
  if (isDigit(c0) || (s.length > 1 && isOrder(c0) && isDigit(c1))) return true
  if (
    (s.length > 1 && c0 === '(' && c1 === ')') ||
    (s.length > 3 && isOrder(c0) && c1 === '(' && s[2] === ')')
  )
    return true
  let depth = 0
  for (const c of s) {
    if (c === ',' && depth === 0) return true
    if (c === '[') depth++
    else if (c === ']') depth--
  }
  return false
}

const FORMAT_RE = /([<>|=]?)( *[(]?[ ,0-9]*[)]? *)([<>|=]?)([A-Za-z0-9.?]*(?:\[[a-zA-Z0-9,.]+\])?)/y
const SEP_RE = /\s*,\s*/y
const TRAILING_SPACE_RE = /\s+$/y

/** numpy's `_commastring`: `'i4, (2,3)f8, S5'` → fields f0, f1, f2; `'3i4'` → a sub-array. */
function fromCommaString(text: string, ctx: Context): Dtype {
  const items: { format: string; repeats: string }[] = []
  let pos = 0
  let isList = false
  while (pos < text.length) {
    FORMAT_RE.lastIndex = pos
    const m = FORMAT_RE.exec(text)
    if (!m) throw syntax(text, `format number ${items.length + 1} is not recognized`, ctx)
    const [, order1 = '', repeats = '', order2 = '', format = ''] = m
    pos = FORMAT_RE.lastIndex
    if (pos < text.length) {
      TRAILING_SPACE_RE.lastIndex = pos
      if (TRAILING_SPACE_RE.test(text)) {
        pos = text.length
      } else {
        SEP_RE.lastIndex = pos
        if (!SEP_RE.test(text))
          throw syntax(
            text,
            `format number ${items.length + 1} is not recognized (at character ${pos})`,
            ctx,
          )
        pos = SEP_RE.lastIndex
        isList = true
      }
    }
    const norm = (o: string): string => (o === '=' ? NATIVE : o)
    let order: string
    if (order2 === '') order = order1
    else if (order1 === '') order = order2
    else {
      if (norm(order1) !== norm(order2))
        throw syntax(text, `inconsistent byte-order specification ${order1} and ${order2}`, ctx)
      order = order1
    }
    if (order === '|' || order === '=' || order === NATIVE) order = ''
    if (items.length > 100_000) throw syntax(text, 'too many fields', ctx)
    items.push({ format: order + format, repeats })
  }
  const toDtype = (item: { format: string; repeats: string }, i: number): Dtype => {
    const ictx = inner(ctx, `format ${i + 1}`)
    if (item.format === '') throw syntax(text, `format number ${i + 1} is empty`, ctx)
    const base = fromScalarString(item.format, ictx)
    if (item.repeats === '') return base
    return subarray(base, parseRepeats(item.repeats, text, ictx), ictx)
  }
  if (!isList) {
    const only = items[0]
    if (!only) throw syntax(text, 'empty', ctx)
    return toDtype(only, 0)
  }
  return makeStruct(
    items.map((_, i) => `f${i}`),
    items.map(toDtype),
    null,
    null,
    ctx.align,
    ctx,
  )
}

function parseRepeats(repeats: string, text: string, ctx: Context): number[] {
  let value: PyValue
  try {
    value = parsePyLiteral(
      repeats.trim() === '' ? repeats : repeats.trim().replace(/^([0-9 ,]*,[0-9 ,]*)$/, '($1)'),
    )
  } catch (err) {
    throw syntax(text, `bad repeat count ${JSON.stringify(repeats)}`, ctx, err)
  }
  if (typeof value === 'number') return [value]
  if (value instanceof PyTuple && value.items.every((d) => typeof d === 'number'))
    return value.items as number[]
  throw syntax(text, `bad repeat count ${JSON.stringify(repeats)}`, ctx)
}

// ---- .npy descr text ----

function fromDescrText(text: string, ctx: Context): Dtype {
  let value: PyValue
  try {
    value = parsePyLiteral(text)
  } catch (err) {
    if (err instanceof PyLiteralSyntaxError) {
      throw new DtypeSpecError('DTYPE_SYNTAX', `dtype descr text: ${err.message}${at(ctx)}`, {
        cause: err,
      })
    }
    throw err
  }
  return fromDescrValue(value, ctx)
}

/**
 * numpy's `descr_to_dtype` (numpy/lib/format.py): unnamed void entries are padding and are
 * dropped; the remaining fields keep their offsets and the total itemsize.
 */
export function fromDescrValue(
  descr: PyValue,
  ctx: Context = { align: false, depth: 0, where: '' },
): Dtype {
  if (typeof descr === 'string') return fromString(descr, ctx)
  if (descr instanceof PyTuple) {
    if (descr.items.length !== 2)
      throw new DtypeSpecError('DTYPE_BAD_SPEC', `a descr tuple must be (type, shape)${at(ctx)}`)
    const base = fromDescrValue(descr.items[0] as PyValue, inner(ctx, 'sub-array base'))
    return subarray(base, descrShape(descr.items[1] as PyValue, ctx), ctx)
  }
  if (!Array.isArray(descr)) {
    throw new DtypeSpecError(
      'DTYPE_BAD_SPEC',
      `descr must be a type string or a list of fields${at(ctx)}`,
    )
  }
  const names: string[] = []
  const formats: Dtype[] = []
  const offsets: number[] = []
  let offset = 0
  descr.forEach((entry: PyValue, i: number) => {
    if (!(entry instanceof PyTuple) || (entry.items.length !== 2 && entry.items.length !== 3)) {
      throw new DtypeSpecError(
        'DTYPE_BAD_SPEC',
        `descr entry ${i} must be (name, type) or (name, type, shape)${at(ctx)}`,
      )
    }
    const [name, type, shape] = entry.items
    if (typeof name !== 'string') {
      throw new DtypeSpecError(
        'DTYPE_UNSUPPORTED',
        `descr entry ${i}: the name must be a string (titles are not supported)${at(ctx)}`,
      )
    }
    const fctx = inner(ctx, `field ${pyReprString(name)}`)
    let dt = fromDescrValue(type as PyValue, fctx)
    if (shape !== undefined) dt = subarray(dt, descrShape(shape, fctx), fctx)
    const isPadding = name === '' && dt.kind === 'V' && !dt.isStructured
    if (!isPadding) {
      names.push(name)
      formats.push(dt)
      offsets.push(offset)
    }
    offset += dt.itemsize
    if (offset > MAX_ITEMSIZE)
      throw new DtypeSpecError(
        'DTYPE_BAD_SIZE',
        `structured dtype larger than ${MAX_ITEMSIZE} bytes${at(ctx)}`,
      )
  })
  if (names.length === 0) {
    throw new DtypeSpecError(
      'DTYPE_BAD_SIZE',
      `a structured dtype needs at least one field${at(ctx)}`,
    )
  }
  return makeStruct(names, formats, offsets, offset, ctx.align, ctx)
}

function descrShape(shape: PyValue, ctx: Context): number[] {
  if (typeof shape === 'number') return [shape]
  if (shape instanceof PyTuple && shape.items.every((d) => typeof d === 'number'))
    return shape.items as number[]
  throw new DtypeSpecError('DTYPE_BAD_SPEC', `a shape must be an int or a tuple of ints${at(ctx)}`)
}
