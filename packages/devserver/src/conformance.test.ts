// Conformance of the devserver with what the official client expects of an Aerospike 8 server,
// driven ONLY through the official `aerospike` client. Server-agnostic: the same file runs
// unchanged against a real cluster with AEROSPIKE_HOSTS=host:port (each test uses its own set and
// never assumes an empty namespace). Devserver-only checks live in devserver.test.ts.

import Aerospike from 'aerospike'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// test-utils depends on this package, so it is imported by path (a workspace dependency back
// would be a cycle); it is still the one place tests get a cluster.
import {
  clusterTtlConfig,
  connectOfficialClient,
  getTestCluster,
  uniqueSetName,
  type NamespaceTtlConfig,
  type OfficialClient,
  type TestCluster,
} from '../../test-utils/src/index.js'

const NS = 'test'

let cluster: TestCluster
let client: OfficialClient
/** A real server's packaged config (no nsup-period) refuses writes that set a TTL, with 22. */
let ttlConfig: NamespaceTtlConfig

beforeAll(async () => {
  cluster = await getTestCluster()
  client = await connectOfficialClient(cluster)
  ttlConfig = await clusterTtlConfig(cluster, NS)
})

/** The TTL a record written with TTL 0 reports: the namespace's default-ttl, or never. */
function defaultTtlOf(config: NamespaceTtlConfig): number {
  return config.defaultTtl === 0 ? Aerospike.ttl.NEVER_EXPIRE : config.defaultTtl
}

afterAll(async () => {
  await client?.close()
  await cluster?.close()
})

// The official typings' Key does not satisfy its own KeyOptions under exactOptionalPropertyTypes.
type Key = Aerospike.Key & Aerospike.KeyOptions

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

describe('connect', () => {
  it('connects and sees a node that answers info', async () => {
    expect(client.isConnected()).toBe(true)
    const nodes = client.getNodes()
    expect(nodes.length).toBeGreaterThanOrEqual(1)
    const build = await client.infoAny('build')
    expect(build).toMatch(/^build\t\d+\.\d+\.\d+/)
    const namespaces = await client.infoAny('namespaces')
    expect(namespaces.split('\t')[1]!.trim().split(';')).toContain(NS)
  })
})

describe('particle types round-trip', () => {
  const set = uniqueSetName('types')

  it('keeps every type: integer, float, string, blob, bool, list, map, geojson', async () => {
    const k = key(set, 'all-types')
    const geo = new Aerospike.GeoJSON({ type: 'Point', coordinates: [103.9, 1.3] })
    await client.put(k, {
      int: 42,
      neg: -7,
      big: BigInt('9007199254740993'),
      float: new Aerospike.Double(1.0),
      frac: 2.5,
      str: 'héllo',
      empty: '',
      blob: Buffer.from([0, 1, 2, 255]),
      yes: true,
      no: false,
      list: [1, 'a', [2.5, null]],
      map: { a: 1, b: 'two', c: { d: [3] } },
      geo,
    })
    const record = await client.get(k)
    const bins = record.bins as Record<string, unknown>
    expect(bins['int']).toBe(42)
    expect(bins['neg']).toBe(-7)
    expect(bins['big']).toBe(BigInt('9007199254740993'))
    expect(bins['float']).toBe(1)
    expect(bins['frac']).toBe(2.5)
    expect(bins['str']).toBe('héllo')
    expect(bins['empty']).toBe('')
    expect(Buffer.isBuffer(bins['blob'])).toBe(true)
    expect([...(bins['blob'] as Buffer)]).toEqual([0, 1, 2, 255])
    expect(bins['yes']).toBe(true)
    expect(bins['no']).toBe(false)
    expect(bins['list']).toEqual([1, 'a', [2.5, null]])
    expect(bins['map']).toEqual({ a: 1, b: 'two', c: { d: [3] } })
    // The official client hands GeoJSON bins back as their JSON text.
    expect(JSON.parse(bins['geo'] as string)).toEqual({ type: 'Point', coordinates: [103.9, 1.3] })
  })

  it('stores Double(1.0) as a float, not the integer 1', async () => {
    const k = key(set, 'float-one')
    await client.put(k, { f: new Aerospike.Double(1.0), i: 1 })
    // A float bin accepts a float increment and refuses an integer one; an integer bin the reverse.
    await client.operate(k, [Aerospike.operations.incr('f', new Aerospike.Double(0.5))])
    expect(await errorCode(client.operate(k, [Aerospike.operations.incr('f', 1)]))).toBe(
      Aerospike.status.ERR_BIN_INCOMPATIBLE_TYPE,
    )
    expect(
      await errorCode(
        client.operate(k, [Aerospike.operations.incr('i', new Aerospike.Double(0.5))]),
      ),
    ).toBe(Aerospike.status.ERR_BIN_INCOMPATIBLE_TYPE)
    const record = await client.get(k)
    expect(record.bins).toEqual({ f: 1.5, i: 1 })
  })

  it('writing a nil bin deletes that bin; deleting every bin deletes the record', async () => {
    const k = key(set, 'nil')
    await client.put(k, { a: 1, b: 2 })
    await client.put(k, { a: null })
    expect((await client.get(k)).bins).toEqual({ b: 2 })
    await client.put(k, { b: null })
    expect(await client.exists(k)).toBe(false)
    // Only nil bins on a record that does not exist: a delete of nothing, refused with 2.
    expect(await errorCode(client.put(key(set, 'nil-missing'), { a: null }))).toBe(
      Aerospike.status.ERR_RECORD_NOT_FOUND,
    )
  })

  it('select returns only the requested bins that exist', async () => {
    const k = key(set, 'select')
    await client.put(k, { a: 1, b: 'x', c: 3.5 })
    const record = await client.select(k, ['a', 'c', 'missing'])
    expect(record.bins).toEqual({ a: 1, c: 3.5 })
  })
})

