/**
 * Errors of aerospike-numpy. Every error is an `AerospikeError` carrying the numeric `code` the
 * official `aerospike` client uses for the same condition (`0` ok, `2` not found, `9` timeout,
 * `-2` bad parameter, `-10` connection, …), so code written against the official client's
 * `error.code` keeps working. `codeName` is the string form (`'ERR_TIMEOUT'`), and `result`
 * repeats the numeric code (the server's result code where the server produced it).
 */
import { ResultCode, resultCodeName } from './codes.js'

export interface AerospikeErrorOptions {
  cause?: unknown
  /** The write may have been applied even though it reported a failure. */
  inDoubt?: boolean
}

export class AerospikeError extends Error {
  override name = 'AerospikeError'
  /** Numeric result code, as the official client's `AerospikeError.code`. */
  readonly code: number
  /** Same numeric code: the server's result code when the server produced it. */
  readonly result: number
  /** The code's name as the official client spells it in `Aerospike.status` (`'ERR_TIMEOUT'`). */
  readonly codeName: string
  readonly inDoubt: boolean

  constructor(code: number, message: string, options: AerospikeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.result = code
    this.codeName = resultCodeName(code)
    this.inDoubt = options.inDoubt ?? false
  }
}

/** Bad input from the caller: a dtype, an array, a key, an option. Nothing was sent. */
export class ParamError extends AerospikeError {
  override name = 'ParamError'
  constructor(message: string, options: AerospikeErrorOptions = {}) {
    super(ResultCode.ERR_PARAM, message, options)
  }
}

/** A value read back from the server does not fit the read dtype's field without loss. */
export class ConversionError extends AerospikeError {
  override name = 'ConversionError'
  constructor(message: string, options: AerospikeErrorOptions = {}) {
    super(ResultCode.ERR_CLIENT, message, options)
  }
}

export class ClientError extends AerospikeError {
  override name = 'ClientError'
  constructor(message: string, options: AerospikeErrorOptions = {}) {
    super(ResultCode.ERR_CLIENT, message, options)
  }
}

export class ConnectionError extends AerospikeError {
  override name = 'ConnectionError'
  constructor(message: string, options: AerospikeErrorOptions = {}) {
    super(ResultCode.ERR_CONNECTION, message, options)
  }
}

export class NoResponseError extends AerospikeError {
  override name = 'NoResponseError'
  constructor(message: string, options: AerospikeErrorOptions = {}) {
    super(ResultCode.NO_RESPONSE, message, options)
  }
}

export class AbortError extends AerospikeError {
  override name = 'AbortError'
  constructor(message: string, options: AerospikeErrorOptions = {}) {
    super(ResultCode.ERR_CLIENT_ABORT, message, options)
  }
}

export class ServerError extends AerospikeError {
  override name = 'ServerError'
  constructor(message: string, options: AerospikeErrorOptions = {}) {
    super(ResultCode.ERR_SERVER, message, options)
  }
}

export class RecordNotFoundError extends AerospikeError {
  override name = 'RecordNotFoundError'
  constructor(message: string, options: AerospikeErrorOptions = {}) {
    super(ResultCode.ERR_RECORD_NOT_FOUND, message, options)
  }
}

export class GenerationError extends AerospikeError {
  override name = 'GenerationError'
  constructor(message: string, options: AerospikeErrorOptions = {}) {
    super(ResultCode.ERR_RECORD_GENERATION, message, options)
  }
}

export class RequestInvalidError extends AerospikeError {
  override name = 'RequestInvalidError'
  constructor(message: string, options: AerospikeErrorOptions = {}) {
    super(ResultCode.ERR_REQUEST_INVALID, message, options)
  }
}

export class RecordExistsError extends AerospikeError {
  override name = 'RecordExistsError'
  constructor(message: string, options: AerospikeErrorOptions = {}) {
    super(ResultCode.ERR_RECORD_EXISTS, message, options)
  }
}

export class ServerFullError extends AerospikeError {
  override name = 'ServerFullError'
  constructor(message: string, options: AerospikeErrorOptions = {}) {
    super(ResultCode.ERR_SERVER_FULL, message, options)
  }
}

export class TimeoutError extends AerospikeError {
  override name = 'TimeoutError'
  constructor(message: string, options: AerospikeErrorOptions = {}) {
    super(ResultCode.ERR_TIMEOUT, message, options)
  }
}

export class PartitionUnavailableError extends AerospikeError {
  override name = 'PartitionUnavailableError'
  constructor(message: string, options: AerospikeErrorOptions = {}) {
    super(ResultCode.ERR_CLUSTER, message, options)
  }
}

