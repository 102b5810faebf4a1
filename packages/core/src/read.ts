/**
 * Read-back: decode bins into a zeroed StructuredArray of the read dtype, from raw particle bytes
 * (wire engine) or from the official client's JS values. Conversions that would lose data are
 * errors naming the key and field; records and bins that are missing leave their row zero.
 */
import {
  doubleToHalfBits,
  dtype as makeDtype,
  halfBitsToDouble,
  INT64_MAX,
  INT64_MIN,
  INT_RANGES,
  intRange,
  StructuredArray,
  UINT64_MAX,
  type Dtype,
  type DtypeField,
} from '@aerospike-numpy/dtype'
import {
  PARTICLE_BLOB,
  PARTICLE_BOOL,
  PARTICLE_FLOAT,
  PARTICLE_INTEGER,
  PARTICLE_NIL,
  PARTICLE_STRING,
} from '@aerospike-numpy/wire'
import type { ReadOutcome, ReadSink, ResolvedKey, UserKey } from './engine.js'
import { ConversionError, ParamError } from './errors.js'
import { KeyBatch, batchKeyLabel, resolveKey } from './keys.js'
import { binNameBytes, checkOpCount } from './plan.js'
import { describe, instanceOf, isDtype, readingInput } from './input.js'
import { utf8Encoder } from './scalars.js'

const PARTICLE_NAMES: Readonly<Record<number, string>> = {
  0: 'null',
  1: 'integer',
  2: 'float',
  3: 'string',
  4: 'blob',
  5: 'java blob',
  6: 'csharp blob',
  7: 'python blob',
  8: 'ruby blob',
  9: 'php blob',
  10: 'erlang blob',
  17: 'bool',
  18: 'hll',
  19: 'map',
  20: 'list',
  23: 'geojson',
}

/** Where a field's value goes: one writer per field, by kind. */
interface FieldWriter {
  readonly field: DtypeField
  /** An integer (number that is an integer, or bigint). */
  int(row: number, rowOffset: number, value: number | bigint): void
  float(row: number, rowOffset: number, value: number): void
  bytes(row: number, rowOffset: number, bytes: Uint8Array, offset: number, length: number): void
  /**
   * An INTEGER particle (8 big-endian bytes at `offset` of `view`) straight into the field, with
   * no number or bigint made where the field's own width can take it.
   */
  intParticle(row: number, rowOffset: number, src: Uint8Array, view: DataView, offset: number): void
  /** A FLOAT particle (a big-endian double at `offset`; `view` spans `src`). */
  floatParticle(
    row: number,
    rowOffset: number,
    src: Uint8Array,
    view: DataView,
    offset: number,
  ): void
}

/** An INTEGER particle as a number where exact, else a bigint. */
function intParticleValue(view: DataView, offset: number): number | bigint {
  const hi = view.getInt32(offset, false)
  const lo = view.getUint32(offset + 4, false)
  // |value| < 2^53 exactly when hi is in [-2^21, 2^21) (less the one value -2^53)
  if (hi >= -0x20_0000 && hi < 0x20_0000) {
    const n = hi * 4294967296 + lo
    if (n !== -9007199254740992) return n
  }
  return view.getBigInt64(offset, false)
}

/** Copies 8 bytes, reversing them when `reverse` (big-endian wire → little-endian field). */
function copy8(
  out: Uint8Array,
  p: number,
  src: Uint8Array,
  offset: number,
  reverse: boolean,
): void {
  if (reverse) {
    out[p] = src[offset + 7]!
    out[p + 1] = src[offset + 6]!
    out[p + 2] = src[offset + 5]!
    out[p + 3] = src[offset + 4]!
    out[p + 4] = src[offset + 3]!
    out[p + 5] = src[offset + 2]!
    out[p + 6] = src[offset + 1]!
    out[p + 7] = src[offset]!
  } else {
    out[p] = src[offset]!
    out[p + 1] = src[offset + 1]!
    out[p + 2] = src[offset + 2]!
    out[p + 3] = src[offset + 3]!
    out[p + 4] = src[offset + 4]!
    out[p + 5] = src[offset + 5]!
    out[p + 6] = src[offset + 6]!
    out[p + 7] = src[offset + 7]!
  }
}

