import { createHash } from 'node:crypto'
import {
  DIGEST_SIZE,
  N_PARTITIONS,
  PARTICLE_BLOB,
  PARTICLE_FLOAT,
  PARTICLE_INTEGER,
  PARTICLE_STRING,
} from './constants.js'
import { WireError } from './errors.js'
import { decodeUtf8, toBytes } from './msg.js'
import { decodeFloat, decodeInteger, encodeInteger } from './particles.js'

export type UserKey = number | bigint | string | Uint8Array

const EMPTY = new Uint8Array(0)

/** RIPEMD-160 over set name bytes, the key's particle type byte and the key bytes (20 bytes). */
export function computeDigest(
  set: string | Uint8Array,
  keyType: number,
  keyBytes: Uint8Array,
): Uint8Array {
  const hash = createHash('ripemd160')
  const setBytes = typeof set === 'string' ? (set.length === 0 ? EMPTY : toBytes(set)) : set
  if (setBytes.length > 0) hash.update(setBytes)
  hash.update(Uint8Array.of(keyType))
  hash.update(keyBytes)
  // Copy out of the hash's Buffer: it may be a view of a shared 8 KiB pool that a stored
  // digest would otherwise keep alive.
  return new Uint8Array(hash.digest()).subarray(0, DIGEST_SIZE)
}

/** Particle type and bytes of a user key, as hashed and as sent in FIELD_KEY. */
export function encodeUserKey(key: UserKey): { particleType: number; bytes: Uint8Array } {
  if (typeof key === 'string') return { particleType: PARTICLE_STRING, bytes: toBytes(key) }
  if (key instanceof Uint8Array) return { particleType: PARTICLE_BLOB, bytes: key }
  if (typeof key === 'number' && !Number.isInteger(key)) {
    // The Node client rejects non-integer number keys; hashing them as doubles would silently differ.
    throw new WireError('BAD_VALUE', 0, `key ${key} is not an integer`)
  }
  return { particleType: PARTICLE_INTEGER, bytes: encodeInteger(key) }
}

/** Digest of a user key in a set (`''` = no set). */
export function keyDigest(set: string, key: UserKey): Uint8Array {
  const { particleType, bytes } = encodeUserKey(key)
  return computeDigest(set, particleType, bytes)
}

/** FIELD_KEY data: particle type byte + key bytes. */
export function encodeKeyField(key: UserKey): Uint8Array {
  const { particleType, bytes } = encodeUserKey(key)
  const out = new Uint8Array(1 + bytes.length)
  out[0] = particleType
  out.set(bytes, 1)
  return out
}

/** Decodes FIELD_KEY data at `offset` (`length` bytes including the type byte). */
export function decodeKeyField(
  bytes: Uint8Array,
  offset: number,
  length: number,
): { particleType: number; key: number | bigint | string | Uint8Array } {
  if (length < 1 || offset + length > bytes.length) {
    throw new WireError('TRUNCATED', offset, `user key field of ${length} bytes`)
  }
  const particleType = bytes[offset]!
  const start = offset + 1
  const size = length - 1
  switch (particleType) {
    case PARTICLE_INTEGER: {
      if (size !== 8)
        throw new WireError('BAD_SIZE', start, `integer key of ${size} bytes (need 8)`)
      const value = decodeInteger(bytes, start, 8)
      const safe =
        value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      return { particleType, key: safe ? Number(value) : value }
    }
    case PARTICLE_FLOAT:
      return { particleType, key: decodeFloat(bytes, start, size) }
    case PARTICLE_STRING:
      return { particleType, key: decodeUtf8(bytes, start, size) }
    default:
      return { particleType, key: bytes.subarray(start, start + size) }
  }
}

/** Partition of a digest: little-endian u16 of bytes 0..1, masked to 4096 partitions. */
export function partitionId(digest: Uint8Array, offset = 0): number {
  if (offset + 2 > digest.length) {
    throw new WireError('TRUNCATED', offset, 'digest needs at least 2 bytes for a partition id')
  }
  return (digest[offset]! | (digest[offset + 1]! << 8)) & (N_PARTITIONS - 1)
}
