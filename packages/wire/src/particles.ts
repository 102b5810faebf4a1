import {
  PARTICLE_BLOB,
  PARTICLE_BOOL,
  PARTICLE_FLOAT,
  PARTICLE_GEOJSON,
  PARTICLE_INTEGER,
  PARTICLE_LIST,
  PARTICLE_MAP,
  PARTICLE_NIL,
  PARTICLE_STRING,
} from './constants.js'
import { WireError } from './errors.js'
import { decodeUtf8, EMPTY_BYTES, toBytes, writeInt64 } from './msg.js'

/**
 * A bin value with its particle type kept apart from its JS representation, so a float 1.0 and
 * an integer 1 stay distinct. List and map values are the raw msgpack bytes (not interpreted).
 */
export type ParticleValue =
  | { readonly type: 'nil' }
  | { readonly type: 'integer'; readonly value: bigint }
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'blob'; readonly value: Uint8Array }
  | { readonly type: 'bool'; readonly value: boolean }
  | {
      readonly type: 'geojson'
      readonly value: string
      readonly cells: readonly bigint[]
      readonly flags: number
    }
  | { readonly type: 'list'; readonly msgpack: Uint8Array }
  | { readonly type: 'map'; readonly msgpack: Uint8Array }
  /** Any other particle type (language blobs, HLL, vector, …): bytes returned as they are. */
  | { readonly type: 'raw'; readonly particleType: number; readonly value: Uint8Array }

export interface EncodedParticle {
  readonly particleType: number
  readonly bytes: Uint8Array
}

const INTEGER_SIZE = 8

function rangeCheck(bytes: Uint8Array, offset: number, length: number): void {
  if (offset < 0 || length < 0 || offset + length > bytes.length) {
    throw new WireError(
      'TRUNCATED',
      offset,
      `value of ${length} bytes runs past the end (${bytes.length})`,
    )
  }
}

/**
 * INTEGER particle value: 8 bytes big-endian two's complement. Like the C client, 0..8 bytes are
 * accepted (a shorter value is sign-extended); more than 8 is an error.
 */
export function decodeInteger(bytes: Uint8Array, offset: number, length = INTEGER_SIZE): bigint {
  rangeCheck(bytes, offset, length)
  if (length > INTEGER_SIZE) {
    throw new WireError('BAD_SIZE', offset, `integer value of ${length} bytes (at most 8)`)
  }
  if (length === INTEGER_SIZE) {
    const view = new DataView(bytes.buffer, bytes.byteOffset + offset, 8)
    return view.getBigInt64(0)
  }
  let value = 0n
  for (let i = 0; i < length; i++) value = (value << 8n) | BigInt(bytes[offset + i]!)
  return length === 0 ? 0n : BigInt.asIntN(length * 8, value)
}

/** INTEGER as a number when it is a safe integer, else as a bigint (never rounded). */
export function decodeIntegerExact(
  bytes: Uint8Array,
  offset: number,
  length = INTEGER_SIZE,
): number | bigint {
  const value = decodeInteger(bytes, offset, length)
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value
}

export function encodeInteger(value: number | bigint): Uint8Array {
  const out = new Uint8Array(INTEGER_SIZE)
  writeInt64(new DataView(out.buffer), 0, value)
  return out
}

export function decodeFloat(bytes: Uint8Array, offset: number, length = 8): number {
  rangeCheck(bytes, offset, length)
  if (length !== 8)
    throw new WireError('BAD_SIZE', offset, `float value of ${length} bytes (need 8)`)
  return new DataView(bytes.buffer, bytes.byteOffset + offset, 8).getFloat64(0)
}

export function encodeFloat(value: number): Uint8Array {
  const out = new Uint8Array(8)
  new DataView(out.buffer).setFloat64(0, value)
  return out
}

export function decodeBool(bytes: Uint8Array, offset: number, length = 1): boolean {
  rangeCheck(bytes, offset, length)
  if (length !== 1)
    throw new WireError('BAD_SIZE', offset, `bool value of ${length} bytes (need 1)`)
  const b = bytes[offset]!
  if (b > 1) throw new WireError('BAD_VALUE', offset, `bool value ${b} (need 0 or 1)`)
  return b === 1
}

export interface GeoJsonValue {
  readonly flags: number
  readonly cells: readonly bigint[]
  readonly json: string
}

