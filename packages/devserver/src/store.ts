// Records of one cluster, keyed by (namespace, digest). A record's bins are kept packed in the
// layout a response carries them in (op_sz, op READ, particle type, flags, name_len, name,
// value), held as a one-byte (latin1) string: one compact heap object per record, and a read of
// all bins is a single copy into the reply.

import { decodeUtf8, type MessageWriter } from '@aerospike-numpy/wire'

export interface Bin {
  /** UTF-8 bytes of the name (a view; the name is 1..15 bytes). Compared as bytes, like the server. */
  nameBytes: Uint8Array
  particleType: number
  value: Uint8Array
}

export interface RecordEntry {
  set: string
  generation: number
  /** Seconds since CITRUSLEAF_EPOCH; 0 = never expires. */
  voidTime: number
  lastUpdateMs: number
  /** Particle type byte + key bytes as the client sent them, or null. */
  userKey: Uint8Array | null
  binCount: number
  /** The packed bins as latin1 (one char per byte). */
  packedBins: string
}

const OP_READ = 1
const BIN_HEADER = 8

// Buffer's latin1 codecs work on any Uint8Array and skip Buffer allocation.
const latin1Slice = Buffer.prototype.latin1Slice as (
  this: Uint8Array,
  start: number,
  end: number,
) => string
const latin1Write = Buffer.prototype.latin1Write as (
  this: Uint8Array,
  text: string,
  offset: number,
  length: number,
) => number

let scratch = new Uint8Array(4096)

export function isExpired(record: RecordEntry, nowClepoch: number): boolean {
  return record.voidTime !== 0 && record.voidTime <= nowClepoch
}

/** The digest as a 20-char latin1 string: the key of the record maps. */
export function digestKey(digest: Uint8Array): string {
  return latin1Slice.call(digest, 0, digest.length)
}

export function packBins(bins: readonly Bin[]): string {
  let size = 0
  for (const bin of bins) size += BIN_HEADER + bin.nameBytes.length + bin.value.length
  if (size > scratch.length) scratch = new Uint8Array(Math.max(size, scratch.length * 2))
  const out = scratch
  let at = 0
  for (const bin of bins) {
    const nameLength = bin.nameBytes.length
    const opSize = 4 + nameLength + bin.value.length
    out[at] = opSize >>> 24
    out[at + 1] = (opSize >>> 16) & 0xff
    out[at + 2] = (opSize >>> 8) & 0xff
    out[at + 3] = opSize & 0xff
    out[at + 4] = OP_READ
    out[at + 5] = bin.particleType
    out[at + 6] = 0
    out[at + 7] = nameLength
    out.set(bin.nameBytes, at + BIN_HEADER)
    out.set(bin.value, at + BIN_HEADER + nameLength)
    at += BIN_HEADER + opSize - 4
  }
  return latin1Slice.call(out, 0, size)
}

/** The bins of a packed string; values and names are views of one fresh buffer. */
export function unpackBins(packed: string): Bin[] {
  const bytes = Buffer.from(packed, 'latin1')
  const bins: Bin[] = []
  let at = 0
  while (at < bytes.length) {
    const size = bytes.readUInt32BE(at)
    const nameLength = bytes[at + 7]!
    const nameStart = at + BIN_HEADER
    const valueStart = nameStart + nameLength
    const end = at + 4 + size
    bins.push({
      nameBytes: bytes.subarray(nameStart, valueStart),
      particleType: bytes[at + 5]!,
      value: bytes.subarray(valueStart, end),
    })
    at = end
  }
  return bins
}

/** Byte equality (bin names, user keys). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** A bin's name as text. */
export function binName(bin: Bin): string {
  return decodeUtf8(bin.nameBytes, 0, bin.nameBytes.length)
}

/** Appends packed bins to a reply. */
export function writePackedBins(writer: MessageWriter, packed: string): void {
  writer.ensure(packed.length)
  latin1Write.call(writer.bytes, packed, writer.length, packed.length)
  writer.length += packed.length
}

/**
 * The namespace settings that change what a client sees, as a real server's namespace context
 * spells them (`nsup-period`, `default-ttl`, `allow-ttl-without-nsup`).
 */
