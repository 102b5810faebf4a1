/**
 * Columns of a structured array (a `.npy` file's rows, a dead-letter file's rows): each field is
 * copied as its bytes, so values pass through unchanged. numpy bool, datetime64 and timedelta64
 * fields become `u1` and `i8` (same bytes; the unit is kept in the column's source type).
 */
import { ParamError } from '@aerospike-numpy/core'
import type { Dtype, StructuredArray } from '@aerospike-numpy/dtype'
import { Problem, type ColumnReader, type SourceBatch, type SourceColumn } from '../source.js'

/** numpy field → the column type the converter writes (refusing what cannot be a bin). */
function fieldType(name: string, dt: Dtype, path: string): SourceColumn {
  const base = dt.base
  const shape = dt.isSubarray ? dt.shape : undefined
  let format: string
  switch (base.kind) {
    case 'b':
      format = '|u1'
      break
    case 'M':
    case 'm':
      format = `${base.byteOrder === '>' ? '>' : '<'}i8`
      break
    case 'i':
    case 'u':
    case 'f':
    case 'S':
    case 'V':
      if (base.isStructured) {
        throw new ParamError(`${path}: field '${name}' is a nested structure, which is not a bin`)
      }
      format = base.str
      break
    default:
      throw new ParamError(
        `${path}: field '${name}' has dtype ${dt.str}, which cannot be a bin (use S<n> for text, i8 for times); leave it out with --bins`,
      )
  }
  return {
    name,
    type: shape === undefined ? { kind: 'fixed', format } : { kind: 'fixed', format, shape },
    sourceType: dt.str,
    nullable: false,
  }
}

export function structColumns(dt: Dtype, path: string): SourceColumn[] {
  if (dt.fields === null) {
    throw new ParamError(
      `${path}: the rows have dtype ${dt.str}, not a structured dtype with named fields (one of them the key)`,
    )
  }
  return dt.fields.map((f) => fieldType(f.name, f.dtype, path))
}

/** A batch over a structured array: column i reads field i's bytes. */
export function structBatch(array: StructuredArray): SourceBatch {
  const fields = array.dtype.fields!
  const src = new Uint8Array(array.buffer)
  const readers: ColumnReader[] = fields.map((f) => {
    const size = f.dtype.itemsize
    const at = array.byteOffset + f.offset
    const stride = array.stride
    return {
      isNull: () => false,
      write(row, out, _view, offset) {
        const from = at + row * stride
        for (let k = 0; k < size; k++) out[offset + k] = src[from + k]!
        return Problem.OK
      },
    }
  })
  return { length: array.length, column: (i) => readers[i]!, structured: array }
}
