// IEEE 754 binary16 ("f2") conversion, done from the float64 bits so that a JS number rounds to
// half exactly as numpy's double → half cast does (round half to even, overflow to infinity).

import { badArgument, describeValue } from './args.js'

const scratch = new DataView(new ArrayBuffer(8))

function roundHalfEven(q: number): number {
  const f = Math.floor(q)
  const d = q - f
  if (d > 0.5) return f + 1
  if (d < 0.5) return f
  return f % 2 === 0 ? f : f + 1
}

/** The binary16 bit pattern nearest to `value`. */
export function doubleToHalfBits(value: number): number {
  if (typeof value !== 'number') {
    throw badArgument(`doubleToHalfBits: value must be a number, got ${describeValue(value)}`)
  }
  scratch.setFloat64(0, value)
  const hi = scratch.getUint32(0)
  const sign = (hi >>> 16) & 0x8000
  const exponent = (hi >>> 20) & 0x7ff
  if (exponent === 0x7ff) {
    if (Number.isNaN(value)) {
      // Keep the top significand bits (as numpy does), but never turn a NaN into infinity.
      const top = (hi >>> 10) & 0x3ff
      return sign | 0x7c00 | (top === 0 ? 1 : top)
    }
    return sign | 0x7c00
  }
  const a = Math.abs(value)
  if (a >= 65520) return sign | 0x7c00 // halfway between 65504 and 2^16 rounds to even: infinity
  if (a < 2 ** -14) {
    // Subnormal (or zero): units of 2^-24; 1024 units is the smallest normal, encoded the same way.
    return sign | roundHalfEven(a * 2 ** 24)
  }
  const e = exponent - 1023
  let mantissa = roundHalfEven((a / 2 ** e - 1) * 1024)
  let biased = e + 15
  if (mantissa === 1024) {
    mantissa = 0
    biased += 1
  }
  if (biased >= 31) return sign | 0x7c00
  return sign | (biased << 10) | mantissa
}

/** The number a binary16 bit pattern stands for. */
export function halfBitsToDouble(bits: number): number {
  if (typeof bits !== 'number' || !Number.isInteger(bits) || bits < 0 || bits > 0xffff) {
    throw badArgument(
      `halfBitsToDouble: bits must be an integer from 0 to 0xffff, got ${describeValue(bits)}`,
    )
  }
  const sign = bits & 0x8000 ? -1 : 1
  const exponent = (bits >>> 10) & 0x1f
  const mantissa = bits & 0x3ff
  if (exponent === 0) return sign * mantissa * 2 ** -24
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15)
}
