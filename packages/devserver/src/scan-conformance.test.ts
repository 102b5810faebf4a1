// Conformance of partition scans and queries, driven ONLY through the official `aerospike`
// client (query.foreach, query.partitions, scan.foreach, paginated queries). Server-agnostic: the
// same file runs unchanged against a real cluster with AEROSPIKE_HOSTS (each test uses its own
// set). The fault cases need the devserver and are skipped on a real cluster.

import Aerospike from 'aerospike'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'

// test-utils depends on this package, so it is imported by path (see conformance.test.ts).
import {
  connectOfficialClient,
  getTestCluster,
  skipUnlessDevServer,
  uniqueSetName,
  type OfficialClient,
  type TestCluster,
} from '../../test-utils/src/index.js'
import { keyDigest, partitionId } from '@aerospike-numpy/wire'

const NS = 'test'
const N = 400

interface Rec {
  key: { key?: unknown; digest: Buffer }
  bins: Record<string, unknown>
  gen: number
  ttl: number
}

let cluster: TestCluster
let client: OfficialClient
const set = uniqueSetName('oscan')

beforeAll(async () => {
  cluster = await getTestCluster({ nodes: 2 })
  client = await connectOfficialClient(cluster)
  // Keys 0..N-1; even keys stored with the record; every tenth record has only bin 'other'.
  const records = Array.from({ length: N }, (_, i) => ({
    type: Aerospike.batchType.BATCH_WRITE,
    key: new Aerospike.Key(NS, set, i),
    ops:
      i % 10 === 9
        ? [Aerospike.operations.write('other', 'x')]
        : [
            Aerospike.operations.write('i', i),
            Aerospike.operations.write('f', new Aerospike.Double(i + 0.5)),
            Aerospike.operations.write('s', `v${i}`),
          ],
    policy: new Aerospike.BatchWritePolicy({
      key: i % 2 === 0 ? Aerospike.policy.key.SEND : Aerospike.policy.key.DIGEST,
    }),
  }))
  const results = await client.batchWrite(records as never)
  expect(results.every((r) => r.status === 0)).toBe(true)
})

afterAll(async () => {
  await client?.close()
  await cluster?.close()
})

afterEach(async () => {
  await cluster.devserver?.clearFaults()
})

const POLICY = new Aerospike.QueryPolicy({ totalTimeout: 20_000, socketTimeout: 20_000 })

function collect(stream: Aerospike.RecordStream): Promise<Rec[]> {
  return new Promise((resolve, reject) => {
    const out: Rec[] = []
    stream.on('data', (record) => out.push(record as unknown as Rec))
    stream.on('error', reject)
    stream.on('end', () => resolve(out))
  })
}

function keyOf(record: Rec): number {
  const digest = record.key.digest.toString('hex')
  for (let i = 0; i < N; i++)
    if (Buffer.from(keyDigest(set, i)).toString('hex') === digest) return i
  throw new Error(`unknown digest ${digest}`)
}

function expectOnce(records: Rec[], keys: number[]): void {
  const seen = records.map(keyOf).sort((a, b) => a - b)
  expect(seen).toEqual([...keys].sort((a, b) => a - b))
}

const all = Array.from({ length: N }, (_, i) => i)

describe('query.foreach of a set (partition query)', () => {
  it('returns every record once with its bins, generation, TTL and the key where it was sent', async () => {
    const records = await collect(client.query(NS, set).foreach(POLICY))
    expectOnce(records, all)
    for (const record of records) {
      const k = keyOf(record)
      expect(record.gen).toBe(1)
      expect(record.key.key).toBe(k % 2 === 0 ? k : undefined)
      if (k % 10 === 9) expect(record.bins).toEqual({ other: 'x' })
      else expect(record.bins).toEqual({ i: k, f: k + 0.5, s: `v${k}` })
    }
  })

  it('scan.foreach sees the same records', async () => {
    const records = await collect(client.scan(NS, set).foreach(POLICY as never))
    expectOnce(records, all)
  })

  it('select: only the chosen bins, and records with none of them are left out', async () => {
    const query = client.query(NS, set)
    query.select('s')
    const records = await collect(query.foreach(POLICY))
    expectOnce(
      records,
      all.filter((k) => k % 10 !== 9),
    )
    for (const record of records) expect(Object.keys(record.bins)).toEqual(['s'])
  })

  it('nobins: every record, no bins', async () => {
    const query = client.query(NS, set, { nobins: true })
    const records = await collect(query.foreach(POLICY))
    expectOnce(records, all)
    for (const record of records) expect(record.bins).toEqual({})
  })

  it('partitions(begin, count) reads exactly those partitions', async () => {
    const query = client.query(NS, set)
    query.partitions(1024, 2048)
    const records = await collect(query.foreach(POLICY))
    expectOnce(
      records,
      all.filter((k) => {
        const pid = partitionId(keyDigest(set, k))
        return pid >= 1024 && pid < 3072
      }),
    )
  })

  it('paginated (maxRecords pages resumed by digest) reads every record once', async () => {
    const query = client.query(NS, set, { paginate: true, maxRecords: 37 })
    const records: Rec[] = []
    let pages = 0
    do {
      records.push(...((await query.results(POLICY)) as unknown as Rec[]))
      pages++
    } while (query.hasNextPage() && pages < 100)
    expect(pages).toBeGreaterThan(N / 37)
    expectOnce(records, all)
  })

  it('a set that does not exist gives no records', async () => {
    expect(await collect(client.query(NS, uniqueSetName('none')).foreach(POLICY))).toEqual([])
  })
})

describe.skipIf(skipUnlessDevServer())(
  'faults the official client recovers from (devserver only)',
  () => {
    it('a cut stream: the client resumes from its last digests, every record once', async () => {
      await cluster.devserver!.dropNextResponses({ command: 'scan', times: 1, afterBytes: 4000 })
      const records = await collect(client.query(NS, set).foreach(POLICY))
      expectOnce(records, all)
    })

    it('partitions reported unavailable are queried again', async () => {
      const pids = [...new Set(all.slice(0, 20).map((k) => partitionId(keyDigest(set, k))))]
      await cluster.devserver!.failScanPartitions({ partitions: pids, times: 1 })
      const records = await collect(client.query(NS, set).foreach(POLICY))
      expectOnce(records, all)
    })

    it('partitions unavailable every time fail the query with 11', async () => {
      await cluster.devserver!.failScanPartitions({ partitions: [5], times: 100 })
      const policy = new Aerospike.QueryPolicy({ totalTimeout: 5000, maxRetries: 1 })
      await expect(collect(client.query(NS, set).foreach(policy))).rejects.toMatchObject({
        code: 11,
      })
    })
  },
)
