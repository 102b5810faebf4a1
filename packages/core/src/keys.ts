/**
 * Namespaces, set names and record keys as users give them (guide tuples `[ns, set, key]` or the
 * official client's `Key`-like objects), validated and resolved to `ResolvedKey` with the digest
 * the server stores records under.
 */
import { INT64_MAX, INT64_MIN } from '@aerospike-numpy/dtype'
import {
  computeDigest as wireDigest,
  DIGEST_SIZE,
  KeyDigester,
  PARTICLE_BLOB,
  PARTICLE_INTEGER,
  PARTICLE_STRING,
} from '@aerospike-numpy/wire'
import type { ResolvedKey, UserKey } from './engine.js'
import { ParamError } from './errors.js'
import { describe, readOptions, readingInput } from './input.js'
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

/** RIPEMD-160 over set name, key particle type and key bytes, as the server computes it. */
export function computeDigest(set: string, particleType: number, keyBytes: Uint8Array): Uint8Array {
  // wire's digest trusts its caller; this public one checks its arguments first.
  if (typeof set !== 'string') throw new ParamError(`set must be a string, got ${describe(set)}`)
  if (!Number.isInteger(particleType) || particleType < 0 || particleType > 255) {
    throw new ParamError(`particleType must be a byte (0..255), got ${describe(particleType)}`)
  }
  if (!readingInput('keyBytes', () => keyBytes instanceof Uint8Array)) {
    throw new ParamError(`keyBytes must be a Uint8Array, got ${describe(keyBytes)}`)
  }
  return wireDigest(set, particleType, keyBytes)
}

export function userKeyDigest(set: string, key: UserKey): Uint8Array {
  validateSetName(set)
  const { particleType, bytes } = readingInput('key', () => userKeyBytes(key))
  return wireDigest(set, particleType, bytes)
}

/** A user key's type and range, as `userKeyBytes` accepts them (without encoding it). */
function checkUserKey(key: unknown, where: string): void {
  if (typeof key === 'string' || (ArrayBuffer.isView(key) && key instanceof Uint8Array)) return
  if (typeof key === 'number' && Number.isSafeInteger(key)) return
  if (typeof key === 'bigint' && key >= INT64_MIN && key <= INT64_MAX) return
  userKeyBytes(key as UserKey, where) // throws the ParamError that says what is wrong
  throw new ParamError(`${where} is not a valid key, got ${describe(key)}`)
}

/** One distinct namespace and set of a key batch. */
export interface KeyGroup {
  readonly namespace: string
  readonly set: string
}

/**
 * The keys of one batch call, resolved, with no object per key: every digest in one buffer
 * (20 bytes a key), each key's namespace and set as an index into a small table of the distinct
 * pairs, and the user keys as given (`null` where only the digest is known).
 */
export class KeyBatch {
  readonly length: number
  readonly groups: readonly KeyGroup[]
  /** Per key: its index into `groups`. */
  readonly groupOf: Uint32Array
  /** Key i's digest is `digests[20 i, 20 i + 20)`. */
  readonly digests: Uint8Array
  readonly userKeys: readonly (UserKey | null)[]
  #resolved: ResolvedKey[] | null = null