describe('generation, exists and generation policies', () => {
  const set = uniqueSetName('policy')

  it('a new record has generation 1 and every write adds one', async () => {
    const k = key(set, 'gen')
    await client.put(k, { v: 1 })
    expect((await client.get(k)).gen).toBe(1)
    await client.put(k, { v: 2 })
    await client.operate(k, [Aerospike.operations.incr('v', 1)])
    const record = await client.get(k)
    expect(record.gen).toBe(3)
    expect(record.bins).toEqual({ v: 3 })
  })

  it('create-only fails with 5 on an existing record', async () => {
    const k = key(set, 'create')
    const policy = new Aerospike.WritePolicy({ exists: Aerospike.policy.exists.CREATE })
    await client.put(k, { v: 1 }, {}, policy)
    expect(await errorCode(client.put(k, { v: 2 }, {}, policy))).toBe(
      Aerospike.status.ERR_RECORD_EXISTS,
    )
    expect((await client.get(k)).bins).toEqual({ v: 1 })
  })

  it('update-only and replace-only fail with 2 on a missing record', async () => {
    const k = key(set, 'update')
    for (const exists of [Aerospike.policy.exists.UPDATE, Aerospike.policy.exists.REPLACE]) {
      const policy = new Aerospike.WritePolicy({ exists })
      expect(await errorCode(client.put(k, { v: 1 }, {}, policy))).toBe(
        Aerospike.status.ERR_RECORD_NOT_FOUND,
      )
    }
    expect(await client.exists(k)).toBe(false)
  })

  it('replace drops bins the write does not name; update keeps them', async () => {
    const k = key(set, 'replace')
    await client.put(k, { a: 1, b: 2 })
    await client.put(
      k,
      { c: 3 },
      {},
      new Aerospike.WritePolicy({ exists: Aerospike.policy.exists.UPDATE }),
    )
    expect((await client.get(k)).bins).toEqual({ a: 1, b: 2, c: 3 })
    await client.put(
      k,
      { d: 4 },
      {},
      new Aerospike.WritePolicy({ exists: Aerospike.policy.exists.REPLACE }),
    )
    expect((await client.get(k)).bins).toEqual({ d: 4 })
    await client.put(
      k,
      { e: 5 },
      {},
      new Aerospike.WritePolicy({ exists: Aerospike.policy.exists.CREATE_OR_REPLACE }),
    )
    expect((await client.get(k)).bins).toEqual({ e: 5 })
  })

  it('generation EQ: a stale generation fails with 3, the current one succeeds', async () => {
    const k = key(set, 'gen-eq')
    await client.put(k, { v: 1 })
    await client.put(k, { v: 2 })
    const policy = new Aerospike.WritePolicy({ gen: Aerospike.policy.gen.EQ })
    expect(await errorCode(client.put(k, { v: 3 }, { gen: 1 }, policy))).toBe(
      Aerospike.status.ERR_RECORD_GENERATION,
    )
    await client.put(k, { v: 3 }, { gen: 2 }, policy)
    const record = await client.get(k)
    expect(record.bins).toEqual({ v: 3 })
    expect(record.gen).toBe(3)
  })

  it('generation GT: only a larger generation is accepted', async () => {
    const k = key(set, 'gen-gt')
    await client.put(k, { v: 1 })
    await client.put(k, { v: 2 })
    const policy = new Aerospike.WritePolicy({ gen: Aerospike.policy.gen.GT })
    expect(await errorCode(client.put(k, { v: 3 }, { gen: 2 }, policy))).toBe(
      Aerospike.status.ERR_RECORD_GENERATION,
    )
    await client.put(k, { v: 3 }, { gen: 5 }, policy)
    expect((await client.get(k)).bins).toEqual({ v: 3 })
  })

  it('generation policies on a missing record compare against generation 0', async () => {
    const eq = new Aerospike.WritePolicy({ gen: Aerospike.policy.gen.EQ })
    expect(await errorCode(client.put(key(set, 'gen-missing'), { v: 1 }, { gen: 4 }, eq))).toBe(
      Aerospike.status.ERR_RECORD_GENERATION,
    )
    await client.put(key(set, 'gen-missing'), { v: 1 }, { gen: 0 }, eq)
    expect((await client.get(key(set, 'gen-missing'))).gen).toBe(1)
  })

  it('remove with generation EQ checks the generation', async () => {
    const k = key(set, 'gen-remove')
    await client.put(k, { v: 1 })
    const policy = new Aerospike.RemovePolicy({ gen: Aerospike.policy.gen.EQ, generation: 7 })
    expect(await errorCode(client.remove(k, policy))).toBe(Aerospike.status.ERR_RECORD_GENERATION)
    await client.remove(
      k,
      new Aerospike.RemovePolicy({ gen: Aerospike.policy.gen.EQ, generation: 1 }),
    )
    expect(await client.exists(k)).toBe(false)
  })
})

