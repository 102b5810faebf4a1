/**
 * The write plan: compiled once per (dtype, keyField), it is the one source of truth for how a
 * structured array's row becomes an Aerospike record. The key codec and every bin codec read the
 * row straight from the array's bytes; each bin knows its wire particle type and writes its wire
 * value bytes (for the cluster engine) or returns a JS value (for the official client).
 *
 * `src` is a Uint8Array over the array's whole `buffer` (with `srcView` a DataView over the same
 * bytes) and `rowOffset` the row's first byte in it (`byteOffset + i * stride`); codecs add their
 * field's offset. `row` is used only to name the row in errors.
 */
import { halfBitsToDouble, type Dtype, type DtypeField } from '@aerospike-numpy/dtype'
import {
  PARTICLE_BLOB,
  PARTICLE_FLOAT,
  PARTICLE_INTEGER,
  PARTICLE_STRING,
  type BatchWriteBin,
  type BatchWriteKey,
} from '@aerospike-numpy/wire'
import { ParamError } from './errors.js'
import { describe, isDtype } from './input.js'
import {
  invalidUtf8At,
  loneSurrogateAt,
  trimTrailingNuls,
  utf8Decoder,
  utf8Encoder,
} from './scalars.js'

export const DEFAULT_KEY_FIELD = '_key'
/** Server limit on bin names, in UTF-8 bytes. */
export const MAX_BIN_NAME_BYTES = 15
/** Most operations (bins) one record message can carry: the wire's op count is 16 bits. */
export const MAX_OPS_PER_RECORD = 0xffff

/** Refuse a bin count the wire's 16-bit op count would wrap (65,537 bins would be sent as 1). */
export function checkOpCount(count: number, what: string): void {
  if (count > MAX_OPS_PER_RECORD) {
    throw new ParamError(
      `${what}: ${count.toLocaleString('en-US')} bins, more than the ${MAX_OPS_PER_RECORD.toLocaleString('en-US')} operations one record message can carry (its op count is 16 bits)`,
    )
  }
}

export type KeyValue = number | bigint | string | Uint8Array
export type BinValue = number | bigint | Uint8Array

export interface WritePlan {
  readonly dtype: Dtype
  readonly keyField: string
  readonly key: KeyCodec
  /** In dtype field order. */
  readonly bins: readonly BinCodec[]
  /** Which bins each row has (the `validityField` option); null: every row has every bin. */
  readonly validity: BinValidity | null
}

/**
 * A per-row bitmap of the bins, Arrow-style: bit b (byte b >> 3, least significant bit first)
 * of the bytes at `offset` in a row is set when `bins[b]` is written; a clear bit leaves that
 * bin out of that row's record (how a null is stored: no bin, rather than a made-up value).
 */
export interface BinValidity {
  readonly field: DtypeField
  /** Byte offset of the bitmap in a row. */
  readonly offset: number
}

/** Whether row `rowOffset` writes bin `b` (always true without a validity bitmap). */
export function binPresent(
  plan: WritePlan,
  src: Uint8Array,
  rowOffset: number,
  b: number,
): boolean {
  const v = plan.validity
  return v === null || ((src[rowOffset + v.offset + (b >> 3)]! >> (b & 7)) & 1) === 1
}

/**
 * The key of a row. `writeKeyBytes` (wire's `BatchWriteKey`) writes the key bytes as hashed into
 * the digest (int: 8-byte big-endian; string: UTF-8, trailing NULs trimmed; blob: raw) and
 * throws `ParamError` naming row and field; `maxKeyBytes` bounds what it writes.
 */
export interface KeyCodec extends BatchWriteKey {
  readonly field: DtypeField
  /** INTEGER, STRING, BLOB: the digest's key type byte. */
  readonly particleType: 1 | 3 | 4
  /** The key as the official client takes it (a fresh Uint8Array for blob keys). */
  value(src: Uint8Array, rowOffset: number, row: number): KeyValue
}

/**
 * One bin. `writeValue` (wire's `BatchWriteBin`) writes the wire value bytes (big-endian int64 /
 * double, raw blob) straight from the row; `nameBytes` is UTF-8 of 1..15 bytes (checked at
 * compile time); `valueSize` is 8 for ints and floats, the field width for blobs.
 */
