// Batch write and read through the cluster engine against the devserver (1 and 3 nodes), or the
// cluster in AEROSPIKE_HOSTS. Fault tests need the devserver and are skipped on a real cluster.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  allRows,
  compileWritePlan,
  createReadOutcome,
  createReadSink,
  createWriteOutcome,
  resolveKeys,
  resolveReadPolicy,
  resolveWritePolicy,
  type WriteOutcome,
} from '@aerospike-numpy/core'
import { dtype, StructuredArray, type Dtype } from '@aerospike-numpy/dtype'
import {
  clusterTtlConfig,
  getTestCluster,
  skipUnlessDevServer,
  uniqueSetName,
  type TestCluster,
} from '@aerospike-numpy/test-utils'
import { batchRead, batchWrite } from './batch.js'
import { Cluster } from './cluster.js'

const everyKind = dtype([
  ['_key', 'i8'],
  ['i1', 'i1'],
  ['i2', '>i2'],
  ['i4', 'i4'],
  ['i8', 'i8'],
  ['u1', 'u1'],
  ['u2', 'u2'],
  ['u4', '>u4'],
  ['u8', 'u8'],
  ['f2', 'f2'],
  ['f4', 'f4'],
  ['f8', '>f8'],
  ['s', 'S6'],
  ['v', 'V3'],
  ['vec', 'f4', [4]],
  ['_ignored', 'i4'],
])
const readBack = dtype(
  everyKind.descr.filter((d) => d[0] !== '_key' && d[0] !== '_ignored') as never,
)

function everyKindRows(n: number): StructuredArray {
  const a = StructuredArray.zeros(everyKind, n)
  const ints = (f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i))
  a.set('_key', BigInt64Array.from(ints((i) => i * 7 + 1).map(BigInt)))
  a.set('i1', Int8Array.from(ints((i) => (i % 256) - 128)))
  a.set('i2', Int16Array.from(ints((i) => -30000 + i)))
  a.set('i4', Int32Array.from(ints((i) => -2_000_000_000 + i * 3)))
  a.set(
    'i8',
    BigInt64Array.from(
      ints((i) => i).map((i) => (i % 2 === 0 ? -(2n ** 63n) + BigInt(i) : 2n ** 62n + BigInt(i))),
    ),
  )
  a.set('u1', Uint8Array.from(ints((i) => 255 - (i % 256))))
  a.set('u2', Uint16Array.from(ints((i) => 65535 - i)))
  a.set('u4', Uint32Array.from(ints((i) => 4_294_967_295 - i)))
  a.set('u8', BigUint64Array.from(ints((i) => i).map((i) => 2n ** 63n - 1n - BigInt(i))))
  a.set('f2', Float64Array.from(ints((i) => i + 0.5)))
  a.set('f4', Float32Array.from(ints((i) => 1 + i / 8)))
  a.set('f8', Float64Array.from(ints((i) => (i === 0 ? 1.0 : Math.PI * i))))
  for (let i = 0; i < n; i++) {
    const row = a.bytes.subarray(i * a.stride, (i + 1) * a.stride)
    const s = new TextEncoder().encode(`r${i}`)
    const sField = everyKind.field('s')!
    row.set(s, sField.offset)
    const vField = everyKind.field('v')!
    row.set([i & 0xff, 0, 0xff], vField.offset)
    const vec = new Float32Array([i, -i, 0.25, 1e30])
    row.set(new Uint8Array(vec.buffer), everyKind.field('vec')!.offset)
  }
  return a
}

async function write(
  cluster: Cluster,
  data: StructuredArray,
  set: string,
  policy: object = {},
  keyField = '_key',
): Promise<WriteOutcome> {
  const outcome = createWriteOutcome(data.length)
  await batchWrite(cluster, {
    plan: compileWritePlan(data.dtype, keyField),
    data,
    rows: allRows(data.length),
    namespace: 'test',
    set,
    policy: resolveWritePolicy({ totalTimeout: 10_000, ...policy }),
    outcome,
  })
  return outcome
}

async function read(cluster: Cluster, keys: unknown[], dt: Dtype, policy: object = {}) {
  const resolved = resolveKeys(keys)
  const { sink, array } = createReadSink(dt, resolved)
  const outcome = createReadOutcome(resolved.length)
  const summary = await batchRead(cluster, {
    keys: resolved,
    bins: (dt.names ?? []).filter((n) => !n.startsWith('_')),
    policy: resolveReadPolicy({ totalTimeout: 10_000, ...policy }),
    sink,
    outcome,
  })
  return { array, outcome, summary }
}

