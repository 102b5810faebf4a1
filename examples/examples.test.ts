// Runs every example, sync and async, against the devserver (or AEROSPIKE_HOSTS), and checks what
// each prints and what it left in the database — read back through the official client.

import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  connectOfficialClient,
  getTestCluster,
  loadOfficialClient,
  skipUnlessDevServer,
  uniqueSetName,
} from '@aerospike-numpy/test-utils'
import type { OfficialClient, TestCluster } from '@aerospike-numpy/test-utils'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import * as chunkingAsync from './async/chunking.js'
import * as customKeyAsync from './async/custom-key-field.js'
import * as errorHandlingAsync from './async/error-handling.js'
import * as npyAsync from './async/npy-ingest.js'
import * as quickStartAsync from './async/quick-start.js'
import * as retryAsync from './async/retry.js'
import * as readByKeyAsync from './async/read-by-key.js'
import * as roundtripAsync from './async/roundtrip.js'
import * as scanAsync from './async/scan.js'
import * as sensorAsync from './async/sensor-ingestion.js'
import * as tableAsync from './async/table-to-array.js'
import * as vectorsAsync from './async/vector-embeddings.js'
import { hostsFromEnv, parseHosts } from './shared/hosts.js'
import * as chunkingSync from './sync/chunking.js'
import * as customKeySync from './sync/custom-key-field.js'
import * as errorHandlingSync from './sync/error-handling.js'
import * as npySync from './sync/npy-ingest.js'
import * as quickStartSync from './sync/quick-start.js'
import * as retrySync from './sync/retry.js'
import * as readByKeySync from './sync/read-by-key.js'
import * as roundtripSync from './sync/roundtrip.js'
import * as scanSync from './sync/scan.js'
import * as sensorSync from './sync/sensor-ingestion.js'
import * as tableSync from './sync/table-to-array.js'
import * as vectorsSync from './sync/vector-embeddings.js'

const PARTICLE_INTEGER = 1
const PARTICLE_FLOAT = 2
const PARTICLE_BLOB = 4

let cluster: TestCluster
let official: OfficialClient
let Aerospike: Awaited<ReturnType<typeof loadOfficialClient>>

beforeAll(async () => {
  cluster = await getTestCluster()
  official = await connectOfficialClient(cluster)
  Aerospike = await loadOfficialClient()
})

afterAll(async () => {
  await official?.close()
  await cluster?.close()
})

let logged: string[] = []
function captureLog(): void {
  logged = []
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    logged.push(args.map(String).join(' '))
  })
}
afterEach(() => {
  vi.restoreAllMocks()
})

async function bins(set: string, key: number): Promise<Record<string, unknown>> {
  // The typings' Key and KeyOptions disagree under exactOptionalPropertyTypes; it is a Key.
  const record = await official.get(
    new Aerospike.Key('test', set, key) as Parameters<OfficialClient['get']>[0],
  )
  return record.bins as Record<string, unknown>
}

/** The particle type a bin is stored with (devserver introspection; null on a real cluster). */
async function particleType(set: string, key: number, bin: string): Promise<number | null> {
  if (cluster.devserver === null) return null
  const record = await cluster.devserver.getRecord('test', set, key)
  return record?.bins.find((b) => b.name === bin)?.particleType ?? null
}

const variants = [
  {
    mode: 'sync',
    quickStart: quickStartSync.main,
    customKey: customKeySync.main,
    sensor: sensorSync.main,
    vectors: vectorsSync.main,
    roundtrip: roundtripSync.main,
    table: tableSync.main,
    retry: retrySync.main,
    errorHandling: errorHandlingSync.main,
    chunking: chunkingSync.main,
    npy: npySync.main,
    scan: scanSync.main,
    readByKey: readByKeySync.main,
  },
  {
    mode: 'async',
    quickStart: quickStartAsync.main,
    customKey: customKeyAsync.main,
    sensor: sensorAsync.main,
    vectors: vectorsAsync.main,
    roundtrip: roundtripAsync.main,
    table: tableAsync.main,
    retry: retryAsync.main,
    errorHandling: errorHandlingAsync.main,
    chunking: chunkingAsync.main,
    npy: npyAsync.main,
    scan: scanAsync.main,
    readByKey: readByKeyAsync.main,
  },
] as const

