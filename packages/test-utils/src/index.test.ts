import type Aerospike from 'aerospike'
import { afterEach, describe, expect, it } from 'vitest'

import {
  connectOfficialClient,
  getTestCluster,
  realClusterHosts,
  uniqueSetName,
  usesDevServer,
} from './index.js'

const savedHosts = process.env['AEROSPIKE_HOSTS']

afterEach(() => {
  if (savedHosts === undefined) delete process.env['AEROSPIKE_HOSTS']
  else process.env['AEROSPIKE_HOSTS'] = savedHosts
})

describe('getTestCluster', () => {
  it('uses AEROSPIKE_HOSTS when set, without a devserver', async () => {
    process.env['AEROSPIKE_HOSTS'] = '10.0.0.1:3000,10.0.0.2:3001'
    expect(usesDevServer()).toBe(false)
    expect(realClusterHosts()).toEqual([
      ['10.0.0.1', 3000],
      ['10.0.0.2', 3001],
    ])
    const cluster = await getTestCluster({ nodes: 3 })
    expect(cluster).toMatchObject({
      isReal: true,
      devserver: null,
      hostsString: '10.0.0.1:3000,10.0.0.2:3001',
    })
    await cluster.close()
  })

  it.skipIf(!usesDevServer())(
    'shares one devserver per configuration until the last handle closes',
    async () => {
      const a = await getTestCluster()
      const b = await getTestCluster()
      const three = await getTestCluster({ nodes: 3 })
      expect(a.isReal).toBe(false)
      expect(b.devserver).toBe(a.devserver)
      expect(three.devserver).not.toBe(a.devserver)
      expect(three.hosts).toHaveLength(3)
      expect(a.hostsString).toBe(a.hosts.map(([h, p]) => `${h}:${p}`).join(','))

      const client = await connectOfficialClient(a)
      const { default: official } = await import('aerospike')
      const set = uniqueSetName('utils')
      await client.put(new official.Key('test', set, 1) as Aerospike.Key & Aerospike.KeyOptions, {
        v: 1,
      })
      expect(await a.devserver!.recordCount('test', set)).toBe(1)
      await client.close()

      await a.close()
      await a.close()
      // b still holds the server.
      expect(await b.devserver!.recordCount('test', set)).toBe(1)
      await b.close()
      await expect(b.devserver!.recordCount('test')).rejects.toMatchObject({
        code: 'DEVSERVER_WORKER_EXITED',
      })
      const fresh = await getTestCluster()
      expect(fresh.devserver).not.toBe(a.devserver)
      await fresh.close()
      await three.close()
    },
  )

  it('rejects a bad node count', async () => {
    await expect(getTestCluster({ nodes: 0 })).rejects.toMatchObject({
      code: 'TEST_UTILS_BAD_OPTION',
    })
  })
})

describe('uniqueSetName', () => {
  it('gives distinct, valid set names', () => {
    const names = new Set(Array.from({ length: 100 }, () => uniqueSetName('my set!')))
    expect(names.size).toBe(100)
    for (const name of names) expect(name).toMatch(/^my_set__[0-9a-f]{8}_[0-9a-z]+$/)
  })
})