export interface BinCodec extends BatchWriteBin {
  readonly name: string
  readonly field: DtypeField
  /** INTEGER, FLOAT, BLOB */
  readonly particleType: 1 | 2 | 4
  /**
   * The JS value: integers as number when exact, else bigint; floats as number (the official
   * adapter wraps them in `Aerospike.Double`); blobs as a view of the row's bytes (no copy —
   * copy it to keep it past the array's lifetime).
   */
  value(src: Uint8Array, srcView: DataView, rowOffset: number, row: number): BinValue
}

/** What to use instead of each dtype kind that has no lossless bin type. */
const REJECTED_KINDS: Readonly<Record<string, string>> = {
  U: "numpy 'U' text is stored as 4-byte code points; encode it to UTF-8 bytes in an 'S<n>' field",
  O: "object fields hold Python object pointers, not data; convert to a fixed-width field ('S<n>', 'i8', 'f8')",
  b: "booleans have no bin type here; store them as 'u1' (0 or 1)",
  M: "datetime64 has no bin type here; store its integer count as 'i8' (numpy: arr['t'].astype('i8'))",
  m: "timedelta64 has no bin type here; store its integer count as 'i8' (numpy: arr['d'].astype('i8'))",
  c: "complex numbers have no bin type; store them as a ('f8', (2,)) sub-array (a blob) or as two 'f8' fields",
}

function kindName(field: DtypeField): string {
  return `'${field.name}' (${field.dtype.str ?? field.dtype.kind + field.dtype.itemsize})`
}

function isLittleEndian(dt: Dtype): boolean {
  return dt.byteOrder !== '>'
}

/** True when the dtype, or any field or sub-array element inside it, has kind 'O'. */
function containsObjects(dt: Dtype): boolean {
  if (dt.kind === 'O') return true
  if (dt.isSubarray && dt.base !== dt) return containsObjects(dt.base)
  if (dt.fields !== null) return dt.fields.some((f) => containsObjects(f.dtype))
  return false
}

function rowError(row: number, field: DtypeField, what: string): ParamError {
  return new ParamError(`row ${row}, field '${field.name}': ${what}`)
}

// ---------------------------------------------------------------------------------------------
// Integer fields: per-size readers of the value as a JS number (sizes 1..4) and the 8-byte case.

type SmallIntReader = (view: DataView, offset: number, le: boolean) => number

const SMALL_INT_READERS: Readonly<Record<string, SmallIntReader>> = {
  i1: (v, o) => v.getInt8(o),
  u1: (v, o) => v.getUint8(o),
  i2: (v, o, le) => v.getInt16(o, le),
  u2: (v, o, le) => v.getUint16(o, le),
  i4: (v, o, le) => v.getInt32(o, le),
  u4: (v, o, le) => v.getUint32(o, le),
}

const TWO_POW_32 = 4294967296

/** An 8-byte integer as a JS value: a number when exact, else a bigint. u8 above 2^63-1 throws. */
function read64(
  view: DataView,
  offset: number,
  le: boolean,
  unsigned: boolean,
  row: number,
  field: DtypeField,
): number | bigint {
  const lo = view.getUint32(le ? offset : offset + 4, le)
  const hi = unsigned
    ? view.getUint32(le ? offset + 4 : offset, le)
    : view.getInt32(le ? offset + 4 : offset, le)
  if (unsigned && hi >= 0x8000_0000) {
    throw rowError(
      row,
      field,
      `u8 value ${view.getBigUint64(offset, le)} is above 2^63-1, the largest Aerospike integer`,
    )
  }
  // |hi| < 2^21 keeps hi * 2^32 + lo exact; then it is a number if it is a safe integer.
  if (hi >= -0x20_0000 && hi < 0x20_0000) {
    const n = hi * TWO_POW_32 + lo
    if (Number.isSafeInteger(n)) return n
  }
  return view.getBigInt64(offset, le)
}

