// The `.npy` format (numpy/lib/format.py), versions 1.0, 2.0 and 3.0, as pure functions over
// bytes. Headers are written exactly as numpy writes them (same text, padding and version
// choice), so files round-trip byte for byte. Every size is checked against the input's length
// before anything is allocated.

import { badArgument, describeValue, readingInput } from './args.js'
import { Dtype, descrRepr, fromDescrValue, subarray } from './dtype.js'
import type { DescrType } from './dtype.js'
import { DtypeError, NpyFormatError } from './errors.js'
import { PyLiteralSyntaxError, PyTuple, parsePyLiteral, pyReprShape } from './pyliteral.js'
import type { PyValue } from './pyliteral.js'
import { StructuredArray } from './structured-array.js'

/** `\x93NUMPY` */
export const NPY_MAGIC = Uint8Array.of(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59)
/** The whole header (magic to newline) is padded to a multiple of this. */
const ARRAY_ALIGN = 64
/** numpy leaves room to rewrite the first dimension in place: pad for 21 digits. */
const GROWTH_AXIS_MAX_DIGITS = 21
/** Header text longer than this is refused before it is read (numpy's own limit is 10,000). */
export const MAX_HEADER_BYTES = 16 * 1024 * 1024

export type NpyVersion = 1 | 2 | 3

export interface NpyHeader {
  readonly version: NpyVersion
  /** The header's `descr` value as written. */
  readonly descr: PyValue
  /** dtype of one element, as numpy would build it from `descr`. */
  readonly dtype: Dtype
  readonly shape: readonly number[]
  readonly fortranOrder: boolean
  /** Byte offset of the data: the header's total length. */
  readonly dataOffset: number
  /** Rows of the StructuredArray the file loads as: `shape[0]` (1 for a 0-d array). */
  readonly rows: number
  /** dtype of one row: `dtype`, or a sub-array of it with `shape.slice(1)` for 2-D and higher. */
  readonly rowDtype: Dtype
  /** rows × rowDtype.itemsize. */
  readonly dataBytes: number
}

function fail(
  code: ConstructorParameters<typeof NpyFormatError>[0],
  message: string,
  cause?: unknown,
): never {
  throw new NpyFormatError(code, `.npy: ${message}`, { cause })
}

/**
 * Length of the whole header (where the data starts), from the first bytes of a file
 * (at least 12, or the whole file if shorter). `fileSize` is the total size of the file.
 */
export function npyDataOffset(
  prefix: Uint8Array,
  fileSize: number,
): { version: NpyVersion; dataOffset: number } {
  const magicLen = Math.min(prefix.length, NPY_MAGIC.length)
  for (let i = 0; i < magicLen; i++) {
    if (prefix[i] !== NPY_MAGIC[i])
      fail(
        'NPY_BAD_MAGIC',
        `bad magic: byte ${i} is 0x${(prefix[i] as number).toString(16).padStart(2, '0')}, not a .npy file`,
      )
  }
  if (prefix.length < 8)
    fail('NPY_TRUNCATED', `file of ${prefix.length} bytes ends inside the magic string`)
  const major = prefix[6] as number
  const minor = prefix[7] as number
  if ((major !== 1 && major !== 2 && major !== 3) || minor !== 0) {
    fail('NPY_BAD_VERSION', `unsupported format version ${major}.${minor} (byte 6)`)
  }
  const version = major as NpyVersion
  const lenSize = version === 1 ? 2 : 4
  if (prefix.length < 8 + lenSize)
    fail('NPY_TRUNCATED', `file of ${prefix.length} bytes ends inside the header length (byte 8)`)
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength)
  const headerLen = version === 1 ? view.getUint16(8, true) : view.getUint32(8, true)
  const dataOffset = 8 + lenSize + headerLen
  if (dataOffset > fileSize) {
    fail(
      'NPY_TRUNCATED',
      `header length ${headerLen} (byte 8) reaches byte ${dataOffset}, beyond the ${fileSize}-byte file`,
    )
  }
  if (headerLen > MAX_HEADER_BYTES)
    fail('NPY_TOO_LARGE', `header length ${headerLen} exceeds ${MAX_HEADER_BYTES} bytes`)
  return { version, dataOffset }
}