const F16_MAX = 65504
const F32_MAX = 3.4028234663852886e38

/**
 * Decodes bins into the rows of a structured array: one writer per field, compiled once, and
 * found by name as a string (`setValue`) or, without decoding the name, by its
 * UTF-8 bytes (`fieldIndexOfBytes`, then `particleAt`/`valueAt`). `label(row)` names a row's
 * record in conversion errors. Used by batch reads (one row per key) and by scans (one decoder
 * per chunk).
 */
export class RowDecoder {
  readonly array: StructuredArray
  readonly #view: DataView
  readonly #bytes: Uint8Array
  readonly #writers: FieldWriter[] = []
  readonly #indexByName = new Map<string, number>()
  /** UTF-8 bytes of each writer's field name, for lookups straight from a message's bytes. */
  readonly #nameBytes: Uint8Array[] = []
  /** Where the next name-bytes lookup starts: bins come in the same order record after record. */
  #hint = 0
  readonly #label: (row: number) => string
  readonly #rowBase: number
  readonly #stride: number
  readonly #rows: number

  constructor(readDtype: Dtype, array: StructuredArray, label: (row: number) => string) {
    this.array = array
    this.#label = label
    this.#bytes = new Uint8Array(array.buffer)
    this.#view = new DataView(array.buffer)
    this.#rowBase = array.byteOffset
    this.#stride = array.stride
    this.#rows = array.length
    for (const field of readDtype.fields ?? []) {
      this.#indexByName.set(field.name, this.#writers.length)
      this.#writers.push(this.#writerFor(field))
      this.#nameBytes.push(utf8Encoder.encode(field.name))
    }
  }

