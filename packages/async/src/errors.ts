/**
 * Errors of the async client. Everything thrown is an `AerospikeError` from
 * `@aerospike-numpy/core` (re-exported here) with the official client's numeric `code`;
 * this module adds the client-state errors and the mapping of the official client's errors.
 */
import {
  AerospikeError,
  ClientError,
  ParamError,
  ResultCode,
  errorFromCode,
} from '@aerospike-numpy/core'

/** A call that needs a connection was made before `connect()` or after `close()`. */
export class NotConnectedError extends ClientError {
  override name = 'NotConnectedError'
  constructor(message = 'the client is not connected; call connect() first') {
    super(message)
  }
}

/** The configured engine cannot be used here (e.g. the wire engine is not installed): a ParamError. */
export class EngineUnavailableError extends ParamError {
  override name = 'EngineUnavailableError'
}

/**
 * Our error for anything the official client threw: its numeric code kept (an official
 * `AerospikeError` has `code` and `inDoubt`), the original as `cause`.
 */
export function fromOfficialError(error: unknown): AerospikeError {
  if (error instanceof AerospikeError) return error
  const e = error as { code?: unknown; message?: unknown; inDoubt?: unknown } | null
  const code = typeof e?.code === 'number' ? e.code : ResultCode.ERR_CLIENT
  const message = typeof e?.message === 'string' && e.message !== '' ? e.message : undefined
  return errorFromCode(code, message, { cause: error, inDoubt: e?.inDoubt === true })
}