function integerBin(field: DtypeField, nameBytes: Uint8Array): BinCodec {
  const dt = field.dtype
  const le = isLittleEndian(dt)
  const fieldOffset = field.offset
  const name = field.name
  if (dt.itemsize === 8) {
    const unsigned = dt.kind === 'u'
    return {
      name,
      nameBytes,
      field,
      particleType: PARTICLE_INTEGER,
      valueSize: 8,
      writeValue(src, _srcView, rowOffset, row, out, _outView, outOffset) {
        const p = rowOffset + fieldOffset
        if (unsigned && (le ? src[p + 7]! : src[p]!) >= 0x80) {
          throw rowError(
            row,
            field,
            `u8 value ${_srcView.getBigUint64(p, le)} is above 2^63-1, the largest Aerospike integer`,
          )
        }
        if (le) {
          for (let k = 0; k < 8; k++) out[outOffset + k] = src[p + 7 - k]!
        } else {
          out.set(src.subarray(p, p + 8), outOffset)
        }
      },
      value(_src, srcView, rowOffset, row) {
        return read64(srcView, rowOffset + fieldOffset, le, unsigned, row, field)
      },
    }
  }
  const read = SMALL_INT_READERS[`${dt.kind}${dt.itemsize}`]
  if (read === undefined) {
    throw new ParamError(`field ${kindName(field)}: unsupported integer width ${dt.itemsize}`)
  }
  return {
    name,
    nameBytes,
    field,
    particleType: PARTICLE_INTEGER,
    valueSize: 8,
    writeValue(_src, srcView, rowOffset, _row, _out, outView, outOffset) {
      const v = read(srcView, rowOffset + fieldOffset, le)
      outView.setInt32(outOffset, v < 0 ? -1 : 0, false)
      outView.setUint32(outOffset + 4, v >>> 0, false)
    },
    value(_src, srcView, rowOffset) {
      return read(srcView, rowOffset + fieldOffset, le)
    },
  }
}

// ---------------------------------------------------------------------------------------------
// Float fields: always the FLOAT particle (a double), whatever the width.

type FloatReader = (view: DataView, offset: number, le: boolean) => number

const FLOAT_READERS: Readonly<Record<number, FloatReader>> = {
  2: (v, o, le) => halfBitsToDouble(v.getUint16(o, le)),
  4: (v, o, le) => v.getFloat32(o, le),
  8: (v, o, le) => v.getFloat64(o, le),
}

function floatBin(field: DtypeField, nameBytes: Uint8Array): BinCodec {
  const dt = field.dtype
  const le = isLittleEndian(dt)
  const fieldOffset = field.offset
  const read = FLOAT_READERS[dt.itemsize]
  if (read === undefined) {
    throw new ParamError(
      `field ${kindName(field)}: ${dt.itemsize * 8}-bit floats have no Aerospike type; use 'f8'`,
    )
  }
  const copy8 = dt.itemsize === 8
  return {
    name: field.name,
    nameBytes,
    field,
    particleType: PARTICLE_FLOAT,
    valueSize: 8,
    writeValue(src, srcView, rowOffset, _row, out, outView, outOffset) {
      const p = rowOffset + fieldOffset
      if (copy8) {
        // byte copy keeps NaN payloads exactly as stored
        if (le) for (let k = 0; k < 8; k++) out[outOffset + k] = src[p + 7 - k]!
        else out.set(src.subarray(p, p + 8), outOffset)
      } else {
        outView.setFloat64(outOffset, read(srcView, p, le), false)
      }
    },
    value(_src, srcView, rowOffset) {
      return read(srcView, rowOffset + fieldOffset, le)
    },
  }
}

// ---------------------------------------------------------------------------------------------
// Blob fields: S, V, sub-arrays and nested structs, the field's full width of raw bytes.

function blobBin(field: DtypeField, nameBytes: Uint8Array): BinCodec {
  const fieldOffset = field.offset
  const size = field.dtype.itemsize
  return {
    name: field.name,
    nameBytes,
    field,
    particleType: PARTICLE_BLOB,
    valueSize: size,
    writeValue(src, _srcView, rowOffset, _row, out, _outView, outOffset) {
      const p = rowOffset + fieldOffset
      out.set(src.subarray(p, p + size), outOffset)
    },
    value(src, _srcView, rowOffset) {
      const p = rowOffset + fieldOffset
      return src.subarray(p, p + size)
    },
  }
}

type BinFactory = (field: DtypeField, nameBytes: Uint8Array) => BinCodec

/** dtype kind → bin codec factory. Sub-arrays and nested structs are blobs whatever their kind. */
const BIN_FACTORIES: Readonly<Record<string, BinFactory>> = {
  i: integerBin,
  u: integerBin,
  f: floatBin,
  S: blobBin,
  V: blobBin,
}

