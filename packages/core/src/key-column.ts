/**
 * The user keys of a write's rows, owned by its result. Results (`BatchRecords`, failures) are
 * read after the call settles, when the caller may already reuse or refill its buffer, so the key
 * field's bytes are copied here while the call runs: one copy of the key field per row, in one
 * flat buffer (no object per row); keys are decoded only for the rows someone looks at.
 */
import type { UserKey } from './engine.js'
import type { KeyCodec } from './plan.js'

/** Rows of a structured array, as the plan's codecs read them. */
export interface RowSource {
  readonly buffer: ArrayBufferLike
  readonly byteOffset: number
  readonly stride: number
}

export class KeyColumn {
  /** The key field's bytes of row i at `i * width`. */
  readonly bytes: Uint8Array
  readonly width: number
  readonly length: number
  readonly #key: KeyCodec
  readonly #fieldOffset: number

  /** `bytes`: a column captured elsewhere (e.g. in another thread), `length * width` bytes. */
  constructor(key: KeyCodec, length: number, bytes?: Uint8Array) {
    this.#key = key
    this.#fieldOffset = key.field.offset
    this.width = key.field.dtype.itemsize
    this.length = length
    if (bytes !== undefined && bytes.length !== length * this.width) {
      throw new RangeError(`a key column of ${length} rows needs ${length * this.width} bytes`)
    }
    this.bytes = bytes ?? new Uint8Array(length * this.width)
  }

  /** Copy the keys of rows [0, count) of `rows` into rows [at, at + count) of this column. */
  capture(rows: RowSource, count: number, at: number): void {
    const src = new Uint8Array(rows.buffer)
    const { width, bytes } = this
    const stride = rows.stride
    let p = rows.byteOffset + this.#fieldOffset
    let q = at * width
    if (width === 4 || width === 8) {
      // the common integer keys: a byte loop of fixed length (faster than a subarray per row)
      for (let i = 0; i < count; i++, p += stride, q += width) {
        for (let k = 0; k < width; k++) bytes[q + k] = src[p + k]!
      }
      return
    }
    for (let i = 0; i < count; i++, p += stride, q += width) {
      bytes.set(src.subarray(p, p + width), q)
    }
  }

  /** The user key of row `row`, decoded as the key codec decodes it from the row. */
  keyAt(row: number): UserKey {
    // The codec reads at rowOffset + field offset: row i's bytes start at i * width here.
    return this.#key.value(this.bytes, row * this.width - this.#fieldOffset, row)
  }
}