  #fail(row: number, field: DtypeField, what: string): never {
    throw new ConversionError(`${this.#label(row)}, field '${field.name}': ${what}`)
  }

  #rowOffset(row: number): number {
    if (!(row >= 0 && row < this.#rows) || row % 1 !== 0) {
      throw new RangeError(`read row ${row} is outside 0..${this.#rows - 1}`)
    }
    return this.#rowBase + row * this.#stride
  }

  #writerFor(field: DtypeField): FieldWriter {
    const dt = field.dtype
    const view = this.#view
    const bytesOut = this.#bytes
    const fieldOffset = field.offset
    const le = dt.byteOrder !== '>'
    const fail = (row: number, what: string): never => this.#fail(row, field, what)
    const typeName = dt.str ?? `${dt.kind}${dt.itemsize}`
    const noInt = (row: number): never =>
      fail(row, `an integer bin cannot go into a '${typeName}' field`)
    const noFloat = (row: number): never =>
      fail(row, `a float bin cannot go into a '${typeName}' field`)
    const noBytes = (row: number): never =>
      fail(row, `a blob or string bin cannot go into a '${typeName}' field`)

    if (
      !dt.isSubarray &&
      !dt.isStructured &&
      (dt.kind === 'i' || dt.kind === 'u' || dt.kind === 'b')
    ) {
      const isBool = dt.kind === 'b'
      const range = isBool ? INT_RANGES.u1 : intRange(dt.kind, dt.itemsize)
      const unsigned = dt.kind === 'u'
      const int = (row: number, rowOffset: number, value: number | bigint): void => {
        const p = rowOffset + fieldOffset
        if (isBool) {
          if (value !== 0 && value !== 1 && value !== 0n && value !== 1n) {
            fail(row, `value ${String(value)} is not 0 or 1 for a bool field`)
          }
          view.setUint8(p, Number(value))
          return
        }
        if (unsigned && value < 0) {
          fail(row, `negative value ${String(value)} cannot go into unsigned '${typeName}'`)
        }
        if (range !== undefined) {
          const n = typeof value === 'bigint' ? Number(value) : value
          if (n < range.min || n > range.max) {
            fail(
              row,
              `value ${String(value)} does not fit '${typeName}' (${range.min}..${range.max})`,
            )
          }
          range.set(view, p, n, le)
          return
        }
        if (dt.itemsize !== 8) fail(row, `unsupported integer width ${dt.itemsize}`)
        if (unsigned) {
          if (value < 0)
            fail(row, `negative value ${String(value)} cannot go into unsigned '${typeName}'`)
          view.setBigUint64(p, BigInt(value), le)
        } else {
          view.setBigInt64(p, BigInt(value), le)
        }
      }
      const size = dt.itemsize
      let intParticle: FieldWriter['intParticle']
      if (isBool || range === undefined) {
        if (size === 8 && !isBool) {
          // i8/u8: the particle's bytes are the field's (reversed for little-endian); only a
          // negative value into u8 needs a look.
          const reverse = le
          intParticle = (row, rowOffset, src, v, offset) => {
            if (unsigned && v.getInt32(offset, false) < 0) {
              int(row, rowOffset, v.getBigInt64(offset, false))
            }
            copy8(bytesOut, rowOffset + fieldOffset, src, offset, reverse)
          }
        } else {
          intParticle = (row, rowOffset, _src, v, offset) =>
            int(row, rowOffset, intParticleValue(v, offset))
        }
      } else {
        const { min, max, set } = range
        intParticle = (row, rowOffset, _src, v, offset) => {
          const hi = v.getInt32(offset, false)
          const lo = v.getUint32(offset + 4, false)
          // a value of at most 4 bytes has a high word of 0 or -1 (its sign)
          const n = hi === 0 ? lo : hi === -1 ? lo - 4294967296 : NaN
          if (n >= min && n <= max) set(view, rowOffset + fieldOffset, n, le)
          else int(row, rowOffset, intParticleValue(v, offset)) // out of range: its error
        }
      }
      const floatWriter = (row: number, rowOffset: number, value: number): void => {
        if (!Number.isFinite(value))
          fail(row, `float ${value} cannot go into integer field '${typeName}'`)
        if (!Number.isInteger(value)) {
          fail(row, `float ${value} has a fraction; '${typeName}' would truncate it`)
        }
        if (Number.isSafeInteger(value)) int(row, rowOffset, value)
        else {
          const big = BigInt(value)
          const limit = unsigned ? UINT64_MAX : INT64_MAX
          const low = unsigned ? 0n : INT64_MIN
          if (dt.itemsize !== 8 || big > limit || big < low) {
            fail(row, `float ${value} is out of range for '${typeName}'`)
          }
          int(row, rowOffset, big)
        }
      }
      return {
        field,
        int,
        intParticle,
        floatParticle: (row, rowOffset, _src, v, offset) =>
          floatWriter(row, rowOffset, v.getFloat64(offset, false)),
        float: floatWriter,
        bytes: (row) => noBytes(row),
      }
    }
    if (!dt.isSubarray && !dt.isStructured && dt.kind === 'f') {
      const size = dt.itemsize
      const setFloat = (row: number, rowOffset: number, value: number): void => {
        const p = rowOffset + fieldOffset
        if (size === 8) view.setFloat64(p, value, le)
        else if (size === 4) {
          if (Number.isFinite(value) && !Number.isFinite(Math.fround(value))) {
            fail(row, `float ${value} overflows 'f4' (largest ${F32_MAX})`)
          }
          view.setFloat32(p, value, le)
        } else if (size === 2) {
          const half = doubleToHalfBits(value)
          if (Number.isFinite(value) && !Number.isFinite(halfBitsToDouble(half))) {
            fail(row, `float ${value} overflows 'f2' (largest ${F16_MAX})`)
          }
          view.setUint16(p, half, le)
        } else fail(row, `unsupported float width ${size}`)
      }
      const intToFloat = (row: number, rowOffset: number, value: number | bigint): void => {
        const n = Number(value)
        const exact = typeof value === 'bigint' ? BigInt(n) === value : Number.isSafeInteger(value)
        const fits =
          size === 8
            ? exact
            : size === 4
              ? exact && Math.fround(n) === n
              : exact && halfBitsToDouble(doubleToHalfBits(n)) === n
        if (!fits)
          fail(row, `integer ${String(value)} cannot be represented exactly in '${typeName}'`)
        setFloat(row, rowOffset, n)
      }
      let floatParticle: FieldWriter['floatParticle']
      if (size === 8) {
        // the particle's bytes are the field's (reversed for little-endian): no conversion
        const reverse = le
        floatParticle = (_row, rowOffset, src, _v, offset) =>
          copy8(bytesOut, rowOffset + fieldOffset, src, offset, reverse)
      } else if (size === 4) {
        floatParticle = (row, rowOffset, _src, v, offset) => {
          const value = v.getFloat64(offset, false)
          const single = Math.fround(value)
          if (single === Infinity || single === -Infinity) {
            if (Number.isFinite(value))
              fail(row, `float ${value} overflows 'f4' (largest ${F32_MAX})`)
          }
          view.setFloat32(rowOffset + fieldOffset, single, le)
        }
      } else {
        floatParticle = (row, rowOffset, _src, v, offset) =>
          setFloat(row, rowOffset, v.getFloat64(offset, false))
      }
      return {
        field,
        int: intToFloat,
        intParticle: (row, rowOffset, _src, v, offset) =>
          intToFloat(row, rowOffset, intParticleValue(v, offset)),
        float: setFloat,
        floatParticle,
        bytes: (row) => noBytes(row),
      }
    }
    if (dt.kind === 'S' || dt.kind === 'V' || dt.isSubarray || dt.isStructured) {
      const size = dt.itemsize
      return {
        field,
        int: (row) => noInt(row),
        intParticle: (row) => noInt(row),
        float: (row) => noFloat(row),
        floatParticle: (row) => noFloat(row),
        bytes(row, rowOffset, bytes, offset, length) {
          if (length > size) {
            fail(row, `${length} bytes do not fit the ${size}-byte field '${typeName}'`)
          }
          const p = rowOffset + fieldOffset
          bytesOut.set(bytes.subarray(offset, offset + length), p)
          // the row was zeroed at creation; clear the tail in case of a repeated bin
          bytesOut.fill(0, p + length, p + size)
        },
      }
    }
    throw new ParamError(
      `read dtype field '${field.name}' ('${typeName}') has no bin representation; use integer, float, 'S<n>', 'V<n>' or sub-array fields`,
    )
  }

  /** The writer index of field `name`, or -1 when the read dtype has no such field. */
  fieldIndex(name: string): number {
    return this.#indexByName.get(name) ?? -1
  }

  /** The writer index of the field whose UTF-8 name is `bytes[offset, offset + length)`, or -1. */
  fieldIndexOfBytes(bytes: Uint8Array, offset: number, length: number): number {
    const names = this.#nameBytes
    const n = names.length
    let i = this.#hint
    for (let k = 0; k < n; k++, i++) {
      if (i === n) i = 0
      const name = names[i]!
      if (name.length !== length) continue
      let c = 0
      while (c < length && name[c] === bytes[offset + c]) c++
      if (c === length) {
        this.#hint = i + 1 === n ? 0 : i + 1
        return i
      }
    }
    return -1
  }

  /**
   * A raw particle `bytes[offset, offset + length)` into field `index` of `row`; `view` is a
   * DataView over `bytes` with the same offsets (so no view is made per value).
   */
  particleAt(
    row: number,
    index: number,
    particleType: number,
    bytes: Uint8Array,
    view: DataView,
    offset: number,
    length: number,
  ): void {
    const writer = this.#writers[index]!
    const rowOffset = this.#rowOffset(row)
    switch (particleType) {
      case PARTICLE_FLOAT:
        if (length !== 8)
          this.#fail(row, writer.field, `float particle of ${length} bytes (expected 8)`)
        writer.floatParticle(row, rowOffset, bytes, view, offset)
        return
      case PARTICLE_INTEGER:
        if (length !== 8)
          this.#fail(row, writer.field, `integer particle of ${length} bytes (expected 8)`)
        writer.intParticle(row, rowOffset, bytes, view, offset)
        return
      case PARTICLE_NIL:
        return
      case PARTICLE_BOOL:
        writer.int(row, rowOffset, length > 0 && bytes[offset] !== 0 ? 1 : 0)
        return
      case PARTICLE_STRING:
      case PARTICLE_BLOB:
        writer.bytes(row, rowOffset, bytes, offset, length)
        return
      default:
        this.#fail(
          row,
          writer.field,
          `bin has particle type ${particleType} (${PARTICLE_NAMES[particleType] ?? 'unknown'}), which has no structured-array representation`,
        )
    }
  }

  /** A JS value (as the official client returns it) into field `index` of `row`. */
  valueAt(row: number, index: number, value: unknown): void {
    if (value === null || value === undefined) return
    const writer = this.#writers[index]!
    const rowOffset = this.#rowOffset(row)
    if (typeof value === 'number') {
      // The official client returns both integer and float bins as numbers: an integral number
      // goes into an integer field as an integer, anything else as a float.
      if (Number.isInteger(value)) writer.int(row, rowOffset, value)
      else writer.float(row, rowOffset, value)
    } else if (typeof value === 'bigint') writer.int(row, rowOffset, value)
    else if (typeof value === 'boolean') writer.int(row, rowOffset, value ? 1 : 0)
    else if (value instanceof Uint8Array) writer.bytes(row, rowOffset, value, 0, value.length)
    else if (typeof value === 'string') {
      const bytes = utf8Encoder.encode(value)
      writer.bytes(row, rowOffset, bytes, 0, bytes.length)
    } else if (typeof (value as { value?: unknown }).value === 'number') {
      // an Aerospike.Double-like wrapper
      writer.float(row, rowOffset, (value as { value: number }).value)
    } else {
      this.#fail(
        row,
        writer.field,
        `bin value ${describe(value)} has no structured-array representation`,
      )
    }
  }

  setValue(row: number, bin: string, value: unknown): void {
    const index = this.#indexByName.get(bin)
    if (index !== undefined) this.valueAt(row, index, value)
  }
}

