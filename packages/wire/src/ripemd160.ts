// RIPEMD-160 (Dobbertin, Bosselaers, Preneel 1996) over a byte range, written for the per-row key
// digest: no allocation per call, unlike crypto.createHash(), whose per-call object and Buffer
// cost more than the rest of a row's encoding.

const R_LEFT = Uint8Array.from([
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 7, 4, 13, 1, 10, 6, 15, 3, 12, 0, 9, 5, 2,
  14, 11, 8, 3, 10, 14, 4, 9, 15, 8, 1, 2, 7, 0, 6, 13, 11, 5, 12, 1, 9, 11, 10, 0, 8, 12, 4, 13, 3,
  7, 15, 14, 5, 6, 2, 4, 0, 5, 9, 7, 12, 2, 10, 14, 1, 3, 8, 11, 6, 15, 13,
])
const R_RIGHT = Uint8Array.from([
  5, 14, 7, 0, 9, 2, 11, 4, 13, 6, 15, 8, 1, 10, 3, 12, 6, 11, 3, 7, 0, 13, 5, 10, 14, 15, 8, 12, 4,
  9, 1, 2, 15, 5, 1, 3, 7, 14, 6, 9, 11, 8, 12, 2, 10, 0, 4, 13, 8, 6, 4, 1, 3, 11, 15, 0, 5, 12, 2,
  13, 9, 7, 10, 14, 12, 15, 10, 4, 1, 5, 8, 7, 6, 2, 13, 14, 0, 3, 9, 11,
])
const S_LEFT = Uint8Array.from([
  11, 14, 15, 12, 5, 8, 7, 9, 11, 13, 14, 15, 6, 7, 9, 8, 7, 6, 8, 13, 11, 9, 7, 15, 7, 12, 15, 9,
  11, 7, 13, 12, 11, 13, 6, 7, 14, 9, 13, 15, 14, 8, 13, 6, 5, 12, 7, 5, 11, 12, 14, 15, 14, 15, 9,
  8, 9, 14, 5, 6, 8, 6, 5, 12, 9, 15, 5, 11, 6, 8, 13, 12, 5, 12, 13, 14, 11, 8, 5, 6,
])
const S_RIGHT = Uint8Array.from([
  8, 9, 9, 11, 13, 15, 15, 5, 7, 7, 8, 11, 14, 14, 12, 6, 9, 13, 15, 7, 12, 8, 9, 11, 7, 7, 12, 7,
  6, 15, 13, 11, 9, 7, 15, 11, 8, 6, 6, 14, 12, 13, 5, 14, 13, 13, 7, 5, 15, 5, 8, 11, 14, 14, 6,
  14, 6, 9, 12, 9, 12, 5, 15, 8, 8, 5, 12, 9, 12, 5, 14, 6, 8, 13, 6, 5, 15, 13, 11, 11,
])
/** A reusable RIPEMD-160 hasher: `digest()` writes 20 bytes, allocating nothing. */
export class Ripemd160 {
  private readonly x = new Int32Array(16)
  private readonly h = new Int32Array(5)
  private readonly tail = new Uint8Array(128)

  /** Hashes `input[offset, offset+length)` into `out[outOffset, outOffset+20)`. */
  digest(
    input: Uint8Array,
    offset: number,
    length: number,
    out: Uint8Array,
    outOffset: number,
  ): void {
    const h = this.h
    h[0] = 0x67452301
    h[1] = 0xefcdab89 | 0
    h[2] = 0x98badcfe | 0
    h[3] = 0x10325476
    h[4] = 0xc3d2e1f0 | 0
    const end = offset + length
    let p = offset
    for (; p + 64 <= end; p += 64) this.block(input, p)
    // Padding: 0x80, zeros, bit length as u64 LE, in one or two final blocks.
    const tail = this.tail
    const rest = end - p
    tail.fill(0)
    for (let i = 0; i < rest; i++) tail[i] = input[p + i]!
    tail[rest] = 0x80
    const tailLength = rest < 56 ? 64 : 128
    const bits = length * 8
    const lo = bits >>> 0
    const hi = Math.floor(bits / 0x100000000)
    tail[tailLength - 8] = lo & 0xff
    tail[tailLength - 7] = (lo >>> 8) & 0xff
    tail[tailLength - 6] = (lo >>> 16) & 0xff
    tail[tailLength - 5] = lo >>> 24
    tail[tailLength - 4] = hi & 0xff
    tail[tailLength - 3] = (hi >>> 8) & 0xff
    tail[tailLength - 2] = (hi >>> 16) & 0xff
    tail[tailLength - 1] = hi >>> 24
    this.block(tail, 0)
    if (tailLength === 128) this.block(tail, 64)
    for (let i = 0; i < 5; i++) {
      const v = h[i]!
      const o = outOffset + i * 4
      out[o] = v & 0xff
      out[o + 1] = (v >>> 8) & 0xff
      out[o + 2] = (v >>> 16) & 0xff
      out[o + 3] = v >>> 24
    }
  }

