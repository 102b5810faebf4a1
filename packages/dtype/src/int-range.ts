/**
 * The integer dtypes' ranges (numpy's `iinfo`) and, for those up to 4 bytes, the DataView call
 * that stores one: the one table the dtype codec and core's read-back decoder share.
 */

/** An integer dtype of at most 4 bytes: its range and how to store a value already checked. */
export interface IntRange {
  readonly min: number
  readonly max: number
  set(view: DataView, offset: number, value: number, littleEndian: boolean): void
}

export const INT_RANGES: Readonly<Record<'i1' | 'u1' | 'i2' | 'u2' | 'i4' | 'u4', IntRange>> = {
  i1: { min: -128, max: 127, set: (v, o, x) => v.setInt8(o, x) },
  u1: { min: 0, max: 255, set: (v, o, x) => v.setUint8(o, x) },
  i2: { min: -32768, max: 32767, set: (v, o, x, le) => v.setInt16(o, x, le) },
  u2: { min: 0, max: 65535, set: (v, o, x, le) => v.setUint16(o, x, le) },
  i4: { min: -2147483648, max: 2147483647, set: (v, o, x, le) => v.setInt32(o, x, le) },
  u4: { min: 0, max: 4294967295, set: (v, o, x, le) => v.setUint32(o, x, le) },
}

export const INT64_MIN = -(2n ** 63n)
export const INT64_MAX = 2n ** 63n - 1n
export const UINT64_MAX = 2n ** 64n - 1n

/** The range of an integer dtype of at most 4 bytes (`kind` 'i' or 'u'), else undefined. */
export function intRange(kind: string, itemsize: number): IntRange | undefined {
  return (INT_RANGES as Record<string, IntRange | undefined>)[`${kind}${itemsize}`]
}