for (const nodes of [1, 3]) {
  describe(`batch write and read, ${nodes} node(s)`, () => {
    let tc: TestCluster
    let cluster: Cluster
    beforeAll(async () => {
      tc = await getTestCluster({ nodes })
      cluster = await Cluster.connect({ hosts: [tc.hosts[0]!] })
    })
    afterAll(async () => {
      await cluster.close()
      await tc.close()
    })

    it('round-trips every dtype kind, byte for byte, with the right particle types', async () => {
      const set = uniqueSetName('kinds')
      const n = 300
      const data = everyKindRows(n)
      const outcome = await write(cluster, data, set)
      expect([...outcome.resultCodes].every((c) => c === 0)).toBe(true)
      expect([...outcome.generations].every((g) => g === 1)).toBe(true)
      const keys = Array.from({ length: n }, (_, i) => ['test', set, i * 7 + 1])
      const { array, outcome: ro } = await read(cluster, keys, readBack)
      expect([...ro.resultCodes].every((c) => c === 0)).toBe(true)
      for (const name of readBack.names!) {
        const field = readBack.field(name)!
        const src = everyKind.field(name)!
        for (let i = 0; i < n; i++) {
          const got = array.bytes.subarray(
            i * array.stride + field.offset,
            i * array.stride + field.offset + field.dtype.itemsize,
          )
          const want = data.bytes.subarray(
            i * data.stride + src.offset,
            i * data.stride + src.offset + src.dtype.itemsize,
          )
          expect(Buffer.from(got).toString('hex'), `row ${i} field ${name}`).toBe(
            Buffer.from(want).toString('hex'),
          )
        }
      }
      if (tc.devserver !== null) {
        const rec = await tc.devserver.getRecord('test', set, 1)
        const types = Object.fromEntries(rec!.bins.map((b) => [b.name, b.particleType]))
        expect(types).toEqual({
          i1: 1,
          i2: 1,
          i4: 1,
          i8: 1,
          u1: 1,
          u2: 1,
          u4: 1,
          u8: 1,
          f2: 2,
          f4: 2,
          f8: 2,
          s: 4,
          v: 4,
          vec: 4,
        })
        const f8 = rec!.bins.find((b) => b.name === 'f8')!
        expect(f8.value).toBe(1.0) // a float 1.0, not the integer 1
      }
    })

    it('string and blob keys; a custom key field without _ is also a bin; missing keys read as zero', async () => {
      const set = uniqueSetName('keys')
      const dt = dtype([
        ['name', 'S8'],
        ['_blob', 'V2'],
        ['x', 'f8'],
      ])
      const data = StructuredArray.fromRows(dt, [
        [new TextEncoder().encode('alpha'), new Uint8Array([1, 2]), 1.5],
        [new TextEncoder().encode('beta'), new Uint8Array([3, 4]), 2.5],
      ] as never)
      expect([...(await write(cluster, data, set, {}, 'name')).resultCodes]).toEqual([0, 0])
      expect([...(await write(cluster, data, set, {}, '_blob')).resultCodes]).toEqual([0, 0])
      const back = dtype([
        ['name', 'S8'],
        ['x', 'f8'],
      ])
      const { array, outcome } = await read(
        cluster,
        [
          ['test', set, 'alpha'],
          ['test', set, 'gamma'],
          ['test', set, new Uint8Array([3, 4])],
        ],
        back,
      )
      expect([...outcome.resultCodes]).toEqual([0, 2, 0])
      expect([...(array.get('x') as Float64Array)]).toEqual([1.5, 0, 2.5])
    })

    it('policy: exists CREATE fails existing rows with 5, gen EQ checks generations, sendKey stores the key', async () => {
      const set = uniqueSetName('policy')
      const dt = dtype([
        ['_key', 'i4'],
        ['v', 'i4'],
      ])
      const data = StructuredArray.fromRows(dt, [
        [1, 10],
        [2, 20],
      ] as never)
      expect([...(await write(cluster, data, set, { key: 1 })).resultCodes]).toEqual([0, 0])
      expect([...(await write(cluster, data, set, { exists: 1 })).resultCodes]).toEqual([5, 5])
      const eq = await write(cluster, data, set, { gen: 1, generation: 1 })
      expect([...eq.resultCodes]).toEqual([0, 0])
      expect([...eq.generations]).toEqual([2, 2])
      expect([...(await write(cluster, data, set, { gen: 1, generation: 1 })).resultCodes]).toEqual(
        [3, 3],
      )
      const ttl = await write(cluster, data, set, { ttl: 1000 })
      if ((await clusterTtlConfig(tc)).ttlWritesAllowed) {
        expect([...ttl.resultCodes]).toEqual([0, 0])
        expect(ttl.ttls[0]).toBeGreaterThan(990)
        expect(ttl.ttls[0]).toBeLessThanOrEqual(1000)
      } else {
        // A server without nsup-period (the packaged config) refuses every row that sets a TTL.
        expect([...ttl.resultCodes]).toEqual([22, 22])
      }
      if (tc.devserver !== null) {
        const rec = await tc.devserver.getRecord('test', set, 2)
        expect(rec!.userKey).not.toBeNull()
      }
    })
  })
}