/** The bytes a caller gave: a Uint8Array (or Buffer), any other view, or an (Shared)ArrayBuffer. */
function asBytes(value: unknown, fn: string): Uint8Array {
  return readingInput(
    () => {
      if (value instanceof Uint8Array) return value
      if (ArrayBuffer.isView(value)) {
        return new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
      }
      if (value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) {
        return new Uint8Array(value)
      }
      throw badArgument(
        `${fn}: bytes must be a Uint8Array, a Buffer or an ArrayBuffer, got ${describeValue(value)}`,
      )
    },
    (detail, cause) => badArgument(`${fn}: the bytes could not be read: ${detail}`, cause),
  )
}

function checkSize(value: unknown, what: string, fn: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw badArgument(`${fn}: ${what} must be a non-negative integer, got ${describeValue(value)}`)
  }
  return value
}

/**
 * Parse a `.npy` header. `bytes` holds at least the whole header; `fileSize` is the size of the
 * whole file (default `bytes.length`), against which the declared shape is checked.
 */
export function parseNpyHeader(
  input: Uint8Array | ArrayBufferLike | ArrayBufferView,
  fileSize?: number,
): NpyHeader {
  const bytes = asBytes(input, 'parseNpyHeader')
  const size =
    fileSize === undefined ? bytes.length : checkSize(fileSize, 'fileSize', 'parseNpyHeader')
  return parseHeaderBytes(bytes, size)
}

/**
 * A shape that does not fit the file: the dtype as numpy prints it (its fields, not `|V16`), the
 * bytes the shape needs (exact, as a bigint: absurd shapes are reported too) and where the data
 * should end against where the file does.
 */
