// Records of one cluster, keyed by (namespace, digest). Bins are kept packed in the layout a
// response carries them in (op_sz, op READ, particle type, flags, name_len, name, value), so a
// read of all bins copies one buffer and a stored record costs one small allocation.

import { CITRUSLEAF_EPOCH } from '@aerospike-numpy/wire'

export interface Bin {
  name: string
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
  packedBins: Uint8Array
}

const OP_READ = 1
const BIN_HEADER = 8
const textDecoder = new TextDecoder()
const textEncoder = new TextEncoder()

export function nowVoidTimeBase(): number {
  return Math.floor(Date.now() / 1000) - CITRUSLEAF_EPOCH
}

export function isExpired(record: RecordEntry, nowClepoch: number): boolean {
  return record.voidTime !== 0 && record.voidTime <= nowClepoch
}

export function packBins(bins: readonly Bin[]): Uint8Array {
  let size = 0
  const names: Uint8Array[] = []
  for (const bin of bins) {
    const name = textEncoder.encode(bin.name)
    names.push(name)
    size += BIN_HEADER + name.length + bin.value.length
  }
  const out = Buffer.allocUnsafe(size)
  let at = 0
  for (let i = 0; i < bins.length; i++) {
    const bin = bins[i]!
    const name = names[i]!
    out.writeUInt32BE(4 + name.length + bin.value.length, at)
    out[at + 4] = OP_READ
    out[at + 5] = bin.particleType
    out[at + 6] = 0
    out[at + 7] = name.length
    out.set(name, at + BIN_HEADER)
    out.set(bin.value, at + BIN_HEADER + name.length)
    at += BIN_HEADER + name.length + bin.value.length
  }
  return out
}

/** Views into the packed buffer; copy a value before keeping it past the record's next write. */
export function unpackBins(packed: Uint8Array): Bin[] {
  const bins: Bin[] = []
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength)
  let at = 0
  while (at < packed.length) {
    const size = view.getUint32(at)
    const nameLength = packed[at + 7]!
    const nameStart = at + BIN_HEADER
    const valueStart = nameStart + nameLength
    const end = at + 4 + size
    bins.push({
      name: textDecoder.decode(packed.subarray(nameStart, valueStart)),
      particleType: packed[at + 5]!,
      value: packed.subarray(valueStart, end),
    })
    at = end
  }
  return bins
}

/** One namespace's records. The map key is the digest as a 20-char latin1 string. */
export class NamespaceStore {
  readonly name: string
  readonly records = new Map<string, RecordEntry>()
  /** Write attempts per digest (failed and injected-failure ones included), for introspection. */
  readonly writeAttempts = new Map<string, number>()

  constructor(name: string) {
    this.name = name
  }

  /** The live record, or undefined; an expired one is dropped on the way. */
  get(digestKey: string, nowClepoch: number): RecordEntry | undefined {
    const record = this.records.get(digestKey)
    if (record === undefined) return undefined
    if (isExpired(record, nowClepoch)) {
      this.records.delete(digestKey)
      return undefined
    }
    return record
  }

  countWriteAttempt(digestKey: string): void {
    this.writeAttempts.set(digestKey, (this.writeAttempts.get(digestKey) ?? 0) + 1)
  }

  /** Removes records of `set` (all sets when null) last updated at or before `beforeMs`. */
  truncate(set: string | null, beforeMs: number): number {
    let removed = 0
    for (const [key, record] of this.records) {
      if ((set === null || record.set === set) && record.lastUpdateMs <= beforeMs) {
        this.records.delete(key)
        removed++
      }
    }
    return removed
  }
}

export function digestKey(digest: Uint8Array): string {
  return Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength).toString('latin1')
}
