// The wire engine through AsyncClient, checked against the official client on the same cluster:
// rows written by one engine read back identically through the other (values, particle types,
// generation, TTL). Devserver by default; unchanged against AEROSPIKE_HOSTS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
import {
  clusterTtlConfig,
  connectOfficialClient,
  getTestCluster,
  loadOfficialClient,
  uniqueSetName,
  type OfficialClient,
  type TestCluster,
} from '@aerospike-numpy/test-utils'
import { AsyncClient } from '../client.js'
import { clusterConfigFor } from './engine.js'
import { resolveClientConfig } from '../config.js'

const sensor = dtype([
  ['_key', 'i4'],
  ['temperature', 'f8'],
  ['humidity', 'f4'],
  ['pressure', 'f4'],
  ['status', 'u1'],
  ['count', 'i8'],
  ['tag', 'S4'],
  ['emb', 'f4', [3]],
])
const readDt = dtype(sensor.descr.filter((d) => d[0] !== '_key') as never)

/** `big`: counts beyond 2^53 (the official client's batchWrite refuses BigInt values, its put takes them). */
function sensorRows(n: number, base = 0, big = true): StructuredArray {
  const a = StructuredArray.zeros(sensor, n)
  const range = (f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i))
  a.set('_key', Int32Array.from(range((i) => base + i)))
  a.set('temperature', Float64Array.from(range((i) => (i === 0 ? 1.0 : 20 + i / 3))))
  a.set('humidity', Float32Array.from(range((i) => i / 2)))
  a.set('pressure', Float32Array.from(range((i) => 1000 + i)))
  a.set('status', Uint8Array.from(range((i) => i % 4)))
  a.set(
    'count',
    BigInt64Array.from(
      range((i) => i).map((i) => (i % 2 && big ? 2n ** 60n + BigInt(i) : BigInt(-i * 1000))),
    ),
  )
  for (let i = 0; i < n; i++) {
    a.bytes.set(new TextEncoder().encode(`t${i % 100}`), i * a.stride + sensor.field('tag')!.offset)
    a.bytes.set(
      new Uint8Array(new Float32Array([i, 0.5, -i]).buffer),
      i * a.stride + sensor.field('emb')!.offset,
    )
  }
  return a
}

describe('clusterConfigFor', () => {
  it('refuses authentication and TLS, pointing at the official engine', () => {
    for (const extra of [{ user: 'u', password: 'p' }, { tls: { enable: true } }]) {
      const config = resolveClientConfig({ hosts: [['127.0.0.1', 3000]], engine: 'wire', ...extra })
      expect(() => clusterConfigFor(config)).toThrow(/use engine: 'official'/)
    }
  })
  it('refuses official-only options instead of ignoring them', () => {
    for (const extra of [{ policies: { batchWrite: { totalTimeout: 50 } } }, { modlua: {} }]) {
      const config = resolveClientConfig({ hosts: [['127.0.0.1', 3000]], ...extra })
      expect(config.engine).toBe('wire')
      expect(() => clusterConfigFor(config)).toThrow(
        new RegExp(`config\\.${Object.keys(extra)[0]} is an option of the official client`),
      )
    }
    const quiet = resolveClientConfig({ hosts: [['127.0.0.1', 3000]], log: { level: -1 } })
    expect(() => clusterConfigFor(quiet)).not.toThrow()
  })
  it('maps the official client names it understands', () => {
    const config = resolveClientConfig({
      hosts: '10.0.0.1:3100',
      engine: 'wire',
      connTimeoutMs: 700,
      tenderInterval: 250,
      maxConnsPerNode: 8,
    })
    expect(clusterConfigFor(config)).toEqual({
      hosts: [{ host: '10.0.0.1', port: 3100 }],
      timeouts: { connect: 700 },
      tendIntervalMs: 250,
      maxConnsPerNode: 8,
    })
  })
})