describe('TTL', () => {
  const set = uniqueSetName('ttl')

  it('a record written without a TTL gets the namespace default-ttl', async () => {
    const k = key(set, 'default')
    await client.put(k, { v: 1 })
    const { ttl } = await client.get(k)
    if (ttlConfig.defaultTtl === 0) expect(ttl).toBe(Aerospike.ttl.NEVER_EXPIRE)
    else {
      expect(ttl).toBeGreaterThan(ttlConfig.defaultTtl - 10)
      expect(ttl).toBeLessThanOrEqual(ttlConfig.defaultTtl)
    }
  })

  it('reports the TTL it was given (or refuses it with 22 without nsup) and -1 for never', async () => {
    const k = key(set, 'ttl')
    if (ttlConfig.ttlWritesAllowed) {
      await client.put(k, { v: 1 }, { ttl: 1000 })
      const record = await client.get(k)
      expect(record.ttl).toBeGreaterThan(990)
      expect(record.ttl).toBeLessThanOrEqual(1000)
    } else {
      expect(await errorCode(client.put(k, { v: 1 }, { ttl: 1000 }))).toBe(
        Aerospike.status.ERR_FAIL_FORBIDDEN,
      )
      expect(await client.exists(k)).toBe(false)
    }
    // Never-expire is allowed either way.
    const never = key(set, 'never')
    await client.put(never, { v: 1 }, { ttl: Aerospike.ttl.NEVER_EXPIRE })
    expect((await client.get(never)).ttl).toBe(Aerospike.ttl.NEVER_EXPIRE)
  })

  it('DONT_UPDATE keeps the TTL; touch resets it and bumps the generation', async () => {
    const k = key(set, 'touch')
    if (!ttlConfig.ttlWritesAllowed) {
      // Don't-update is allowed without nsup (on a new record it means the default, 0 here);
      // a touch that sets a TTL is refused like any write that does.
      await client.put(k, { v: 1 }, { ttl: Aerospike.ttl.DONT_UPDATE })
      await client.put(k, { v: 2 }, { ttl: Aerospike.ttl.DONT_UPDATE })
      const kept = await client.get(k)
      expect(kept.ttl).toBe(defaultTtlOf(ttlConfig))
      expect(kept.gen).toBe(2)
      expect(await errorCode(client.operate(k, [Aerospike.operations.touch(3000)]))).toBe(
        Aerospike.status.ERR_FAIL_FORBIDDEN,
      )
      expect((await client.get(k)).gen).toBe(2)
      return
    }
    await client.put(k, { v: 1 }, { ttl: 500 })
    await client.put(k, { v: 2 }, { ttl: Aerospike.ttl.DONT_UPDATE })
    const kept = await client.get(k)
    expect(kept.ttl).toBeGreaterThan(490)
    expect(kept.ttl).toBeLessThanOrEqual(500)
    await client.operate(k, [Aerospike.operations.touch(3000)])
    const touched = await client.get(k)
    expect(touched.ttl).toBeGreaterThan(2990)
    expect(touched.gen).toBe(3)
    expect(touched.bins).toEqual({ v: 2 })
  })

  it('touch of a missing record fails with 2 (before any TTL check)', async () => {
    expect(
      await errorCode(client.operate(key(set, 'absent'), [Aerospike.operations.touch(100)])),
    ).toBe(Aerospike.status.ERR_RECORD_NOT_FOUND)
  })

  it('an expired record reads as not found', async (context) => {
    // Without nsup no record can be given a TTL, so none can expire.
    if (!ttlConfig.ttlWritesAllowed) context.skip()
    const k = key(set, 'expires')
    await client.put(k, { v: 1 }, { ttl: 1 })
    expect(await client.exists(k)).toBe(true)
    await new Promise((resolve) => setTimeout(resolve, 2200))
    expect(await client.exists(k)).toBe(false)
    expect(await errorCode(client.get(k))).toBe(Aerospike.status.ERR_RECORD_NOT_FOUND)
  })
})

