/**
 * Every error this package throws is a `DtypeError` (or a subclass), with a string `code`
 * naming the kind of failure. None of them has a server result code: nothing here talks to a server.
 */
export type DtypeErrorCode =
  | 'DTYPE_SYNTAX'
  | 'DTYPE_UNKNOWN_KIND'
  | 'DTYPE_BAD_SIZE'
  | 'DTYPE_BAD_OFFSET'
  | 'DTYPE_BAD_SPEC'
  | 'DTYPE_UNSUPPORTED'
  | 'NPY_BAD_MAGIC'
  | 'NPY_BAD_VERSION'
  | 'NPY_TRUNCATED'
  | 'NPY_BAD_HEADER'
  | 'NPY_SIZE_MISMATCH'
  | 'NPY_FORTRAN_ORDER'
  | 'NPY_OBJECT_ARRAY'
  | 'NPY_TOO_LARGE'
  | 'NPY_IO'
  | 'ARRAY_VALUE'
  | 'ARRAY_LENGTH'
  | 'ARRAY_FIELD'
  | 'ARRAY_INDEX'
  | 'ARRAY_BUFFER'
  /** An argument of the wrong type (a path that is not a string, bytes that are not bytes, …). */
  | 'BAD_ARGUMENT'

export interface DtypeErrorOptions {
  cause?: unknown
}

/** Base class of every error thrown by `@aerospike-numpy/dtype`. */
export class DtypeError extends Error {
  override readonly name: string = 'DtypeError'
  readonly code: DtypeErrorCode
  override readonly cause: unknown

  constructor(code: DtypeErrorCode, message: string, options: DtypeErrorOptions = {}) {
    super(message)
    this.code = code
    this.cause = options.cause
  }
}

/** A dtype spec that cannot be turned into a layout: bad text, unknown kind, bad sizes or offsets. */
export class DtypeSpecError extends DtypeError {
  override readonly name = 'DtypeSpecError'
}

/** A `.npy` file or byte string that is not a valid, supported array. */
export class NpyFormatError extends DtypeError {
  override readonly name = 'NpyFormatError'
}

/** Bad values, lengths, field names, indices or buffers given to a `StructuredArray`. */
export class ArrayValueError extends DtypeError {
  override readonly name = 'ArrayValueError'
}