for (const nodes of [1, 3]) {
  describe(`wire engine vs official client, ${nodes} node(s)`, () => {
    let tc: TestCluster
    let wire: AsyncClient
    let official: OfficialClient
    beforeAll(async () => {
      tc = await getTestCluster({ nodes })
      wire = await new AsyncClient({ hosts: tc.hosts, engine: 'wire' }).connect()
      official = await connectOfficialClient(tc)
    })
    afterAll(async () => {
      await wire?.close()
      official?.close()
      await tc?.close()
    })

    it('rows written by the wire engine read back identically through the official client', async () => {
      const Aerospike = await loadOfficialClient()
      const set = uniqueSetName('w2o')
      const n = 120
      const data = sensorRows(n)
      // A server without nsup-period (the packaged config) refuses TTLs: then every row fails
      // with 22, and the comparison below runs on records written with the default TTL.
      const ttlAllowed = (await clusterTtlConfig(tc)).ttlWritesAllowed
      if (!ttlAllowed) {
        const refused = await wire.batchWriteNumpy(data, 'test', set, sensor, {
          policy: { ttl: 5000 },
        })
        expect(refused.failedCount).toBe(n)
        expect(new Set(refused.resultCodes)).toEqual(new Set([22]))
      }
      const written = await wire.batchWriteNumpy(
        data,
        'test',
        set,
        sensor,
        ttlAllowed ? { policy: { ttl: 5000 } } : {},
      )
      expect(written.failedCount).toBe(0)
      for (const i of [0, 1, 57, 119]) {
        const rec = await official.get(new Aerospike.Key('test', set, i) as never)
        const row = data.row(i) as unknown as Record<string, unknown>
        expect(rec.bins.temperature).toBe(row.temperature)
        expect(rec.bins.humidity).toBe(row.humidity)
        expect(rec.bins.pressure).toBe(row.pressure)
        expect(rec.bins.status).toBe(row.status)
        expect(BigInt(rec.bins.count as number | bigint)).toBe(BigInt(row.count as bigint))
        expect(Buffer.isBuffer(rec.bins.tag)).toBe(true)
        expect(
          Buffer.from(rec.bins.tag as Buffer)
            .toString('latin1')
            .replace(/\0+$/, ''),
        ).toBe(`t${i % 100}`)
        expect([...new Float32Array(new Uint8Array(rec.bins.emb as Buffer).buffer)]).toEqual([
          i,
          0.5,
          -i,
        ])
        expect(rec.gen).toBe(written.generations[i])
        // The official client reports never-expire as -1, the engines as u32 0xFFFFFFFF.
        expect(Math.abs((rec.ttl >>> 0) - written.ttls[i]!)).toBeLessThanOrEqual(1)
        if (ttlAllowed) expect(rec.ttl).toBeGreaterThan(4990)
      }
      if (tc.devserver !== null) {
        const stored = await tc.devserver.getRecord('test', set, 0)
        const types = Object.fromEntries(stored!.bins.map((b) => [b.name, b.particleType]))
        expect(types).toEqual({
          temperature: 2,
          humidity: 2,
          pressure: 2,
          status: 1,
          count: 1,
          tag: 4,
          emb: 4,
        })
      }
    })

    it('rows written by the official client read back identically through the wire engine', async () => {
      const Aerospike = await loadOfficialClient()
      const set = uniqueSetName('o2w')
      const n = 60
      const data = sensorRows(n, 1000)
      const ttlAllowed = (await clusterTtlConfig(tc)).ttlWritesAllowed
      // put takes BigInt values (the official batchWrite does not): one record per call.
      for (let i = 0; i < n; i++) {
        const row = data.row(i) as unknown as Record<string, unknown>
        const bytes = (name: string) => {
          const f = sensor.field(name)!
          return Buffer.from(
            data.bytes.subarray(
              i * data.stride + f.offset,
              i * data.stride + f.offset + f.dtype.itemsize,
            ),
          )
        }
        await official.put(
          new Aerospike.Key('test', set, 1000 + i) as never,
          {
            temperature: new Aerospike.Double(row.temperature as number),
            humidity: new Aerospike.Double(row.humidity as number),
            pressure: new Aerospike.Double(row.pressure as number),
            status: row.status as number,
            count: row.count as bigint,
            tag: bytes('tag'),
            emb: bytes('emb'),
          } as never,
          ttlAllowed ? { ttl: 7000 } : {},
        )
      }
      const keys = Array.from({ length: n + 1 }, (_, i) => ['test', set, 1000 + i])
      const back = await wire.batchRead(keys, { dtype: readDt })
      expect(back.resultCodes[n]).toBe(2) // one key never written
      expect(back.foundCount()).toBe(n)
      for (const name of readDt.names!) {
        const f = readDt.field(name)!
        const s = sensor.field(name)!
        for (let i = 0; i < n; i++) {
          const got = back.batchRecords.bytes.subarray(
            i * back.batchRecords.stride + f.offset,
            i * back.batchRecords.stride + f.offset + f.dtype.itemsize,
          )
          const want = data.bytes.subarray(
            i * data.stride + s.offset,
            i * data.stride + s.offset + s.dtype.itemsize,
          )
          expect(Buffer.from(got).equals(Buffer.from(want)), `row ${i} ${name}`).toBe(true)
        }
      }
      // Same generation and TTL as the official client sees.
      const viaOfficial = await official.get(new Aerospike.Key('test', set, 1005) as never)
      const meta = back.meta.row(5) as unknown as { gen: number; ttl: number }
      expect(meta.gen).toBe(viaOfficial.gen)
      expect(Math.abs(meta.ttl - (viaOfficial.ttl >>> 0))).toBeLessThanOrEqual(1)
    })

    it('both engines give the same per-row results for the same calls', async () => {
      const set = uniqueSetName('same')
      const officialClient = await new AsyncClient({
        hosts: tc.hosts,
        engine: 'official',
      }).connect()
      try {
        const data = sensorRows(40, 0, false)
        const a = await wire.batchWriteNumpy(data, 'test', set, sensor)
        const b = await officialClient.batchWriteNumpy(data, 'test', set, sensor, {
          policy: { exists: 1 },
        })
        const c = await wire.batchWriteNumpy(data, 'test', set, sensor, { policy: { exists: 1 } })
        expect([...a.resultCodes]).toEqual(new Array(40).fill(0))
        expect([...b.resultCodes]).toEqual(new Array(40).fill(5))
        expect([...c.resultCodes]).toEqual([...b.resultCodes])
        const keys = Array.from({ length: 40 }, (_, i) => ['test', set, i])
        const viaWire = await wire.batchRead(keys, { dtype: readDt })
        const viaOfficial = await officialClient.batchRead(keys, { dtype: readDt })
        expect(
          Buffer.from(viaWire.batchRecords.bytes).equals(
            Buffer.from(viaOfficial.batchRecords.bytes),
          ),
        ).toBe(true)
        expect([...viaWire.resultCodes]).toEqual([...viaOfficial.resultCodes])
        expect(Buffer.from(viaWire.meta.bytes).equals(Buffer.from(viaOfficial.meta.bytes))).toBe(
          true,
        )
        // An unknown namespace fails the whole call. The official client reports BATCH_FAILED
        // (-16) for it; the wire engine names the cause (20 NAMESPACE_NOT_FOUND).
        const wireError = await wire
          .batchWriteNumpy(data, 'nonexistent', set, sensor)
          .catch((e: unknown) => e)
        const officialError = await officialClient
          .batchWriteNumpy(data, 'nonexistent', set, sensor)
          .catch((e: unknown) => e)
        expect((wireError as { code: number }).code).toBe(20)
        expect([20, -16]).toContain((officialError as { code: number }).code)
      } finally {
        await officialClient.close()
      }
    })

    it('writeNumpy in chunks with progress', async () => {
      const set = uniqueSetName('bulk')
      const data = sensorRows(5000)
      const seen: number[] = []
      const result = await wire.writeNumpy(data, 'test', set, sensor, {
        chunkSize: 700,
        concurrency: 3,
        policy: { totalTimeout: 20_000 },
        onProgress: (p: { rowsDone?: number; done?: number }) => {
          seen.push(p.rowsDone ?? p.done ?? 0)
        },
      } as never)
      expect(result.failures.slice(0, 3)).toEqual([])
      expect(result.writtenCount).toBe(5000)
      expect(seen.length).toBeGreaterThan(0)
    })
  })
}
