// Devserver-only behaviour, driven through the official client: introspection, fault and latency
// injection, dropped connections, stopping nodes, options. Skipped against a real cluster.

import Aerospike from 'aerospike'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import {
  OFFICIAL_TEST_POLICIES,
  connectOfficialClient,
  getTestCluster,
  skipUnlessDevServer,
  uniqueSetName,
  type OfficialClient,
  type TestCluster,
} from '../../test-utils/src/index.js'
import { startDevServer, type DevServer } from './server.js'

type Key = Aerospike.Key & Aerospike.KeyOptions
const NS = 'test'

function key(set: string, userKey: string | number): Key {
  return new Aerospike.Key(NS, set, userKey) as Key
}

async function errorCode(promise: Promise<unknown>): Promise<number> {
  try {
    await promise
  } catch (error) {
    return (error as { code: number }).code
  }
  throw new Error('expected the call to fail')
}

function writeRecord(k: Key, value: number): Aerospike.BatchWriteRecord {
  return {
    type: Aerospike.batchType.BATCH_WRITE,
    key: k,
    ops: [Aerospike.operations.write('v', value)],
  }
}

describe.skipIf(skipUnlessDevServer())('devserver', () => {
  let cluster: TestCluster
  let devserver: DevServer
  let client: OfficialClient

  beforeAll(async () => {
    cluster = await getTestCluster()
    devserver = cluster.devserver!
    client = await connectOfficialClient(cluster)
  })

  afterAll(async () => {
    await client?.close()
    await cluster?.close()
  })

  describe('introspection', () => {
    it('getRecord shows particle types, raw bytes, generation, TTL and the stored user key', async () => {
      const set = uniqueSetName('intro')
      const k = key(set, 'user-1')
      const policy = new Aerospike.WritePolicy({ key: Aerospike.policy.key.SEND })
      await client.put(
        k,
        { i: 7, f: new Aerospike.Double(1.0), s: 'x', b: Buffer.from([9]), t: true },
        { ttl: 600 },
        policy,
      )
      await client.put(k, { i: 8 }, { ttl: 600 }, policy)
      const record = await devserver.getRecord(NS, set, 'user-1')
      expect(record).not.toBeNull()
      expect(record!.generation).toBe(2)
      expect(record!.set).toBe(set)
      expect(record!.ttl).toBeGreaterThan(590)
      expect(record!.voidTime).toBeGreaterThan(0)
      expect(record!.userKey).toMatchObject({ particleType: 3, value: 'user-1' })
      const bins = Object.fromEntries(record!.bins.map((bin) => [bin.name, bin]))
      expect(bins['i']).toMatchObject({ particleType: 1, value: 8 })
      expect([...bins['i']!.bytes]).toEqual([0, 0, 0, 0, 0, 0, 0, 8])
      expect(bins['f']).toMatchObject({ particleType: 2, value: 1 })
      expect([...bins['f']!.bytes]).toEqual([0x3f, 0xf0, 0, 0, 0, 0, 0, 0])
      expect(bins['s']).toMatchObject({ particleType: 3, value: 'x' })
      expect(bins['b']).toMatchObject({ particleType: 4 })
      expect(bins['t']).toMatchObject({ particleType: 17, value: true })
      // The same record by digest, and a missing one.
      const byDigest = await devserver.getRecord(NS, set, { digest: record!.digest })
      expect(byDigest!.generation).toBe(2)
      expect(await devserver.getRecord(NS, set, 'absent')).toBeNull()
    })

    it('counts records per namespace and set, and write attempts per key (failed ones too)', async () => {
      const set = uniqueSetName('counts')
      await client.batchWrite(Array.from({ length: 30 }, (_, i) => writeRecord(key(set, i), i)))
      expect(await devserver.recordCount(NS, set)).toBe(30)
      expect(await devserver.recordCount('bar', set)).toBe(0)
      const createOnly = new Aerospike.WritePolicy({ exists: Aerospike.policy.exists.CREATE })
      expect(await errorCode(client.put(key(set, 1), { v: 2 }, {}, createOnly))).toBe(5)
      await client.put(key(set, 1), { v: 3 })
      expect(await devserver.writeCount(NS, set, 1)).toBe(3)
      expect(await devserver.writeCount(NS, set, 2)).toBe(1)
      await client.get(key(set, 2))
      expect(await devserver.writeCount(NS, set, 2)).toBe(1)
      await devserver.resetCounters()
      expect(await devserver.writeCount(NS, set, 1)).toBe(0)
      expect(await devserver.truncate(NS, set)).toBe(30)
      expect(await devserver.recordCount(NS, set)).toBe(0)
    })

    it('refuses a TTL above 10 years with PARAMETER (4), as the server does', async () => {
      const set = uniqueSetName('ttl')
      expect(
        await errorCode(client.put(key(set, 1), { v: 1 }, { ttl: 20 * 365 * 24 * 3600 })),
      ).toBe(4)
      expect(await devserver.recordCount(NS, set)).toBe(0)
    })

    it('reports memory of the server thread', async () => {
      const stats = await devserver.memoryStats({ gc: true })
      expect(stats.heapUsed).toBeGreaterThan(0)
      expect(stats.rss).toBeGreaterThan(stats.heapUsed)
      expect(stats.records).toBeGreaterThanOrEqual(0)
    })

    it('refuses control calls with bad arguments, naming them', async () => {
      await expect(devserver.recordCount('nope')).rejects.toThrow(/unknown namespace "nope"/)
      await expect(devserver.injectFault({ resultCode: 0 })).rejects.toThrow(/resultCode/)
      await expect(devserver.injectFault({ resultCode: 14, fraction: 2 })).rejects.toThrow(
        /fraction/,
      )
      await expect(devserver.setLatency({ min: 5, max: 1 })).rejects.toThrow(/latency/)
      await expect(devserver.stopNode(3)).rejects.toMatchObject({
        code: 'DEVSERVER_BAD_OPTION',
        name: 'DevServerError',
      })
      await expect(devserver.getRecord(NS, 's', { digest: new Uint8Array(3) })).rejects.toThrow(
        /20 bytes/,
      )
    })
  })

  describe('fault injection', () => {
    it('fails the first k attempts at chosen keys with the chosen code, then lets them through', async () => {
      const set = uniqueSetName('faults')
      await devserver.injectFault({
        namespace: NS,
        set,
        keys: [3, 5],
        resultCode: 14,
        times: 2,
        ops: 'write',
      })
      try {
        const records = Array.from({ length: 8 }, (_, i) => writeRecord(key(set, i), i))
        const first = await client.batchWrite(records)
        expect(first.map((r) => r.status)).toEqual([0, 0, 0, 14, 0, 14, 0, 0])
        const second = await client.batchWrite(records)
        expect(second.map((r) => r.status)).toEqual([0, 0, 0, 14, 0, 14, 0, 0])
        const third = await client.batchWrite(records)
        expect(third.map((r) => r.status)).toEqual([0, 0, 0, 0, 0, 0, 0, 0])
        expect(await devserver.writeCount(NS, set, 3)).toBe(3)
        // Reads were not targeted.
        expect((await client.get(key(set, 3))).bins).toEqual({ v: 3 })
      } finally {
        await devserver.clearFaults()
      }
    })

    it('a seeded fraction picks the same keys every time, and about that share of them', async () => {
      const set = uniqueSetName('fraction')
      const n = 400
      const records = Array.from({ length: n }, (_, i) => writeRecord(key(set, i), i))
      const failedWith = async (seed: number): Promise<number[]> => {
        await devserver.injectFault({ set, fraction: 0.25, seed, resultCode: 18 })
        try {
          const results = await client.batchWrite(records)
          return results.flatMap((r, i) => (r.status === 18 ? [i] : []))
        } finally {
          await devserver.clearFaults()
        }
      }
      const a = await failedWith(7)
      const b = await failedWith(7)
      const c = await failedWith(8)
      expect(a).toEqual(b)
      expect(a).not.toEqual(c)
      expect(a.length).toBeGreaterThan(n * 0.15)
      expect(a.length).toBeLessThan(n * 0.35)
    })

    it('read faults fail reads only; single-record commands get the code as their error', async () => {
      const set = uniqueSetName('readfault')
      await client.put(key(set, 'k'), { v: 1 })
      await devserver.injectFault({ set, keys: ['k'], resultCode: 11, ops: 'read', times: 1 })
      try {
        const policy = new Aerospike.ReadPolicy({ maxRetries: 0 })
        expect(await errorCode(client.get(key(set, 'k'), policy))).toBe(11)
        expect((await client.get(key(set, 'k'), policy)).bins).toEqual({ v: 1 })
        await devserver.injectFault({ set, keys: ['k'], resultCode: 11, ops: 'read' })
        await client.put(key(set, 'k'), { v: 2 })
        expect(await devserver.writeCount(NS, set, 'k')).toBe(2)
      } finally {
        await devserver.clearFaults()
      }
    })
  })

  describe('protocol extras', () => {
    it('serves compressed commands from a client with compress=true', async () => {
      const set = uniqueSetName('compress')
      const compressed = await connectOfficialClient(cluster, {
        policies: {
          write: new Aerospike.WritePolicy({ compress: true }),
          read: new Aerospike.ReadPolicy({ compress: true }),
          batchParentWrite: new Aerospike.BatchPolicy({ compress: true }),
        },
      })
      try {
        const text = 'abc'.repeat(500)
        await compressed.put(key(set, 1), { text })
        expect((await compressed.get(key(set, 1))).bins).toEqual({ text })
        const rows = await compressed.batchWrite(
          Array.from({ length: 50 }, (_, i) => writeRecord(key(set, i + 10), i)),
        )
        expect(rows.every((row) => row.status === 0)).toBe(true)
        expect(await devserver.recordCount(NS, set)).toBe(51)
      } finally {
        await compressed.close()
      }
    })

    it('answers UDF and filter-expression commands with UNSUPPORTED_FEATURE (16)', async () => {
      const set = uniqueSetName('udf')
      await client.put(key(set, 1), { v: 1 })
      expect(
        await errorCode(client.apply(key(set, 1), { module: 'm', funcname: 'f', args: [] })),
      ).toBe(16)
      const filtered = new Aerospike.ReadPolicy({
        filterExpression: Aerospike.exp.eq(Aerospike.exp.binInt('v'), Aerospike.exp.int(1)),
      })
      expect(await errorCode(client.get(key(set, 1), filtered))).toBe(16)
    })

    it('answers statistics, namespace and sets info commands', async () => {
      const set = uniqueSetName('info')
      await client.put(key(set, 1), { v: 1 })
      expect(await client.infoAny('namespace/test')).toMatch(/objects=\d+/)
      expect(await client.infoAny(`sets/test/${set}`)).toMatch(/objects=1:/)
      expect(await client.infoAny('statistics')).toMatch(/cluster_size=1/)
      await expect(client.infoAny('no-such-command')).rejects.toMatchObject({ code: 4 })
    })
  })

  describe('latency and dropped connections', () => {
    it('delays responses; a client timeout shorter than the delay times out', async () => {
      const set = uniqueSetName('latency')
      await client.put(key(set, 1), { v: 1 })
      await devserver.setLatency(300)
      try {
        const started = Date.now()
        await client.get(key(set, 1))
        expect(Date.now() - started).toBeGreaterThanOrEqual(250)
        const impatient = new Aerospike.ReadPolicy({
          totalTimeout: 100,
          socketTimeout: 100,
          maxRetries: 0,
        })
        expect(await errorCode(client.get(key(set, 1), impatient))).toBe(
          Aerospike.status.ERR_TIMEOUT,
        )
      } finally {
        await devserver.setLatency(0)
      }
      expect((await client.get(key(set, 1))).bins).toEqual({ v: 1 })
    })

    it('dropped connections are reopened by the client', async () => {
      const set = uniqueSetName('drop')
      await client.put(key(set, 1), { v: 1 })
      expect(await devserver.dropConnections()).toBeGreaterThan(0)
      const policy = new Aerospike.ReadPolicy({ maxRetries: 2 })
      expect((await client.get(key(set, 1), policy)).bins).toEqual({ v: 1 })
    })

    it('a response cut mid-way fails that command with a client error, not a hang', async () => {
      const set = uniqueSetName('cut')
      await client.put(key(set, 1), { v: 1 })
      await devserver.dropNextResponses({ times: 1, afterBytes: 10 })
      const policy = new Aerospike.ReadPolicy({ maxRetries: 0, totalTimeout: 5000 })
      const code = await errorCode(client.get(key(set, 1), policy))
      expect(code).toBeLessThan(0)
      expect((await client.get(key(set, 1), policy)).bins).toEqual({ v: 1 })
    })
  })
})