/**
 * A `ReadSink` decoding into a zeroed `StructuredArray` of `readDtype`, one row per key.
 * Throws `ParamError` when the read dtype has a field no bin can fill (`U`, `O`, `M`, `m`, `c`).
 */
export function createReadSink(
  readDtype: Dtype,
  keys: KeyBatch | readonly ResolvedKey[],
): { sink: ReadSink; array: StructuredArray } {
  if (!isDtype(readDtype)) {
    throw new ParamError(`the read dtype must be a Dtype, got ${describe(readDtype)}`)
  }
  if (!readingInput('keys', () => keys instanceof KeyBatch || Array.isArray(keys))) {
    throw new ParamError(`keys must be an array of resolved keys, got ${describe(keys)}`)
  }
  if (!readDtype.isStructured || readDtype.fields === null) {
    throw new ParamError(
      `read dtype ${readDtype.str} is not structured; give fields, e.g. [['x', 'f8']]`,
    )
  }
  const batch = readingInput('keys', () => (keys instanceof KeyBatch ? keys : KeyBatch.from(keys)))
  const array = StructuredArray.zeros(readDtype, batch.length)
  const decoder = new RowDecoder(readDtype, array, (row) =>
    row >= 0 && row < batch.length ? `key ${batchKeyLabel(batch, row)}` : `key #${row}`,
  )
  const sink: ReadSink = {
    binParticle(row, bytes, view, nameOffset, nameLength, particleType, valueOffset, valueLength) {
      const index = decoder.fieldIndexOfBytes(bytes, nameOffset, nameLength)
      if (index >= 0) {
        decoder.particleAt(row, index, particleType, bytes, view, valueOffset, valueLength)
      }
    },
    setValue: (row, bin, value) => decoder.setValue(row, bin, value),
  }
  return { sink, array }
}

