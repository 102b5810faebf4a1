export type TestUtilsErrorCode =
  | 'TEST_UTILS_BAD_HOSTS'
  | 'TEST_UTILS_BAD_OPTION'
  | 'TEST_UTILS_INFO_FAILED'
  | 'TEST_UTILS_SERVER_FAILED'

export class TestUtilsError extends Error {
  override readonly name = 'TestUtilsError'
  readonly code: TestUtilsErrorCode

  constructor(code: TestUtilsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
  }
}
