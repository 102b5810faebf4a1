/**
 * Differential test: the same calls through the official engine and the wire engine, with
 * results, per-row codes, inDoubt and thrown errors (class, code, inDoubt, message where both
 * engines word it alike) compared side by side. Each engine writes its own fresh set, so both
 * start from the same state. Devserver by default; unchanged against AEROSPIKE_HOSTS, where the
 * devserver-only cases (faults, latency, stopped nodes) are skipped.
 */
import { createServer } from 'node:net'
import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
import {
  clusterTtlConfig,
  getTestCluster,
  skipUnlessDevServer,
  uniqueSetName,
  type TestCluster,
} from '@aerospike-numpy/test-utils'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { AsyncClient } from './client.js'
import type { EngineName } from './config.js'
import { AerospikeError, type BatchRecords, type NumpyBatchRecords } from './index.js'
import { parseNamespacesReply } from './official/engine.js'
import { TEST_POLICY, connectClient } from './test-support/engines.js'

const ENGINES = ['official', 'wire'] as const satisfies readonly EngineName[]

const dt = dtype([
  ['_key', 'i4'],
  ['temperature', 'f8'],
  ['humidity', 'f4'],
  ['status', 'u1'],
])
const valuesDt = dtype([
  ['temperature', 'f8'],
  ['humidity', 'f4'],
  ['status', 'u1'],
])

function rows(n: number, base = 0): StructuredArray {
  const a = StructuredArray.zeros(dt, n)
  a.set(
    '_key',
    Int32Array.from({ length: n }, (_, i) => base + i),
  )
  a.set(
    'temperature',
    Float64Array.from({ length: n }, (_, i) => (i === 0 ? 1.0 : 20 + i / 7)),
  )
  a.set(
    'humidity',
    Float32Array.from({ length: n }, (_, i) => i / 4),
  )
  a.set(
    'status',
    Uint8Array.from({ length: n }, (_, i) => i % 3),
  )
  return a
}

/** What a call did, in a form both engines can be compared by. */
type Outcome =
  | {
      kind: 'records'
      codes: number[]
      inDoubt: boolean[]
      written: boolean[]
      gens: (number | null)[]
    }
  | { kind: 'read'; codes: number[]; bytes: string; gens: number[]; found: number }
  | { kind: 'error'; name: string; code: number; inDoubt: boolean; message: string }

function errorOutcome(error: unknown): Outcome {
  if (!(error instanceof AerospikeError)) throw error
  return {
    kind: 'error',
    name: error.name,
    code: error.code,
    inDoubt: error.inDoubt,
    message: error.message,
  }
}

async function writeOutcome(call: Promise<BatchRecords>): Promise<Outcome> {
  try {
    const r = await call
    return {
      kind: 'records',
      codes: [...r.resultCodes],
      inDoubt: r.batchRecords.map((b) => b.inDoubt),
      written: r.batchRecords.map((b) => b.record !== null),
      gens: r.batchRecords.map((b) => b.record?.meta.gen ?? null),
    }
  } catch (error) {
    return errorOutcome(error)
  }
}

async function readOutcome(call: Promise<NumpyBatchRecords>): Promise<Outcome> {
  try {
    const r = await call
    return {
      kind: 'read',
      codes: [...r.resultCodes],
      bytes: Buffer.from(r.batchRecords.bytes).toString('hex'),
      gens: [...(r.meta.get('gen') as Uint32Array)],
      found: r.foundCount(),
    }
  } catch (error) {
    return errorOutcome(error)
  }
}

/** Messages differ in wording between the clients; compare them only where asked. */
function withoutMessage(o: Outcome): Outcome {
  return o.kind === 'error' ? { ...o, message: '' } : o
}

