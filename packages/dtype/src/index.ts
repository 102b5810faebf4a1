export { dtype, Dtype, descrRepr } from './dtype.js'
export type {
  ByteOrder,
  DescrEntry,
  DescrType,
  DictSpec,
  DtypeField,
  DtypeKind,
  DtypeOptions,
  DtypeSpec,
  FieldSpec,
  ShapeSpec,
} from './dtype.js'
export { StructuredArray } from './structured-array.js'
export type { Column, ColumnInput, FromBufferOptions, ZerosOptions } from './structured-array.js'
export type { Complex, RowValue, TypedColumn } from './codec.js'
export { doubleToHalfBits, halfBitsToDouble } from './half.js'
export {
  INT_RANGES,
  INT64_MIN,
  INT64_MAX,
  UINT64_MAX,
  intRange,
  type IntRange,
} from './int-range.js'
export { ArrayValueError, DtypeError, DtypeSpecError, NpyFormatError } from './errors.js'
export type { DtypeErrorCode } from './errors.js'
export { encodeNpy, encodeNpyHeader, parseNpy, parseNpyHeader, NPY_MAGIC } from './npy.js'
export type { NpyHeader, NpyVersion } from './npy.js'
export { openNpy, readNpy, readNpyHeader, readNpySync, writeNpy, writeNpySync } from './npy-file.js'
export type { OpenNpyOptions } from './npy-file.js'
