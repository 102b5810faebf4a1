/**
 * Small pure helpers over bytes: UTF-8 validation, trailing-NUL trimming. Used by
 * the write plan and the read decoder; no allocation on the paths called per row.
 */

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
