import { spawn } from 'node:child_process'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getTestCluster, skipUnlessDevServer, type TestCluster } from '@aerospike-numpy/test-utils'
import { N_PARTITIONS } from '@aerospike-numpy/wire'
import { Cluster, resolveClusterConfig } from './cluster.js'
import { ParamError } from '@aerospike-numpy/core'
import { startFakeNode } from './fake-node.test-helper.js'

const distIndex = fileURLToPath(new URL('../dist/index.js', import.meta.url))

async function until(what: string, check: () => boolean, timeoutMs = 8000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('config', () => {
  it('refuses authentication and TLS with a pointer to the official engine', () => {
    for (const extra of [{ user: 'u', password: 'p' }, { tls: { cafile: 'x' } }, { authMode: 1 }]) {
      expect(() => resolveClusterConfig({ hosts: '127.0.0.1:3000', ...extra })).toThrow(
        /use the official engine/,
      )
    }
  })

  it('names the bad field', () => {
    expect(() => resolveClusterConfig({ hosts: [] })).toThrow(ParamError)
    expect(() => resolveClusterConfig({ hosts: [['h', 70000]] })).toThrow(/hosts\[0\]: port/)
    expect(() => resolveClusterConfig({ hosts: 'h:1', tendIntervalMs: 0 })).toThrow(
      /tendIntervalMs/,
    )
    expect(() => resolveClusterConfig({ hosts: 'h:1', bogus: 1 } as never)).toThrow(
      /unknown config key "bogus"/,
    )
    expect(resolveClusterConfig({ hosts: 'a:1,[::1]:2,b' }).seeds).toEqual([
      { host: 'a', port: 1 },
      { host: '::1', port: 2 },
      { host: 'b', port: 3000 },
    ])
  })

  it('an unreachable seed fails connect with a connection error, quickly', async () => {
    const started = Date.now()
    await expect(
      Cluster.connect({ hosts: [['127.0.0.1', 1]], timeouts: { connect: 500 } }),
    ).rejects.toMatchObject({
      code: -10,
      result: -10,
    })
    expect(Date.now() - started).toBeLessThan(3000)
  })
})

describe('tend against a scripted node', () => {
  it('follows the seed exchange of the C client and refuses servers older than 6.0', async () => {
    const node = await startFakeNode()
    try {
      const cluster = await Cluster.connect({ hosts: [[node.host, node.port]] })
      expect(node.infoLog.slice(0, 4)).toEqual([
        'node',
        'partition-generation',
        'build',
        'peers-clear-std',
      ])
      expect(node.infoLog).toContain('replicas')
      expect(cluster.partitions.namespaces()).toEqual(['test'])
      await cluster.close()
      node.setInfo('build', '5.7.0.8')
      await expect(Cluster.connect({ hosts: [[node.host, node.port]] })).rejects.toThrow(
        /older than 6.0.*official engine/,
      )
    } finally {
      await node.close()
    }
  })

  it('garbage or missing info values fail connect with a clear error, no hang', async () => {
    const cases: [string, string | null, RegExp][] = [
      ['node', '', /invalid node name/],
      ['partition-generation', '-1', /invalid partition-generation/],
      ['build', 'banana', /invalid build/],
      ['node', null, /values for 3 requested/],
    ]
    for (const [name, value, pattern] of cases) {
      const node = await startFakeNode()
      node.setInfo(name, value)
      try {
        await expect(
          Cluster.connect({ hosts: [[node.host, node.port]], timeouts: { connect: 500 } }),
        ).rejects.toThrow(pattern)
      } finally {
        await node.close()
      }
    }
  })

  it('a bad replicas map leaves the namespace unrouted instead of half-decoded', async () => {
    const node = await startFakeNode()
    node.setInfo('replicas', 'test:0,1,AAAA')
    try {
      const cluster = await Cluster.connect({ hosts: [[node.host, node.port]] })
      expect(cluster.partitions.hasNamespace('test')).toBe(false)
      await cluster.close()
    } finally {
      await node.close()
    }
  })

  it('re-reads replicas when partition-generation changes', async () => {
    const node = await startFakeNode({ namespaces: ['test'] })
    try {
      const cluster = await Cluster.connect({ hosts: [[node.host, node.port]], tendIntervalMs: 50 })
      expect(cluster.partitions.hasNamespace('bar')).toBe(false)
      node.setInfo('replicas', `test:0,1,${'/'.repeat(682)}8=;bar:0,1,${'/'.repeat(682)}8=`)
      await cluster.tend()
      expect(cluster.partitions.hasNamespace('bar')).toBe(false) // generation unchanged: not re-read
      node.setInfo('partition-generation', '2')
      await until('bar in the map', () => cluster.partitions.hasNamespace('bar'))
      await cluster.close()
    } finally {
      await node.close()
    }
  })
})

describe('tend against the devserver', () => {
  let tc: TestCluster
  beforeAll(async () => {
    tc = await getTestCluster({ nodes: 3 })
  })
  afterAll(async () => {
    await tc.close()
  })

  it('discovers every node through peers from one seed and maps all 4096 partitions', async () => {
    const cluster = await Cluster.connect({ hosts: [tc.hosts[0]!] })
    try {
      const expected = tc.isReal ? cluster.nodes.length : 3
      expect(cluster.nodes).toHaveLength(expected)
      for (const ns of tc.isReal ? ['test'] : ['test', 'bar']) {
        const owners = new Set<string>()
        for (let p = 0; p < N_PARTITIONS; p++) {
          const master = cluster.partitions.master(ns, p)
          expect(master, `${ns} partition ${p}`).toBeDefined()
          owners.add(master!.name)
        }
        expect(owners.size).toBe(expected)
      }
    } finally {
      await cluster.close()
    }
  })

  it('several clusters per process are independent', async () => {
    const a = await Cluster.connect({ hosts: [tc.hosts[0]!] })
    const b = await Cluster.connect({ hosts: tc.hosts })
    await a.close()
    await b.tend()
    expect(b.nodes.length).toBeGreaterThan(0)
    expect(a.nodes).toHaveLength(0)
    await b.close()
  })

  it.skipIf(skipUnlessDevServer())(
    'drops a stopped node and takes it back when it returns',
    async () => {
      const own = await getTestCluster({ nodes: 3, namespaces: ['test', 'stop'] })
      const cluster = await Cluster.connect({
        hosts: [own.hosts[0]!],
        tendIntervalMs: 30,
        timeouts: { connect: 300 },
      })
      try {
        expect(cluster.nodes).toHaveLength(3)
        const stopped = own.devserver!.nodes[2]!.name
        await own.devserver!.stopNode(2)
        await until('the stopped node to leave', () =>
          cluster.nodes.every((n) => n.name !== stopped),
        )
        for (let p = 0; p < N_PARTITIONS; p++)
          expect(cluster.partitions.master('test', p)?.name).not.toBe(stopped)
        await own.devserver!.startNode(2)
        await until('the node to return', () => cluster.nodes.some((n) => n.name === stopped))
        await until('its partitions to return', () => {
          let owned = 0
          for (let p = 0; p < N_PARTITIONS; p++)
            if (cluster.partitions.master('test', p)?.name === stopped) owned++
          return owned > 0
        })
      } finally {
        await cluster.close()
        await own.close()
      }
    },
  )

  it('close() ends every socket and timer: a process that connects and closes exits at once', async () => {
    const script = `
      const { Cluster } = await import(${JSON.stringify(distIndex)})
      const c = await Cluster.connect({ hosts: ${JSON.stringify(tc.hosts)}, tendIntervalMs: 50 })
      console.log('connected', c.nodes.length > 0)
      if (process.argv[1] === 'close') await c.close()
    `
    for (const mode of ['close', 'forget']) {
      const started = Date.now()
      const child = spawn(process.execPath, ['--input-type=module', '-e', script, mode], {
        stdio: ['ignore', 'pipe', 'inherit'],
      })
      let out = ''
      child.stdout.on('data', (d: Buffer) => (out += d.toString()))
      const code = await new Promise<number | null>((resolve) => {
        const t = setTimeout(() => {
          child.kill()
          resolve(null)
        }, 8000)
        child.on('exit', (c) => {
          clearTimeout(t)
          resolve(c)
        })
      })
      expect(code, `${mode}: process must exit`).toBe(0)
      expect(out).toContain('connected true')
      expect(Date.now() - started).toBeLessThan(8000)
    }
  })

  it('runs inside a worker thread', async () => {
    const source = `
      const { parentPort, workerData } = await import('node:worker_threads')
      const { Cluster } = await import(workerData.dist)
      const c = await Cluster.connect({ hosts: workerData.hosts })
      parentPort.postMessage({ nodes: c.nodes.length, namespaces: c.partitions.namespaces() })
      await c.close()
    `
    const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(source)}`), {
      workerData: { dist: pathToFileURL(distIndex).href, hosts: tc.hosts },
    })
    const message = await new Promise<{ nodes: number; namespaces: string[] }>(
      (resolve, reject) => {
        worker.once('message', resolve)
        worker.once('error', reject)
      },
    )
    expect(message.nodes).toBeGreaterThan(0)
    expect(message.namespaces).toContain('test')
    await worker.terminate()
  })
})
