import type { TransferListItem } from 'node:worker_threads'

import { ParamError, resolveKeys, type KeyBatch } from '@aerospike-numpy/core'
import { dtype, StructuredArray, type DtypeSpec } from '@aerospike-numpy/dtype'
import { rowColumns } from '@aerospike-numpy/test-utils'
import { describe, expect, it } from 'vitest'

import {
  arrayFromData,
  arrayToData,
  dtypeFromData,
  dtypeToData,
  keyBatchFromData,
  keyBatchToData,
  movable,
  movableArrayToData,
} from './transfer.js'

describe('dtypes as data', () => {
  const specs: [string, DtypeSpec, { align?: boolean }?][] = [
    [
      'guide quick start',
      [
        ['_key', 'i4'],
        ['score', 'f8'],
        ['count', 'i4'],
      ],
    ],
    [
      'every scalar kind',
      [
        ['a', 'i1'],
        ['b', '>u2'],
        ['c', 'f2'],
        ['d', '<f4'],
        ['e', '>f8'],
        ['f', 'S5'],
        ['g', 'V3'],
        ['h', 'U4'],
        ['i', '?'],
        ['j', 'M8[ns]'],
        ['k', 'm8[s]'],
        ['l', 'c16'],
        ['m', 'u8'],
      ],
    ],
    [
      'sub-arrays',
      [
        ['_key', 'i4'],
        ['emb', 'f4', [128]],
        ['grid', '>i2', [2, 3]],
      ],
    ],
    [
      'aligned struct',
      [
        ['a', 'u1'],
        ['b', 'f8'],
        ['c', 'i2'],
      ],
      { align: true },
    ],
    [
      'offsets with gaps and itemsize',
      { names: ['x', '_key'], formats: ['f8', 'i4'], offsets: [8, 0], itemsize: 24 },
    ],
    [
      'nested struct',
      [
        ['_key', 'i8'],
        [
          'pos',
          [
            ['x', 'f4'],
            ['y', 'f4'],
          ],
        ],
        ['tags', [['t', 'S2']], [3]],
      ],
    ],
  ]

  it.each(specs)('%s survives the trip with numpy equality', (_name, spec, options) => {
    const dt = dtype(spec, options)
    const data = dtypeToData(dt)
    const back = dtypeFromData(structuredClone(data))
    expect(back.equals(dt)).toBe(true)
    expect(back.itemsize).toBe(dt.itemsize)
    expect(back.toString()).toBe(dt.toString())
    expect(back.fields?.map((f) => f.offset)).toEqual(dt.fields?.map((f) => f.offset))
  })

  it('keeps unequal dtypes unequal', () => {
    const a = dtype([
      ['_key', 'i4'],
      ['x', 'f8'],
    ])
    const b = dtype([
      ['_key', 'i4'],
      ['x', '>f8'],
    ])
    expect(dtypeFromData(dtypeToData(a)).equals(dtypeFromData(dtypeToData(b)))).toBe(false)
  })

  it('rebuilds the same Dtype object for the same data (plans stay cached)', () => {
    const dt = dtype([
      ['_key', 'i4'],
      ['v', 'f4'],
    ])
    expect(dtypeFromData(structuredClone(dtypeToData(dt)))).toBe(
      dtypeFromData(structuredClone(dtypeToData(dt))),
    )
  })
})

