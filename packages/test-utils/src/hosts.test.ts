import { describe, expect, it } from 'vitest'

import { formatHosts, parseHosts } from './hosts.js'

describe('parseHosts', () => {
  it('reads host:port lists, IPv6 in brackets, default port 3000', () => {
    expect(parseHosts('127.0.0.1:3000')).toEqual([['127.0.0.1', 3000]])
    expect(parseHosts(' a:1 , b:2 ,')).toEqual([
      ['a', 1],
      ['b', 2],
    ])
    expect(parseHosts('db.local')).toEqual([['db.local', 3000]])
    expect(parseHosts('[::1]:3100,[fe80::1]')).toEqual([
      ['::1', 3100],
      ['fe80::1', 3000],
    ])
  })

  it('names the bad entry', () => {
    expect(() => parseHosts('')).toThrow(/no host/)
    expect(() => parseHosts('a:1,b:x')).toThrow(/host 1 \("b:x"\)/)
    expect(() => parseHosts('a:0')).toThrow(/port 1\.\.65535/)
    expect(() => parseHosts('a:70000')).toThrow(/host 0/)
    expect(() => parseHosts('::1:3000')).toThrow(/brackets/)
    expect(() => parseHosts('[::1:3000')).toThrow(/missing '\]'/)
    expect(() => parseHosts('[::1]3000')).toThrow(/expected ':port'/)
  })

  it('formats back', () => {
    expect(
      formatHosts([
        ['a', 1],
        ['::1', 2],
      ]),
    ).toBe('a:1,[::1]:2')
  })
})