describe('engine parity, 1 node', () => {
  let cluster: TestCluster
  const clients = {} as Record<EngineName, AsyncClient>

  beforeAll(async () => {
    cluster = await getTestCluster()
    for (const engine of ENGINES) clients[engine] = await connectClient(cluster, engine)
  })
  afterEach(async () => {
    if (cluster.devserver !== null) {
      await cluster.devserver.clearFaults()
      await cluster.devserver.setLatency(0)
    }
  })
  afterAll(async () => {
    for (const engine of ENGINES) await clients[engine]?.close()
    await cluster?.close()
  })

  /** Runs `call` once per engine, each on its own fresh set; resolves with both outcomes. */
  async function both<T = Outcome>(
    prefix: string,
    call: (client: AsyncClient, set: string, engine: EngineName) => Promise<T>,
  ): Promise<Record<EngineName, T>> {
    const out = {} as Record<EngineName, T>
    for (const engine of ENGINES)
      out[engine] = await call(clients[engine], uniqueSetName(prefix), engine)
    return out
  }

  it('an unknown namespace: NamespaceNotFoundError (20) for the whole call, per-key 20 in a mixed read', async () => {
    const write = await both('ns', (c, set) =>
      writeOutcome(
        c.batchWriteNumpy(rows(3), 'no_such_ns_parity', set, dt, { policy: TEST_POLICY }),
      ),
    )
    const expected: Outcome = {
      kind: 'error',
      name: 'NamespaceNotFoundError',
      code: 20,
      inDoubt: false,
      message: 'namespace "no_such_ns_parity" is not served by the cluster',
    }
    expect(write.official).toEqual(expected)
    expect(write.wire).toEqual(expected)
    // every key in unknown namespaces: the whole call fails, naming the first in key order
    const read = await both('ns', (c, set) =>
      readOutcome(
        c.batchRead(
          [
            ['no_such_ns_parity', set, 2],
            ['other_missing_ns', set, 3],
          ],
          { dtype: valuesDt, policy: TEST_POLICY },
        ),
      ),
    )
    expect(read.official).toEqual(expected)
    expect(read.wire).toEqual(expected)
    // some keys in a served namespace: per-key codes, 20 for the others (nothing thrown)
    const mixed = await both('ns', async (c, set) => {
      await c.batchWriteNumpy(rows(2), 'test', set, dt, { policy: TEST_POLICY })
      return readOutcome(
        c.batchRead(
          [
            ['test', set, 1],
            ['no_such_ns_parity', set, 1],
            ['test', set, 7],
          ],
          { dtype: valuesDt, policy: TEST_POLICY },
        ),
      )
    })
    expect(mixed.official).toEqual(mixed.wire)
    expect(mixed.wire).toMatchObject({ kind: 'read', codes: [0, 20, 2], gens: [1, 0, 0], found: 1 })
  })

  it('set names with unusual characters write and read back alike, across engines', async () => {
    const suffix = '.é-x y'
    const sets = {} as Record<EngineName, string>
    const writes = await both('chars', (c, set, engine) => {
      sets[engine] = set + suffix
      return writeOutcome(
        c.batchWriteNumpy(rows(20), 'test', sets[engine], dt, { policy: TEST_POLICY }),
      )
    })
    expect(writes.official).toEqual(writes.wire)
    expect((writes.wire as { codes: number[] }).codes).toEqual(new Array(20).fill(0))
    // each engine reads what the other wrote
    const keys = (set: string) => Array.from({ length: 21 }, (_, i) => ['test', set, i])
    const wireReadsOfficial = await readOutcome(
      clients.wire.batchRead(keys(sets.official), { dtype: valuesDt, policy: TEST_POLICY }),
    )
    const officialReadsWire = await readOutcome(
      clients.official.batchRead(keys(sets.wire), { dtype: valuesDt, policy: TEST_POLICY }),
    )
    expect(wireReadsOfficial).toEqual(officialReadsWire)
    expect((officialReadsWire as { codes: number[] }).codes.at(-1)).toBe(2)
    expect((officialReadsWire as { found: number }).found).toBe(20)
  })

  it('exists: CREATE_ONLY on existing rows gives 5, UPDATE_ONLY and REPLACE_ONLY on missing rows 2', async () => {
    const created = await both('exists', async (c, set) => {
      await c.batchWriteNumpy(rows(6), 'test', set, dt, { policy: TEST_POLICY })
      // rows 3..8: 3 exist, 3 are new
      return writeOutcome(
        c.batchWriteNumpy(rows(6, 3), 'test', set, dt, { policy: { ...TEST_POLICY, exists: 1 } }),
      )
    })
    expect(created.official).toEqual(created.wire)
    expect(created.wire).toMatchObject({
      codes: [5, 5, 5, 0, 0, 0],
      inDoubt: new Array(6).fill(false),
      written: [false, false, false, true, true, true],
    })
    for (const exists of [2, 3]) {
      const missing = await both('exists', async (c, set) => {
        await c.batchWriteNumpy(rows(2), 'test', set, dt, { policy: TEST_POLICY })
        return writeOutcome(
          c.batchWriteNumpy(rows(4), 'test', set, dt, { policy: { ...TEST_POLICY, exists } }),
        )
      })
      expect(missing.official).toEqual(missing.wire)
      expect(missing.wire).toMatchObject({ codes: [0, 0, 2, 2], gens: [2, 2, null, null] })
    }
  })

  it('policy.gen is refused alike by both engines, before anything is sent', async () => {
    for (const gen of [1, 2]) {
      const out = await both('gen', (c, set) =>
        writeOutcome(
          c.batchWriteNumpy(rows(2), 'test', set, dt, { policy: { gen, generation: 1 } }),
        ),
      )
      expect(out.official).toEqual(out.wire)
      expect(out.wire).toMatchObject({ kind: 'error', name: 'ParamError', code: -2 })
      expect((out.wire as { message: string }).message).toMatch(/^policy\.gen: /)
    }
    // writeNumpy (chunked) takes the same path
    await expect(
      clients.wire.writeNumpy(rows(2), 'test', uniqueSetName('gen'), dt, {
        policy: { gen: 1, generation: 1 },
      }),
    ).rejects.toThrow(/policy\.gen/)
  })

  it('ttl, key SEND (string keys), commitLevel, durableDelete: same records, meta and stored keys', async () => {
    const strDt = dtype([
      ['_key', 'S8'],
      ['v', 'f8'],
    ])
    const a = StructuredArray.zeros(strDt, 2)
    a.bytes.set(new TextEncoder().encode('héllo'), 0)
    a.bytes.set(new TextEncoder().encode('k2'), a.stride)
    a.set('v', [1.0, -0.5])
    // A server without nsup-period (the packaged config) refuses any TTL with 22: leave it out.
    const ttlAllowed = (await clusterTtlConfig(cluster)).ttlWritesAllowed
    const policy = {
      ...TEST_POLICY,
      ...(ttlAllowed ? { ttl: 1000 } : {}),
      key: 1,
      commitLevel: 1,
      durableDelete: true,
    }
    const out = await both('meta', async (c, set) => {
      const r = await c.batchWriteNumpy(a, 'test', set, strDt, { policy })
      const back = await readOutcome(
        c.batchRead(
          ['héllo', 'k2'].map((k) => ['test', set, k]),
          { dtype: dtype([['v', 'f8']]), policy: TEST_POLICY },
        ),
      )
      const stored =
        cluster.devserver === null
          ? null
          : await Promise.all(
              ['héllo', 'k2'].map(async (k) => {
                const rec = await cluster.devserver!.getRecord('test', set, k)
                return rec === null ? null : [rec.userKey?.particleType, rec.userKey?.value]
              }),
            )
      return {
        records: r.batchRecords.map((b) => ({
          key: b.key.key,
          result: b.result,
          inDoubt: b.inDoubt,
          meta: b.record?.meta,
        })),
        back,
        stored,
      }
    })
    // TTLs are whole seconds counted down from the write: allow the one-second tick between engines
    const ttls = ENGINES.map((e) => out[e].records.map((r) => r.meta?.ttl ?? 0))
    for (let i = 0; i < 2; i++) expect(Math.abs(ttls[0]![i]! - ttls[1]![i]!)).toBeLessThanOrEqual(1)
    const withoutTtl = (o: (typeof out)['wire']) => ({
      ...o,
      records: o.records.map((r) => ({ ...r, meta: { gen: r.meta?.gen } })),
      back: { ...o.back, bytes: o.back.kind === 'read' ? o.back.bytes : '' },
    })
    expect(withoutTtl(out.official)).toMatchObject(withoutTtl(out.wire))
    expect(out.wire.records).toMatchObject([
      { key: 'héllo', result: 0, inDoubt: false, meta: { gen: 1 } },
      { key: 'k2', result: 0, inDoubt: false, meta: { gen: 1 } },
    ])
    if (ttlAllowed) expect(ttls[1]![0]).toBeGreaterThan(990)
    if (cluster.devserver !== null) {
      expect(out.wire.stored).toEqual([
        [3, 'héllo'],
        [3, 'k2'],
      ])
    }
  })

  it('batchRead of missing keys and missing bins: zeros, code 2, same bytes and meta', async () => {
    const partial = dtype([
      ['_key', 'i4'],
      ['temperature', 'f8'],
    ])
    const out = await both('read', async (c, set) => {
      const a = StructuredArray.fromRows(partial, [
        [1, 1.5],
        [3, -2.25],
      ])
      await c.batchWriteNumpy(a, 'test', set, partial, { policy: TEST_POLICY })
      return readOutcome(
        c.batchRead(
          [0, 1, 2, 3].map((k) => ['test', set, k]),
          { dtype: valuesDt, policy: TEST_POLICY },
        ),
      )
    })
    expect(out.official).toEqual(out.wire)
    expect(out.wire).toMatchObject({ codes: [2, 0, 2, 0], gens: [0, 1, 0, 1], found: 2 })
  })

  it('batchRead bin selection: none (metadata only), a subset, and repeated keys', async () => {
    const out = await both('bins', async (c, set) => {
      await c.batchWriteNumpy(rows(3), 'test', set, dt, { policy: TEST_POLICY })
      const keys = [1, 9, 1, 2].map((k) => ['test', set, k])
      return {
        none: await readOutcome(
          c.batchRead(keys, { dtype: valuesDt, bins: [], policy: TEST_POLICY }),
        ),
        subset: await readOutcome(
          c.batchRead(keys, { dtype: valuesDt, bins: ['status'], policy: TEST_POLICY }),
        ),
      }
    })
    expect(out.official).toEqual(out.wire)
    const zeros = '00'.repeat(valuesDt.itemsize * 4)
    // no bins asked: nothing but metadata, found records still found
    expect(out.wire.none).toMatchObject({ codes: [0, 2, 0, 0], bytes: zeros, gens: [1, 0, 1, 1] })
    const status = StructuredArray.fromBuffer(
      valuesDt,
      Buffer.from((out.wire.subset as { bytes: string }).bytes, 'hex'),
    ).get('status') as Uint8Array
    const temperature = StructuredArray.fromBuffer(
      valuesDt,
      Buffer.from((out.wire.subset as { bytes: string }).bytes, 'hex'),
    ).get('temperature') as Float64Array
    expect([...status]).toEqual([1, 0, 1, 2])
    expect([...temperature]).toEqual([0, 0, 0, 0])
  })

  it('empty arrays: no records, no error, on both engines', async () => {
    const write = await both('empty', (c, set) =>
      writeOutcome(c.batchWriteNumpy(rows(0), 'test', set, dt)),
    )
    expect(write.official).toEqual({
      kind: 'records',
      codes: [],
      inDoubt: [],
      written: [],
      gens: [],
    })
    expect(write.wire).toEqual(write.official)
    const read = await both('empty', () =>
      readOutcome(clients.official.batchRead([], { dtype: valuesDt })),
    )
    const wireRead = await readOutcome(clients.wire.batchRead([], { dtype: valuesDt }))
    expect(wireRead).toEqual(read.official)
    expect(wireRead).toMatchObject({ codes: [], found: 0 })
  })

  it('i8/u8 extremes (keys and bins) round-trip identically through either engine', async () => {
    const wide = dtype([
      ['_key', 'i8'],
      ['lo', 'i8'],
      ['hi', 'u8'],
    ])
    const back = dtype([
      ['lo', 'i8'],
      ['hi', 'u8'],
    ])
    const keys = [-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n, 2n ** 53n + 1n]
    const data = StructuredArray.zeros(wide, keys.length)
    data.set('_key', BigInt64Array.from(keys))
    data.set('lo', BigInt64Array.from([-(2n ** 63n), 2n ** 63n - 1n, -(2n ** 53n) - 1n, -1n, 0n]))
    data.set('hi', BigUint64Array.from([0n, 2n ** 63n - 1n, 2n ** 53n + 1n, 1n, 2n ** 32n]))
    const sets = {} as Record<EngineName, string>
    const writes = await both('ints', (c, set, engine) => {
      sets[engine] = set
      return writeOutcome(c.batchWriteNumpy(data, 'test', set, wide, { policy: TEST_POLICY }))
    })
    expect(writes.official).toEqual(writes.wire)
    const readKeys = (set: string) => keys.map((k) => ['test', set, k])
    const reads = await Promise.all([
      readOutcome(
        clients.wire.batchRead(readKeys(sets.official), { dtype: back, policy: TEST_POLICY }),
      ),
      readOutcome(
        clients.official.batchRead(readKeys(sets.wire), { dtype: back, policy: TEST_POLICY }),
      ),
      readOutcome(
        clients.wire.batchRead(readKeys(sets.wire), { dtype: back, policy: TEST_POLICY }),
      ),
    ])
    expect(reads[0]).toEqual(reads[1])
    expect(reads[2]).toEqual(reads[1])
    const expectedBytes = Buffer.from(
      StructuredArray.fromColumns(back, { lo: data.get('lo'), hi: data.get('hi') }).bytes,
    ).toString('hex')
    expect(reads[1]).toMatchObject({ codes: [0, 0, 0, 0, 0], bytes: expectedBytes })
    // u8 above 2^63-1 is refused by both, naming row and field
    const over = StructuredArray.zeros(wide, 2)
    over.set('hi', BigUint64Array.from([1n, 2n ** 63n]))
    const refused = await both('ints', (c, set) =>
      writeOutcome(c.batchWriteNumpy(over, 'test', set, wide)),
    )
    expect(refused.official).toEqual(refused.wire)
    expect(refused.wire).toMatchObject({ kind: 'error', name: 'ParamError', code: -2 })
    expect((refused.wire as { message: string }).message).toMatch(/row 1.*hi|hi.*row 1/)
  })

  it('connection refused: ConnectionError (-10) from connect(), both engines', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer()
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port
        s.close(() => resolve(p))
      })
    })
    const out = {} as Record<EngineName, Outcome>
    for (const engine of ENGINES) {
      const c = new AsyncClient({
        hosts: [['127.0.0.1', port]],
        engine,
        connTimeoutMs: 500,
        log: { level: -1 },
      })
      out[engine] = await c
        .connect()
        .then(
          () =>
            ({ kind: 'error', name: 'connected', code: 0, inDoubt: false, message: '' }) as Outcome,
          errorOutcome,
        )
      await c.close()
    }
    expect(withoutMessage(out.official)).toEqual(withoutMessage(out.wire))
    expect(out.wire).toMatchObject({ name: 'ConnectionError', code: -10 })
  })

  describe.skipIf(skipUnlessDevServer())('devserver faults', () => {
    it('injected transient (14) and permanent (13) failures: same per-row codes, retries, writes', async () => {
      const server = cluster.devserver!
      const out = await both('fault', async (c, set) => {
        await server.injectFault({ namespace: 'test', set, keys: [1, 4], resultCode: 14, times: 1 })
        await server.injectFault({ namespace: 'test', set, keys: [2], resultCode: 13, times: 100 })
        const noRetry = await writeOutcome(
          c.batchWriteNumpy(rows(6), 'test', set, dt, { retry: 0 }),
        )
        await server.clearFaults()
        await server.injectFault({ namespace: 'test', set, keys: [1, 4], resultCode: 14, times: 1 })
        await server.injectFault({ namespace: 'test', set, keys: [2], resultCode: 13, times: 100 })
        await server.resetCounters()
        const retried = await writeOutcome(
          c.batchWriteNumpy(rows(6), 'test', set, dt, { retry: 3 }),
        )
        const attempts = await Promise.all(
          [0, 1, 2, 3, 4, 5].map((k) => server.writeCount('test', set, k)),
        )
        return { noRetry, retried, attempts }
      })
      expect(out.official).toEqual(out.wire)
      const { noRetry, retried, attempts } = out.wire
      expect(noRetry).toMatchObject({
        codes: [0, 14, 13, 0, 14, 0],
        inDoubt: new Array(6).fill(false),
      })
      expect(retried).toMatchObject({ codes: [0, 0, 13, 0, 0, 0], gens: [2, 1, null, 2, 1, 2] })
      // the transient rows were sent twice, the permanent one once
      expect(attempts).toEqual([1, 2, 1, 1, 2, 1])
    })

    it('a timeout throws TimeoutError (9): inDoubt for writes, not for reads', async () => {
      const server = cluster.devserver!
      const policy = { totalTimeout: 150, socketTimeout: 150, maxRetries: 0 }
      await server.setLatency(600)
      const write = await both('timeout', (c, set) =>
        writeOutcome(c.batchWriteNumpy(rows(4), 'test', set, dt, { policy })),
      )
      const read = await both('timeout', (c, set) =>
        readOutcome(c.batchRead([['test', set, 1]], { dtype: valuesDt, policy })),
      )
      await server.setLatency(0)
      expect(withoutMessage(write.official)).toEqual(withoutMessage(write.wire))
      expect(write.wire).toMatchObject({
        kind: 'error',
        name: 'TimeoutError',
        code: 9,
        inDoubt: true,
      })
      expect(withoutMessage(read.official)).toEqual(withoutMessage(read.wire))
      expect(read.wire).toMatchObject({
        kind: 'error',
        name: 'TimeoutError',
        code: 9,
        inDoubt: false,
      })
    })
  })
})