describe('operate', () => {
  const set = uniqueSetName('operate')
  const ops = Aerospike.operations

  it('incr, append, prepend, write and read in one call, reads see earlier ops', async () => {
    const k = key(set, 'ops')
    await client.put(k, { n: 10, s: 'mid', f: new Aerospike.Double(1.5) })
    const record = await client.operate(k, [
      ops.incr('n', 5),
      ops.incr('f', new Aerospike.Double(0.25)),
      ops.append('s', '-end'),
      ops.prepend('s', 'start-'),
      ops.write('w', 'new'),
      ops.read('n'),
      ops.read('s'),
      ops.read('f'),
    ])
    expect(record.bins).toEqual({ n: 15, s: 'start-mid-end', f: 1.75 })
    expect((await client.get(k)).bins).toEqual({ n: 15, s: 'start-mid-end', f: 1.75, w: 'new' })
  })

  it('incr creates a missing bin and record; incr of a string fails with 12', async () => {
    const k = key(set, 'incr')
    await client.operate(k, [ops.incr('n', 3)])
    expect((await client.get(k)).bins).toEqual({ n: 3 })
    await client.put(k, { s: 'text' })
    expect(await errorCode(client.operate(k, [ops.incr('s', 1)]))).toBe(
      Aerospike.status.ERR_BIN_INCOMPATIBLE_TYPE,
    )
    expect(await errorCode(client.operate(k, [ops.append('n', 'x')]))).toBe(
      Aerospike.status.ERR_BIN_INCOMPATIBLE_TYPE,
    )
  })

  it('delete removes the record', async () => {
    const k = key(set, 'delete')
    await client.put(k, { a: 1 })
    await client.operate(k, [ops.delete()])
    expect(await client.exists(k)).toBe(false)
  })
})