/** GEOJSON: u8 flags, u16 BE ncells, ncells × u64 cell ids, JSON text. */
export function decodeGeoJson(bytes: Uint8Array, offset: number, length: number): GeoJsonValue {
  rangeCheck(bytes, offset, length)
  if (length < 3)
    throw new WireError('TRUNCATED', offset, `geojson value of ${length} bytes (need ≥ 3)`)
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, length)
  const flags = view.getUint8(0)
  const ncells = view.getUint16(1)
  const textStart = 3 + ncells * 8
  if (textStart > length) {
    throw new WireError(
      'TRUNCATED',
      offset + 1,
      `geojson announces ${ncells} cells in ${length} bytes`,
    )
  }
  const cells: bigint[] = []
  for (let i = 0; i < ncells; i++) cells.push(view.getBigUint64(3 + i * 8))
  return { flags, cells, json: decodeUtf8(bytes, offset + textStart, length - textStart) }
}

export function encodeGeoJson(json: string, cells: readonly bigint[] = [], flags = 0): Uint8Array {
  const text = toBytes(json)
  if (cells.length > 0xffff)
    throw new WireError('BAD_VALUE', 1, `${cells.length} geojson cells (max 65535)`)
  const out = new Uint8Array(3 + cells.length * 8 + text.length)
  const view = new DataView(out.buffer)
  view.setUint8(0, flags)
  view.setUint16(1, cells.length)
  cells.forEach((cell, i) => view.setBigUint64(3 + i * 8, cell))
  out.set(text, 3 + cells.length * 8)
  return out
}

/** Decodes one particle value. Byte values (blob, list/map msgpack, raw) are views, not copies. */
export function decodeParticle(
  particleType: number,
  bytes: Uint8Array,
  offset: number,
  length: number,
): ParticleValue {
  rangeCheck(bytes, offset, length)
  switch (particleType) {
    case PARTICLE_NIL:
      return { type: 'nil' }
    case PARTICLE_INTEGER:
      return { type: 'integer', value: decodeInteger(bytes, offset, length) }
    case PARTICLE_FLOAT:
      return { type: 'float', value: decodeFloat(bytes, offset, length) }
    case PARTICLE_STRING:
      return { type: 'string', value: decodeUtf8(bytes, offset, length) }
    case PARTICLE_BLOB:
      return { type: 'blob', value: bytes.subarray(offset, offset + length) }
    case PARTICLE_BOOL:
      return { type: 'bool', value: decodeBool(bytes, offset, length) }
    case PARTICLE_GEOJSON: {
      const geo = decodeGeoJson(bytes, offset, length)
      return { type: 'geojson', value: geo.json, cells: geo.cells, flags: geo.flags }
    }
    case PARTICLE_LIST:
      return { type: 'list', msgpack: bytes.subarray(offset, offset + length) }
    case PARTICLE_MAP:
      return { type: 'map', msgpack: bytes.subarray(offset, offset + length) }
    default:
      return { type: 'raw', particleType, value: bytes.subarray(offset, offset + length) }
  }
}

/** Particle type and value bytes of a value, as they go into an op. */
export function encodeParticle(value: ParticleValue): EncodedParticle {
  switch (value.type) {
    case 'nil':
      return { particleType: PARTICLE_NIL, bytes: EMPTY_BYTES }
    case 'integer':
      return { particleType: PARTICLE_INTEGER, bytes: encodeInteger(value.value) }
    case 'float':
      return { particleType: PARTICLE_FLOAT, bytes: encodeFloat(value.value) }
    case 'string':
      return { particleType: PARTICLE_STRING, bytes: toBytes(value.value) }
    case 'blob':
      return { particleType: PARTICLE_BLOB, bytes: value.value }
    case 'bool':
      return { particleType: PARTICLE_BOOL, bytes: Uint8Array.of(value.value ? 1 : 0) }
    case 'geojson':
      return {
        particleType: PARTICLE_GEOJSON,
        bytes: encodeGeoJson(value.value, value.cells, value.flags),
      }
    case 'list':
      return { particleType: PARTICLE_LIST, bytes: value.msgpack }
    case 'map':
      return { particleType: PARTICLE_MAP, bytes: value.msgpack }
    case 'raw':
      return { particleType: value.particleType, bytes: value.value }
  }
}