describe.skipIf(skipUnlessDevServer())('engine parity, 3 nodes, one stopped', () => {
  let cluster: TestCluster
  const clients = {} as Record<EngineName, AsyncClient>

  beforeAll(async () => {
    cluster = await getTestCluster({ nodes: 3 })
    for (const engine of ENGINES) clients[engine] = await connectClient(cluster, engine)
  })
  afterAll(async () => {
    for (const engine of ENGINES) await clients[engine]?.close()
    await cluster?.devserver?.startNode(2)
    await cluster?.close()
  })

  it('once both clients have tended, the stopped node rows get -8 (INVALID_NODE) and the rest are written', async () => {
    const server = cluster.devserver!
    const set = uniqueSetName('stopped')
    const n = 30
    await server.stopNode(2)
    // both clients tend every second; wait until each has dropped the node
    const outcomes = {} as Record<EngineName, Outcome>
    const deadline = Date.now() + 15_000
    for (const engine of ENGINES) {
      for (;;) {
        outcomes[engine] = await writeOutcome(
          clients[engine].batchWriteNumpy(rows(n), 'test', `${set}_${engine}`.slice(0, 63), dt, {
            policy: { ...TEST_POLICY, maxRetries: 0 },
          }),
        )
        const o = outcomes[engine]
        if ((o.kind === 'records' && o.codes.includes(-8)) || Date.now() > deadline) break
        await new Promise((resolve) => setTimeout(resolve, 300))
      }
    }
    // the two sets hash to different partitions: compare the shape, then the reads of one set
    for (const engine of ENGINES) {
      const o = outcomes[engine]
      expect(o.kind).toBe('records')
      const codes = (o as { codes: number[] }).codes
      expect(new Set(codes)).toEqual(new Set([0, -8]))
      expect((o as { inDoubt: boolean[] }).inDoubt).toEqual(new Array(n).fill(false))
    }
    const keys = Array.from({ length: n }, (_, i) => ['test', `${set}_wire`.slice(0, 63), i])
    const reads = await Promise.all(
      ENGINES.map((e) =>
        readOutcome(clients[e].batchRead(keys, { dtype: valuesDt, policy: { maxRetries: 0 } })),
      ),
    )
    expect(reads[0]).toEqual(reads[1])
    const wireCodes = (outcomes.wire as { codes: number[] }).codes
    expect((reads[1] as { codes: number[] }).codes).toEqual(wireCodes)
  })
})

