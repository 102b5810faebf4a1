import { MessageWriter } from '@aerospike-numpy/wire'
import { describe, expect, it } from 'vitest'

import {
  NamespaceStore,
  binName,
  packBins,
  unpackBins,
  writePackedBins,
  type RecordEntry,
} from './store.js'

const utf8 = new TextEncoder()

function bin(
  name: string,
  particleType: number,
  value: number[],
): { name: string; nameBytes: Uint8Array; particleType: number; value: Uint8Array } {
  return { name, nameBytes: utf8.encode(name), particleType, value: Uint8Array.from(value) }
}

describe('packed bins', () => {
  it('round-trip names (UTF-8), particle types and every byte value', () => {
    const bins = [
      bin('a', 1, [0, 0, 0, 0, 0, 0, 0, 255]),
      bin('é名', 4, [128, 0, 255, 1]),
      bin('nil', 0, []),
    ]
    const packed = packBins(bins)
    expect(packed.length).toBe(8 + 1 + 8 + 8 + 5 + 4 + 8 + 3)
    const back = unpackBins(packed)
    expect(back.map((b) => [binName(b), b.particleType, [...b.value]])).toEqual([
      ['a', 1, [0, 0, 0, 0, 0, 0, 0, 255]],
      ['é名', 4, [128, 0, 255, 1]],
      ['nil', 0, []],
    ])
  })

  it('are written into a reply exactly in the op layout', () => {
    const writer = new MessageWriter(16)
    writer.u8(0xaa)
    writePackedBins(writer, packBins([bin('x', 3, [104, 105])]))
    expect([...writer.finish()]).toEqual([0xaa, 0, 0, 0, 7, 1, 3, 0, 1, 120, 104, 105])
  })
})

describe('NamespaceStore', () => {
  const record = (set: string, voidTime: number, lastUpdateMs: number): RecordEntry => ({
    set,
    generation: 1,
    voidTime,
    lastUpdateMs,
    userKey: null,
    binCount: 0,
    packedBins: '',
  })

  it('drops expired records on read', () => {
    const store = new NamespaceStore('test')
    store.records.set('a', record('s', 100, 0))
    store.records.set('b', record('s', 0, 0))
    expect(store.get('a', 99)).toBeDefined()
    expect(store.get('a', 100)).toBeUndefined()
    expect(store.records.has('a')).toBe(false)
    expect(store.get('b', 1e9)).toBeDefined()
  })

  it('truncates by set and last-update time', () => {
    const store = new NamespaceStore('test')
    store.records.set('a', record('s', 0, 10))
    store.records.set('b', record('s', 0, 30))
    store.records.set('c', record('t', 0, 10))
    expect(store.truncate('s', 20)).toBe(1)
    expect([...store.records.keys()]).toEqual(['b', 'c'])
    expect(store.truncate(null, 100)).toBe(2)
  })

  it('admits set names below 64 bytes, and at most 4095 of them', () => {
    const store = new NamespaceStore('test')
    expect(store.admitSet('')).toBe(true)
    expect(store.admitSet('x'.repeat(63))).toBe(true)
    expect(store.admitSet('x'.repeat(64))).toBe(false)
    expect(store.admitSet('é'.repeat(32))).toBe(false) // 64 bytes in UTF-8
    for (let i = 1; i < 4095; i++) expect(store.admitSet(`s${i}`)).toBe(true)
    expect(store.admitSet('one-too-many')).toBe(false)
    // Names already known stay usable.
    expect(store.admitSet('s1')).toBe(true)
    expect(store.admitSet('x'.repeat(63))).toBe(true)
  })

  it('keeps a record updated in the truncation millisecond itself, as a real server does', () => {
    const store = new NamespaceStore('test')
    store.records.set('a', record('s', 0, 20))
    store.records.set('b', record('s', 0, 19))
    expect(store.truncate('s', 20)).toBe(1)
    expect([...store.records.keys()]).toEqual(['a'])
  })

  it('refuses TTLs only without an nsup period (never-expire and do-not-update pass)', () => {
    const permissive = new NamespaceStore('test')
    const packaged = new NamespaceStore('test', {
      nsupPeriod: 0,
      defaultTtl: 0,
      allowTtlWithoutNsup: false,
      maxRecordSize: 1 << 20,
    })
    const allowed = new NamespaceStore('test', {
      nsupPeriod: 0,
      defaultTtl: 60,
      allowTtlWithoutNsup: true,
      maxRecordSize: 1 << 20,
    })
    for (const ttl of [0, 1, 3600, 0x7fffffff, 0xfffffffe, 0xffffffff]) {
      expect(permissive.ttlDisallowed(ttl)).toBe(false)
      expect(allowed.ttlDisallowed(ttl)).toBe(false)
    }
    expect(packaged.ttlDisallowed(1)).toBe(true)
    expect(packaged.ttlDisallowed(3600)).toBe(true)
    expect(packaged.ttlDisallowed(0)).toBe(false)
    expect(packaged.ttlDisallowed(0xfffffffe)).toBe(false)
    expect(packaged.ttlDisallowed(0xffffffff)).toBe(false)
  })
})