  /**
   * Every part is checked (a batch may come from user code or from another thread): namespace
   * and set names, group indices, the digest buffer's size and each user key's type. The keys
   * are read by their digests; a user key is what a read reports for its row, not re-hashed.
   */
  constructor(
    groups: readonly KeyGroup[],
    groupOf: Uint32Array,
    digests: Uint8Array,
    userKeys: readonly (UserKey | null)[],
  ) {
    if (!Array.isArray(groups)) {
      throw new ParamError(`a key batch's groups must be an array, got ${describe(groups)}`)
    }
    this.groups = groups.map((group: unknown, g) => {
      const { namespace, set } = readOptions(group, ['namespace', 'set'], `key group ${g}`)
      return Object.freeze({
        namespace: validateNamespace(namespace, `key group ${g} namespace`),
        set: validateSetName(set, `key group ${g} set`),
      })
    })
    // Real typed arrays only: a Proxy or look-alike passes `instanceof` but not `isView`.
    if (!(ArrayBuffer.isView(groupOf) && groupOf instanceof Uint32Array)) {
      throw new ParamError(`a key batch's groupOf must be a Uint32Array, got ${describe(groupOf)}`)
    }
    if (!(ArrayBuffer.isView(digests) && digests instanceof Uint8Array)) {
      throw new ParamError(`a key batch's digests must be a Uint8Array, got ${describe(digests)}`)
    }
    const n = groupOf.length
    if (!Array.isArray(userKeys) || digests.length !== n * DIGEST_SIZE || userKeys.length !== n) {
      throw new ParamError(
        `a batch of ${n} keys needs ${n * DIGEST_SIZE} digest bytes and ${n} user keys, got ${digests.length} and ${describe(userKeys)}`,
      )
    }
    const keys = new Array<UserKey | null>(n)
    for (let i = 0; i < n; i++) {
      if (groupOf[i]! >= this.groups.length) {
        throw new ParamError(`key ${i} names group ${groupOf[i]} of ${this.groups.length}`)
      }
      const key: unknown = userKeys[i]
      if (key !== null) checkUserKey(key, `keys[${i}] key`)
      keys[i] = key as UserKey | null
    }
    this.length = n
    this.groupOf = groupOf
    this.digests = digests
    this.userKeys = keys
  }

  /** A batch of already resolved keys (one group per distinct namespace and set). */
  static from(keys: readonly ResolvedKey[]): KeyBatch {
    const builder = new KeyBatchBuilder(keys.length)
    for (let i = 0; i < keys.length; i++) {
      const k: unknown = keys[i]
      const digest = (k as Partial<ResolvedKey> | null)?.digest
      if (typeof k !== 'object' || k === null || !(digest instanceof Uint8Array)) {
        throw new ParamError(
          `keys[${i}] must be a resolved key ({ namespace, set, key, digest }), got ${describe(k)}`,
        )
      }
      if (digest.length !== DIGEST_SIZE) {
        throw new ParamError(`keys[${i}] has a ${digest.length}-byte digest, not ${DIGEST_SIZE}`)
      }
      const r = k as ResolvedKey
      builder.addResolved(r.namespace, r.set, r.key ?? null, digest)
    }
    return builder.finish()
  }

  namespace(i: number): string {
    return this.groups[this.groupOf[i]!]!.namespace
  }

  set(i: number): string {
    return this.groups[this.groupOf[i]!]!.set
  }

  /** Key i's digest (a view into `digests`). */
  digest(i: number): Uint8Array {
    return this.digests.subarray(i * DIGEST_SIZE, (i + 1) * DIGEST_SIZE)
  }

  /** Key i as an object (made on demand; the batch itself holds none). */
  key(i: number): ResolvedKey {
    const group = this.groups[this.groupOf[i]!]!
    return {
      namespace: group.namespace,
      set: group.set,
      key: this.userKeys[i]!,
      digest: this.digests.slice(i * DIGEST_SIZE, (i + 1) * DIGEST_SIZE),
    }
  }

  /** Every key as an object, made once on first use. */
  toArray(): readonly ResolvedKey[] {
    if (this.#resolved === null) {
      const out = new Array<ResolvedKey>(this.length)
      for (let i = 0; i < this.length; i++) out[i] = this.key(i)
      this.#resolved = out
    }
    return this.#resolved
  }
}

const TWO_32 = 4294967296

/** Error labels, made only when a key is refused (module constants: no closure per key). */
const keyAt = (i: number): string => `keys[${i}]`
const userKeyAt = (i: number): string => `keys[${i}] key`

/** The digesters of one group's set name: integer keys (the hot path) and longer keys. */
interface GroupDigesters {
  readonly set: string
  readonly int: KeyDigester
  readonly intView: DataView
  /** String and blob keys; replaced by a larger one when a key does not fit. */
  bytes: KeyDigester | null
}

/**
 * Builds a `KeyBatch` key by key: namespace and set are checked once per distinct pair (keys
 * come in runs of one pair), integer keys are hashed from a reused buffer, and nothing is
 * allocated per key but what the caller gave.
 */