describe.each(variants)('$mode examples', (examples) => {
  it('quick start: three records, each printed with its generation', async () => {
    const set = uniqueSetName('quick')
    captureLog()
    const results = await examples.quickStart(cluster.hosts, set)
    expect(logged).toEqual(['Key: 1, Gen: 1', 'Key: 2, Gen: 1', 'Key: 3, Gen: 1'])
    expect(Array.from(results.resultCodes)).toEqual([0, 0, 0])
    expect(await bins(set, 2)).toEqual({ score: 0.87, count: 20 })
    expect(await particleType(set, 2, 'score')).toBe(cluster.isReal ? null : PARTICLE_FLOAT)
  })

  it('custom key field: user_id is the key and, without a leading _, a bin too', async () => {
    const set = uniqueSetName('userkey')
    captureLog()
    const results = await examples.customKey(cluster.hosts, set)
    expect(results.writtenCount).toBe(2)
    expect(logged).toEqual(['user_id=100: result 0', 'user_id=101: result 0'])
    expect(await bins(set, 101)).toEqual({ user_id: 101, score: 2.5 })
  })

  it('sensor ingestion: 1000 readings, values as written', async () => {
    const set = uniqueSetName('sensors')
    captureLog()
    const { data, results } = await examples.sensor(cluster.hosts, set)
    expect(logged).toEqual(['Wrote 1000 records'])
    expect(results.writtenCount).toBe(1000)
    const temperature = data.get('temperature') as Float64Array
    const humidity = data.get('humidity') as Float32Array
    for (const key of [0, 499, 999]) {
      expect(await bins(set, key)).toEqual({
        temperature: temperature[key],
        humidity: humidity[key],
        pressure: expect.any(Number),
        status: 1,
      })
    }
    expect(await particleType(set, 7, 'status')).toBe(cluster.isReal ? null : PARTICLE_INTEGER)
    expect(await particleType(set, 7, 'humidity')).toBe(cluster.isReal ? null : PARTICLE_FLOAT)
  })

  it('vector embeddings: each vector is a 512-byte blob of its float32 bytes', async () => {
    const set = uniqueSetName('vectors')
    captureLog()
    const { embeddings, results } = await examples.vectors(cluster.hosts, set)
    expect(results.writtenCount).toBe(100)
    expect(logged).toEqual(['Wrote 100 of 100 embeddings'])
    const stored = await bins(set, 42)
    const embedding = stored['embedding'] as Buffer
    expect(embedding).toHaveLength(512)
    expect(new Float32Array(new Uint8Array(embedding).buffer)).toEqual(
      embeddings.subarray(42 * 128, 43 * 128),
    )
    expect(await particleType(set, 42, 'embedding')).toBe(cluster.isReal ? null : PARTICLE_BLOB)
  })

  it('write and read roundtrip: x.mean() is 3 and category.sum() is 1', async () => {
    const set = uniqueSetName('points')
    captureLog()
    const { xMean, categorySum, batch } = await examples.roundtrip(cluster.hosts, set)
    expect(logged).toEqual(['3', '1'])
    expect([xMean, categorySum]).toEqual([3, 1])
    expect(Array.from(batch.resultCodes)).toEqual([0, 0, 0])
    expect(Array.from(batch.batchRecords.get('y') as Float64Array)).toEqual([2, 4, 6])
  })

  it('scan: every row once, chunk by chunk and all at once, keys given back', async () => {
    const set = uniqueSetName('readings')
    captureLog()
    const { rows, all } = await examples.scan(cluster.hosts, set)
    expect(logged).toEqual([
      'Scanned 5000 rows, mean temperature 24.50',
      'scanNumpyAll: 5000 rows, keys 0..4999',
    ])
    expect(rows).toBe(5000)
    expect(new Set(all.records.get('_key') as Int32Array).size).toBe(5000)
  })

  it('read by key: a key column read back in key order, missing keys code 2', async () => {
    const set = uniqueSetName('stations')
    captureLog()
    const { byKeys } = await examples.readByKey(cluster.hosts, set)
    expect(logged).toEqual(['3,1,0', '0,0,2', '21.5,19.25,23,18.75'])
    expect(byKeys.foundCount()).toBe(2)
  })

  it('table to structured array: user_id becomes the key', async () => {
    const set = uniqueSetName('users')
    captureLog()
    const results = await examples.table(cluster.hosts, set)
    expect(results.writtenCount).toBe(3)
    expect(logged).toEqual(['Wrote 3 users'])
    expect(await bins(set, 2)).toEqual({ score: 0.87, level: 20 })
  })

  it('retry: every row written', async () => {
    const set = uniqueSetName('retry')
    captureLog()
    const results = await examples.retry(cluster.hosts, set)
    expect(logged).toEqual(['100 written, 0 failed'])
    expect(results.failedCount).toBe(0)
  })

  it.skipIf(skipUnlessDevServer())(
    'retry: rows failing with a transient code are re-sent, alone, until written',
    async () => {
      const devserver = cluster.devserver!
      const set = uniqueSetName('retry')
      const faulted = [3, 50, 97]
      await devserver.injectFault({
        namespace: 'test',
        set,
        keys: faulted,
        resultCode: 14, // key busy
        times: 2,
        ops: 'write',
      })
      try {
        captureLog()
        const results = await examples.retry(cluster.hosts, set)
        expect(logged).toEqual(['100 written, 0 failed'])
        expect(results.writtenCount).toBe(100)
        for (const key of faulted) expect(await devserver.writeCount('test', set, key)).toBe(3)
        expect(await devserver.writeCount('test', set, 4)).toBe(1)
      } finally {
        await devserver.clearFaults()
      }
    },
  )

  it('error handling: per-row codes, and the whole-call error caught as AerospikeError', async () => {
    const set = uniqueSetName('errors')
    captureLog()
    const { caught, failedRows } = await examples.errorHandling(cluster.hosts, set)
    // "create only" on existing keys: each row fails alone with code 5 (record exists)
    expect(failedRows).toEqual([
      { key: 1, result: 5 },
      { key: 2, result: 5 },
    ])
    expect(logged.slice(0, 2)).toEqual([
      'Write failed for key 1 (code=5)',
      'Write failed for key 2 (code=5)',
    ])
    // the dtype mismatch: a parameter error (code -2, as the official client's ERR_PARAM)
    expect(caught).toEqual([{ name: 'ParamError', code: -2 }])
    expect(logged[2]).toMatch(/^Batch write error: ParamError \(code=-2\): .*dtype/)
  })

  it('chunking: 10,000 rows in slices of 1000, and with writeNumpy', async () => {
    const set = uniqueSetName('chunks')
    captureLog()
    const { written, bulkWritten } = await examples.chunking(cluster.hosts, set)
    expect([written, bulkWritten]).toEqual([10_000, 10_000])
    expect(logged).toEqual([
      'Loop: 10000 of 10000 rows written',
      'writeNumpy: 10000 of 10000 rows written',
    ])
    expect(await bins(set, 9999)).toEqual({ value: 4999.5 })
  })
})

