/**
 * Result codes come from `@aerospike-numpy/wire`'s one table (the C client's values, the official
 * Node client's names); this module adds which of them a retry re-sends.
 */
import { ResultCode } from '@aerospike-numpy/wire'

export {
  ResultCode,
  RESULT_CODE_NAMES,
  resultCodeName,
  type ResultCodeName,
} from '@aerospike-numpy/wire'

/**
 * Codes worth re-sending a row for: the server was busy or briefly unable, the write was not
 * refused. 9 timeout, 14 key busy, 18 device overload, 8 server memory, 11 partition unavailable.
 */
export const TRANSIENT_RESULT_CODES: ReadonlySet<number> = new Set([
  ResultCode.ERR_TIMEOUT,
  ResultCode.ERR_RECORD_BUSY,
  ResultCode.ERR_DEVICE_OVERLOAD,
  ResultCode.ERR_SERVER_FULL,
  ResultCode.ERR_CLUSTER,
])

export function isTransientResultCode(code: number): boolean {
  return TRANSIENT_RESULT_CODES.has(code)
}

/**
 * Codes of rows a lost connection or node left without an answer: -10 connection, -8 invalid node
 * (no master known for the partition, or the node left), -15 no response. Such a row is re-sent
 * when it cannot have been applied (not in doubt), or when the write is idempotent (see
 * `isIdempotentWrite`); it then goes to the partition's master as the map says by that time.
 */
export const NODE_LOSS_RESULT_CODES: ReadonlySet<number> = new Set([
  ResultCode.ERR_CONNECTION,
  ResultCode.ERR_INVALID_NODE,
  ResultCode.NO_RESPONSE,
])

export function isNodeLossResultCode(code: number): boolean {
  return NODE_LOSS_RESULT_CODES.has(code)
}