/** The bins to ask for when reading into `readDtype`: its field names not starting with `_`. */
export function binsForReadDtype(readDtype: Dtype): string[] {
  return (readDtype.fields ?? []).map((f) => f.name).filter((name) => !name.startsWith('_'))
}

/**
 * The bin list of a read: `bins` as the caller gave it, or the read dtype's bin fields (null, all
 * bins, when it has none). Every name is checked as a bin name, the read dtype's fields too: a
 * field whose name no bin can have (a lone surrogate, over 15 bytes) would silently stay zero.
 */
export function resolveReadBins(readDtype: Dtype, bins: unknown): readonly string[] | null {
  if (!isDtype(readDtype)) {
    throw new ParamError(`the read dtype must be a Dtype, got ${describe(readDtype)}`)
  }
  return readingInput('bins', () => readBins(readDtype, bins))
}

function readBins(readDtype: Dtype, bins: unknown): readonly string[] | null {
  const names = binsForReadDtype(readDtype)
  checkOpCount(names.length, 'the read dtype has too many bin fields')
  for (const name of names) {
    binNameBytes(
      name,
      `read dtype field ${JSON.stringify(name)}`,
      'rename the field to the bin it reads (fields starting with _ are not read)',
    )
  }
  if (bins === undefined) return names.length === 0 ? null : names
  if (!Array.isArray(bins)) {
    throw new ParamError(`bins must be an array of bin names, got ${describe(bins)}`)
  }
  checkOpCount(bins.length, 'bins')
  const out: string[] = []
  for (let i = 0; i < bins.length; i++) {
    const name: unknown = bins[i]
    if (typeof name !== 'string') {
      throw new ParamError(`bins[${i}] must be a bin name (a string), got ${describe(name)}`)
    }
    binNameBytes(
      name,
      `bins[${i}] ${JSON.stringify(name)}`,
      'give the name the bin was written with',
    )
    out.push(name)
  }
  return out
}

