/**
 * Errors of the blocking client itself. Errors of the calls (bad input, server codes) are the
 * async client's own classes from `@aerospike-numpy/core`, rebuilt on the calling thread.
 */
import { ClientError, TimeoutError, type AerospikeErrorOptions } from '@aerospike-numpy/core'

/**
 * The worker thread that runs the client ended (crashed, exited, or was stopped) before answering.
 * `code` is ERR_CLIENT (-1); `exitCode` is the thread's exit code. The next call starts a new
 * worker (and reconnects if the client was connected).
 */
export class SyncWorkerExitedError extends ClientError {
  override name = 'SyncWorkerExitedError'
  readonly exitCode: number

  constructor(message: string, exitCode: number, options: AerospikeErrorOptions = {}) {
    super(message, options)
    this.exitCode = exitCode
  }
}

/**
 * A call ran longer than the client's `callTimeout`. `code` is ERR_TIMEOUT (9), like any timeout.
 * The worker was stopped, so writes of that call may have been applied in part (`inDoubt`).
 */
export class SyncCallTimeoutError extends TimeoutError {
  override name = 'SyncCallTimeoutError'
  readonly timeoutMs: number

  constructor(message: string, timeoutMs: number, options: AerospikeErrorOptions = {}) {
    super(message, options)
    this.timeoutMs = timeoutMs
  }
}

/** A worker thread for the client could not be started (e.g. the package is not built). */
export class SyncWorkerStartError extends ClientError {
  override name = 'SyncWorkerStartError'
}