describe('arrays as data', () => {
  const dt = dtype([
    ['_key', 'i4'],
    ['v', 'f8'],
  ])
  const make = (n: number, shared = false): StructuredArray =>
    StructuredArray.fromColumns(dt, rowColumns(n, { _key: (i) => i, v: (i) => i / 4 }), {
      shared,
    })
  /** What the other thread sees: the data after a postMessage-style clone with transfer. */
  const cross = (array: StructuredArray): StructuredArray => {
    const { data, transfer } = arrayToData(array)
    return arrayFromData(structuredClone(data, { transfer: transfer as ArrayBuffer[] }))
  }

  it('copies only the rows’ span of an ArrayBuffer, leaving the caller’s array intact', () => {
    const big = make(1000)
    const slice = big.slice(100, 110)
    const { data, transfer } = arrayToData(slice)
    expect(data.buffer.byteLength).toBe(10 * dt.itemsize)
    expect(transfer).toEqual([data.buffer])
    const there = arrayFromData(structuredClone(data, { transfer: transfer as ArrayBuffer[] }))
    expect([...(there.get('_key') as Int32Array)]).toEqual(
      Array.from({ length: 10 }, (_, i) => 100 + i),
    )
    expect(big.buffer.byteLength).toBe(1000 * dt.itemsize) // not detached
    expect(slice.row(0)).toEqual({ _key: 100, v: 25 })
  })

  it('shares a SharedArrayBuffer without copying', () => {
    const shared = make(20, true).slice(5, 15)
    const { data, transfer } = arrayToData(shared)
    expect(transfer).toEqual([])
    expect(data.buffer).toBe(shared.buffer)
    const there = cross(shared)
    expect(there.row(0)).toEqual({ _key: 5, v: 1.25 })
    // the same memory: a write on one side is seen on the other
    there.setRow(0, { _key: 99, v: 0.5 })
    expect(shared.row(0)).toEqual({ _key: 99, v: 0.5 })
  })

  it('keeps the stride of a strided array', () => {
    const base = make(10)
    const strided = StructuredArray.fromBuffer(dt, base.buffer, {
      stride: dt.itemsize * 3,
      length: 4,
    })
    const there = cross(strided)
    expect([...(there.get('_key') as Int32Array)]).toEqual([0, 3, 6, 9])
  })

  it('moves a result array it owns whole, copies a view', () => {
    const own = make(4)
    expect(movableArrayToData(own).transfer).toEqual([own.buffer])
    const view = make(8).slice(2, 4)
    const moved = movableArrayToData(view)
    expect(moved.data.buffer).not.toBe(view.buffer)
    expect(moved.data.buffer.byteLength).toBe(2 * dt.itemsize)
  })

  it('moves whole typed arrays once and copies views', () => {
    const transfer: TransferListItem[] = []
    const whole = new Int32Array(4)
    expect(movable(whole, transfer)).toBe(whole)
    // the same buffer cannot be listed twice: a second array over it is copied
    const again = movable(new Uint8Array(whole.buffer), transfer)
    expect(again.buffer).not.toBe(whole.buffer)
    const view = new Uint32Array(new ArrayBuffer(64), 16, 4)
    const copied = movable(view, transfer)
    expect(copied.buffer.byteLength).toBe(16)
    expect(transfer).toHaveLength(3)
  })
})

describe('key batches as data', () => {
  const cross = (keys: KeyBatch): KeyBatch =>
    keyBatchFromData(structuredClone(keyBatchToData(keys)))

  it('sends keys that are all numbers as one Float64Array and gets them back exactly', () => {
    const userKeys = [0, -1, 42, 2 ** 53 - 1, -(2 ** 53 - 1), -0]
    const keys = resolveKeys(userKeys.map((k) => ['test', 'demo', k]))
    expect(keyBatchToData(keys).userKeys).toBeInstanceOf(Float64Array)
    const back = cross(keys)
    expect(back.length).toBe(userKeys.length)
    back.userKeys.forEach((k, i) => expect(Object.is(k, keys.userKeys[i])).toBe(true))
    expect(Buffer.from(back.digests).equals(Buffer.from(keys.digests))).toBe(true)
  })

  it('sends any other keys as they are: strings, bigints, bytes, digest-only keys', () => {
    const keys = resolveKeys([
      ['test', 'demo', 1],
      ['test', 'demo', 'one'],
      ['test', 'demo', 2n ** 60n],
      ['test', 'demo', Buffer.from([1, 2, 3])],
      { ns: 'test', set: 'demo', digest: Buffer.alloc(20, 7) },
    ])
    expect(Array.isArray(keyBatchToData(keys).userKeys)).toBe(true)
    const back = cross(keys)
    expect(back.userKeys.slice(0, 3)).toEqual([1, 'one', 2n ** 60n])
    expect([...(back.userKeys[3] as Uint8Array)]).toEqual([1, 2, 3])
    expect(back.userKeys[4]).toBeNull()
    expect(Buffer.from(back.digests).equals(Buffer.from(keys.digests))).toBe(true)
  })

  it('refuses numbers that are not integer keys, whoever sent them, naming the key', () => {
    const data = keyBatchToData(resolveKeys([0, 1, 2].map((k) => ['test', 'demo', k])))
    for (const bad of [0.5, Number.NaN, 2 ** 53, -Infinity]) {
      const userKeys = Float64Array.of(0, 1, bad)
      expect(() => keyBatchFromData({ ...data, userKeys })).toThrow(ParamError)
      expect(() => keyBatchFromData({ ...data, userKeys })).toThrow(/keys\[2\]/)
    }
  })
})
