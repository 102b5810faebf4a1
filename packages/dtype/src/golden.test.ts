// The committed golden files (written by golden/make_golden.py with numpy's np.save) read
// without numpy: values as the script defines them, and our encoding reproduces each file.

import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

import { describe, expect, it } from 'vitest'

import { encodeNpy, parseNpy, parseNpyHeader } from './npy.js'
import { StructuredArray } from './structured-array.js'

const golden = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(fileURLToPath(new URL(`./golden/${name}`, import.meta.url))))

function expectRoundTrip(bytes: Uint8Array, a: StructuredArray): void {
  expect(Buffer.from(encodeNpy(a)).equals(Buffer.from(bytes))).toBe(true)
  // Built again from the values alone, through the writers.
  expect(
    Buffer.from(encodeNpy(StructuredArray.fromRows(a.dtype, [...a]))).equals(Buffer.from(bytes)),
  ).toBe(true)
}

describe('golden .npy files', () => {
  it('guide.npy', () => {
    const bytes = golden('guide.npy')
    const a = parseNpy(bytes)
    expect(a.dtype.toString()).toBe("[('_key', '<i4'), ('score', '<f8'), ('count', '<i4')]")
    expect([...a]).toEqual([
      { _key: 1, score: 0.95, count: 10 },
      { _key: 2, score: 0.87, count: 20 },
      { _key: 3, score: 0.72, count: 15 },
    ])
    expectRoundTrip(bytes, a)
    expect(
      Buffer.from(
        encodeNpy(
          StructuredArray.fromRows(a.dtype, [
            [1, 0.95, 10],
            [2, 0.87, 20],
            [3, 0.72, 15],
          ]),
        ),
      ).equals(Buffer.from(bytes)),
    ).toBe(true)
  })

  it('embeddings-2d.npy: a plain (3, 4) <f4 array', () => {
    const bytes = golden('embeddings-2d.npy')
    const header = parseNpyHeader(bytes)
    expect(header.shape).toEqual([3, 4])
    expect(header.descr).toBe('<f4')
    const a = parseNpy(bytes)
    expect(a.length).toBe(3)
    expect(a.dtype.toString()).toBe("('<f4', (4,))")
    expect(a.values()).toEqual(
      new Float32Array([0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.25, 2.5, 2.75]),
    )
    expect(a.row(2)).toEqual(new Float32Array([2, 2.25, 2.5, 2.75]))
    expectRoundTrip(bytes, a)
  })

  it('big-endian.npy: non-native byte order and edge values', () => {
    const bytes = golden('big-endian.npy')
    const a = parseNpy(bytes)
    expect(a.get('id')).toEqual(new BigUint64Array([2n ** 64n - 1n, 0n, 12345678901234567890n]))
    const h = a.get('h') as Float32Array
    expect(h[0]).toBe(Infinity)
    expect(Object.is(h[1], -0)).toBe(true)
    expect(h[2]).toBe(2 ** -24)
    expect((a.get('name') as Uint8Array[]).map((b) => Buffer.from(b).toString('latin1'))).toEqual([
      'abc\0\0',
      '\0x\0\0\0',
      'hello',
    ])
    expect(a.get('flag')).toEqual(new Uint8Array([1, 0, 1]))
    expect(a.get('vec')).toEqual(new Int16Array([-32768, 32767, 1, -1, 0, 256]))
    expectRoundTrip(bytes, a)
  })

  it('aligned.npy: padding entries in the descr', () => {
    const bytes = golden('aligned.npy')
    const a = parseNpy(bytes)
    expect(a.dtype.itemsize).toBe(24)
    expect(a.dtype.fields?.map((f) => [f.name, f.offset])).toEqual([
      ['a', 0],
      ['b', 4],
      ['c', 8],
    ])
    expect(a.dtype.descr).toEqual([
      ['a', '|i1'],
      ['', '|V3'],
      ['b', '<i4'],
      ['c', '<f8'],
      ['', '|V8'],
    ])
    expect([...a]).toEqual([
      { a: -1, b: 7, c: 1.5 },
      { a: 2, b: -8, c: -2.25 },
    ])
    expectRoundTrip(bytes, a)
  })

  it('nested.npy: a nested struct and a 2-D sub-array field', () => {
    const bytes = golden('nested.npy')
    const a = parseNpy(bytes)
    expect(a.row(1)).toEqual({
      k: 2,
      pos: { x: 1.5, y: 2.5 },
      hist: new Uint16Array([5, 6, 7, 65535]),
    })
    const pos = a.get('pos') as StructuredArray
    expect(pos.get('y')).toEqual(new Float32Array([-0.5, 2.5]))
    expectRoundTrip(bytes, a)
  })

  it('version3.npy: a UTF-8 header', () => {
    const bytes = golden('version3.npy')
    expect(parseNpyHeader(bytes).version).toBe(3)
    const a = parseNpy(bytes)
    expect(a.dtype.names).toEqual(['ключ', 'label'])
    expect(a.get('label')).toEqual(['añb', '漢字🙂'])
    expectRoundTrip(bytes, a)
  })
})
