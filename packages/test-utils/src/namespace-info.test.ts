import { createServer, type Server } from 'node:net'

import { startDevServer } from '@aerospike-numpy/devserver'
import { describe, expect, it } from 'vitest'

import { infoCommand, namespaceTtlConfig, parseNamespaceTtlConfig } from './namespace-info.js'

describe('parseNamespaceTtlConfig', () => {
  it('reads nsup-period, default-ttl and allow-ttl-without-nsup', () => {
    // Shaped like a real 8.x reply (abridged).
    const packaged = parseNamespaceTtlConfig(
      'ns_cluster_size=1;objects=0;allow-ttl-without-nsup=false;default-ttl=0;nsup-period=0;replication-factor=2',
      'test',
    )
    expect(packaged).toEqual({
      nsupPeriod: 0,
      defaultTtl: 0,
      allowTtlWithoutNsup: false,
      ttlWritesAllowed: false,
    })
    const docker = parseNamespaceTtlConfig('default-ttl=2592000;nsup-period=120', 'test')
    expect(docker).toMatchObject({ defaultTtl: 2_592_000, ttlWritesAllowed: true })
    const allowed = parseNamespaceTtlConfig(
      'default-ttl=0;nsup-period=0;allow-ttl-without-nsup=true',
      'test',
    )
    expect(allowed.ttlWritesAllowed).toBe(true)
  })

  it('names the missing or bad setting', () => {
    expect(() => parseNamespaceTtlConfig('default-ttl=0', 'test')).toThrow(/'nsup-period'/)
    expect(() => parseNamespaceTtlConfig('nsup-period=x;default-ttl=0', 'bar')).toThrow(
      /namespace "bar": no numeric 'nsup-period'/,
    )
  })
})

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

describe('namespaceTtlConfig against the devserver', () => {
  it('sees the default devserver allow TTLs, and one without nsup refuse them', async () => {
    const permissive = await startDevServer({ namespaces: ['test'] })
    const packaged = await startDevServer({ namespaces: ['test'], nsupPeriod: 0 })
    try {
      const a = permissive.seeds[0]!
      expect(await namespaceTtlConfig(a.host, a.port, 'test')).toMatchObject({
        nsupPeriod: 120,
        defaultTtl: 0,
        ttlWritesAllowed: true,
      })
      const b = packaged.seeds[0]!
      expect(await namespaceTtlConfig(b.host, b.port, 'test')).toMatchObject({
        nsupPeriod: 0,
        ttlWritesAllowed: false,
      })
      await expect(namespaceTtlConfig(b.host, b.port, 'nope')).rejects.toMatchObject({
        code: 'TEST_UTILS_INFO_FAILED',
        message: expect.stringMatching(/namespace "nope" on .*: type=unknown/),
      })
    } finally {
      await permissive.stop()
      await packaged.stop()
    }
  })

  it('gives a clear error for a refused connection, a non-info reply and silence', async () => {
    const closed = createServer()
    const port = await listen(closed)
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    await expect(infoCommand('127.0.0.1', port, 'build')).rejects.toMatchObject({
      code: 'TEST_UTILS_INFO_FAILED',
    })

    const garbage = createServer((socket) => socket.end(Buffer.from('HTTP/1.1 400 Bad\r\n\r\n')))
    const silent = createServer(() => {})
    try {
      await expect(infoCommand('127.0.0.1', await listen(garbage), 'build')).rejects.toThrow(
        /not an info reply/,
      )
      await expect(infoCommand('127.0.0.1', await listen(silent), 'build', 200)).rejects.toThrow(
        /no reply within 200 ms/,
      )
    } finally {
      garbage.close()
      silent.close()
    }
  })
})
