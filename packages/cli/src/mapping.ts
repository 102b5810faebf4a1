/**
 * From the file's columns to the dtype that is written: the key column, the bin columns
 * (`--bins`, renamed by `--rename`; names starting with `_` are never bins), text widths from
 * `--max-len` or the data. The write plan then says which particle each bin becomes.
 */
import {
  ParamError,
  PARTICLE_FLOAT,
  PARTICLE_INTEGER,
  compileWritePlan,
} from '@aerospike-numpy/core'
import type { WritePlan } from '@aerospike-numpy/core'
import { dtype, type Dtype } from '@aerospike-numpy/dtype'
import type { SourceColumn } from './source.js'

export interface MappingOptions {
  /** The key column (a name of the file's columns). Default `_key`. */
  key: string
  /** Columns to write as bins (file names); default every column. */
  bins: readonly string[] | null
  /** File column name → bin name. */
  rename: ReadonlyMap<string, string>
  /** Width of text columns (S<n>); null: the longest value in the file. */
  maxLen: number | null
}

export interface MappedField {
  /** Index in the source's columns. */
  column: number
  source: SourceColumn
  /** Field name in the write dtype (the bin name, or the key field's name). */
  name: string
  /** Byte offset and size in a row of the write dtype. */
  offset: number
  size: number
  isKey: boolean
  isBin: boolean
  /** Index in the plan's bins (the bit of the validity bitmap), or -1. */
  binIndex: number
}

export interface Mapping {
  writeDtype: Dtype
  keyField: string
  plan: WritePlan
  fields: MappedField[]
  /**
   * With `--nulls skip-bin` and a nullable bin column: the `_` field of the write dtype holding
   * each row's bitmap of its bins (writeNumpy's `validityField`); a null clears its bin's bit.
   */
  validityField: string | null
}

/** Columns the mapping reads (before text widths are known). */
export function selectColumns(columns: readonly SourceColumn[], options: MappingOptions): number[] {
  const byName = new Map(columns.map((c, i) => [c.name, i]))
  const keyIndex = byName.get(options.key)
  if (keyIndex === undefined) {
    throw new ParamError(
      `the key column '${options.key}' is not in the file (columns: ${columns.map((c) => c.name).join(', ')}); name it with --key`,
    )
  }
  for (const from of options.rename.keys()) {
    if (!byName.has(from))
      throw new ParamError(`--rename ${from}=…: no column '${from}' in the file`)
  }
  const chosen = new Set<number>([keyIndex])
  if (options.bins !== null) {
    for (const name of options.bins) {
      const i = byName.get(name)
      if (i === undefined) {
        throw new ParamError(
          `--bins: no column '${name}' in the file (columns: ${columns.map((c) => c.name).join(', ')})`,
        )
      }
      chosen.add(i)
    }
  } else {
    columns.forEach((c, i) => {
      // fields starting with `_` are not bins (the guide's rule): only the key is read of them
      if (!(options.rename.get(c.name) ?? c.name).startsWith('_')) chosen.add(i)
    })
  }
  const out = [...chosen].sort((a, b) => a - b)
  for (const i of out) {
    const t = columns[i]!.type
    if (t.kind === 'unsupported') throw new ParamError(t.message)
  }
  return out
}

/** The write dtype and plan, once text widths are known (`textWidths`: column index → bytes). */
export function buildMapping(
  columns: readonly SourceColumn[],
  selected: readonly number[],
  options: MappingOptions,
  textWidths: ReadonlyMap<number, number>,
  skipNullBins = false,
): Mapping {
  const keyIndex = columns.findIndex((c) => c.name === options.key)
  const specs: Array<[string, string] | [string, string, number[]]> = []
  const names = new Set<string>()
  for (const i of selected) {
    const c = columns[i]!
    const name = options.rename.get(c.name) ?? c.name
    if (names.has(name)) throw new ParamError(`two columns would both be written as '${name}'`)
    names.add(name)
    const t = c.type
    if (t.kind === 'fixed') {
      specs.push(t.shape === undefined ? [name, t.format] : [name, t.format, [...t.shape]])
    } else if (t.kind === 'text') {
      const width = options.maxLen ?? Math.max(1, textWidths.get(i) ?? 1)
      specs.push([name, `|S${width}`])
    }
  }
  const keyField = options.rename.get(options.key) ?? options.key
  // a bitmap field after the others, only when some bin can be null
  let validityField: string | null = null
  const binCount = specs.filter(([name]) => !name.startsWith('_')).length
  if (
    skipNullBins &&
    selected.some((i, k) => columns[i]!.nullable && !specs[k]![0].startsWith('_'))
  ) {
    validityField = '_valid'
    while (names.has(validityField)) validityField = `_${validityField}`
    specs.push([validityField, `|V${Math.max(1, Math.ceil(binCount / 8))}`])
  }
  const writeDtype = dtype(specs)
  const plan = compileWritePlan(writeDtype, keyField, validityField)
  const fields = selected.map((i, k): MappedField => {
    const f = writeDtype.fields![k]!
    const binIndex = plan.bins.findIndex((b) => b.name === f.name)
    return {
      column: i,
      source: columns[i]!,
      name: f.name,
      offset: f.offset,
      size: f.dtype.itemsize,
      isKey: i === keyIndex,
      isBin: binIndex >= 0,
      binIndex,
    }
  })
  return { writeDtype, keyField, plan, fields, validityField }
}

const PARTICLES: Record<number, string> = {
  [PARTICLE_INTEGER]: 'integer',
  [PARTICLE_FLOAT]: 'float',
  4: 'blob',
}

/** The mapping as a table: column (file type) → dtype → bin (particle). */
export function describeMapping(mapping: Mapping): Array<{
  column: string
  sourceType: string
  dtype: string
  bin: string | null
  particle: string | null
  key: boolean
}> {
  return mapping.fields.map((f) => {
    const field = mapping.writeDtype.field(f.name)!
    const bin = mapping.plan.bins.find((b) => b.name === f.name)
    const dt = field.dtype
    return {
      column: f.source.name,
      sourceType: f.source.sourceType,
      dtype: dt.isSubarray ? `(${dt.base.str}, (${dt.shape.join(', ')},))` : dt.str,
      bin: bin?.name ?? null,
      particle:
        bin === undefined ? null : (PARTICLES[bin.particleType] ?? String(bin.particleType)),
      key: f.isKey,
    }
  })
}
