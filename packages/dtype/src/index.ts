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
export { ArrayValueError, DtypeError, DtypeSpecError, NpyFormatError } from './errors.js'
export type { DtypeErrorCode } from './errors.js'
