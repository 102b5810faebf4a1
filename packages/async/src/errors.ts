/**
 * Errors of the async client. Everything thrown is an `AerospikeError` from
 * `@aerospike-numpy/core` (re-exported here) with the official client's numeric `code`;
 * this module adds the client-state errors and the mapping of the official client's errors.
 */
import { AerospikeError, ClientError, ResultCode, errorFromCode } from '@aerospike-numpy/core'

/** A call that needs a connection was made before `connect()` or after `close()`. */
export class NotConnectedError extends ClientError {
  override name = 'NotConnectedError'
  constructor(message = 'the client is not connected; call connect() first') {
    super(message)
  }
}

/**
 * Our error for anything the official client threw: its numeric code kept (an official
 * `AerospikeError` has `code` and `inDoubt`) except -6, reported as -10 (below), the original
 * as `cause`.
 */
export function fromOfficialError(error: unknown): AerospikeError {
  if (error instanceof AerospikeError) return error
  const e = error as { code?: unknown; message?: unknown; inDoubt?: unknown } | null
  let code = typeof e?.code === 'number' ? e.code : ResultCode.ERR_CLIENT
  // The official client runs every command on its C event loop, so a node it cannot connect to
  // or that drops the socket reports ERR_ASYNC_CONNECTION (-6); connect() and the wire engine
  // report the same failure as ERR_CONNECTION (-10). One failure, one code: ConnectionError.
  if (code === ResultCode.ERR_ASYNC_CONNECTION) code = ResultCode.ERR_CONNECTION
  const message = typeof e?.message === 'string' && e.message !== '' ? e.message : undefined
  return errorFromCode(code, message, { cause: error, inDoubt: e?.inDoubt === true })
}
