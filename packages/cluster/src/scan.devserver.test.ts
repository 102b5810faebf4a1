// Partition scans through the cluster engine against the devserver (1 and 3 nodes), or the
// cluster in AEROSPIKE_HOSTS: every record exactly once, values equal, the stored key where it was
// sent, partition filters, resumes, pages. Fault tests (cut streams, unavailable partitions, a
// node lost mid-scan, timeouts) need the devserver and are skipped on a real cluster.
import {
  allRows,
  compileWritePlan,
  concatScanChunks,
  createWriteOutcome,
  resolveScanPartitions,
  resolveScanPolicy,
  resolveWritePolicy,
  userKeyDigest,
  ScanChunkSink,
  type ScanChunk,
  type ScanJob,
  type ScanOutcome,
  type ScanPartition,
} from '@aerospike-numpy/core'
import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
import {
  getTestCluster,
  rowColumns,
  skipUnlessDevServer,
  uniqueSetName,
  type TestCluster,
} from '@aerospike-numpy/test-utils'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { batchWrite } from './batch.js'
import { Cluster } from './cluster.js'
import { scanPartitions } from './scan.js'

const dt = dtype([
  ['_key', 'i8'],
  ['x', 'f8'],
  ['n', 'i4'],
  ['s', 'S6'],
])
const N = 3000

const rows = (n: number, from = 0): StructuredArray =>
  StructuredArray.fromColumns(
    dt,
    rowColumns(
      n,
      { _key: (row) => row, x: (row) => row / 4, n: (row) => -row, s: (row) => `s${row % 100000}` },
      from,
    ),
  )

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')
const pidOf = (digest: Uint8Array): number => (digest[0]! | (digest[1]! << 8)) & 4095

async function write(cluster: Cluster, data: StructuredArray, set: string, sendKey: boolean) {
  const outcome = createWriteOutcome(data.length)
  await batchWrite(cluster, {
    plan: compileWritePlan(dt),
    data,
    rows: allRows(data.length),
    namespace: 'test',
    set,
    policy: resolveWritePolicy({ totalTimeout: 20_000, key: sendKey ? 1 : 0 }),
    outcome,
  })
  expect([...outcome.resultCodes].every((c) => c === 0)).toBe(true)
}

interface ScanResult {
  chunk: ScanChunk
  outcome: ScanOutcome
  /** digest hex → row */
  byDigest: Map<string, number>
}

async function scan(
  cluster: Cluster,
  set: string,
  options: Partial<
    Omit<ScanJob, 'sink' | 'policy' | 'partitions' | 'signal' | 'ready' | 'full'>
  > & {
    partitions?: ScanPartition[]
    policy?: object
    ready?: () => Promise<void>
    signal?: AbortSignal
  } = {},
): Promise<ScanResult> {
  const chunks: ScanChunk[] = []
  const sink = new ScanChunkSink({
    dtype: dt,
    chunkRows: 1000,
    maxRecords: options.maxRecords ?? 0,
    namespace: 'test',
    set,
    onChunk: (c) => chunks.push(c),
  })
  const outcome = await scanPartitions(cluster, {
    namespace: 'test',
    set,
    bins: options.bins ?? ['x', 'n', 's'],
    partitions: options.partitions ?? resolveScanPartitions(undefined),
    maxRecords: options.maxRecords ?? 0,
    concurrency: options.concurrency ?? 0,
    pageRecords: options.pageRecords ?? 0,
    policy: resolveScanPolicy({
      socketTimeout: 20_000,
      sleepBetweenRetries: 50,
      ...options.policy,
    }),
    sink,
    signal: options.signal ?? new AbortController().signal,
    full: () => false,
    ready: options.ready ?? (() => Promise.resolve()),
  })
  sink.flush()
  const chunk = concatScanChunks(dt, chunks)
  const byDigest = new Map<string, number>()
  for (let i = 0; i < chunk.length; i++) {
    const d = hex(chunk.digests.subarray(i * 20, i * 20 + 20))
    // exactly once: a digest never comes twice
    expect(byDigest.has(d), `digest ${d} twice`).toBe(false)
    byDigest.set(d, i)
  }
  return { chunk, outcome, byDigest }
}

/** Every key of `keys` read once with the values `rows` wrote; the key field filled when sent. */
function expectRows(
  result: ScanResult,
  set: string,
  keys: number[],
  sentKey: (k: number) => boolean,
) {
  const { chunk, byDigest } = result
  expect(chunk.length).toBe(keys.length)
  const key = chunk.records.get('_key') as BigInt64Array
  const x = chunk.records.get('x') as Float64Array
  const n = chunk.records.get('n') as Int32Array
  const gen = chunk.meta.get('gen') as Uint32Array
  for (const k of keys) {
    const row = byDigest.get(hex(userKeyDigest(set, k)))
    expect(row, `key ${k} missing`).toBeDefined()
    expect(x[row!]).toBe(k / 4)
    expect(n[row!]).toBe(k === 0 ? 0 : -k)
    expect(key[row!]).toBe(sentKey(k) ? BigInt(k) : 0n)
    expect(gen[row!]).toBe(1)
    const s = (chunk.records.row(row!) as { s: Uint8Array }).s
    expect(Buffer.from(s).toString('latin1').replace(/\0+$/, '')).toBe(`s${k}`)
  }
}