export class KeyBatchBuilder {
  readonly #groups: KeyGroup[] = []
  readonly #digesters: GroupDigesters[] = []
  readonly #groupIndex = new Map<string, number>()
  readonly #groupOf: Uint32Array
  readonly #digests: Uint8Array
  readonly #userKeys: (UserKey | null)[]
  #count = 0
  #lastNamespace: unknown = undefined
  #lastSet: unknown = undefined
  #lastGroup = -1

  constructor(readonly capacity: number) {
    this.#groupOf = new Uint32Array(capacity)
    this.#digests = new Uint8Array(capacity * DIGEST_SIZE)
    this.#userKeys = new Array<UserKey | null>(capacity)
  }

  /**
   * Adds one key as users give it (a `[ns, set, key]` tuple or a `{ ns, set, key?, digest? }`
   * object); `index` names it in errors.
   */
  add(input: unknown, index: number): void {
    if (Array.isArray(input) && input.length === 3) {
      this.#addIn(this.#group(input[0], input[1], index), input[2], index, null)
      return
    }
    const where = `keys[${index}]`
    if (Array.isArray(input)) {
      throw new ParamError(
        `${where} must be [namespace, set, key], got an array of length ${input.length}`,
      )
    }
    if (typeof input !== 'object' || input === null || input instanceof Uint8Array) {
      throw new ParamError(
        `${where} must be a [namespace, set, key] tuple or a { ns, set, key } object, got ${describe(input)}`,
      )
    }
    // Own keys only, each read once: the official client's Key has exactly these.
    const obj = readOptions(input, ['ns', 'set', 'key', 'digest'], where)
    const group = this.#group(obj.ns, obj.set ?? '', index)
    const key = obj.key ?? null
    const digest = obj.digest ?? null
    if (key === null) {
      if (!(digest instanceof Uint8Array) || digest.length !== DIGEST_SIZE) {
        throw new ParamError(`${where} has no key and no ${DIGEST_SIZE}-byte digest`)
      }
      const i = this.#next(group)
      this.#digests.set(digest, i * DIGEST_SIZE)
      this.#userKeys[i] = null
      return
    }
    this.#addIn(group, key, index, digest instanceof Uint8Array ? digest : null)
  }

  /**
   * Adds one user key of `namespace` and `set` (a value of a key column); `where(index)` names it
   * in errors (made only when there is one).
   */
  addKey(
    namespace: string,
    set: string,
    key: unknown,
    index: number,
    where: (index: number) => string = keyAt,
  ): void {
    this.#addIn(this.#group(namespace, set, index), key, index, null, where)
  }

  /** Adds a key already checked (its digest is taken as given). */
  addResolved(namespace: string, set: string, key: UserKey | null, digest: Uint8Array): void {
    const group = this.#group(namespace, set, this.#count)
    const i = this.#next(group)
    this.#digests.set(digest.subarray(0, DIGEST_SIZE), i * DIGEST_SIZE)
    this.#userKeys[i] = key
  }

  finish(): KeyBatch {
    if (this.#count !== this.capacity) {
      throw new RangeError(`${this.#count} of ${this.capacity} keys were added`)
    }
    return new KeyBatch(this.#groups, this.#groupOf, this.#digests, this.#userKeys)
  }

  #next(group: number): number {
    const i = this.#count
    if (i >= this.capacity) throw new RangeError(`more than ${this.capacity} keys added`)
    this.#groupOf[i] = group
    this.#count = i + 1
    return i
  }

