import { describe, expect, it } from 'vitest'

import { doubleToHalfBits, halfBitsToDouble } from './half.js'
import { runOracle } from './test-support/oracle.js'
import { rng } from './test-support/random-dtype.js'

const view = new DataView(new ArrayBuffer(8))
const toHex = (x: number): string => {
  view.setFloat64(0, x)
  return view.getBigUint64(0).toString(16).padStart(16, '0')
}
const fromHex = (h: string): number => {
  view.setBigUint64(0, BigInt(`0x${h}`))
  return view.getFloat64(0)
}

describe('f2 (binary16) against numpy', () => {
  it('decodes all 65536 bit patterns and rounds doubles exactly as numpy casts them', () => {
    const r = rng(16)
    const doubles: number[] = [
      0,
      -0,
      Infinity,
      -Infinity,
      65504,
      65519.99,
      65520,
      -65520,
      2 ** -24,
      2 ** -25,
      3 * 2 ** -26,
      2 ** -26,
      1e-9,
      6.1e-5,
      2 ** -14,
      1 + 2 ** -11,
      1 + 3 * 2 ** -11,
      2049,
      2051,
      1 / 3,
    ]
    // Every half and its neighbours halfway between (ties), plus random doubles over the range.
    for (let bits = 0; bits < 0x7c00; bits += 7) {
      const x = halfBitsToDouble(bits)
      const next = halfBitsToDouble(bits + 1)
      doubles.push(x, -x, (x + next) / 2, -(x + next) / 2)
    }
    for (let i = 0; i < 5000; i++) doubles.push((r() - 0.5) * 2 ** Math.floor(r() * 40 - 28))
    const [res] = runOracle([{ op: 'half', doubles: doubles.map(toHex) }])
    const bits = res?.bits ?? []
    const decoded = res?.decoded ?? []
    const wrongEncode = doubles.filter((x, i) => doubleToHalfBits(x) !== bits[i]).slice(0, 5)
    expect(wrongEncode.map((x) => [x, doubleToHalfBits(x), bits[doubles.indexOf(x)]])).toEqual([])
    expect(decoded.length).toBe(65536)
    const wrongDecode: number[] = []
    for (let b = 0; b < 65536; b++) {
      const ours = halfBitsToDouble(b)
      const theirs = fromHex(decoded[b] as string)
      if (!(Object.is(ours, theirs) || (Number.isNaN(ours) && Number.isNaN(theirs))))
        wrongDecode.push(b)
    }
    expect(wrongDecode.slice(0, 5)).toEqual([])
    expect(doubleToHalfBits(NaN) & 0x7c00).toBe(0x7c00)
    expect(doubleToHalfBits(NaN) & 0x3ff).not.toBe(0)
  })
})