describe.skipIf(skipUnlessDevServer())('engine parity, a lost connection and a lost node', () => {
  let cluster: TestCluster
  const clients = {} as Record<EngineName, AsyncClient>

  beforeAll(async () => {
    // its own single-node devserver (the namespace list keeps it apart): this file stops its node
    cluster = await getTestCluster({ nodes: 1, namespaces: ['test', 'parity_lost'] })
    for (const engine of ENGINES) clients[engine] = await connectClient(cluster, engine)
  })
  afterAll(async () => {
    for (const engine of ENGINES) await clients[engine]?.close()
    await cluster?.close()
  })

  it('a response cut mid-way: ConnectionError (-10), inDoubt for writes only', async () => {
    const server = cluster.devserver!
    const policy = { ...TEST_POLICY, maxRetries: 0 }
    const out = {} as Record<EngineName, { write: Outcome; read: Outcome }>
    for (const engine of ENGINES) {
      const set = uniqueSetName('cut')
      await server.dropNextResponses()
      const write = await writeOutcome(
        clients[engine].batchWriteNumpy(rows(10), 'test', set, dt, { policy }),
      )
      await server.dropNextResponses()
      const read = await readOutcome(
        clients[engine].batchRead([['test', set, 1]], { dtype: valuesDt, policy }),
      )
      out[engine] = { write: withoutMessage(write), read: withoutMessage(read) }
    }
    expect(out.official).toEqual(out.wire)
    expect(out.wire.write).toMatchObject({ name: 'ConnectionError', code: -10, inDoubt: true })
    expect(out.wire.read).toMatchObject({ name: 'ConnectionError', code: -10, inDoubt: false })
  })

  it('the only node stopped: ConnectionError (-10) at once, ServerError (1) once the cluster is empty', async () => {
    const server = cluster.devserver!
    const policy = { ...TEST_POLICY, maxRetries: 0 }
    await server.stopNode(0)
    const now = {} as Record<EngineName, Outcome>
    for (const engine of ENGINES) {
      now[engine] = withoutMessage(
        await writeOutcome(
          clients[engine].batchWriteNumpy(rows(4), 'test', uniqueSetName('gone'), dt, { policy }),
        ),
      )
    }
    // right after the stop both still know the node and fail to connect to it
    expect(now.official).toEqual(now.wire)
    expect(now.wire).toMatchObject({ kind: 'error', name: 'ConnectionError', code: -10 })
    // both clients drop the node after five failed tends (about 5 s): the cluster is then empty
    const later = {} as Record<EngineName, Outcome>
    const deadline = Date.now() + 20_000
    for (const engine of ENGINES) {
      for (;;) {
        later[engine] = await writeOutcome(
          clients[engine].batchWriteNumpy(rows(4), 'test', uniqueSetName('gone'), dt, { policy }),
        )
        const o = later[engine]
        if ((o.kind === 'error' && o.code === 1) || Date.now() > deadline) break
        await new Promise((resolve) => setTimeout(resolve, 500))
      }
    }
    expect(withoutMessage(later.official)).toEqual(withoutMessage(later.wire))
    expect(later.wire).toMatchObject({
      kind: 'error',
      name: 'ServerError',
      code: 1,
      inDoubt: false,
    })
    expect((later.wire as { message: string }).message).toMatch(/cluster is empty/)
  }, 40_000)
})

describe('parseNamespacesReply', () => {
  it('reads the namespaces of an info reply', () => {
    expect(parseNamespacesReply('namespaces\ttest;bar\n')).toEqual(['test', 'bar'])
    expect(parseNamespacesReply('test\n')).toEqual(['test'])
    expect(parseNamespacesReply('namespaces\t\n')).toEqual([])
    expect(parseNamespacesReply(undefined)).toBeNull()
  })
})