export interface NamespaceConfig {
  /** Seconds; 0 means no expiry thread, and then writes that set a TTL fail with 22. */
  nsupPeriod: number
  /** Seconds a record written with TTL 0 ("namespace default") lives; 0 = never expires. */
  defaultTtl: number
  allowTtlWithoutNsup: boolean
  /** `max-record-size` in bytes: a write whose stored record would be larger fails with 13. */
  maxRecordSize: number
}

export const DEFAULT_NAMESPACE_CONFIG: NamespaceConfig = {
  nsupPeriod: 120,
  defaultTtl: 0,
  allowTtlWithoutNsup: false,
  // A real server's default (namespace.c).
  maxRecordSize: 1024 * 1024,
}

/** Set names are shorter than 64 bytes; a namespace holds at most 4095 (datamodel.h). */
const SET_NAME_MAX_SIZE = 64
const SET_MAX_COUNT = 4095

/** Per-record and per-bin overheads of the server's flat record, near enough for the limit. */
const FLAT_RECORD_OVERHEAD = 24
const FLAT_BIN_OVERHEAD = 7

/**
 * About the size a real server gives the record when it stores it (as_flat_record_size): a
 * header, the stored key, and per bin its name, particle type and length, and value bytes.
 */
export function storedRecordSize(bins: readonly Bin[], userKey: Uint8Array | null): number {
  let size = FLAT_RECORD_OVERHEAD + (userKey?.length ?? 0)
  for (const bin of bins) size += FLAT_BIN_OVERHEAD + bin.nameBytes.length + bin.value.length
  return size
}

/** One namespace's records, keyed by digestKey(). */
export class NamespaceStore {
  readonly name: string
  readonly config: NamespaceConfig
  readonly records = new Map<string, RecordEntry>()
  /** Write attempts per digest (failed and injected-failure ones included), for introspection. */
  readonly writeAttempts = new Map<string, number>()

  /** Set names ever used in this namespace: a real server never frees one (its set vmap). */
  private readonly setNames = new Set<string>()

  constructor(name: string, config: NamespaceConfig = DEFAULT_NAMESPACE_CONFIG) {
    this.name = name
    this.config = config
  }

  /**
   * Registers the set of a record being created; false when a real server would refuse it with
   * PARAMETER: a name of 64 bytes or more, or a new name once 4095 exist (AS_SET_MAX_COUNT).
   */
  admitSet(set: string): boolean {
    if (set.length === 0 || this.setNames.has(set)) return true
    if (Buffer.byteLength(set, 'utf8') >= SET_NAME_MAX_SIZE) return false
    if (this.setNames.size >= SET_MAX_COUNT) return false
    this.setNames.add(set)
    return true
  }

  /**
   * True when a write with this wire TTL is refused with FORBIDDEN: a real server without an nsup
   * period refuses any TTL that would make the record expire (rw_utils.h is_ttl_disallowed).
   */
  ttlDisallowed(recordTtl: number): boolean {
    const { nsupPeriod, defaultTtl, allowTtlWithoutNsup } = this.config
    if (nsupPeriod !== 0 || allowTtlWithoutNsup) return false
    // As an int32, 0xFFFFFFFF (never expire) and 0xFFFFFFFE (don't update) are negative.
    return (recordTtl | 0) > 0 || (recordTtl === 0 && defaultTtl !== 0)
  }

  /** The live record, or undefined; an expired one is dropped on the way. */
  get(key: string, nowClepoch: number): RecordEntry | undefined {
    const record = this.records.get(key)
    if (record === undefined) return undefined
    if (isExpired(record, nowClepoch)) {
      this.records.delete(key)
      return undefined
    }
    return record
  }

  countWriteAttempt(key: string): void {
    this.writeAttempts.set(key, (this.writeAttempts.get(key) ?? 0) + 1)
  }

  /**
   * Removes records of `set` (all sets when null) last updated before `beforeMs`. Strictly
   * before, as a real server's truncate lut: a record written in that same millisecond stays.
   */
  truncate(set: string | null, beforeMs: number): number {
    let removed = 0
    for (const [key, record] of this.records) {
      if ((set === null || record.set === set) && record.lastUpdateMs < beforeMs) {
        this.records.delete(key)
        removed++
      }
    }
    return removed
  }
}