function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`
}

function sizeMismatch(dims: number[], dt: Dtype, dataOffset: number, fileSize: number): string {
  const needed = dims.reduce((n, d) => n * BigInt(d), 1n) * BigInt(dt.itemsize)
  const end = BigInt(dataOffset) + needed
  if (end < BigInt(fileSize)) {
    return `shape ${pyReprShape(dims)} of ${dt.toString()} (${dt.itemsize}-byte items) is ${needed} data bytes, from byte ${dataOffset} to byte ${end}, but the file goes on to byte ${fileSize}`
  }
  const rowBytes = dt.itemsize * dims.slice(1).reduce((n, d) => n * d, 1)
  const whole =
    dims.length === 0 || rowBytes === 0
      ? ''
      : ` (${plural(Math.floor((fileSize - dataOffset) / rowBytes), 'whole row')})`
  return `shape ${pyReprShape(dims)} of ${dt.toString()} (${dt.itemsize}-byte items) needs ${needed} data bytes, from byte ${dataOffset} to byte ${end}, but the file ends at byte ${fileSize}${whole}: truncated?`
}

function parseHeaderBytes(bytes: Uint8Array, fileSize: number): NpyHeader {
  const { version, dataOffset } = npyDataOffset(bytes.subarray(0, 12), fileSize)
  if (bytes.length < dataOffset)
    fail('NPY_TRUNCATED', `header ends at byte ${dataOffset}, only ${bytes.length} bytes given`)
  const headerStart = version === 1 ? 10 : 12
  const raw = bytes.subarray(headerStart, dataOffset)
  let text: string
  if (version === 3) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(raw)
    } catch (err) {
      fail('NPY_BAD_HEADER', 'header is not valid UTF-8 text', err)
    }
  } else {
    text = latin1(raw)
  }
  let value: PyValue
  try {
    value = parsePyLiteral(text)
  } catch (err) {
    if (err instanceof PyLiteralSyntaxError) {
      fail(
        'NPY_BAD_HEADER',
        `header ${err.message.replace(/at character (\d+)$/, (_, p: string) => `at byte ${headerStart + utf8Length(text.slice(0, Number(p)), version)}`)}`,
        err,
      )
    }
    throw err
  }
  if (!(value instanceof Map)) fail('NPY_BAD_HEADER', 'header is not a dict')
  const keys = [...value.keys()].sort()
  if (keys.join() !== 'descr,fortran_order,shape') {
    fail(
      'NPY_BAD_HEADER',
      `header keys are [${keys.join(', ')}], expected descr, fortran_order, shape`,
    )
  }
  const shapeValue = value.get('shape')
  const fortranOrder = value.get('fortran_order')
  const descr = value.get('descr') as PyValue
  if (typeof fortranOrder !== 'boolean')
    fail('NPY_BAD_HEADER', "'fortran_order' is not True or False")
  if (
    !(shapeValue instanceof PyTuple) ||
    !shapeValue.items.every((d) => typeof d === 'number' || typeof d === 'bigint')
  ) {
    fail('NPY_BAD_HEADER', "'shape' is not a tuple of ints")
  }
  const shape = shapeValue.items as (number | bigint)[]
  for (const d of shape) {
    if (typeof d === 'bigint' || d < 0)
      fail(
        'NPY_BAD_HEADER',
        `shape ${pyReprShape(shape.map(Number))} has a dimension ${d} out of range`,
      )
  }
  const dims = shape as number[]
  if (fortranOrder)
    fail('NPY_FORTRAN_ORDER', 'Fortran-order arrays are not supported (save with C order)')
  let dt: Dtype
  try {
    dt = fromDescrValue(descr)
  } catch (err) {
    if (err instanceof DtypeError) fail('NPY_BAD_HEADER', `bad descr: ${err.message}`, err)
    throw err
  }
  if (containsObject(dt))
    fail('NPY_OBJECT_ARRAY', 'object arrays (O) need pickle and are not supported')
  const dataAvailable = fileSize - dataOffset
  let elements = 1
  for (const d of dims) {
    elements *= d
    // Stop before the product can lose precision: anything past the file's size is wrong anyway.
    if (elements * dt.itemsize > dataAvailable)
      fail('NPY_SIZE_MISMATCH', sizeMismatch(dims, dt, dataOffset, fileSize))
  }
  const dataBytes = elements * dt.itemsize
  if (dataBytes !== dataAvailable)
    fail('NPY_SIZE_MISMATCH', sizeMismatch(dims, dt, dataOffset, fileSize))
  const rows = dims.length === 0 ? 1 : (dims[0] as number)
  let rowDtype = dt
  if (dims.length > 1) {
    const inner = dims.slice(1)
    if (inner.some((d) => d === 0))
      fail('NPY_BAD_HEADER', `shape ${pyReprShape(dims)}: inner dimensions of 0 are not supported`)
    try {
      rowDtype = subarray(dt, inner)
    } catch (err) {
      if (err instanceof DtypeError)
        fail('NPY_TOO_LARGE', `shape ${pyReprShape(dims)}: ${err.message}`, err)
      throw err
    }
  }
  return {
    version,
    descr,
    dtype: dt,
    shape: dims,
    fortranOrder,
    dataOffset,
    rows,
    rowDtype,
    dataBytes,
  }
}

/** ISO-8859-1, as Python decodes it (WHATWG's "latin1" label is windows-1252: 0x80–0x9F differ). */
function latin1(bytes: Uint8Array): string {
  let out = ''
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode(...bytes.subarray(i, i + 8192))
  }
  return out
}

function utf8Length(s: string, version: NpyVersion): number {
  return version === 3 ? new TextEncoder().encode(s).length : s.length
}

function containsObject(dt: Dtype): boolean {
  if (dt.fields) return dt.fields.some((f) => containsObject(f.dtype))
  if (dt.isSubarray) return containsObject(dt.base)
  return dt.kind === 'O'
}

/**
 * A `.npy` file's rows as a StructuredArray over `bytes` (no copy). A 2-D `(N, 128)` `<f4`
 * array loads as N rows of the sub-array dtype `('<f4', (128,))`; a 0-d array as one row.
 */
export function parseNpy(input: Uint8Array | ArrayBufferLike | ArrayBufferView): StructuredArray {
  const bytes = asBytes(input, 'parseNpy')
  const header = parseHeaderBytes(bytes, bytes.length)
  return StructuredArray.fromBuffer(header.rowDtype, bytes, {
    byteOffset: header.dataOffset,
    length: header.rows,
  })
}

/** Element descr and full shape of an array of `rows` rows of `dt`, as numpy saves it. */
function arrayLayout(dt: Dtype, rows: number): { descr: DescrType; shape: number[] } {
  const shape = [rows]
  let element = dt
  while (element.isSubarray) {
    shape.push(...element.shape)
    element = element.base
  }
  if (containsObject(element))
    fail('NPY_OBJECT_ARRAY', 'object arrays (O) need pickle and cannot be written')
  let descr: DescrType
  try {
    descr = element.isStructured ? element.descr : element.str
  } catch (err) {
    if (err instanceof DtypeError)
      fail('NPY_BAD_HEADER', `cannot write this dtype: ${err.message}`, err)
    throw err
  }
  return { descr, shape }
}

/** The header numpy's `np.save` writes for `rows` rows of `dt` (magic through newline). */
export function encodeNpyHeader(dt: Dtype, rows: number): Uint8Array {
  if (!readingInput(() => dt instanceof Dtype, badArgument)) {
    throw badArgument(`encodeNpyHeader: dt must be a Dtype, got ${describeValue(dt)}`)
  }
  checkSize(rows, 'rows', 'encodeNpyHeader')
  return headerBytes(dt, rows)
}

function headerBytes(dt: Dtype, rows: number): Uint8Array {
  const { descr, shape } = arrayLayout(dt, rows)
  let text = `{'descr': ${descrRepr(descr)}, 'fortran_order': False, 'shape': ${pyReprShape(shape)}, }`
  text += ' '.repeat(GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length)
  // eslint-disable-next-line no-control-regex
  const latin1 = /^[\u0000-\u00ff]*$/.test(text)
  const encoded = latin1
    ? Uint8Array.from(text, (c) => c.charCodeAt(0))
    : new TextEncoder().encode(text)
  const wrap = (version: NpyVersion): Uint8Array | null => {
    const lenSize = version === 1 ? 2 : 4
    const hlen = encoded.length + 1
    const padlen = ARRAY_ALIGN - ((NPY_MAGIC.length + 2 + lenSize + hlen) % ARRAY_ALIGN)
    const total = hlen + padlen
    if (version === 1 && total > 0xffff) return null
    const out = new Uint8Array(NPY_MAGIC.length + 2 + lenSize + total)
    out.set(NPY_MAGIC)
    out[6] = version
    out[7] = 0
    const view = new DataView(out.buffer)
    if (version === 1) view.setUint16(8, total, true)
    else view.setUint32(8, total, true)
    out.set(encoded, 8 + lenSize)
    out.fill(0x20, 8 + lenSize + encoded.length, out.length - 1)
    out[out.length - 1] = 0x0a
    return out
  }
  // numpy's choice: 1.0 when the header fits, else 2.0; 3.0 only for text that is not latin-1.
  return (latin1 ? (wrap(1) ?? wrap(2)) : wrap(3)) as Uint8Array
}

/** The `.npy` bytes numpy's `np.save` writes for `array` (rows packed, C order). */
export function encodeNpy(array: StructuredArray): Uint8Array {
  checkArray(array, 'encodeNpy')
  const header = headerBytes(array.dtype, array.length)
  const size = array.dtype.itemsize
  const out = new Uint8Array(header.length + array.length * size)
  out.set(header)
  copyRows(array, out, header.length)
  return out
}

/** `array` is a StructuredArray (the writers' argument check). */
export function checkArray(array: unknown, fn: string): asserts array is StructuredArray {
  if (!readingInput(() => array instanceof StructuredArray, badArgument)) {
    throw badArgument(`${fn}: array must be a StructuredArray, got ${describeValue(array)}`)
  }
}

/** Pack the rows of `array` into `out` at `offset`. */
export function copyRows(array: StructuredArray, out: Uint8Array, offset: number): void {
  const size = array.dtype.itemsize
  const src = array.bytes
  if (array.isContiguous) {
    out.set(src.subarray(0, array.length * size), offset)
    return
  }
  for (let i = 0; i < array.length; i++) {
    out.set(src.subarray(i * array.stride, i * array.stride + size), offset + i * size)
  }
}