export class RecordTooBigError extends AerospikeError {
  override name = 'RecordTooBigError'
  constructor(message: string, options: AerospikeErrorOptions = {}) {
    super(ResultCode.ERR_RECORD_TOO_BIG, message, options)
  }
}

export class KeyBusyError extends AerospikeError {
  override name = 'KeyBusyError'
  constructor(message: string, options: AerospikeErrorOptions = {}) {
    super(ResultCode.ERR_RECORD_BUSY, message, options)
  }
}

export class DeviceOverloadError extends AerospikeError {
  override name = 'DeviceOverloadError'
  constructor(message: string, options: AerospikeErrorOptions = {}) {
    super(ResultCode.ERR_DEVICE_OVERLOAD, message, options)
  }
}

export class NamespaceNotFoundError extends AerospikeError {
  override name = 'NamespaceNotFoundError'
  constructor(message: string, options: AerospikeErrorOptions = {}) {
    super(ResultCode.ERR_NAMESPACE_NOT_FOUND, message, options)
  }
}

export class BinNameError extends AerospikeError {
  override name = 'BinNameError'
  constructor(message: string, options: AerospikeErrorOptions = {}) {
    super(ResultCode.ERR_BIN_NAME, message, options)
  }
}

/** A partition a scan could not finish (see `ScanIncompleteError.unfinished`). */
export interface UnfinishedPartition {
  id: number
  /** The last record read from the partition, or null: pass it back to resume after it. */
  digest: Uint8Array | null
  /** The last result code the partition failed with. */
  code: number
}

/**
 * A scan could not read some partitions to their end (a node gone, partitions unavailable, a
 * timeout) within its retries. Every row it did read was delivered, none twice; `unfinished`
 * names the rest, and passing it back as the `partitions` option resumes exactly there. `code`
 * is the last failure's result code.
 */
export class ScanIncompleteError extends AerospikeError {
  override name = 'ScanIncompleteError'
  readonly unfinished: UnfinishedPartition[]
  /** Rows delivered before the scan gave up. */
  readonly rows: number

  constructor(
    code: number,
    message: string,
    unfinished: UnfinishedPartition[],
    rows: number,
    options: AerospikeErrorOptions = {},
  ) {
    super(code, message, options)
    this.unfinished = unfinished
    this.rows = rows
  }
}

type ErrorClass = new (message: string, options?: AerospikeErrorOptions) => AerospikeError

const ERROR_CLASS_BY_CODE: ReadonlyMap<number, ErrorClass> = new Map<number, ErrorClass>([
  [ResultCode.ERR_PARAM, ParamError],
  [ResultCode.ERR_CLIENT, ClientError],
  [ResultCode.ERR_CONNECTION, ConnectionError],
  [ResultCode.NO_RESPONSE, NoResponseError],
  [ResultCode.ERR_CLIENT_ABORT, AbortError],
  [ResultCode.ERR_SERVER, ServerError],
  [ResultCode.ERR_RECORD_NOT_FOUND, RecordNotFoundError],
  [ResultCode.ERR_RECORD_GENERATION, GenerationError],
  [ResultCode.ERR_REQUEST_INVALID, RequestInvalidError],
  [ResultCode.ERR_RECORD_EXISTS, RecordExistsError],
  [ResultCode.ERR_SERVER_FULL, ServerFullError],
  [ResultCode.ERR_TIMEOUT, TimeoutError],
  [ResultCode.ERR_CLUSTER, PartitionUnavailableError],
  [ResultCode.ERR_RECORD_TOO_BIG, RecordTooBigError],
  [ResultCode.ERR_RECORD_BUSY, KeyBusyError],
  [ResultCode.ERR_DEVICE_OVERLOAD, DeviceOverloadError],
  [ResultCode.ERR_NAMESPACE_NOT_FOUND, NamespaceNotFoundError],
  [ResultCode.ERR_BIN_NAME, BinNameError],
])

/**
 * The error for a numeric result code: the subclass for common codes, a plain `AerospikeError`
 * otherwise. Used to map the official client's errors and to rebuild errors that crossed a
 * thread boundary (where they lose their class).
 */
export function errorFromCode(
  code: number,
  message?: string,
  options: AerospikeErrorOptions = {},
): AerospikeError {
  const text = message ?? `${resultCodeName(code)} (${code})`
  const Class = ERROR_CLASS_BY_CODE.get(code)
  return Class === undefined ? new AerospikeError(code, text, options) : new Class(text, options)
}

export function isAerospikeError(value: unknown): value is AerospikeError {
  return value instanceof AerospikeError
}
