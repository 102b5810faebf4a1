/**
 * The same readings as .npy, Arrow file, Arrow stream, Parquet and CSV: each ingests, verifies
 * with no mismatch, and reads back equal to the generator's values (an oracle independent of the
 * tool's own verification).
 */
import { dtype } from '@aerospike-numpy/dtype'
import { uniqueSetName } from '@aerospike-numpy/test-utils'
import { describe, expect, it } from 'vitest'
import { READ_POLICY, presentKeys, run, useHarness } from './test-support/cluster.js'
import {
  readings,
  writeArrowReadings,
  writeCsvReadings,
  writeNpyReadings,
  writeParquetReadings,
  type Readings,
} from './test-support/fixtures.js'

// enough for several chunks (500) and row groups (1,500) that do not line up
const N = 3_456
const WRITERS: Record<string, (path: string, r: Readings) => void> = {
  npy: writeNpyReadings,
  arrow: (p, r) => writeArrowReadings(p, r, 'file'),
  arrows: (p, r) => writeArrowReadings(p, r, 'stream'),
  parquet: (p, r) => writeParquetReadings(p, r, 1500),
  csv: writeCsvReadings,
}

describe('ingest', () => {
  const h = useHarness()
  const data = readings(N)

  it.each(Object.keys(WRITERS))(
    'a .%s file: every row written, verified and equal',
    async (ext) => {
      const path = h.file(`readings.${ext}`)
      WRITERS[ext]!(path, data)
      const set = uniqueSetName(`ing_${ext}`)
      const summary = await h.ingest(path, set, {
        key: 'sensor_id',
        chunkSize: 500,
        verify: 'all',
      })
      expect(summary).toMatchObject({
        sourceRows: N,
        written: N,
        failed: 0,
        inDoubt: 0,
        notAttempted: 0,
        exitCode: 0,
        verify: { rowsVerified: N, mismatches: 0, missing: 0 },
      })
      // read back with a dtype of our own, compare with the generator
      const sample = [0, 1, 1_499, 1_500, 2_345, N - 1]
      const back = await h.client.batchRead(
        sample.map((k) => ['test', set, k]),
        {
          policy: READ_POLICY,
          dtype: dtype([
            ['ts', '<i8'],
            ['temperature', '<f8'],
            ['humidity', '<f8'],
            ['status', '<i8'],
            ['site', 'S8'],
          ]),
        },
      )
      expect(back.foundCount()).toBe(sample.length)
      const rows = back.batchRecords
      expect([...(rows.get('ts') as BigInt64Array)]).toEqual(sample.map((k) => data.ts[k]))
      expect([...(rows.get('temperature') as Float64Array)]).toEqual(
        sample.map((k) => data.temperature[k]),
      )
      expect([...(rows.get('humidity') as Float64Array)]).toEqual(
        sample.map((k) => data.humidity[k]),
      )
      expect([...(rows.get('status') as BigInt64Array)]).toEqual(
        sample.map((k) => BigInt(data.status[k]!)),
      )
      expect(
        (rows.get('site') as Uint8Array[]).map((b) =>
          Buffer.from(b).toString().replace(/\0+$/, ''),
        ),
      ).toEqual(sample.map((k) => data.site[k]))
      expect(await presentKeys(h.client, set, N + 10)).toBe(N)
    },
  )

  it.each([
    ['official', null],
    ['wire', 2],
  ] as const)('engine %s, workers %s: every row written and verified', async (engine, workers) => {
    const path = h.file(`engines-${engine}.parquet`)
    writeParquetReadings(path, readings(2000), 600)
    const set = uniqueSetName(`eng_${engine}`)
    const summary = await h.ingest(path, set, {
      key: 'sensor_id',
      engine,
      workers,
      chunkSize: 300,
      verify: 'all',
    })
    expect(summary).toMatchObject({
      written: 2000,
      exitCode: 0,
      verify: { rowsVerified: 2000, mismatches: 0 },
    })
  })

  it('--dry-run prints the mapping and the report and sends nothing', async () => {
    const path = h.file('dry.parquet')
    writeParquetReadings(path, data)
    const set = uniqueSetName('dry')
    const out = await run(
      h.args(
        path,
        set,
        '--key',
        'sensor_id',
        '--bins',
        'temperature,site',
        '--rename',
        'temperature=temp',
        '--dry-run',
        '--json',
      ),
    )
    expect(out.code).toBe(0)
    const summary = JSON.parse(out.stdout)
    expect(summary.dryRun).toBe(true)
    expect(summary.sourceRows).toBe(N)
    expect(summary.mapping).toEqual([
      {
        column: 'sensor_id',
        sourceType: 'Int64',
        dtype: '<i8',
        bin: 'sensor_id',
        particle: 'integer',
        key: true,
      },
      {
        column: 'temperature',
        sourceType: 'Float64',
        dtype: '<f8',
        bin: 'temp',
        particle: 'float',
        key: false,
      },
      {
        column: 'site',
        sourceType: 'utf8',
        dtype: '|S5',
        bin: 'site',
        particle: 'blob',
        key: false,
      },
    ])
    expect(summary.report.duplicateKeys).toMatchObject({ count: 0, complete: true, checkedRows: N })
    expect(await presentKeys(h.client, set, N)).toBe(0)
  })

  it('an unknown namespace is bad input (exit 2), nothing sent', async () => {
    const path = h.file('ns.npy')
    writeNpyReadings(path, readings(10))
    const out = await run([
      'ingest',
      path,
      '--hosts',
      h.cluster.hostsString,
      '-n',
      'no_such_ns',
      '-s',
      'x',
      '--key',
      'sensor_id',
      '--quiet',
    ])
    expect(out.code).toBe(2)
    expect(out.stderr).toMatch(/namespace/i)
  })

  it('an unreachable cluster exits 3', async () => {
    const path = h.file('unreachable.npy')
    writeNpyReadings(path, readings(10))
    const out = await run([
      'ingest',
      path,
      '--hosts',
      '127.0.0.1:1',
      '-n',
      'test',
      '-s',
      'x',
      '--key',
      'sensor_id',
      '--quiet',
    ])
    expect(out.code).toBe(3)
  })

  it('usage errors exit 2 and --help shows every option with an example', async () => {
    expect((await run(['ingest', 'x.npy', '-n', 'test'])).code).toBe(2)
    expect((await run(['ingest', 'x.npy', '-n', 'test', '-s', 's', '--bogus'])).code).toBe(2)
    const help = await run(['ingest', '--help'])
    expect(help.code).toBe(0)
    for (const option of [
      'hosts',
      'namespace',
      'set',
      'key',
      'bins',
      'rename',
      'max-len',
      'dtype',
      'delimiter',
      'nulls',
      'dry-run',
      'engine',
      'workers',
      'chunk-size',
      'concurrency',
      'retry',
      'timeout',
      'max-rps',
      'max-errors',
      'dead-letter',
      'checkpoint',
      'resume',
      'verify',
      'json',
      'quiet',
    ]) {
      expect(help.stdout).toContain(`--${option}`)
    }
  })
})