describe.skipIf(skipUnlessDevServer())('a 3-node devserver cluster', () => {
  let cluster: TestCluster
  let devserver: DevServer
  let client: OfficialClient

  beforeAll(async () => {
    cluster = await getTestCluster({ nodes: 3 })
    devserver = cluster.devserver!
    client = await connectOfficialClient(cluster)
  })

  afterAll(async () => {
    await client?.close()
    await cluster?.close()
  })

  it('spreads records over all nodes, keeps serving when one stops, and recovers when it returns', async () => {
    expect(client.getNodes()).toHaveLength(3)
    const set = uniqueSetName('spread')
    const n = 300
    const keys = Array.from({ length: n }, (_, i) => key(set, i))
    const written = await client.batchWrite(keys.map((k, i) => writeRecord(k, i)))
    expect(written.every((r) => r.status === 0)).toBe(true)
    const perNode = await Promise.all([0, 1, 2].map((node) => devserver.recordCount(NS, set, node)))
    expect(perNode.reduce((a, b) => a + b)).toBe(n)
    for (const count of perNode) expect(count).toBeGreaterThan(n / 6)

    const owner = await Promise.all(
      keys.map(async (_, i) => (await devserver.getRecord(NS, set, i))!.node),
    )
    await devserver.stopNode(1)
    const policy = new Aerospike.ReadPolicy({ maxRetries: 1, totalTimeout: 3000 })
    for (let round = 0; round < 2; round++) {
      const started = Date.now()
      // One at a time: the client refuses more than its per-node connection limit in flight.
      const results: number[] = []
      for (const k of keys) {
        results.push(
          await client.get(k, policy).then(
            () => 0,
            (error: { code: number }) => error.code,
          ),
        )
      }
      // Well under the timeout: failures are immediate client errors, not waits.
      expect(Date.now() - started).toBeLessThan(2500)
      results.forEach((code, i) => {
        if (owner[i] === 1) expect(code).toBeLessThan(0)
        else expect(code).toBe(0)
      })
      // Second round after the client has noticed the node is gone.
      await new Promise((resolve) => setTimeout(resolve, 2500))
    }
    const describe = await devserver.describeNodes()
    expect(describe.map((node) => node.running)).toEqual([true, false, true])

    await devserver.startNode(1)
    let ok = 0
    for (let attempt = 0; attempt < 40 && ok < n; attempt++) {
      const results = await client.batchRead(
        keys.map((k) => ({ type: Aerospike.batchType.BATCH_READ, key: k, readAllBins: true })),
      )
      ok = results.filter((r) => r.status === 0).length
      if (ok < n) await new Promise((resolve) => setTimeout(resolve, 250))
    }
    expect(ok).toBe(n)
  })
})