  private block(bytes: Uint8Array, p: number): void {
    const x = this.x
    for (let i = 0; i < 16; i++, p += 4) {
      x[i] = bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16) | (bytes[p + 3]! << 24)
    }
    const h = this.h
    let al = h[0]!
    let bl = h[1]!
    let cl = h[2]!
    let dl = h[3]!
    let el = h[4]!
    let ar = al
    let br = bl
    let cr = cl
    let dr = dl
    let er = el
    // Five rounds of 16 steps per line; the boolean function of each round is written inline
    // (a per-step dispatch costs more than the rest of the step).
    let t: number
    let s: number
    let j = 0
    for (; j < 16; j++) {
      t = (al + (bl ^ cl ^ dl) + x[R_LEFT[j]!]!) | 0
      s = S_LEFT[j]!
      t = (((t << s) | (t >>> (32 - s))) + el) | 0
      al = el
      el = dl
      dl = (cl << 10) | (cl >>> 22)
      cl = bl
      bl = t
      t = (ar + (br ^ (cr | ~dr)) + x[R_RIGHT[j]!]! + 0x50a28be6) | 0
      s = S_RIGHT[j]!
      t = (((t << s) | (t >>> (32 - s))) + er) | 0
      ar = er
      er = dr
      dr = (cr << 10) | (cr >>> 22)
      cr = br
      br = t
    }
    for (; j < 32; j++) {
      t = (al + ((bl & cl) | (~bl & dl)) + x[R_LEFT[j]!]! + 0x5a827999) | 0
      s = S_LEFT[j]!
      t = (((t << s) | (t >>> (32 - s))) + el) | 0
      al = el
      el = dl
      dl = (cl << 10) | (cl >>> 22)
      cl = bl
      bl = t
      t = (ar + ((br & dr) | (cr & ~dr)) + x[R_RIGHT[j]!]! + 0x5c4dd124) | 0
      s = S_RIGHT[j]!
      t = (((t << s) | (t >>> (32 - s))) + er) | 0
      ar = er
      er = dr
      dr = (cr << 10) | (cr >>> 22)
      cr = br
      br = t
    }
    for (; j < 48; j++) {
      t = (al + ((bl | ~cl) ^ dl) + x[R_LEFT[j]!]! + 0x6ed9eba1) | 0
      s = S_LEFT[j]!
      t = (((t << s) | (t >>> (32 - s))) + el) | 0
      al = el
      el = dl
      dl = (cl << 10) | (cl >>> 22)
      cl = bl
      bl = t
      t = (ar + ((br | ~cr) ^ dr) + x[R_RIGHT[j]!]! + 0x6d703ef3) | 0
      s = S_RIGHT[j]!
      t = (((t << s) | (t >>> (32 - s))) + er) | 0
      ar = er
      er = dr
      dr = (cr << 10) | (cr >>> 22)
      cr = br
      br = t
    }
    for (; j < 64; j++) {
      t = (al + ((bl & dl) | (cl & ~dl)) + x[R_LEFT[j]!]! + (0x8f1bbcdc | 0)) | 0
      s = S_LEFT[j]!
      t = (((t << s) | (t >>> (32 - s))) + el) | 0
      al = el
      el = dl
      dl = (cl << 10) | (cl >>> 22)
      cl = bl
      bl = t
      t = (ar + ((br & cr) | (~br & dr)) + x[R_RIGHT[j]!]! + 0x7a6d76e9) | 0
      s = S_RIGHT[j]!
      t = (((t << s) | (t >>> (32 - s))) + er) | 0
      ar = er
      er = dr
      dr = (cr << 10) | (cr >>> 22)
      cr = br
      br = t
    }
    for (; j < 80; j++) {
      t = (al + (bl ^ (cl | ~dl)) + x[R_LEFT[j]!]! + (0xa953fd4e | 0)) | 0
      s = S_LEFT[j]!
      t = (((t << s) | (t >>> (32 - s))) + el) | 0
      al = el
      el = dl
      dl = (cl << 10) | (cl >>> 22)
      cl = bl
      bl = t
      t = (ar + (br ^ cr ^ dr) + x[R_RIGHT[j]!]!) | 0
      s = S_RIGHT[j]!
      t = (((t << s) | (t >>> (32 - s))) + er) | 0
      ar = er
      er = dr
      dr = (cr << 10) | (cr >>> 22)
      cr = br
      br = t
    }
    t = (h[1]! + cl + dr) | 0
    h[1] = (h[2]! + dl + er) | 0
    h[2] = (h[3]! + el + ar) | 0
    h[3] = (h[4]! + al + br) | 0
    h[4] = (h[0]! + bl + cr) | 0
    h[0] = t
  }
}