describe('a .npy file written by numpy', () => {
  let dir: string
  let file: string
  /** Values numpy wrote, printed by numpy itself (repr of a float64 round-trips exactly). */
  let expected: { key: number; temperature: number; humidity: number; status: number }[]

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'examples-npy-'))
    file = path.join(dir, 'readings.npy')
    const script = `
import json, sys
import numpy as np
rng = np.random.default_rng(7)
dt = np.dtype([('_key', '<i4'), ('temperature', '<f8'), ('humidity', '<f4'), ('status', 'u1')])
a = np.zeros(25000, dtype=dt)
a['_key'] = np.arange(25000)
a['temperature'] = rng.normal(25.0, 5.0, 25000)
a['humidity'] = rng.uniform(30.0, 90.0, 25000).astype(np.float32)
a['status'] = 1
np.save(sys.argv[1], a)
print(json.dumps([{'key': int(i), 'temperature': float(a['temperature'][i]),
                   'humidity': float(a['humidity'][i]), 'status': int(a['status'][i])}
                  for i in (0, 12345, 24999)]))
`
    const out = spawnSync('python3', ['-c', script, file], { encoding: 'utf8' })
    if (out.status !== 0) throw new Error(`python3 failed: ${out.stderr}`)
    expected = JSON.parse(out.stdout) as typeof expected
  })

  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it.each([
    ['sync', npySync.main],
    ['async (streamed)', npyAsync.main],
  ] as const)(
    '%s: every row ingested with writeNumpy, values as numpy wrote them',
    async (_, main) => {
      const set = uniqueSetName('npy')
      captureLog()
      const summary = await main(cluster.hosts, file, set)
      expect(summary.rowCount).toBe(25_000)
      expect(summary.writtenCount).toBe(25_000)
      expect(summary.failedCount).toBe(0)
      expect(logged.at(-1)).toMatch(/readings\.npy: 25000 rows.*25000 written/)
      for (const row of expected) {
        expect(await bins(set, row.key)).toEqual({
          temperature: row.temperature,
          humidity: row.humidity,
          status: row.status,
        })
      }
    },
  )
})

describe('each example is a runnable file', () => {
  const root = path.dirname(fileURLToPath(import.meta.url))

  beforeAll(() => {
    // `pnpm test` builds dist/ first; when run alone, build it here.
    if (!existsSync(path.join(root, 'dist/sync/quick-start.js'))) {
      const tsc = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], {
        cwd: root,
        encoding: 'utf8',
      })
      if (tsc.status !== 0)
        throw new Error(`building the examples failed: ${tsc.stdout}${tsc.stderr}`)
    }
  })

  it.each(['sync/quick-start.js', 'async/quick-start.js'])(
    'node dist/%s takes its hosts from AEROSPIKE_HOSTS and exits by itself',
    (file) => {
      const run = spawnSync(process.execPath, [path.join(root, 'dist', file)], {
        env: { ...process.env, AEROSPIKE_HOSTS: cluster.hostsString },
        encoding: 'utf8',
        timeout: 60_000,
      })
      expect(run.stderr).toBe('')
      expect(run.status).toBe(0)
      expect(run.stdout).toMatch(/^Key: 1, Gen: \d+\nKey: 2, Gen: \d+\nKey: 3, Gen: \d+\n$/)
    },
  )
})

describe('hosts', () => {
  it('come from AEROSPIKE_HOSTS, else 127.0.0.1:3000', () => {
    expect(hostsFromEnv({})).toEqual([['127.0.0.1', 3000]])
    expect(hostsFromEnv({ AEROSPIKE_HOSTS: 'a:1, b:2' })).toEqual([
      ['a', 1],
      ['b', 2],
    ])
    expect(() => parseHosts('nohost')).toThrow(/"nohost" is not host:port/)
  })
})
