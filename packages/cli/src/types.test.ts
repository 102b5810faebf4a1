/**
 * Arrow/Parquet/CSV types → numpy dtypes, end to end: bool → u1, fixed-size binary → V<n>,
 * fixed-size lists → sub-arrays, dates → i4, unsigned 64-bit, UTF-8 → S<n> (nulls, --max-len,
 * invalid UTF-8), duplicate keys; each read back and compared with what the file holds.
 */
import { writeFileSync } from 'node:fs'
import { dtype } from '@aerospike-numpy/dtype'
import { uniqueSetName } from '@aerospike-numpy/test-utils'
import {
  Bool,
  DateDay,
  Field,
  FixedSizeBinary,
  FixedSizeList,
  Float32,
  Int32,
  Table,
  Uint64,
  Utf8,
  makeData,
  makeVector,
  tableToIPC,
  vectorFromArray,
} from 'apache-arrow'
import { parquetWriteBuffer } from 'hyparquet-writer'
import { describe, expect, it } from 'vitest'
import { READ_POLICY, dryRunArgs, presentKeys, run, useHarness } from './test-support/cluster.js'

const N = 6

function typesTable(): Table {
  const blob = Uint8Array.from({ length: N * 4 }, (_, i) => (i * 37) & 0xff)
  const floats = Float32Array.from({ length: N * 3 }, (_, i) => i / 4)
  return new Table({
    id: vectorFromArray(
      Array.from({ length: N }, (_, i) => i),
      new Int32(),
    ),
    flag: vectorFromArray([true, false, true, true, false, false], new Bool()),
    tag: makeVector(makeData({ type: new FixedSizeBinary(4), length: N, data: blob })),
    vec: makeVector(
      makeData({
        type: new FixedSizeList(3, new Field('item', new Float32(), false)),
        length: N,
        nullCount: 0,
        child: makeData({ type: new Float32(), length: N * 3, data: floats }),
      }),
    ),
    day: vectorFromArray(
      Array.from({ length: N }, (_, i) => new Date(Date.UTC(2026, 0, 1 + i))),
      new DateDay(),
    ),
    big: vectorFromArray(
      Array.from({ length: N }, (_, i) => 2n ** 63n + BigInt(i)),
      new Uint64(),
    ),
    name: vectorFromArray(['ab', null, 'ccc', 'é', '', 'dddd'], new Utf8()),
  })
}

