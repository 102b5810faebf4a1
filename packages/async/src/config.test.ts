import { describe, expect, it } from 'vitest'
import { resolveClientConfig, resolveHosts } from './config.js'

describe('client config', () => {
  it('accepts the guide tuples and the official client forms', () => {
    const expected = [
      { addr: '127.0.0.1', port: 3000 },
      { addr: '10.0.0.2', port: 3100 },
    ]
    expect(
      resolveHosts([
        ['127.0.0.1', 3000],
        ['10.0.0.2', 3100],
      ]),
    ).toEqual(expected)
    expect(resolveHosts('127.0.0.1:3000,10.0.0.2:3100')).toEqual(expected)
    expect(
      resolveHosts([
        { addr: '127.0.0.1', port: 3000 },
        { addr: '10.0.0.2', port: 3100 },
      ]),
    ).toEqual(expected)
    expect(resolveHosts(['127.0.0.1', '10.0.0.2:3100'])).toEqual([
      { addr: '127.0.0.1', port: 3000 },
      expected[1],
    ])
    expect(resolveHosts('[::1]:3001')).toEqual([{ addr: '::1', port: 3001 }])
    expect(resolveHosts('db1:tls-name:4333')).toEqual([{ addr: 'db1', port: 4333 }])
  })

  it('keeps other keys for the official client and defaults the engine', () => {
    const c = resolveClientConfig({ hosts: [['h', 1]], user: 'u', policies: { batch: {} } })
    expect(c.engine).toBe('wire')
    expect(c.hostsString).toBe('h:1')
    expect(c.options).toEqual({ user: 'u', policies: { batch: {} } })
    expect(resolveClientConfig({ hosts: '[::1]:5', engine: 'wire' }).hostsString).toBe('[::1]:5')
  })
})
