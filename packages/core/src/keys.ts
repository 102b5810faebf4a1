/**
 * Namespaces, set names and record keys as users give them (guide tuples `[ns, set, key]` or the
 * official client's `Key`-like objects), validated and resolved to `ResolvedKey` with the digest
 * the server stores records under.
 */
import { INT64_MAX, INT64_MIN } from '@aerospike-numpy/dtype'
import {
  computeDigest,
  DIGEST_SIZE,
  PARTICLE_BLOB,
  PARTICLE_INTEGER,
  PARTICLE_STRING,
} from '@aerospike-numpy/wire'
import type { ResolvedKey, UserKey } from './engine.js'
import { ParamError } from './errors.js'
import { describe } from './policy.js'
import { utf8Encoder } from './scalars.js'

/** Server limits, in UTF-8 bytes. */
export const MAX_NAMESPACE_BYTES = 31
export const MAX_SET_NAME_BYTES = 63

/** A key as users give it: `['test', 'demo', 1]` or `{ ns, set, key?, digest? }`. */
export type KeyInput =
  | readonly [namespace: string, set: string, key: UserKey]
  | { ns: string; set?: string | null; key?: UserKey | null; digest?: Uint8Array | null }

export function validateNamespace(namespace: unknown, where = 'namespace'): string {
  if (typeof namespace !== 'string' || namespace.length === 0) {
    throw new ParamError(`${where} must be a non-empty string, got ${describe(namespace)}`)
  }
  const bytes = utf8Encoder.encode(namespace).length
  if (bytes > MAX_NAMESPACE_BYTES || namespace.includes('\0')) {
    throw new ParamError(
      `${where} ${describe(namespace)} is not a valid namespace name (at most ${MAX_NAMESPACE_BYTES} bytes, no NUL)`,
    )
  }
  return namespace
}

/** A set name; `''` means the null set (records without a set). */
export function validateSetName(set: unknown, where = 'set'): string {
  if (typeof set !== 'string') {
    throw new ParamError(`${where} must be a string, got ${describe(set)}`)
  }
  const bytes = utf8Encoder.encode(set).length
  if (bytes > MAX_SET_NAME_BYTES || set.includes('\0')) {
    throw new ParamError(
      `${where} ${describe(set)} is not a valid set name (at most ${MAX_SET_NAME_BYTES} bytes, no NUL)`,
    )
  }
  return set
}

/** Particle type and key bytes of a user key; throws `ParamError` for a key Aerospike cannot hold. */
export function userKeyBytes(
  key: UserKey,
  where = 'key',
): { particleType: number; bytes: Uint8Array } {
  if (typeof key === 'number') {
    if (!Number.isSafeInteger(key)) {
      throw new ParamError(
        `${where} ${describe(key)} is not an integer key (integer keys must be safe integers or bigints)`,
      )
    }
    const bytes = new Uint8Array(8)
    new DataView(bytes.buffer).setBigInt64(0, BigInt(key), false)
    return { particleType: PARTICLE_INTEGER, bytes }
  }
  if (typeof key === 'bigint') {
    if (key < INT64_MIN || key > INT64_MAX) {
      throw new ParamError(`${where} ${key}n does not fit a signed 64-bit integer key`)
    }
    const bytes = new Uint8Array(8)
    new DataView(bytes.buffer).setBigInt64(0, key, false)
    return { particleType: PARTICLE_INTEGER, bytes }
  }
  if (typeof key === 'string')
    return { particleType: PARTICLE_STRING, bytes: utf8Encoder.encode(key) }
  if (key instanceof Uint8Array) return { particleType: PARTICLE_BLOB, bytes: key }
  throw new ParamError(
    `${where} must be an integer, bigint, string or Uint8Array/Buffer, got ${describe(key)}`,
  )
}

export function userKeyDigest(set: string, key: UserKey): Uint8Array {
  const { particleType, bytes } = userKeyBytes(key)
  return computeDigest(set, particleType, bytes)
}

/** Resolve one key input; `index` names it in errors. */
export function resolveKey(input: unknown, index: number): ResolvedKey {
  const where = `keys[${index}]`
  let namespace: unknown
  let set: unknown
  let key: unknown
  let digest: unknown
  if (Array.isArray(input)) {
    if (input.length !== 3) {
      throw new ParamError(
        `${where} must be [namespace, set, key], got an array of length ${input.length}`,
      )
    }
    ;[namespace, set, key] = input as unknown[]
  } else if (typeof input === 'object' && input !== null && !(input instanceof Uint8Array)) {
    const obj = input as Record<string, unknown>
    namespace = obj.ns
    set = obj.set ?? ''
    key = obj.key ?? null
    digest = obj.digest ?? null
  } else {
    throw new ParamError(
      `${where} must be a [namespace, set, key] tuple or a { ns, set, key } object, got ${describe(input)}`,
    )
  }
  validateNamespace(namespace, `${where} namespace`)
  validateSetName(set, `${where} set`)
  const setName = set as string
  if (key === null || key === undefined) {
    if (!(digest instanceof Uint8Array) || digest.length !== DIGEST_SIZE) {
      throw new ParamError(`${where} has no key and no ${DIGEST_SIZE}-byte digest`)
    }
    return { namespace: namespace as string, set: setName, key: null, digest }
  }
  const { particleType, bytes } = userKeyBytes(key as UserKey, `${where} key`)
  const computed = computeDigest(setName, particleType, bytes)
  if (digest instanceof Uint8Array && !sameBytes(digest, computed)) {
    throw new ParamError(`${where} has a digest that does not match its key`)
  }
  return { namespace: namespace as string, set: setName, key: key as UserKey, digest: computed }
}

export function resolveKeys(keys: unknown): ResolvedKey[] {
  if (!Array.isArray(keys)) {
    throw new ParamError(
      `keys must be an array of [namespace, set, key] or { ns, set, key }, got ${describe(keys)}`,
    )
  }
  const resolved = new Array<ResolvedKey>(keys.length)
  for (let i = 0; i < keys.length; i++) resolved[i] = resolveKey(keys[i], i)
  return resolved
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** A short text naming a key in error messages: `test/demo/42`. */
export function keyLabel(key: ResolvedKey): string {
  const k = key.key
  const text =
    k === null
      ? `digest ${Buffer.from(key.digest).toString('hex')}`
      : k instanceof Uint8Array
        ? `0x${Buffer.from(k).toString('hex').slice(0, 40)}`
        : typeof k === 'string'
          ? JSON.stringify(k)
          : String(k)
  return `${key.namespace}/${key.set}/${text}`
}
