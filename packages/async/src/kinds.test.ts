/**
 * Every dtype kind written and read back; particle types checked through devserver
 * introspection; integer boundaries; key fields of every kind, with and without `_`.
 */
import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
import { loadOfficialClient, uniqueSetName, usesDevServer } from '@aerospike-numpy/test-utils'
import { describe, expect, it } from 'vitest'
import { POLICY_KEY_SEND, ParamError } from './index.js'
import { TEST_POLICY, testEngines, useConnectedClient } from './test-support/engines.js'

const I64_MIN = -(2n ** 63n)
const I64_MAX = 2n ** 63n - 1n

describe.each(testEngines())('dtype kinds and keys, engine %s', (engine) => {
  const env = useConnectedClient(engine)

  const stored = async (set: string, key: number | string | bigint | Uint8Array) => {
    const record = await env.cluster.devserver!.getRecord('test', set, key)
    expect(record).not.toBeNull()
    return new Map(record!.bins.map((b) => [b.name, b]))
  }

  it('every kind keeps its value and gets the right particle type', async () => {
    const set = uniqueSetName('kinds')
    const dt = dtype([
      ['_key', 'i4'],
      ['i1', 'i1'],
      ['i2', '<i2'],
      ['i4', '>i4'],
      ['i8', 'i8'],
      ['u1', 'u1'],
      ['u2', '>u2'],
      ['u4', 'u4'],
      ['u8', 'u8'],
      ['f2', 'f2'],
      ['f4', '>f4'],
      ['f8', 'f8'],
      ['one', 'f8'],
      ['s', 'S6'],
      ['v', 'V3'],
      ['sub', '<f4', [3]],
      ['grid', '>i2', [2, 2]],
      [
        'pt',
        [
          ['a', 'u1'],
          ['b', '<i2'],
        ],
      ],
    ])
    const data = StructuredArray.fromRows(dt, [
      {
        _key: 1,
        i1: -128,
        i2: -32768,
        i4: 2147483647,
        i8: -(2n ** 53n) - 1n,
        u1: 255,
        u2: 65535,
        u4: 4294967295,
        u8: 2n ** 53n + 1n,
        f2: 1.5,
        f4: 0.1,
        f8: -2.5e-300,
        one: 1.0,
        s: new TextEncoder().encode('abc'),
        v: Uint8Array.of(0, 255, 7),
        sub: [1, -2, 3.5],
        grid: [1, -2, 3, -4],
        pt: { a: 9, b: -300 },
      },
    ])
    const written = await env.client.batchWriteNumpy(data, 'test', set, dt, { policy: TEST_POLICY })
    expect([...written.resultCodes]).toEqual([0])

    const readDt = dtype(
      (dt.fields ?? [])
        .filter((f) => f.name !== '_key')
        .map((f) => [f.name, f.dtype] as [string, typeof f.dtype]),
    )
    const back = await env.client.batchRead([['test', set, 1]], { dtype: readDt })
    expect(back.resultCodes[0]).toBe(0)
    const { _key, ...expected } = data.row(0) as Record<string, unknown>
    expect(_key).toBe(1)
    expect(back.batchRecords.row(0)).toEqual(expected)

    if (usesDevServer()) {
      const bins = await stored(set, 1)
      expect([...bins.keys()].sort()).toEqual([...(readDt.names ?? [])].sort())
      for (const name of ['i1', 'i2', 'i4', 'i8', 'u1', 'u2', 'u4', 'u8']) {
        expect([name, bins.get(name)!.particleType]).toEqual([name, 1])
      }
      for (const name of ['f2', 'f4', 'f8', 'one']) {
        expect([name, bins.get(name)!.particleType]).toEqual([name, 2])
      }
      // floats stay floats: 1.0 is stored as the FLOAT particle of 1.0, not the integer 1
      expect(bins.get('one')!.value).toBe(1)
      expect([...bins.get('one')!.bytes]).toEqual([0x3f, 0xf0, 0, 0, 0, 0, 0, 0])
      expect(bins.get('f4')!.value).toBe(Math.fround(0.1))
      expect(bins.get('i8')!.value).toBe(-(2n ** 53n) - 1n)
      expect(bins.get('u8')!.value).toBe(2n ** 53n + 1n)
      // S, V, sub-arrays and structs are blobs of the field's full width, raw bytes
      const blob = (name: string) => {
        const b = bins.get(name)!
        expect([name, b.particleType]).toEqual([name, 4])
        return [...b.bytes]
      }
      expect(blob('s')).toEqual([97, 98, 99, 0, 0, 0])
      expect(blob('v')).toEqual([0, 255, 7])
      expect(blob('sub')).toEqual([...new Uint8Array(Float32Array.of(1, -2, 3.5).buffer)])
      expect(blob('grid')).toEqual([0, 1, 255, 254, 0, 3, 255, 252])
      expect(blob('pt')).toEqual([9, 0xd4, 0xfe])
    }
  })

  it('i8/u8 boundaries and values beyond 2^53 round-trip exactly', async () => {
    const set = uniqueSetName('bounds')
    const dt = dtype([
      ['_key', 'i4'],
      ['i', 'i8'],
      ['u', 'u8'],
    ])
    const rows: Array<[number, bigint, bigint]> = [
      [1, I64_MIN, 0n],
      [2, I64_MAX, I64_MAX],
      [3, 2n ** 53n, 2n ** 53n],
      [4, 2n ** 53n + 1n, 2n ** 53n + 1n],
      [5, -(2n ** 53n) - 1n, 2n ** 62n + 3n],
      [6, -1n, 1n],
    ]
    const data = StructuredArray.fromRows(dt, rows)
    const written = await env.client.batchWriteNumpy(data, 'test', set, dt, { policy: TEST_POLICY })
    expect(written.writtenCount).toBe(rows.length)
    const back = await env.client.batchRead(
      rows.map((r) => ['test', set, r[0]]),
      {
        dtype: dtype([
          ['i', 'i8'],
          ['u', 'u8'],
        ]),
      },
    )
    expect([...(back.batchRecords.get('i') as BigInt64Array)]).toEqual(rows.map((r) => r[1]))
    expect([...(back.batchRecords.get('u') as BigUint64Array)]).toEqual(rows.map((r) => r[2]))
    if (usesDevServer()) {
      expect((await stored(set, 1)).get('i')!.value).toBe(I64_MIN)
      expect((await stored(set, 2)).get('u')!.value).toBe(I64_MAX)
    }
  })

  it('u8 above 2^63-1 is refused before anything is sent, naming row and field', async () => {
    const set = uniqueSetName('bounds')
    const dt = dtype([
      ['_key', 'i4'],
      ['u', 'u8'],
    ])
    const data = StructuredArray.fromRows(dt, [
      [1, 5n],
      [2, 2n ** 63n],
    ])
    await expect(env.client.batchWriteNumpy(data, 'test', set, dt)).rejects.toThrow(
      /row 1, field 'u': u8 value 9223372036854775808 is above 2\^63-1/,
    )
    await expect(env.client.writeNumpy(data, 'test', set, dt)).rejects.toBeInstanceOf(ParamError)
    const back = await env.client.batchRead([['test', set, 1]], { dtype: dtype([['u', 'u8']]) })
    expect([...back.resultCodes]).toEqual([2])
  })

  it('reading a negative integer into an unsigned field is an error naming key and field', async () => {
    const set = uniqueSetName('bounds')
    const dt = dtype([
      ['_key', 'i4'],
      ['n', 'i2'],
    ])
    await env.client.batchWriteNumpy(StructuredArray.fromRows(dt, [[1, -3]]), 'test', set, dt)
    await expect(
      env.client.batchRead([['test', set, 1]], { dtype: dtype([['n', 'u4']]) }),
    ).rejects.toThrow(new RegExp(`key test/${set}/1, field 'n': negative value -3`))
    await expect(
      env.client.batchRead([['test', set, 1]], { dtype: dtype([['n', 'i1']]) }),
    ).resolves.toBeDefined()
  })

  it('custom key fields: without _ also a bin, with _ key only; other _ fields are ignored', async () => {
    const set = uniqueSetName('keys')
    const withBin = dtype([
      ['user_id', 'i8'],
      ['_note', 'S4'],
      ['score', 'f8'],
    ])
    const keyOnly = dtype([
      ['_id', 'i8'],
      ['_note', 'S4'],
      ['score', 'f8'],
    ])
    const rows = [
      [10, new TextEncoder().encode('x'), 1.5],
      [11, new TextEncoder().encode('y'), 2.5],
    ]
    await env.client.batchWriteNumpy(
      StructuredArray.fromRows(withBin, rows),
      'test',
      set,
      withBin,
      {
        keyField: 'user_id',
      },
    )
    await env.client.batchWriteNumpy(
      StructuredArray.fromRows(
        keyOnly,
        rows.map((r) => [Number(r[0]) + 100, r[1], r[2]]),
      ),
      'test',
      set,
      keyOnly,
      { keyField: '_id' },
    )
    const back = await env.client.batchRead(
      [10, 110].map((k) => ['test', set, k]),
      {
        dtype: dtype([
          ['user_id', 'i8'],
          ['_id', 'i8'],
          ['_note', 'S4'],
          ['score', 'f8'],
        ]),
        bins: ['user_id', '_id', '_note', 'score'],
      },
    )
    expect([...back.resultCodes]).toEqual([0, 0])
    expect(back.batchRecords.row(0)).toMatchObject({ user_id: 10n, _id: 0n, score: 1.5 })
    expect(back.batchRecords.row(1)).toMatchObject({ user_id: 0n, _id: 0n, score: 1.5 })
    expect([...(back.batchRecords.get('_note') as Uint8Array[])[0]!]).toEqual([0, 0, 0, 0])
    if (usesDevServer()) {
      expect([...(await stored(set, 10)).keys()]).toEqual(['user_id', 'score'])
      expect([...(await stored(set, 110)).keys()]).toEqual(['score'])
    }
  })

  it('string keys (NULs trimmed, UTF-8), blob keys and 64-bit keys address the same records as the official keys', async () => {
    const set = uniqueSetName('keys')
    const enc = new TextEncoder()
    const sdt = dtype([
      ['_key', 'S8'],
      ['v', 'i4'],
    ])
    const sdata = StructuredArray.fromRows(sdt, [
      [enc.encode('alpha'), 1],
      [enc.encode('héllo'), 2],
    ])
    await env.client.batchWriteNumpy(sdata, 'test', set, sdt, {
      policy: { ...TEST_POLICY, key: POLICY_KEY_SEND },
    })
    const vdt = dtype([
      ['_key', 'V4'],
      ['v', 'i4'],
    ])
    await env.client.batchWriteNumpy(
      StructuredArray.fromRows(vdt, [[Uint8Array.of(1, 0, 0, 2), 3]]),
      'test',
      set,
      vdt,
    )
    const idt = dtype([
      ['_key', 'u8'],
      ['v', 'i4'],
    ])
    await env.client.batchWriteNumpy(
      StructuredArray.fromRows(idt, [[2n ** 60n, 4]]),
      'test',
      set,
      idt,
    )
    const back = await env.client.batchRead(
      [
        ['test', set, 'alpha'],
        ['test', set, 'héllo'],
        { ns: 'test', set, key: Buffer.from([1, 0, 0, 2]) },
        ['test', set, 2n ** 60n],
      ],
      { dtype: dtype([['v', 'i4']]) },
    )
    expect([...back.resultCodes]).toEqual([0, 0, 0, 0])
    expect([...(back.batchRecords.get('v') as Int32Array)]).toEqual([1, 2, 3, 4])
    // the official client's own Key objects work too
    const Aerospike = await loadOfficialClient()
    const official = await env.client.batchRead(
      [
        new Aerospike.Key('test', set, 'héllo'),
        new Aerospike.Key('test', set, Buffer.from([1, 0, 0, 2])),
      ],
      { dtype: dtype([['v', 'i4']]) },
    )
    expect([...(official.batchRecords.get('v') as Int32Array)]).toEqual([2, 3])
    expect(official.get(['test', set, 'héllo'])).toEqual({ v: 2 })
    if (usesDevServer()) {
      const record = await env.cluster.devserver!.getRecord('test', set, 'héllo')
      expect(record!.userKey).toMatchObject({ particleType: 3 })
    }
  })

  it('an invalid UTF-8 string key is refused before anything is sent', async () => {
    const set = uniqueSetName('keys')
    const sdt = dtype([
      ['_key', 'S4'],
      ['v', 'i4'],
    ])
    const data = StructuredArray.fromRows(sdt, [
      [new TextEncoder().encode('ok'), 1],
      [Uint8Array.of(0xc3, 0x28), 2],
    ])
    await expect(env.client.batchWriteNumpy(data, 'test', set, sdt)).rejects.toThrow(
      /row 1, field '_key': string key is not valid UTF-8/,
    )
    const back = await env.client.batchRead([['test', set, 'ok']], { dtype: dtype([['v', 'i4']]) })
    expect([...back.resultCodes]).toEqual([2])
  })

  it('missing records and bins stay zero and show in resultCodes/foundCount', async () => {
    const set = uniqueSetName('missing')
    const dt = dtype([
      ['_key', 'i4'],
      ['a', 'f8'],
    ])
    await env.client.batchWriteNumpy(StructuredArray.fromRows(dt, [[1, 2.5]]), 'test', set, dt)
    const back = await env.client.batchRead(
      [1, 2].map((k) => ['test', set, k]),
      {
        dtype: dtype([
          ['a', 'f8'],
          ['b', 'i4'],
        ]),
      },
    )
    expect([...back.resultCodes]).toEqual([0, 2])
    expect(back.foundCount()).toBe(1)
    expect(back.batchRecords.row(0)).toEqual({ a: 2.5, b: 0 })
    expect(back.batchRecords.row(1)).toEqual({ a: 0, b: 0 })
    expect([...(back.meta.get('gen') as Uint32Array)]).toEqual([1, 0])
  })
})