/**
 * A bin name's UTF-8 bytes, after the checks every path (write plan, read dtype, `bins`) shares:
 * not empty, well-formed UTF-16 (a lone surrogate would be sent as U+FFFD, so two names could
 * become one bin), at most 15 bytes, no NUL. `what` names it in errors (`field "x"`, `bins[2]`);
 * `remedy` says what to do instead.
 */
export function binNameBytes(name: string, what: string, remedy: string): Uint8Array {
  if (name.length === 0) {
    throw new ParamError(`${what}: a bin name cannot be empty; ${remedy}`)
  }
  const bad = loneSurrogateAt(name)
  if (bad >= 0) {
    throw new ParamError(
      `${what}: the name has a lone surrogate (\\u${name.charCodeAt(bad).toString(16)} at index ${bad}), which UTF-8 cannot encode (it would be sent as U+FFFD, merging names); ${remedy}`,
    )
  }
  const nameBytes = utf8Encoder.encode(name)
  if (nameBytes.length > MAX_BIN_NAME_BYTES) {
    throw new ParamError(
      `${what}: bin names are at most ${MAX_BIN_NAME_BYTES} bytes of UTF-8, this one is ${nameBytes.length}; ${remedy}`,
    )
  }
  if (nameBytes.includes(0)) {
    // A real server refuses such a name on every row (21 BIN_NAME); say so once, before sending.
    throw new ParamError(`${what}: a bin name cannot contain a NUL character; ${remedy}`)
  }
  return nameBytes
}

const RENAME_FIELD = 'rename the field (or prefix it with _ to not store it)'

function compileBin(field: DtypeField): BinCodec {
  if (field.name.length === 0) {
    throw new ParamError(
      'a dtype field with an empty name cannot be a bin; name it or prefix it with _',
    )
  }
  const nameBytes = binNameBytes(field.name, `field ${JSON.stringify(field.name)}`, RENAME_FIELD)
  const dt = field.dtype
  if (containsObjects(dt)) {
    throw new ParamError(`field ${kindName(field)} cannot be a bin: ${REJECTED_KINDS.O}`)
  }
  if (dt.isSubarray || dt.isStructured) return blobBin(field, nameBytes)
  const rejected = REJECTED_KINDS[dt.kind]
  if (rejected !== undefined) {
    throw new ParamError(`field ${kindName(field)} cannot be a bin: ${rejected}`)
  }
  const factory = BIN_FACTORIES[dt.kind]
  if (factory === undefined) {
    throw new ParamError(`field ${kindName(field)}: dtype kind '${dt.kind}' has no bin type`)
  }
  return factory(field, nameBytes)
}

// ---------------------------------------------------------------------------------------------
// Keys.

/** A DataView over a Uint8Array's bytes, cached for the last array seen (no allocation per row). */
function viewCache(): (bytes: Uint8Array) => DataView {
  let lastBytes: Uint8Array | null = null
  let lastView: DataView | null = null
  return (bytes) => {
    if (bytes !== lastBytes || lastView === null) {
      lastBytes = bytes
      lastView = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    }
    return lastView
  }
}

function integerKey(field: DtypeField): KeyCodec {
  // A key's bytes are its INTEGER value bytes: reuse the bin codec's reader and writer.
  const asBin = integerBin(field, new Uint8Array(0))
  const srcViewOf = viewCache()
  const outViewOf = viewCache()
  return {
    field,
    particleType: PARTICLE_INTEGER,
    maxKeyBytes: 8,
    writeKeyBytes(src, rowOffset, row, out, outOffset) {
      asBin.writeValue(src, srcViewOf(src), rowOffset, row, out, outViewOf(out), outOffset)
      return 8
    },
    value(src, rowOffset, row) {
      return asBin.value(src, srcViewOf(src), rowOffset, row) as number | bigint
    },
  }
}