describe.skipIf(skipUnlessDevServer())('faults (devserver)', () => {
  let tc: TestCluster
  let cluster: Cluster
  beforeAll(async () => {
    tc = await getTestCluster({ nodes: 3, namespaces: ['test', 'faults'] })
    cluster = await Cluster.connect({
      hosts: [tc.hosts[0]!],
      tendIntervalMs: 50,
      timeouts: { connect: 300 },
    })
  })
  afterAll(async () => {
    await cluster.close()
    await tc.close()
  })

  const rows = (n: number) => {
    const dt = dtype([
      ['_key', 'i4'],
      ['v', 'f8'],
    ])
    const a = StructuredArray.zeros(dt, n)
    a.set(
      '_key',
      Int32Array.from({ length: n }, (_, i) => i),
    )
    a.set(
      'v',
      Float64Array.from({ length: n }, (_, i) => i),
    )
    return a
  }

  it("a dropped connection fails only that node's rows, in doubt; the next call works", async () => {
    const set = uniqueSetName('drop')
    await tc.devserver!.dropNextResponses({ node: 1, times: 1, afterBytes: 30 })
    const outcome = await write(cluster, rows(600), set)
    const codes = new Set(outcome.resultCodes)
    expect(codes).toEqual(new Set([0, -10]))
    for (let i = 0; i < 600; i++)
      expect(outcome.inDoubt[i]).toBe(outcome.resultCodes[i] === 0 ? 0 : 1)
    const again = await write(cluster, rows(600), set)
    expect([...again.resultCodes].every((c) => c === 0)).toBe(true)
  })

  it('a slow node times out (9, in doubt) without holding up the others', async () => {
    const set = uniqueSetName('slow')
    await tc.devserver!.setLatency(400)
    try {
      const started = Date.now()
      const outcome = await write(cluster, rows(300), set, { totalTimeout: 150 })
      expect(Date.now() - started).toBeLessThan(1500)
      expect(new Set(outcome.resultCodes)).toEqual(new Set([9]))
      expect(outcome.inDoubt.every((v) => v === 1)).toBe(true)
    } finally {
      await tc.devserver!.setLatency(0)
    }
  })

  it('a node stopped mid-run: its rows fail with clear codes, then the map routes around it', async () => {
    const set = uniqueSetName('stop')
    const data = rows(900)
    expect([...(await write(cluster, data, set)).resultCodes].every((c) => c === 0)).toBe(true)
    const stoppedName = tc.devserver!.nodes[2]!.name
    await tc.devserver!.stopNode(2)
    try {
      const during = await write(cluster, data, set)
      const codes = new Set(during.resultCodes)
      expect(codes.has(0)).toBe(true)
      for (const c of codes) expect([0, -10, -8, 9]).toContain(c)
      const end = Date.now() + 8000
      while (cluster.nodes.some((n) => n.name === stoppedName) && Date.now() < end)
        await new Promise((r) => setTimeout(r, 20))
      expect(cluster.nodes.map((n) => n.name)).not.toContain(stoppedName)
      // The stopped node's partitions have no master now: those rows are INVALID_NODE, at once.
      const after = await write(cluster, data, set)
      expect(new Set(after.resultCodes)).toEqual(new Set([0, -8]))
    } finally {
      await tc.devserver!.startNode(2)
    }
    const end = Date.now() + 8000
    while (!cluster.nodes.some((n) => n.name === stoppedName) && Date.now() < end)
      await new Promise((r) => setTimeout(r, 20))
    await cluster.tend()
    await cluster.tend()
    expect([...(await write(cluster, data, set)).resultCodes].every((c) => c === 0)).toBe(true)
  })
})