describe('remove and truncate', () => {
  it('remove deletes; removing a missing record fails with 2', async () => {
    const set = uniqueSetName('remove')
    const k = key(set, 'r')
    await client.put(k, { a: 1 })
    await client.remove(k)
    expect(await client.exists(k)).toBe(false)
    expect(await errorCode(client.remove(k))).toBe(Aerospike.status.ERR_RECORD_NOT_FOUND)
  })

  it('truncate of a set deletes its records and leaves other sets alone', async () => {
    const set = uniqueSetName('trunc')
    const other = uniqueSetName('keep')
    for (let i = 0; i < 20; i++) await client.put(key(set, i), { i })
    await client.put(key(other, 'stay'), { v: 1 })
    // Truncation removes records last updated strictly before the server's "now": one written
    // in the same millisecond would stay, so let the clock move on first.
    await new Promise((resolve) => setTimeout(resolve, 10))
    await client.truncate(NS, set, 0)
    // The server applies a truncation in the background; poll for it.
    let left = 20
    for (let attempt = 0; attempt < 50 && left > 0; attempt++) {
      const results = await client.batchExists(Array.from({ length: 20 }, (_, i) => key(set, i)))
      left = results.filter((r) => r.status === Aerospike.status.OK).length
      if (left > 0) await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(left).toBe(0)
    expect(await client.exists(key(other, 'stay'))).toBe(true)
    // Records written after the truncation stay.
    await client.put(key(set, 'after'), { v: 2 })
    expect((await client.get(key(set, 'after'))).bins).toEqual({ v: 2 })
  })
})

describe('batches', () => {
  const set = uniqueSetName('batch')
  const ROWS = 10_000

  it(`batchWrite then batchRead of ${ROWS} rows keep every row, in order`, async () => {
    const writes = Array.from({ length: ROWS }, (_, i) => ({
      type: Aerospike.batchType.BATCH_WRITE,
      key: key(set, i),
      ops: [
        Aerospike.operations.write('i', i),
        Aerospike.operations.write('f', new Aerospike.Double(i + 0.5)),
        Aerospike.operations.write('s', `row-${i}`),
      ],
    }))
    const written = await client.batchWrite(writes)
    expect(written).toHaveLength(ROWS)
    expect(written.filter((r) => r.status !== Aerospike.status.OK)).toEqual([])

    const reads = Array.from({ length: ROWS }, (_, i) => ({
      type: Aerospike.batchType.BATCH_READ,
      key: key(set, i),
      readAllBins: true,
    }))
    const read = await client.batchRead(reads)
    expect(read).toHaveLength(ROWS)
    let good = 0
    read.forEach((row, i) => {
      const bins = row.record.bins as Record<string, unknown>
      if (
        row.status === 0 &&
        bins['i'] === i &&
        bins['f'] === i + 0.5 &&
        bins['s'] === `row-${i}` &&
        row.record.gen === 1
      )
        good++
    })
    expect(good).toBe(ROWS)
  })

  it('batch rows report their own result codes (missing rows 2, create-only on existing 5)', async () => {
    const keys = [key(set, 1), key(set, 'missing-a'), key(set, 2), key(set, 'missing-b')]
    const got = await client.batchGet(keys)
    expect(got.map((r) => r.status)).toEqual([0, 2, 0, 2])
    expect((got[0]!.record.bins as Record<string, unknown>)['i']).toBe(1)
    const exists = await client.batchExists(keys)
    expect(exists.map((r) => r.status)).toEqual([0, 2, 0, 2])
    const selected = await client.batchSelect(keys.slice(0, 1), ['s'])
    // The typings say `bins`; the client returns `record.bins` like the other batch calls.
    expect((selected[0] as unknown as { record: { bins: unknown } }).record.bins).toEqual({
      s: 'row-1',
    })

    const createOnly = new Aerospike.BatchWritePolicy({ exists: Aerospike.policy.exists.CREATE })
    const results = await client
      .batchWrite([
        {
          type: Aerospike.batchType.BATCH_WRITE,
          key: key(set, 3),
          ops: [Aerospike.operations.write('x', 1)],
          policy: createOnly,
        },
        {
          type: Aerospike.batchType.BATCH_WRITE,
          key: key(set, 'fresh'),
          ops: [Aerospike.operations.write('x', 1)],
          policy: createOnly,
        },
      ])
      .catch((error: { code: number }) => {
        throw new Error(`batchWrite failed as a whole: ${error.code}`)
      })
    expect(results.map((r) => r.status)).toEqual([
      Aerospike.status.ERR_RECORD_EXISTS,
      Aerospike.status.OK,
    ])
  })

  it('batchRead rows with bin names, header only, and read ops', async () => {
    const records = [
      { type: Aerospike.batchType.BATCH_READ, key: key(set, 20), bins: ['s', 'missing'] },
      { type: Aerospike.batchType.BATCH_READ, key: key(set, 21), readAllBins: false },
      {
        type: Aerospike.batchType.BATCH_READ,
        key: key(set, 22),
        ops: [Aerospike.operations.read('i')],
      },
      { type: Aerospike.batchType.BATCH_READ, key: key(set, 'nobody'), readAllBins: true },
    ]
    // The typings have no single record type for these shapes together.
    const rows = await client.batchRead(records as unknown as Aerospike.BatchReadRecord[])
    expect(rows.map((row) => row.status)).toEqual([0, 0, 0, 2])
    expect(rows[0]!.record.bins).toEqual({ s: 'row-20' })
    expect(rows[1]!.record.gen).toBe(1)
    expect(rows[1]!.record.bins ?? {}).toEqual({})
    expect(rows[2]!.record.bins).toEqual({ i: 22 })
  })

  it('batchRemove removes existing rows and reports missing ones', async () => {
    const keys = [key(set, 10), key(set, 11), key(set, 'never-written')]
    const removed = await client.batchRemove(keys)
    expect(removed.map((r) => r.status)).toEqual([0, 0, 2])
    const after = await client.batchExists(keys)
    expect(after.map((r) => r.status)).toEqual([2, 2, 2])
  })
})

describe('record size', () => {
  it('a record above the namespace max-record-size fails with 13; one below it is stored', async () => {
    const set = uniqueSetName('size')
    const stats = await client.infoAny(`namespace/${NS}`)
    const limit = Number(/(?:^|[\t;])max-record-size=(\d+)/.exec(stats)?.[1] ?? 1024 * 1024)
    // 0 would mean "the storage's own limit"; the default config says 1 MiB.
    const maxRecordSize = limit === 0 ? 1024 * 1024 : limit
    const small = Buffer.alloc(maxRecordSize - 4096, 7)
    await client.put(key(set, 'small'), { b: small })
    expect(((await client.get(key(set, 'small'))).bins['b'] as Buffer).length).toBe(small.length)
    const big = Buffer.alloc(maxRecordSize + 1, 7)
    expect(await errorCode(client.put(key(set, 'big'), { b: big }))).toBe(
      Aerospike.status.ERR_RECORD_TOO_BIG,
    )
    expect(await client.exists(key(set, 'big'))).toBe(false)
  })
})

describe('durable delete', () => {
  it('is refused with 25 on community edition, before the record is looked at', async () => {
    const set = uniqueSetName('durable')
    const k = key(set, 'd')
    await client.put(k, { a: 1 })
    const durable = new Aerospike.RemovePolicy({ durableDelete: true })
    const edition = await client.infoAny('edition')
    if (!/community/i.test(edition)) {
      await client.remove(k, durable)
      expect(await client.exists(k)).toBe(false)
      return
    }
    expect(await errorCode(client.remove(k, durable))).toBe(Aerospike.status.ERR_ENTERPRISE_ONLY)
    expect(await errorCode(client.remove(key(set, 'absent'), durable))).toBe(
      Aerospike.status.ERR_ENTERPRISE_ONLY,
    )
    // A write with the durable flag that does not delete is fine.
    await client.put(k, { a: 2 }, {}, new Aerospike.WritePolicy({ durableDelete: true }))
    expect(
      await errorCode(
        client.put(k, { a: null }, {}, new Aerospike.WritePolicy({ durableDelete: true })),
      ),
    ).toBe(Aerospike.status.ERR_ENTERPRISE_ONLY)
    expect((await client.get(k)).bins).toEqual({ a: 2 })
  })
})

describe('keys sent with the record', () => {
  it('a user key sent with policy key=SEND comes back on reads', async () => {
    const set = uniqueSetName('sendkey')
    const k = key(set, 'user-key-1')
    await client.put(k, { v: 1 }, {}, new Aerospike.WritePolicy({ key: Aerospike.policy.key.SEND }))
    const record = await client.get(k, new Aerospike.ReadPolicy({ key: Aerospike.policy.key.SEND }))
    expect(record.bins).toEqual({ v: 1 })
  })
})