function stringKey(field: DtypeField): KeyCodec {
  const fieldOffset = field.offset
  const size = field.dtype.itemsize
  const check = (src: Uint8Array, p: number, end: number, row: number): void => {
    const bad = invalidUtf8At(src, p, end)
    if (bad >= 0) {
      throw rowError(
        row,
        field,
        `string key is not valid UTF-8 (byte ${bad} of the field); use a 'V${size}' key field for binary keys`,
      )
    }
  }
  return {
    field,
    particleType: PARTICLE_STRING,
    maxKeyBytes: size,
    writeKeyBytes(src, rowOffset, row, out, outOffset) {
      const p = rowOffset + fieldOffset
      const end = trimTrailingNuls(src, p, p + size)
      check(src, p, end, row)
      out.set(src.subarray(p, end), outOffset)
      return end - p
    },
    value(src, rowOffset, row) {
      const p = rowOffset + fieldOffset
      const end = trimTrailingNuls(src, p, p + size)
      check(src, p, end, row)
      return utf8Decoder.decode(src.subarray(p, end))
    },
  }
}

function blobKey(field: DtypeField): KeyCodec {
  const fieldOffset = field.offset
  const size = field.dtype.itemsize
  return {
    field,
    particleType: PARTICLE_BLOB,
    maxKeyBytes: size,
    writeKeyBytes(src, rowOffset, _row, out, outOffset) {
      const p = rowOffset + fieldOffset
      out.set(src.subarray(p, p + size), outOffset)
      return size
    },
    value(src, rowOffset) {
      const p = rowOffset + fieldOffset
      return src.slice(p, p + size)
    },
  }
}

function compileKey(field: DtypeField): KeyCodec {
  const dt = field.dtype
  const why = (text: string): ParamError => new ParamError(`key field ${kindName(field)} ${text}`)
  if (dt.isSubarray || dt.isStructured) {
    throw why("is a sub-array or nested struct; a key must be an integer, 'S<n>' or 'V<n>' field")
  }
  switch (dt.kind) {
    case 'i':
    case 'u':
      if (dt.itemsize !== 8 && SMALL_INT_READERS[`${dt.kind}${dt.itemsize}`] === undefined) {
        throw why(`has an unsupported integer width ${dt.itemsize}`)
      }
      return integerKey(field)
    case 'S':
      if (dt.itemsize === 0) throw why("is 'S0'; a string key needs at least one byte")
      return stringKey(field)
    case 'V':
      if (dt.itemsize === 0) throw why("is 'V0'; a blob key needs at least one byte")
      return blobKey(field)
    case 'f':
      throw why(
        "is a float; Aerospike keys are integers, strings or bytes (use an integer field, e.g. 'i8')",
      )
    default:
      throw why(
        `has kind '${dt.kind}'; a key must be an integer ('i1'..'u8'), 'S<n>' (string) or 'V<n>' (bytes) field`,
      )
  }
}

/**
 * The key codec of `keyField` in a structured dtype (as the write plan compiles it), for code that
 * needs only the keys of an array (reading records by a key column).
 */
export function compileKeyCodec(dtype: Dtype, keyField: string = DEFAULT_KEY_FIELD): KeyCodec {
  if (typeof keyField !== 'string' || keyField.length === 0) {
    throw new ParamError(`keyField must be a non-empty field name, got ${String(keyField)}`)
  }
  const field = dtype.isStructured ? dtype.field(keyField) : undefined
  if (field === undefined) {
    const names = (dtype.fields ?? []).map((f) => f.name).join(', ')
    throw new ParamError(
      `key field '${keyField}' is not in the dtype (fields: ${names}); pass { keyField: '<name>' }`,
    )
  }
  return compileKey(field)
}

/**
 * Compile the plan for a structured dtype and its key field. Throws `ParamError` for a dtype that
 * cannot be written: not structured, missing key field, a field kind without a bin type, a bin
 * name over 15 bytes, no bins at all.
 */