let metaDtype: Dtype | null = null
/** `[('gen', '<u4'), ('ttl', '<u4')]` */
export function readMetaDtype(): Dtype {
  metaDtype ??= makeDtype([
    ['gen', '<u4'],
    ['ttl', '<u4'],
  ])
  return metaDtype
}

/** A read's result codes, with generations and TTLs already in a `meta` array (see `NumpyBatchRecords`). */
export interface ReadMetaOutcome {
  readonly resultCodes: Int32Array
  readonly meta: StructuredArray
}

/** Results of `batchRead(keys, { dtype })`: the values as a structured array, plus metadata. */
export class NumpyBatchRecords {
  /** One row per key, in key order; rows of missing records are zero. */
  readonly batchRecords: StructuredArray
  /** `gen` (u4) and `ttl` (u4) per key; zero for missing records. */
  readonly meta: StructuredArray
  /** 0 found, 2 not found, other codes per key. */
  readonly resultCodes: Int32Array
  readonly #keys: KeyBatch
  #index: Map<string, number> | null = null

  /**
   * `outcome` holds each key's generation and TTL either as two arrays or already as the `meta`
   * array (gen u4, ttl u4 per key), which is then kept as it is.
   */
  constructor(
    array: StructuredArray,
    keys: KeyBatch | readonly ResolvedKey[],
    outcome: ReadOutcome | ReadMetaOutcome,
  ) {
    this.batchRecords = array
    this.#keys = keys instanceof KeyBatch ? keys : KeyBatch.from(keys)
    this.resultCodes = outcome.resultCodes
    const n = this.#keys.length
    if ('meta' in outcome) {
      const given: unknown = outcome.meta
      if (
        !instanceOf(given, StructuredArray) ||
        !given.dtype.equals(readMetaDtype()) ||
        given.length !== n
      ) {
        const got = instanceOf(given, StructuredArray)
          ? `${given.length} rows of ${String(given.dtype)}`
          : describe(given)
        throw new ParamError(
          `a read's meta must be ${n} rows of ${String(readMetaDtype())}, got ${got}`,
        )
      }
      this.meta = given
      return
    }
    const meta = StructuredArray.zeros(readMetaDtype(), n)
    const view = new DataView(meta.buffer)
    for (let i = 0; i < n; i++) {
      const p = meta.byteOffset + i * meta.stride
      view.setUint32(p, outcome.generations[i]!, true)
      view.setUint32(p + 4, outcome.ttls[i]!, true)
    }
    this.meta = meta
  }