  /** The group of a namespace and set, checked the first time the pair is seen. */
  #group(namespace: unknown, set: unknown, index: number): number {
    if (this.#lastGroup >= 0 && namespace === this.#lastNamespace && set === this.#lastSet) {
      return this.#lastGroup
    }
    const where = `keys[${index}]`
    validateNamespace(namespace, `${where} namespace`)
    validateSetName(set, `${where} set`)
    const ns = namespace as string
    const setName = set as string
    // Neither may hold a NUL, so the pair joined by one names it uniquely.
    const id = `${ns}\0${setName}`
    let group = this.#groupIndex.get(id)
    if (group === undefined) {
      group = this.#groups.length
      this.#groups.push({ namespace: ns, set: setName })
      const int = new KeyDigester(setName, PARTICLE_INTEGER, 8)
      this.#digesters.push({
        set: setName,
        int,
        intView: new DataView(int.input.buffer, int.input.byteOffset, int.input.byteLength),
        bytes: null,
      })
      this.#groupIndex.set(id, group)
    }
    this.#lastNamespace = namespace
    this.#lastSet = set
    this.#lastGroup = group
    return group
  }

  #addIn(
    group: number,
    key: unknown,
    index: number,
    given: Uint8Array | null,
    where: (index: number) => string = userKeyAt,
  ): void {
    // The common case first: a safe-integer key, hashed from the group's reused buffer.
    if (typeof key === 'number' && Number.isSafeInteger(key) && given === null) {
      const d = this.#digesters[group]!
      const hi = Math.floor(key / TWO_32)
      d.intView.setInt32(d.int.keyOffset, hi, false)
      d.intView.setUint32(d.int.keyOffset + 4, key >>> 0, false)
      const i = this.#next(group)
      d.int.digest(8, this.#digests, i * DIGEST_SIZE)
      this.#userKeys[i] = key
      return
    }
    const { particleType, bytes } = userKeyBytes(key as UserKey, where(index))
    const d = this.#digesters[group]!
    let digester: KeyDigester
    if (particleType === PARTICLE_INTEGER) digester = d.int
    else {
      if (d.bytes === null || d.bytes.input.length - d.bytes.keyOffset < bytes.length) {
        d.bytes = new KeyDigester(d.set, particleType, Math.max(64, bytes.length))
      }
      digester = d.bytes
      digester.input[digester.keyOffset - 1] = particleType
    }
    digester.input.set(bytes, digester.keyOffset)
    const i = this.#next(group)
    const at = i * DIGEST_SIZE
    digester.digest(bytes.length, this.#digests, at)
    if (given !== null && !sameBytes(given, this.#digests.subarray(at, at + DIGEST_SIZE))) {
      throw new ParamError(`keys[${index}] has a digest that does not match its key`)
    }
    this.#userKeys[i] = key as UserKey
  }
}

/** Resolve one key input; `index` names it in errors. */
export function resolveKey(input: unknown, index: number): ResolvedKey {
  const builder = new KeyBatchBuilder(1)
  builder.add(input, index)
  return builder.finish().key(0)
}

/**
 * Resolve the keys of one batch call (tuples and Key-like objects, mixed as the caller likes), or
 * take a `KeyBatch` as it is (after checking it again).
 */
export function resolveKeys(keys: unknown): KeyBatch {
  // Keys are the caller's objects: a getter or Proxy in them that throws is a ParamError too.
  return readingInput('keys', () => {
    if (keys instanceof KeyBatch) {
      // Already resolved (a result's `keyBatch`): checked again, as its arrays may have changed.
      return new KeyBatch(keys.groups, keys.groupOf, keys.digests, keys.userKeys)
    }
    if (!Array.isArray(keys)) {
      throw new ParamError(
        `keys must be an array of [namespace, set, key] or { ns, set, key }, got ${describe(keys)}`,
      )
    }
    const builder = new KeyBatchBuilder(keys.length)
    for (let i = 0; i < keys.length; i++) builder.add(keys[i], i)
    return builder.finish()
  })
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** A short text naming a key in error messages: `test/demo/42`. */
export function keyLabel(key: ResolvedKey): string {
  return labelOf(key.namespace, key.set, key.key, key.digest)
}

/** `keyLabel` of key i of a batch. */
export function batchKeyLabel(keys: KeyBatch, i: number): string {
  return labelOf(keys.namespace(i), keys.set(i), keys.userKeys[i]!, keys.digest(i))
}

function labelOf(namespace: string, set: string, k: UserKey | null, digest: Uint8Array): string {
  const text =
    k === null
      ? `digest ${Buffer.from(digest).toString('hex')}`
      : k instanceof Uint8Array
        ? `0x${Buffer.from(k).toString('hex').slice(0, 40)}`
        : typeof k === 'string'
          ? JSON.stringify(k)
          : String(k)
  return `${namespace}/${set}/${text}`
}