describe('types', () => {
  const h = useHarness()

  it('Arrow types map to numpy and read back equal (nulls zeroed with --nulls zero)', async () => {
    const path = h.write('types.arrow', tableToIPC(typesTable(), 'file'))
    const dry = await run(dryRunArgs(path, '--key', 'id', '--json'))
    // a null in 'name' is an error by default
    expect(dry.code).toBe(2)
    const report = JSON.parse(dry.stdout)
    expect(
      report.mapping.map((m: { column: string; dtype: string; particle: string }) => [
        m.column,
        m.dtype,
        m.particle,
      ]),
    ).toEqual([
      ['id', '<i4', 'integer'],
      ['flag', '|u1', 'integer'],
      ['tag', '|V4', 'blob'],
      ['vec', '(<f4, (3,))', 'blob'],
      ['day', '<i4', 'integer'],
      ['big', '<u8', 'integer'],
      ['name', '|S4', 'blob'],
    ])
    expect(report.report.columns).toEqual([
      { column: 'name', problems: { null: { count: 1, fatal: true, firstRows: [{ row: 1 }] } } },
      {
        column: 'big',
        problems: { outOfRange: { count: 6, firstRows: [0, 1, 2, 3, 4].map((row) => ({ row })) } },
      },
    ])
    // u8 beyond int64 cannot be an Aerospike integer: reported before anything is sent
    const set = uniqueSetName('types')
    const refused = await run(h.args(path, set, '--key', 'id', '--nulls', 'zero', '--quiet'))
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/big: 6 out of range; first rows 0, 1, 2, 3, 4/)
    const summary = await h.ingest(path, set, {
      key: 'id',
      bins: ['flag', 'tag', 'vec', 'day', 'name'],
      nulls: 'zero',
      verify: 'all',
    })
    expect(summary).toMatchObject({ written: N, exitCode: 0, verify: { mismatches: 0 } })
    const back = await h.client.batchRead(
      Array.from({ length: N }, (_, i) => ['test', set, i]),
      {
        policy: READ_POLICY,
        dtype: dtype([
          ['flag', 'u1'],
          ['tag', 'V4'],
          ['vec', '<f4', [3]],
          ['day', '<i4'],
          ['name', 'S4'],
        ]),
      },
    )
    const rows = back.batchRecords
    expect([...(rows.get('flag') as Uint8Array)]).toEqual([1, 0, 1, 1, 0, 0])
    expect([...(rows.get('day') as Int32Array)]).toEqual([20454, 20455, 20456, 20457, 20458, 20459])
    expect(
      (rows.get('name') as Uint8Array[]).map((b) => Buffer.from(b).toString().replace(/\0+$/, '')),
    ).toEqual(['ab', '', 'ccc', 'é', '', 'dddd'])
    expect(Buffer.from((rows.get('tag') as Uint8Array[])[1]!)).toEqual(
      Buffer.from([148, 185, 222, 3]),
    )
    expect([...(rows.get('vec') as Float32Array)].slice(3, 6)).toEqual([0.75, 1, 1.25])
  })

  it('text: --max-len makes longer values errors, invalid UTF-8 is reported, duplicates in a dry run', async () => {
    const path = h.file('text.csv')
    writeFileSync(
      path,
      Buffer.concat([
        Buffer.from('id,name,score\n1,short,1.5\n2,much too long,2\n3,'),
        Buffer.from([0x61, 0xff, 0x62]),
        Buffer.from(',3\n2,dup,4\n'),
      ]),
    )
    const out = await run(dryRunArgs(path, '--key', 'id', '--max-len', '6'))
    expect(out.code).toBe(2)
    expect(out.stdout).toContain('id: csv integer (inferred) → <i8 → key and bin')
    expect(out.stdout).toContain('name: csv text (inferred) → |S6 → bin')
    expect(out.stdout).toMatch(/name: 1 longer than the field; first rows 1 \("much too long"\)/)
    expect(out.stdout).toMatch(/name: 1 invalid UTF-8; first rows 2/)
    expect(out.stdout).toMatch(/key: 1 duplicate keys .*first rows 3 \(key 2, first at 1\)/)
  })

  it('Parquet: a null in a nullable column is found before anything is sent (footer statistics or a read)', async () => {
    const n = 2000
    const temperature: Array<number | null> = Array.from({ length: n }, (_, i) => i / 8)
    temperature[1432] = null
    for (const statistics of [true, false]) {
      const path = h.file(`nulls-${statistics}.parquet`)
      const buffer = parquetWriteBuffer({
        columnData: [
          { name: 'id', data: Int32Array.from({ length: n }, (_, i) => i), type: 'INT32' },
          { name: 'temperature', data: temperature, type: 'DOUBLE' },
        ],
        rowGroupSize: 400,
        statistics,
      })
      writeFileSync(path, new Uint8Array(buffer))
      const set = uniqueSetName('pqnull')
      const out = await run(h.args(path, set, '--key', 'id', '--quiet'))
      expect(out.stderr).toMatch(/temperature: 1 nulls; first rows 1432/)
      expect(out.code).toBe(2)
      expect(await presentKeys(h.client, set, n)).toBe(0)
      const zero = await run(
        h.args(path, set, '--key', 'id', '--nulls', 'zero', '--verify', 'all', '--quiet'),
      )
      expect(zero.code).toBe(0)
      expect(await presentKeys(h.client, set, n)).toBe(n)
    }
  })
})
