/** Why a byte sequence could not be encoded or decoded. */
export type WireErrorCode =
  | 'TRUNCATED' // the input ends before the structure it announces
  | 'BAD_VERSION' // proto version is not 2
  | 'BAD_TYPE' // unknown proto type or an unexpected message kind
  | 'OVERSIZE' // a frame or value larger than the configured maximum
  | 'BAD_SIZE' // a size field that is impossible (too small, crosses its container, mismatched)
  | 'BAD_VALUE' // a value that cannot be represented (out of range, bad UTF-8, bad key type)
  | 'INFLATE' // a compressed frame that does not inflate to what it announces

/**
 * A malformed or unencodable wire structure. `offset` is the byte offset, in the input the
 * decoder was given, where the problem was found (for encoders: where it would have been written).
 */
export class WireError extends Error {
  override readonly name = 'WireError'
  readonly code: WireErrorCode
  readonly offset: number
  /** Server result code a server should answer with for this input (4 = PARAMETER). */
  readonly result: number

  constructor(code: WireErrorCode, offset: number, message: string, options?: { cause?: unknown }) {
    super(`${message} (at byte ${offset})`, options)
    this.code = code
    this.offset = offset
    this.result = 4
  }
}
