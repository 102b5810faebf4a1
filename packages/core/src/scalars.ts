/**
 * Small pure helpers over bytes: half floats, UTF-8 validation, trailing-NUL trimming. Used by
 * the write plan and the read decoder; no allocation on the paths called per row.
 */

/** IEEE 754 binary16 bits → number (exact). */
export function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1
  const exponent = (bits >> 10) & 0x1f
  const fraction = bits & 0x3ff
  if (exponent === 0) return sign * fraction * 2 ** -24
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15)
}

/** number → IEEE 754 binary16 bits, rounding to nearest even (as numpy's `astype('f2')`). */
export function numberToHalf(value: number): number {
  if (Number.isNaN(value)) return 0x7e00
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0
  const abs = Math.abs(value)
  // 65520 is halfway between the largest half (65504) and 2^16: it and above round to infinity.
  if (abs >= 65520) return sign | 0x7c00
  if (abs < 2 ** -14) return sign | roundHalfEven(abs * 2 ** 24) // subnormal, units of 2^-24
  let exp = Math.floor(Math.log2(abs))
  if (2 ** exp > abs) exp -= 1
  else if (2 ** (exp + 1) <= abs) exp += 1
  let m = roundHalfEven((abs / 2 ** exp) * 1024) // scaling by powers of two is exact
  if (m === 2048) {
    m = 1024
    exp += 1
  }
  if (exp > 15) return sign | 0x7c00
  return sign | ((exp + 15) << 10) | (m - 1024)
}

function roundHalfEven(x: number): number {
  const floor = Math.floor(x)
  const rest = x - floor
  if (rest > 0.5) return floor + 1
  if (rest < 0.5) return floor
  return floor % 2 === 0 ? floor : floor + 1
}

/**
 * Index of the first lone surrogate in `s` (a string that is not well-formed UTF-16), or -1.
 * UTF-8 cannot encode one: TextEncoder turns each into U+FFFD, so 'a\ud800' and 'a\udbff' would
 * become the same bytes.
 */
export function loneSurrogateAt(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0xd800 || c > 0xdfff) continue
    if (c <= 0xdbff) {
      const next = s.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++
        continue
      }
    }
    return i
  }
  return -1
}

/** End of the bytes in [start, end) once trailing NULs are removed (numpy's `S` semantics). */
export function trimTrailingNuls(bytes: Uint8Array, start: number, end: number): number {
  let e = end
  while (e > start && bytes[e - 1] === 0) e--
  return e
}

/**
 * -1 when bytes[start, end) is valid UTF-8, else the offset (from start) of the first bad byte.
 * Rejects overlongs, surrogates and code points above U+10FFFF, as a fatal TextDecoder does.
 */
export function invalidUtf8At(bytes: Uint8Array, start: number, end: number): number {
  let i = start
  while (i < end) {
    const b0 = bytes[i]!
    if (b0 < 0x80) {
      i++
      continue
    }
    let need: number
    // allowed range of the second byte (narrowed to exclude overlongs and surrogates)
    let lo = 0x80
    let hi = 0xbf
    if (b0 >= 0xc2 && b0 <= 0xdf) need = 1
    else if (b0 >= 0xe0 && b0 <= 0xef) {
      need = 2
      if (b0 === 0xe0) lo = 0xa0
      if (b0 === 0xed) hi = 0x9f
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      need = 3
      if (b0 === 0xf0) lo = 0x90
      if (b0 === 0xf4) hi = 0x8f
    } else return i - start
    if (i + need >= end) return i - start
    const b1 = bytes[i + 1]!
    if (b1 < lo || b1 > hi) return i - start
    for (let k = 2; k <= need; k++) {
      const b = bytes[i + k]!
      if (b < 0x80 || b > 0xbf) return i - start
    }
    i += need + 1
  }
  return -1
}

export const utf8Decoder = new TextDecoder('utf-8', { fatal: true })
export const utf8Encoder = new TextEncoder()