export function compileWritePlan(
  dtype: Dtype,
  keyField: string = DEFAULT_KEY_FIELD,
  validityField: string | null = null,
): WritePlan {
  if (!isDtype(dtype)) {
    throw new ParamError(`dtype must be a Dtype (from dtype([...])), got ${describe(dtype)}`)
  }
  if (typeof keyField !== 'string' || keyField.length === 0) {
    throw new ParamError(`keyField must be a non-empty field name, got ${describe(keyField)}`)
  }
  const fields = dtype.fields
  if (!dtype.isStructured || fields === null) {
    throw new ParamError(
      `dtype ${dtype.str ?? dtype.kind} is not structured; batchWriteNumpy needs fields, e.g. [['_key', 'i4'], ['score', 'f8']]`,
    )
  }
  const keyDtypeField = dtype.field(keyField)
  if (keyDtypeField === undefined) {
    const names = fields.map((f) => f.name).join(', ')
    throw new ParamError(
      `key field '${keyField}' is not in the dtype (fields: ${names}); pass { keyField: '<name>' }`,
    )
  }
  const key = compileKey(keyDtypeField)
  const bins: BinCodec[] = []
  const byWireName = new Map<string, string>()
  for (const field of fields) {
    // `_`-prefixed fields are not bins; a key field without `_` is also a bin (as the guide says)
    if (field.name.startsWith('_')) continue
    const bin = compileBin(field)
    // Two fields must never become one bin: compare the bytes that go on the wire.
    const wireName = Buffer.from(bin.nameBytes).toString('latin1')
    const other = byWireName.get(wireName)
    if (other !== undefined) {
      throw new ParamError(
        `fields ${JSON.stringify(other)} and ${JSON.stringify(field.name)} would be the same bin name on the wire; ${RENAME_FIELD}`,
      )
    }
    byWireName.set(wireName, field.name)
    bins.push(bin)
  }
  checkOpCount(bins.length, 'the dtype has too many bin fields')
  if (bins.length === 0) {
    throw new ParamError(
      `dtype has no bin fields (every field starts with '_' or is the key '${keyField}'); a record needs at least one bin`,
    )
  }
  return {
    dtype,
    keyField,
    key,
    bins,
    validity: compileValidity(dtype, validityField, bins.length),
  }
}

function compileValidity(dtype: Dtype, name: string | null, binCount: number): BinValidity | null {
  if (name === null) return null
  const field = typeof name === 'string' && name !== '' ? dtype.field(name) : undefined
  if (field === undefined) {
    throw new ParamError(
      `validityField ${JSON.stringify(name)} is not a field of the dtype (fields: ${dtype.fields!.map((f) => f.name).join(', ')})`,
    )
  }
  const need = Math.ceil(binCount / 8)
  if (!name.startsWith('_') || field.dtype.itemsize < need || field.dtype.isStructured) {
    throw new ParamError(
      `validityField '${name}' must be a field starting with '_' (so it is not a bin) of at least ${need} byte(s) for ${binCount} bins, e.g. ['${name.startsWith('_') ? name : `_${name}`}', 'V${need}']; it is ${field.dtype.str}`,
    )
  }
  return { field, offset: field.offset }
}

/**
 * Check the values a plan can refuse per row (u8 above 2^63-1 in a bin or the key, invalid UTF-8
 * in a string key) over every row, so that bad data is reported before anything is sent.
 * Cheap: only those fields are visited; for other dtypes it returns at once.
 */
export function checkRowValues(
  plan: WritePlan,
  data: {
    buffer: ArrayBufferLike
    byteOffset: number
    stride: number
    length: number
  },
  rowBase = 0,
): void {
  const checks: Array<(src: Uint8Array, view: DataView, rowOffset: number, row: number) => void> =
    []
  const keyDt = plan.key.field.dtype
  const scratch = new Uint8Array(plan.key.maxKeyBytes)
  if (plan.key.particleType === PARTICLE_STRING || (keyDt.kind === 'u' && keyDt.itemsize === 8)) {
    checks.push((src, _view, rowOffset, row) => {
      plan.key.writeKeyBytes(src, rowOffset, row, scratch, 0)
    })
  }
  plan.bins.forEach((bin, b) => {
    const dt = bin.field.dtype
    if (dt.kind === 'u' && dt.itemsize === 8 && !dt.isSubarray) {
      checks.push((src, view, rowOffset, row) => {
        if (binPresent(plan, src, rowOffset, b)) bin.value(src, view, rowOffset, row)
      })
    }
  })
  const validity = plan.validity
  if (validity !== null) {
    const nBins = plan.bins.length
    checks.push((src, _view, rowOffset, row) => {
      for (let b = 0; b < nBins; b++) if (binPresent(plan, src, rowOffset, b)) return
      throw new ParamError(
        `row ${row}: its '${validity.field.name}' bits mark every bin absent; a record needs at least one bin`,
      )
    })
  }
  if (checks.length === 0) return
  const src = new Uint8Array(data.buffer)
  const view = new DataView(data.buffer)
  for (let i = 0; i < data.length; i++) {
    const rowOffset = data.byteOffset + i * data.stride
    for (const check of checks) check(src, view, rowOffset, rowBase + i)
  }
}
