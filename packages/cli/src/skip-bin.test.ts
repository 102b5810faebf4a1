/**
 * --nulls skip-bin: a null leaves that bin out of that record, on every source that has nulls
 * (Arrow file and stream, Parquet, CSV, a dead-letter file of such rows), on both engines. Which
 * bins a record holds is read with the official client's `get` (a read into a structured array
 * cannot tell an absent bin from a zero).
 */
import { writeFileSync } from 'node:fs'
import { AsyncClient } from '@aerospike-numpy/async'
import { StructuredArray, descrRepr, dtype } from '@aerospike-numpy/dtype'
import { uniqueSetName } from '@aerospike-numpy/test-utils'
import { Float64, Int32, Table, Utf8, tableToIPC, vectorFromArray } from 'apache-arrow'
import { parquetWriteBuffer } from 'hyparquet-writer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DeadLetterWriter } from './dead-letter.js'
import { READ_POLICY, dryRunArgs, presentKeys, run, useHarness } from './test-support/cluster.js'

const N = 40
// nulls: temperature where i % 5 == 1, name where i % 7 == 2, level where i % 3 == 0 (never all three below N)
const temperature = Array.from({ length: N }, (_, i) => (i % 5 === 1 ? null : i / 4))
const name = Array.from({ length: N }, (_, i) => (i % 7 === 2 ? null : `n${i}`))
const level = Array.from({ length: N }, (_, i) => (i % 3 === 0 ? null : i * 10))

/** The bins row i's record must hold. */
function expectedBins(i: number): string[] {
  // the key column 'id' has no '_': it is the key and a bin (as the guide says)
  return [
    'id',
    ...(level[i] === null ? [] : ['level']),
    ...(name[i] === null ? [] : ['name']),
    ...(temperature[i] === null ? [] : ['temperature']),
  ]
}

function arrowBytes(format: 'file' | 'stream'): Uint8Array {
  return tableToIPC(
    new Table({
      id: vectorFromArray(
        Array.from({ length: N }, (_, i) => i),
        new Int32(),
      ),
      temperature: vectorFromArray(temperature, new Float64()),
      name: vectorFromArray(name, new Utf8()),
      level: vectorFromArray(level, new Int32()),
    }),
    format,
  )
}

function parquetBytes(): Uint8Array {
  return new Uint8Array(
    parquetWriteBuffer({
      columnData: [
        { name: 'id', data: Int32Array.from({ length: N }, (_, i) => i), type: 'INT32' },
        { name: 'temperature', data: temperature, type: 'DOUBLE' },
        { name: 'name', data: name, type: 'STRING' },
        { name: 'level', data: level, type: 'INT32' },
      ],
      rowGroupSize: 16,
    }),
  )
}

function csvText(): string {
  const lines = ['id,temperature,name,level']
  for (let i = 0; i < N; i++) {
    lines.push(`${i},${temperature[i] ?? ''},${name[i] ?? ''},${level[i] ?? ''}`)
  }
  return `${lines.join('\n')}\n`
}