  /** The keys read, in order, as `{ namespace, set, key, digest }` (made on first use). */
  get keys(): readonly ResolvedKey[] {
    return this.#keys.toArray()
  }

  /** The keys read, as one batch: digests in one buffer, no object per key. */
  get keyBatch(): KeyBatch {
    return this.#keys
  }

  get length(): number {
    return this.#keys.length
  }

  /** How many keys were found (result 0). */
  foundCount(): number {
    let n = 0
    for (const code of this.resultCodes) if (code === 0) n++
    return n
  }

  /**
   * The row of a key (a `[ns, set, key]` tuple, a `{ ns, set, key }` object, or a bare user key
   * when unambiguous) as an object of field values; `undefined` when the key was not read or its
   * record was not found.
   */
  get(key: unknown): Record<string, unknown> | undefined {
    const row = this.indexOf(key)
    if (row < 0 || this.resultCodes[row] !== 0) return undefined
    return this.batchRecords.row(row) as Record<string, unknown>
  }

  /** Position of a key among the keys read, or -1. */
  indexOf(key: unknown): number {
    this.#index ??= this.#buildIndex()
    if (
      Array.isArray(key) ||
      (typeof key === 'object' && key !== null && !(key instanceof Uint8Array))
    ) {
      const resolved = resolveKey(key, 0)
      return this.#index.get(digestId(resolved.namespace, resolved.digest)) ?? -1
    }
    return this.#index.get(userKeyId(key as UserKey)) ?? -1
  }

  #buildIndex(): Map<string, number> {
    const index = new Map<string, number>()
    const ambiguous = new Set<string>()
    const keys = this.#keys
    for (let i = 0; i < keys.length; i++) {
      const id = digestId(keys.namespace(i), keys.digest(i))
      if (!index.has(id)) index.set(id, i)
      const key = keys.userKeys[i]!
      if (key !== null) {
        const uid = userKeyId(key)
        const first = index.get(uid)
        if (first === undefined) index.set(uid, i)
        else if (digestId(keys.namespace(first), keys.digest(first)) !== id) ambiguous.add(uid)
      }
    }
    // a bare user key that appears in several sets or namespaces names no single row
    for (const uid of ambiguous) index.delete(uid)
    return index
  }
}

function digestId(namespace: string, digest: Uint8Array): string {
  return `d:${namespace}:${Buffer.from(digest).toString('hex')}`
}

function userKeyId(key: UserKey): string {
  if (typeof key === 'number' || typeof key === 'bigint') return `i:${String(key)}`
  if (typeof key === 'string') return `s:${key}`
  if (key instanceof Uint8Array) return `b:${Buffer.from(key).toString('hex')}`
  return `?:${String(key)}`
}
