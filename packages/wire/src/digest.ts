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
import { Ripemd160 } from './ripemd160.js'

export type UserKey = number | bigint | string | Uint8Array

/**
 * Digests of keys of one set, as the server computes them: RIPEMD-160 over the set name's bytes,
 * the key's particle type byte and the key bytes. The set and type are laid out once in `input`;
 * per key the caller writes its bytes at `keyOffset` and calls `digest` (no allocation).
 */
export class KeyDigester {
  /** Set bytes, the type byte, then room for `maxKeyBytes` key bytes at `keyOffset`. */
  readonly input: Uint8Array
  readonly keyOffset: number
  readonly #hasher = new Ripemd160()

  constructor(set: string | Uint8Array, keyType: number, maxKeyBytes: number) {
    const setBytes = typeof set === 'string' ? toBytes(set) : set
    this.input = new Uint8Array(setBytes.length + 1 + maxKeyBytes)
    this.input.set(setBytes, 0)
    this.input[setBytes.length] = keyType
    this.keyOffset = setBytes.length + 1
  }

  /** Digest of the `keyLength` key bytes at `keyOffset`, into `out[outOffset, outOffset+20)`. */
  digest(keyLength: number, out: Uint8Array, outOffset: number): void {
    this.#hasher.digest(this.input, 0, this.keyOffset + keyLength, out, outOffset)
  }
}

/** The 20-byte digest of one key in a set (`''` = no set). */
export function computeDigest(
  set: string | Uint8Array,
  keyType: number,
  keyBytes: Uint8Array,
): Uint8Array {
  const digester = new KeyDigester(set, keyType, keyBytes.length)
  digester.input.set(keyBytes, digester.keyOffset)
  const out = new Uint8Array(DIGEST_SIZE)
  digester.digest(keyBytes.length, out, 0)
  return out
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