describe('--nulls skip-bin', () => {
  const h = useHarness()
  let official: AsyncClient
  beforeAll(async () => {
    official = await new AsyncClient({
      hosts: h.cluster.hostsString,
      engine: 'official',
      log: { level: -1 },
    }).connect()
  })
  afterAll(async () => {
    await official?.close()
  })

  /** Bin names of each record, sorted; null for no record. */
  async function storedBins(set: string, keys: number[]): Promise<Array<string[] | null>> {
    const raw = official.raw as {
      get(key: unknown, policy: unknown): Promise<{ bins: object }>
    }
    return Promise.all(
      keys.map(async (key) => {
        try {
          const record = await raw.get({ ns: 'test', set, key }, READ_POLICY)
          return Object.keys(record.bins).sort()
        } catch (error) {
          if ((error as { code?: number }).code === 2) return null
          throw error
        }
      }),
    )
  }

  const sources: Array<[string, string, () => Uint8Array | string]> = [
    ['Arrow file', 'nulls.arrow', () => arrowBytes('file')],
    ['Arrow stream', 'nulls.arrows', () => arrowBytes('stream')],
    ['Parquet', 'nulls.parquet', parquetBytes],
    ['CSV', 'nulls.csv', csvText],
  ]
  const keys = Array.from({ length: N }, (_, i) => i)

  for (const [label, file, bytes] of sources) {
    for (const engine of ['wire', 'official'] as const) {
      it(`${label}, engine ${engine}: a null leaves its bin out of that record`, async () => {
        const path = h.write(file, bytes())
        const set = uniqueSetName('skipbin')
        const summary = await h.ingest(path, set, {
          key: 'id',
          nulls: 'skip-bin',
          engine,
          verify: 'all',
          ...(file.endsWith('.csv') ? { dtype: 'id:i4,temperature:f8,level:i4' } : {}),
        })
        expect(summary).toMatchObject({ written: N, exitCode: 0, verify: { mismatches: 0 } })
        expect(await storedBins(set, keys)).toEqual(keys.map(expectedBins))
        const back = await h.client.batchRead(
          keys.map((k) => ['test', set, k]),
          {
            dtype: dtype([
              ['temperature', 'f8'],
              ['level', 'i4'],
            ]),
            policy: READ_POLICY,
          },
        )
        expect([...(back.batchRecords.get('temperature') as Float64Array)]).toEqual(
          temperature.map((t) => t ?? 0),
        )
        expect([...(back.batchRecords.get('level') as Int32Array)]).toEqual(
          level.map((t) => t ?? 0),
        )
      })
    }
  }

  it('a dry run counts the nulls as allowed; a row whose every bin is null is an error, nothing sent', async () => {
    const path = h.file('empty-row.csv')
    // the key '_key' is not a bin, so rows 1 and 3 have none
    writeFileSync(path, '_key,temperature,level\n0,1.5,3\n1,,\n2,,4\n3,,\n')
    const dry = await run(dryRunArgs(path, '--nulls', 'skip-bin'))
    expect(dry.code).toBe(2)
    expect(dry.stdout).toMatch(/temperature: 3 nulls \(allowed\); first rows 1, 2, 3/)
    expect(dry.stdout).toMatch(/2 rows with every bin null .*; first rows 1, 3/)
    const set = uniqueSetName('skipbin')
    const out = await run(h.args(path, set, '--nulls', 'skip-bin', '--quiet'))
    expect(out.code).toBe(2)
    expect(out.stderr).toMatch(/2 rows with every bin null .*; first rows 1, 3/)
    expect(await presentKeys(h.client, set, 4)).toBe(0)
  })

  it("a dead-letter file keeps its rows' nulls: re-ingesting it leaves the same bins out", async () => {
    // rows as an ingest with skip-bin writes them: the bitmap after the fields (bits: 0 id, the
    // key and a bin; 1 temperature; 2 level)
    const dt = dtype([
      ['id', '<i4'],
      ['temperature', '<f8'],
      ['level', '<i4'],
      ['_valid', '|V1'],
    ])
    const rows = StructuredArray.zeros(dt, 3)
    rows.set('id', Int32Array.of(0, 1, 2))
    rows.set('temperature', Float64Array.of(1.5, 0, 2.5))
    rows.set('level', Int32Array.of(7, 8, 0))
    const v = dt.field('_valid')!.offset
    ;[0b111, 0b101, 0b011].forEach((bits, i) => (rows.bytes[i * dt.itemsize + v] = bits))
    const path = h.file('skip.deadletter.jsonl')
    const writer = new DeadLetterWriter(
      path,
      {
        dtype: descrRepr(dt.descr),
        keyField: 'id',
        validityField: '_valid',
        source: 'x.parquet',
        namespace: 'test',
        set: 'x',
      },
      false,
    )
    writer.add(rows, 100, [0, 1, 2], new Int32Array(3).fill(9), new Uint8Array(3), (i) => i)
    writer.close()
    const set = uniqueSetName('skipbin')
    // without skip-bin, the nulls are bad input
    await expect(h.ingest(path, set)).rejects.toThrow(/temperature: 1 nulls/)
    const summary = await h.ingest(path, set, {
      nulls: 'skip-bin',
      verify: 'all',
    })
    expect(summary).toMatchObject({ written: 3, exitCode: 0, verify: { mismatches: 0 } })
    expect(await storedBins(set, [0, 1, 2])).toEqual([
      ['id', 'level', 'temperature'],
      ['id', 'level'],
      ['id', 'temperature'],
    ])
  })
})