describe('startDevServer options', () => {
  it('rejects bad options with DEVSERVER_BAD_OPTION naming the option', async () => {
    const cases: [Parameters<typeof startDevServer>[0], RegExp][] = [
      [{ nodes: 0 }, /nodes/],
      [{ port: 70000 }, /port/],
      [{ namespaces: [] }, /namespaces/],
      [{ namespaces: ['ok', 'bad name'] }, /namespace name "bad name"/],
      [{ namespaces: ['a', 'a'] }, /duplicate/],
      [{ clusterName: 'a;b' }, /clusterName/],
      [{ maxFrameBytes: 10 }, /maxFrameBytes/],
      [{ nsupPeriod: -1 }, /nsupPeriod/],
      [{ defaultTtl: 1.5 }, /defaultTtl/],
      [{ allowTtlWithoutNsup: 'yes' as never }, /allowTtlWithoutNsup/],
      [{ nsupPeriod: 0, defaultTtl: 60 }, /defaultTtl must be 0 when nsupPeriod is 0/],
      [{ maxRecordSize: 100 }, /maxRecordSize/],
    ]
    for (const [options, message] of cases) {
      await expect(startDevServer(options)).rejects.toMatchObject({
        code: 'DEVSERVER_BAD_OPTION',
        message: expect.stringMatching(message),
      })
    }
  })

  it('refuses unknown options and options of the wrong type, naming them', async () => {
    const cases: [unknown, RegExp][] = [
      [{ node: 3 }, /unknown option "node" \(known: host, port, nodes,/],
      [{ namespace: ['test'] }, /unknown option "namespace"/],
      [{ nsup: 0 }, /unknown option "nsup"/],
      [JSON.parse('{"__proto__": {"nodes": 3}}'), /unknown option "__proto__"/],
      [{ namespaces: 'ab' }, /namespaces must be an array of names, got "ab"/],
      [{ clusterName: 5 }, /clusterName must be a string, got 5/],
      [{ keepProcessAlive: 'yes' }, /keepProcessAlive must be a boolean/],
      [{ host: Object.create(null) }, /host must be a non-empty string, got an object/],
      [{ port: 1n }, /port must be an integer 0..65535, got 1n/],
      [null, /options must be an object, got null/],
      [[], /options must be an object, got an array/],
      [
        Object.defineProperty({}, 'nodes', {
          enumerable: true,
          get() {
            throw new Error('boom')
          },
        }),
        /options could not be read: boom/,
      ],
    ]
    for (const [options, message] of cases) {
      await expect(startDevServer(options as never)).rejects.toMatchObject({
        name: 'DevServerError',
        code: 'DEVSERVER_BAD_OPTION',
        message: expect.stringMatching(message),
      })
    }
  })

  it('fails to start, with a clear error, when the port is taken', async () => {
    const first = await startDevServer()
    try {
      await expect(startDevServer({ port: first.seeds[0]!.port })).rejects.toMatchObject({
        code: 'DEVSERVER_START_FAILED',
        message: expect.stringMatching(/EADDRINUSE/),
      })
    } finally {
      await first.stop()
    }
  })

  it('serves a configured cluster name and namespaces; control calls after stop() reject', async () => {
    const server = await startDevServer({ namespaces: ['alpha'], clusterName: 'unit' })
    const client = await Aerospike.connect({
      hosts: server.hosts,
      clusterName: 'unit',
      log: { level: Aerospike.log.OFF },
      policies: OFFICIAL_TEST_POLICIES,
    })
    try {
      await client.put(new Aerospike.Key('alpha', 's', 1) as Key, { v: 1 })
      expect(await server.recordCount('alpha')).toBe(1)
      expect(await errorCode(client.put(new Aerospike.Key('test', 's', 1) as Key, { v: 1 }))).toBe(
        Aerospike.status.ERR_NAMESPACE_NOT_FOUND,
      )
    } finally {
      await client.close()
      await server.stop()
    }
    await expect(server.recordCount('alpha')).rejects.toMatchObject({
      code: 'DEVSERVER_WORKER_EXITED',
    })
  })

  it('without nsupPeriod refuses writes that set a TTL with 22, like a packaged aerospike.conf', async () => {
    const server = await startDevServer({ namespaces: ['test'], nsupPeriod: 0 })
    const client = await Aerospike.connect({
      hosts: server.hosts,
      log: { level: Aerospike.log.OFF },
      policies: OFFICIAL_TEST_POLICIES,
    })
    try {
      const set = uniqueSetName('nsup0')
      expect(await errorCode(client.put(key(set, 1), { v: 1 }, { ttl: 60 }))).toBe(
        Aerospike.status.ERR_FAIL_FORBIDDEN,
      )
      await client.put(key(set, 2), { v: 1 })
      await client.put(key(set, 3), { v: 1 }, { ttl: Aerospike.ttl.NEVER_EXPIRE })
      await client.put(key(set, 3), { v: 2 }, { ttl: Aerospike.ttl.DONT_UPDATE })
      expect((await client.get(key(set, 3))).ttl).toBe(Aerospike.ttl.NEVER_EXPIRE)
      const rows = await client.batchWrite([
        {
          type: Aerospike.batchType.BATCH_WRITE,
          key: key(set, 4),
          ops: [Aerospike.operations.write('v', 4)],
          policy: new Aerospike.BatchWritePolicy({ ttl: 100 }),
        },
        writeRecord(key(set, 5), 5),
      ])
      expect(rows.map((row) => row.status)).toEqual([Aerospike.status.ERR_FAIL_FORBIDDEN, 0])
      expect(await server.recordCount('test', set)).toBe(3)
      expect(await client.infoAny('namespace/test')).toMatch(
        /default-ttl=0;nsup-period=0;allow-ttl-without-nsup=false/,
      )
      expect(await client.infoAny('namespace/nope')).toBe('namespace/nope\ttype=unknown\n')
    } finally {
      await client.close()
      await server.stop()
    }
  })

  it('refuses records above maxRecordSize with 13, per batch row too', async () => {
    const server = await startDevServer({ namespaces: ['test'], maxRecordSize: 4096 })
    const client = await Aerospike.connect({
      hosts: server.hosts,
      log: { level: Aerospike.log.OFF },
      policies: OFFICIAL_TEST_POLICIES,
    })
    try {
      const set = uniqueSetName('size')
      const blob = (n: number) => Buffer.alloc(n, 1)
      await client.put(key(set, 1), { b: blob(3000) })
      expect(await errorCode(client.put(key(set, 2), { b: blob(5000) }))).toBe(
        Aerospike.status.ERR_RECORD_TOO_BIG,
      )
      // Growing an existing record past the limit fails too, and leaves it as it was.
      expect(await errorCode(client.put(key(set, 1), { c: blob(2000) }))).toBe(
        Aerospike.status.ERR_RECORD_TOO_BIG,
      )
      expect((await client.get(key(set, 1))).gen).toBe(1)
      const rows = await client.batchWrite([
        {
          type: Aerospike.batchType.BATCH_WRITE,
          key: key(set, 3),
          ops: [Aerospike.operations.write('b', blob(5000))],
        },
        writeRecord(key(set, 4), 4),
      ])
      expect(rows.map((row) => row.status)).toEqual([Aerospike.status.ERR_RECORD_TOO_BIG, 0])
      expect(await client.infoAny('namespace/test')).toMatch(/max-record-size=4096/)
    } finally {
      await client.close()
      await server.stop()
    }
  })

  it('refuses records of a 4096th set name with 4, as a real server with 4095 sets does', async () => {
    const server = await startDevServer({ namespaces: ['test'] })
    const client = await Aerospike.connect({
      hosts: server.hosts,
      log: { level: Aerospike.log.OFF },
      policies: OFFICIAL_TEST_POLICIES,
    })
    try {
      const prefix = uniqueSetName('many')
      const rows = await client.batchWrite(
        Array.from({ length: 4096 }, (_, i) => writeRecord(key(`${prefix}_${i}`, 1), i)),
      )
      expect(rows.slice(0, 4095).every((row) => row.status === 0)).toBe(true)
      expect(rows[4095]!.status).toBe(Aerospike.status.ERR_REQUEST_INVALID)
      // Known set names stay usable.
      await client.put(key(`${prefix}_0`, 2), { v: 2 })
    } finally {
      await client.close()
      await server.stop()
    }
  })

  it('gives records written with TTL 0 the configured defaultTtl', async () => {
    const server = await startDevServer({ namespaces: ['test'], defaultTtl: 2_592_000 })
    const client = await Aerospike.connect({
      hosts: server.hosts,
      log: { level: Aerospike.log.OFF },
      policies: OFFICIAL_TEST_POLICIES,
    })
    try {
      const set = uniqueSetName('defttl')
      await client.put(key(set, 1), { v: 1 })
      const { ttl } = await client.get(key(set, 1))
      expect(ttl).toBeGreaterThan(2_591_990)
      expect(ttl).toBeLessThanOrEqual(2_592_000)
    } finally {
      await client.close()
      await server.stop()
    }
  })
})