const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i)

for (const nodes of [1, 3]) {
  describe(`partition scans, ${nodes} node(s)`, () => {
    let tc: TestCluster
    let cluster: Cluster
    const set = uniqueSetName('scan')
    const even = (k: number): boolean => k % 2 === 0
    beforeAll(async () => {
      tc = await getTestCluster({ nodes })
      cluster = await Cluster.connect({ hosts: [tc.hosts[0]!] })
      // Even keys stored with the record (key SEND), odd keys as digests only.
      const data = rows(N)
      const evens = StructuredArray.zeros(dt, N / 2)
      const odds = StructuredArray.zeros(dt, N / 2)
      for (let i = 0; i < N; i++) {
        const target = i % 2 === 0 ? evens : odds
        target.bytes.set(
          data.bytes.subarray(i * dt.itemsize, (i + 1) * dt.itemsize),
          (i >> 1) * dt.itemsize,
        )
      }
      await write(cluster, evens, set, true)
      await write(cluster, odds, set, false)
    })
    afterAll(async () => {
      await cluster?.close()
      await tc?.close()
    })
    afterEach(async () => {
      await tc.devserver?.clearFaults()
    })

    it('reads every record exactly once, values equal, the key where it was sent', async () => {
      const result = await scan(cluster, set)
      expect(result.outcome).toEqual({ unfinished: [], stopped: false })
      expectRows(result, set, range(N), even)
      const ttl = result.chunk.meta.get('ttl') as Uint32Array
      expect(ttl.every((t) => t > 0)).toBe(true)
    })

    it('pages: node requests of at most 97 records still read every record once', async () => {
      let pages = 0
      const result = await scan(cluster, set, {
        pageRecords: 97,
        ready: async () => {
          pages++
        },
      })
      expectRows(result, set, range(N), even)
      expect(pages).toBeGreaterThan(N / 97)
    })

    it('reads only the partitions asked for', async () => {
      const partitions = resolveScanPartitions({ begin: 1000, count: 700 })
      const result = await scan(cluster, set, { partitions })
      const expected = range(N).filter((k) => {
        const pid = pidOf(userKeyDigest(set, k))
        return pid >= 1000 && pid < 1700
      })
      expectRows(result, set, expected, even)
    })

    it('resumes a partition after a digest with the records below it, as the server orders them', async () => {
      // the most populated partition of the set
      const counts = new Map<number, number>()
      for (const k of range(N)) {
        const pid = pidOf(userKeyDigest(set, k))
        counts.set(pid, (counts.get(pid) ?? 0) + 1)
      }
      const [pid] = [...counts].sort((a, b) => b[1] - a[1])[0]!
      const whole = await scan(cluster, set, { partitions: [{ id: pid, digest: null }] })
      expect(whole.chunk.length).toBe(counts.get(pid))
      const order = Array.from({ length: whole.chunk.length }, (_, i) =>
        hex(whole.chunk.digests.subarray(i * 20, i * 20 + 20)),
      )
      // descending digest order within a partition
      expect([...order].sort().reverse()).toEqual(order)
      const resumeAfter = Buffer.from(order[1]!, 'hex')
      const rest = await scan(cluster, set, { partitions: [{ id: pid, digest: resumeAfter }] })
      expect([...rest.byDigest.keys()]).toEqual(order.slice(2))
    })

    it('stops at maxRecords with that many distinct records', async () => {
      const result = await scan(cluster, set, { maxRecords: 25 })
      expect(result.chunk.length).toBe(25)
      expect(result.outcome.stopped).toBe(true)
      // the connections it left were closed, not reused half-read
      const again = await scan(cluster, set)
      expect(again.chunk.length).toBe(N)
    })

    it('metadata only (no bins) still gives digests, meta and stored keys', async () => {
      const result = await scan(cluster, set, { bins: [] })
      expect(result.chunk.length).toBe(N)
      expect((result.chunk.records.get('x') as Float64Array).every((v) => v === 0)).toBe(true)
      const key = result.chunk.records.get('_key') as BigInt64Array
      const row = result.byDigest.get(hex(userKeyDigest(set, 42)))!
      expect(key[row]).toBe(42n)
    })

    it('an unknown set gives no rows; an unknown namespace fails', async () => {
      const empty = await scan(cluster, uniqueSetName('none'))
      expect(empty.chunk.length).toBe(0)
      await expect(
        scanPartitions(cluster, {
          namespace: 'nope',
          set,
          bins: null,
          partitions: resolveScanPartitions(undefined),
          maxRecords: 0,
          concurrency: 0,
          pageRecords: 0,
          policy: resolveScanPolicy(),
          sink: new ScanChunkSink({
            dtype: dt,
            chunkRows: 10,
            maxRecords: 0,
            namespace: 'nope',
            set,
            onChunk: () => {},
          }),
          signal: new AbortController().signal,
          full: () => false,
          ready: () => Promise.resolve(),
        }),
      ).rejects.toMatchObject({ code: 20 })
    })

    describe.skipIf(skipUnlessDevServer())('faults (devserver only: needs fault injection)', () => {
      it('a stream cut mid-way is resumed from its last digest: every record once', async () => {
        await tc.devserver!.dropNextResponses({ command: 'scan', times: 2 })
        const result = await scan(cluster, set)
        expect(result.outcome.unfinished).toEqual([])
        expectRows(result, set, range(N), even)
      })

      it('partitions a node reports unavailable are read in the next round', async () => {
        await tc.devserver!.failScanPartitions({ partitions: [0, 1, 2, 4095], times: 2 })
        const result = await scan(cluster, set, { policy: { maxRetries: 3 } })
        expect(result.outcome.unfinished).toEqual([])
        expectRows(result, set, range(N), even)
      })

      it('partitions still unavailable after the retries are reported, with their code', async () => {
        await tc.devserver!.failScanPartitions({ partitions: [7, 8], times: 10 })
        const result = await scan(cluster, set, { policy: { maxRetries: 1 } })
        expect(result.outcome.unfinished).toEqual([
          { id: 7, digest: null, code: 11 },
          { id: 8, digest: null, code: 11 },
        ])
        const expected = range(N).filter((k) => ![7, 8].includes(pidOf(userKeyDigest(set, k))))
        expectRows(result, set, expected, even)
      })

      it('a timeout leaves partitions unfinished (code 9), and they resume later', async () => {
        await tc.devserver!.setLatency(400)
        let result: ScanResult
        try {
          result = await scan(cluster, set, {
            partitions: resolveScanPartitions({ begin: 0, count: 300 }),
            policy: { socketTimeout: 100, maxRetries: 1 },
          })
        } finally {
          await tc.devserver!.setLatency(0)
        }
        expect(result.outcome.unfinished.length).toBe(300)
        expect(result.outcome.unfinished.every((p) => p.code === 9)).toBe(true)
        const resumed = await scan(cluster, set, { partitions: result.outcome.unfinished })
        const expected = range(N).filter((k) => pidOf(userKeyDigest(set, k)) < 300)
        expectRows(resumed, set, expected, even)
      })
    })

    describe.skipIf(skipUnlessDevServer() || nodes === 1)(
      'a node lost mid-scan (devserver only: stops nodes)',
      () => {
        it('without a new owner its partitions are reported with where they got to; resuming them later completes the set', async () => {
          let pages = 0
          const result = await scan(cluster, set, {
            pageRecords: 50,
            concurrency: 3,
            policy: { maxRetries: 1, sleepBetweenRetries: 0 },
            ready: async () => {
              if (++pages === 12) await tc.devserver!.stopNode(1)
            },
          })
          try {
            const unfinished = result.outcome.unfinished
            expect(unfinished.length).toBeGreaterThan(0)
            // every unfinished partition is node 1's (p % 3 === 1); some were read part-way
            expect(unfinished.every((p) => p.id % 3 === 1)).toBe(true)
            expect(unfinished.some((p) => p.digest !== null)).toBe(true)
            expect(unfinished.every((p) => p.code === -10 || p.code === -8)).toBe(true)
          } finally {
            await tc.devserver!.startNode(1)
            await cluster.tend()
            await cluster.tend()
          }
          const rest = await scan(cluster, set, { partitions: result.outcome.unfinished })
          // together: every record exactly once
          for (const d of rest.byDigest.keys()) expect(result.byDigest.has(d)).toBe(false)
          expect(result.chunk.length + rest.chunk.length).toBe(N)
        })

        it('once the cluster hands its partitions over, the scan resumes them: every record once', async () => {
          let pages = 0
          try {
            const result = await scan(cluster, set, {
              pageRecords: 50,
              policy: { maxRetries: 5, sleepBetweenRetries: 100 },
              ready: async () => {
                if (++pages === 12) await tc.devserver!.stopNode(2, { handOff: true })
              },
            })
            expect(result.outcome.unfinished).toEqual([])
            expectRows(result, set, range(N), even)
          } finally {
            await tc.devserver!.startNode(2)
            await cluster.tend()
            await cluster.tend()
          }
        })
      },
    )
  })
}
