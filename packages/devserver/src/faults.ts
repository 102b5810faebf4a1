// Injected failures: rules that make matching commands answer a chosen result code for the first
// `times` attempts per key, instead of being executed.

import type { FaultRule, OpKind } from './messages.js'

export interface ResolvedFaultRule {
  id: number
  namespace: string | null
  set: string | null
  /** Digest keys (latin1 strings) the rule is limited to, or null for any key. */
  digests: Set<string> | null
  fraction: number
  seed: number
  resultCode: number
  times: number
  ops: OpKind
  /** Attempts hit so far, per digest key. */
  hits: Map<string, number>
}

export function validateFaultRule(rule: FaultRule): string | null {
  if (typeof rule !== 'object' || rule === null) return 'fault rule must be an object'
  if (!Number.isInteger(rule.resultCode) || rule.resultCode < 1 || rule.resultCode > 255) {
    return `resultCode must be a server result code 1..255, got ${String(rule.resultCode)}`
  }
  if (rule.fraction !== undefined && !(rule.fraction >= 0 && rule.fraction <= 1)) {
    return `fraction must be within 0..1, got ${String(rule.fraction)}`
  }
  if (
    rule.times !== undefined &&
    !(Number.isInteger(rule.times) && rule.times >= 1) &&
    rule.times !== Infinity
  ) {
    return `times must be a positive integer, got ${String(rule.times)}`
  }
  if (rule.seed !== undefined && !Number.isInteger(rule.seed)) {
    return `seed must be an integer, got ${String(rule.seed)}`
  }
  if (rule.ops !== undefined && rule.ops !== 'write' && rule.ops !== 'read' && rule.ops !== 'all') {
    return `ops must be 'write', 'read' or 'all', got ${String(rule.ops)}`
  }
  return null
}

/** A stable number in [0, 1) from the seed and the digest (FNV-1a + murmur3's fmix32), so a key's fate never changes. */
export function seededShare(seed: number, digestKey: string): number {
  let hash = (0x811c9dc5 ^ Math.imul(seed | 0, 0x9e3779b1)) >>> 0
  for (let i = 0; i < digestKey.length; i++) {
    hash = Math.imul(hash ^ digestKey.charCodeAt(i), 0x01000193) >>> 0
  }
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b) >>> 0
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35) >>> 0
  hash = (hash ^ (hash >>> 16)) >>> 0
  return hash / 2 ** 32
}

export class FaultTable {
  private rules: ResolvedFaultRule[] = []
  private nextId = 1

  get size(): number {
    return this.rules.length
  }

  add(rule: Omit<ResolvedFaultRule, 'id' | 'hits'>): number {
    const id = this.nextId++
    this.rules.push({ ...rule, id, hits: new Map() })
    return id
  }

  clear(): void {
    this.rules = []
  }

  /**
   * The result code this attempt must fail with, or 0 to execute it. Every matching rule counts
   * the attempt, so `times` means "the first k attempts at this key".
   */
  check(namespace: string, set: string, digestKey: string, isWrite: boolean): number {
    if (this.rules.length === 0) return 0
    let code = 0
    for (const rule of this.rules) {
      if (rule.ops === 'write' && !isWrite) continue
      if (rule.ops === 'read' && isWrite) continue
      if (rule.namespace !== null && rule.namespace !== namespace) continue
      if (rule.set !== null && rule.set !== set) continue
      if (rule.digests !== null && !rule.digests.has(digestKey)) continue
      if (rule.fraction < 1 && seededShare(rule.seed, digestKey) >= rule.fraction) continue
      const hits = rule.hits.get(digestKey) ?? 0
      if (hits >= rule.times) continue
      rule.hits.set(digestKey, hits + 1)
      if (code === 0) code = rule.resultCode
    }
    return code
  }
}
