/**
 * Errors of the async client. Everything thrown is an `AerospikeError` from
 * `@aerospike-numpy/core` (re-exported here) with the official client's numeric `code`;
 * this module adds the client-state errors and the mapping of the official client's errors.
 */
import {
  AerospikeError,
  ClientError,
  ResultCode,
  errorFromCode,
  type WriteSummary,
} from '@aerospike-numpy/core'

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

/**
 * A write that failed after rows were sent, with what happened to every row so far in `results`
 * (a `BatchRecords` for an array — rows not sent carry `ERR_CLIENT_ABORT` (-5) —, a
 * `StreamWriteSummary` of the rows read for a stream). The rows that were in flight settled
 * before it was thrown. `cause` is what stopped the write: a later chunk of a stream that is not
 * valid (a `ParamError`), the stream's own error, or an exception thrown by a callback
 * (`onProgress`, `onRetry`, `onChunkSettled`, `beforeChunk`). `code` is the cause's code (`ERR_CLIENT`
 * for an error that has none) and `inDoubt` is true: rows may be on the server (see `results`).
 * A failure before anything was sent is thrown as it is (e.g. a `ParamError`).
 */
export class PartialWriteError extends AerospikeError {
  override name = 'PartialWriteError'
  results: WriteSummary

  constructor(cause: unknown, results: WriteSummary, op = 'writeNumpy') {
    const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)
    super(
      cause instanceof AerospikeError ? cause.code : ResultCode.ERR_CLIENT,
      `${op} stopped after rows were sent (${reason}); ${results.writtenCount} of ${results.rowCount} rows written so far, ${results.failedCount} not: error.results has every row's outcome`,
      { cause, inDoubt: true },
    )
    this.results = results
  }
}
