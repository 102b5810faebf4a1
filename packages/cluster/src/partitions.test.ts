import { describe, expect, it } from 'vitest'
import { ownsPartition, parseReplicas, PartitionMap } from './partitions.js'

const ALL = '/'.repeat(682) + '8='
const NONE = 'A'.repeat(683) + '='
/** A bitmap owning exactly the even partitions. */
const EVEN = Buffer.from(new Uint8Array(512).fill(0xaa)).toString('base64')

describe('parseReplicas', () => {
  it('reads namespaces, regimes and bitmaps, with or without the trailing ;', () => {
    const parsed = parseReplicas(`test:0,1,${ALL};bar:3,2,${EVEN},${NONE};`)
    expect(parsed.map((r) => [r.namespace, r.regime, r.replicaCount, r.bitmaps.length])).toEqual([
      ['test', 0, 1, 1],
      ['bar', 3, 2, 2],
    ])
    expect(ownsPartition(parsed[0]!.bitmaps[0]!, 4095)).toBe(true)
    expect(ownsPartition(parsed[1]!.bitmaps[0]!, 0)).toBe(true)
    expect(ownsPartition(parsed[1]!.bitmaps[0]!, 1)).toBe(false)
  })

  it('refuses malformed replies, naming the namespace', () => {
    expect(() => parseReplicas(`:0,1,${ALL}`)).toThrow(/invalid namespace/)
    expect(() => parseReplicas(`${'n'.repeat(32)}:0,1,${ALL}`)).toThrow(/invalid namespace/)
    expect(() => parseReplicas(`test:0,0,${ALL}`)).toThrow(/replica count 0/)
    expect(() => parseReplicas(`test:0,2,${ALL}`)).toThrow(/1 bitmaps for 2 replicas/)
    expect(() => parseReplicas('test:0,1,AAAA')).toThrow(/"test": replica 0 bitmap is 4 characters/)
    expect(() => parseReplicas(`test:0,1,${'*'.repeat(684)}`)).toThrow(/base64/)
    expect(() => parseReplicas(`test:x,1,${ALL}`)).toThrow(/expected <regime>/)
  })
})

describe('PartitionMap', () => {
  it('takes each claim unless its regime is older, and forgets a removed node', () => {
    const map = new PartitionMap<string>()
    map.update('a', parseReplicas(`test:1,1,${ALL}`))
    map.update('b', parseReplicas(`test:1,1,${EVEN}`))
    expect(map.master('test', 0)).toBe('b')
    expect(map.master('test', 1)).toBe('a')
    map.update('c', parseReplicas(`test:0,1,${ALL}`)) // older regime: ignored
    expect(map.master('test', 1)).toBe('a')
    expect(map.refCount('a')).toBe(2048)
    map.removeNode('a')
    expect(map.master('test', 1)).toBeUndefined()
    expect(map.master('other', 1)).toBeUndefined()
    expect(map.namespaces()).toEqual(['test'])
  })
})
