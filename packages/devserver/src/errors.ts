// The one error class of the devserver. Errors that cross the worker boundary lose their class,
// so the main thread rebuilds them from `code` and `message`.

export type DevServerErrorCode =
  | 'DEVSERVER_START_FAILED'
  | 'DEVSERVER_STOPPED'
  | 'DEVSERVER_BAD_OPTION'
  | 'DEVSERVER_CONTROL_FAILED'
  | 'DEVSERVER_WORKER_EXITED'

export class DevServerError extends Error {
  override readonly name = 'DevServerError'
  readonly code: DevServerErrorCode

  constructor(code: DevServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
  }
}
