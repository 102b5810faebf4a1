/**
 * Result codes: the one table of the project. Values are the C client's (`as_status.h`; the
 * server's AS_ERR_* for codes >= 0, the client's own below 0); names are the official Node
 * client's `Aerospike.status` names (`lib/status.js`), so `codeName` reads as users of that client
 * know it. 29 (INVALID_ENCODING) is in `as_status.h` only; it keeps the C client's name.
 */
export const ResultCode = {
  METRICS_CONFLICT: -20,
  TXN_ALREADY_ABORTED: -19,
  TXN_ALREADY_COMMITTED: -18,
  TXN_FAILED: -17,
  BATCH_FAILED: -16,
  NO_RESPONSE: -15,
  MAX_ERROR_RATE: -14,
  USE_NORMAL_RETRY: -13,
  ERR_MAX_RETRIES_EXCEEDED: -12,
  ERR_ASYNC_QUEUE_FULL: -11,
  ERR_CONNECTION: -10,
  ERR_TLS_ERROR: -9,
  ERR_INVALID_NODE: -8,
  ERR_NO_MORE_CONNECTIONS: -7,
  ERR_ASYNC_CONNECTION: -6,
  ERR_CLIENT_ABORT: -5,
  ERR_INVALID_HOST: -4,
  NO_MORE_RECORDS: -3,
  ERR_PARAM: -2,
  ERR_CLIENT: -1,
  OK: 0,
  ERR_SERVER: 1,
  ERR_RECORD_NOT_FOUND: 2,
  ERR_RECORD_GENERATION: 3,
  ERR_REQUEST_INVALID: 4,
  ERR_RECORD_EXISTS: 5,
  ERR_BIN_EXISTS: 6,
  ERR_CLUSTER_CHANGE: 7,
  ERR_SERVER_FULL: 8,
  ERR_TIMEOUT: 9,
  ERR_ALWAYS_FORBIDDEN: 10,
  ERR_CLUSTER: 11,
  ERR_BIN_INCOMPATIBLE_TYPE: 12,
  ERR_RECORD_TOO_BIG: 13,
  ERR_RECORD_BUSY: 14,
  ERR_SCAN_ABORTED: 15,
  ERR_UNSUPPORTED_FEATURE: 16,
  ERR_BIN_NOT_FOUND: 17,
  ERR_DEVICE_OVERLOAD: 18,
  ERR_RECORD_KEY_MISMATCH: 19,
  ERR_NAMESPACE_NOT_FOUND: 20,
  ERR_BIN_NAME: 21,
  ERR_FAIL_FORBIDDEN: 22,
  ERR_FAIL_ELEMENT_NOT_FOUND: 23,
  ERR_FAIL_ELEMENT_EXISTS: 24,
  ERR_ENTERPRISE_ONLY: 25,
  ERR_OP_NOT_APPLICABLE: 26,
  FILTERED_OUT: 27,
  LOST_CONFLICT: 28,
  INVALID_ENCODING: 29,
  XDR_KEY_BUSY: 32,
  QUERY_END: 50,
  SECURITY_NOT_SUPPORTED: 51,
  SECURITY_NOT_ENABLED: 52,
  SECURITY_SCHEME_NOT_SUPPORTED: 53,
  INVALID_COMMAND: 54,
  INVALID_FIELD: 55,
  ILLEGAL_STATE: 56,
  INVALID_USER: 60,
  USER_ALREADY_EXISTS: 61,
  INVALID_PASSWORD: 62,
  EXPIRED_PASSWORD: 63,
  FORBIDDEN_PASSWORD: 64,
  INVALID_CREDENTIAL: 65,
  EXPIRED_SESSION: 66,
  INVALID_ROLE: 70,
  ROLE_ALREADY_EXISTS: 71,
  INVALID_PRIVILEGE: 72,
  INVALID_WHITELIST: 73,
  QUOTAS_NOT_ENABLED: 74,
  INVALID_QUOTA: 75,
  NOT_AUTHENTICATED: 80,
  ROLE_VIOLATION: 81,
  NOT_WHITELISTED: 82,
  QUOTA_EXCEEDED: 83,
  ERR_UDF: 100,
  MRT_BLOCKED: 120,
  MRT_VERSION_MISMATCH: 121,
  MRT_EXPIRED: 122,
  MRT_TOO_MANY_WRITES: 123,
  MRT_COMMITTED: 124,
  MRT_ABORTED: 125,
  MRT_ALREADY_LOCKED: 126,
  MRT_MONITOR_EXISTS: 127,
  ERR_BATCH_DISABLED: 150,
  ERR_BATCH_MAX_REQUESTS_EXCEEDED: 151,
  ERR_BATCH_QUEUES_FULL: 152,
  ERR_GEO_INVALID_GEOJSON: 160,
  ERR_INDEX_FOUND: 200,
  ERR_INDEX_NOT_FOUND: 201,
  ERR_INDEX_OOM: 202,
  ERR_INDEX_NOT_READABLE: 203,
  ERR_INDEX: 204,
  ERR_INDEX_NAME_MAXLEN: 205,
  ERR_INDEX_MAXCOUNT: 206,
  ERR_QUERY_ABORTED: 210,
  ERR_QUERY_QUEUE_FULL: 211,
  ERR_QUERY_TIMEOUT: 212,
  ERR_QUERY: 213,
  ERR_UDF_NOT_FOUND: 1301,
  ERR_LUA_FILE_NOT_FOUND: 1302,
} as const

export type ResultCodeName = keyof typeof ResultCode
export type ResultCodeValue = (typeof ResultCode)[ResultCodeName]

/** Numeric code → name; where two names share a code, the first listed wins. */
export const RESULT_CODE_NAMES: ReadonlyMap<number, ResultCodeName> = (() => {
  const names = new Map<number, ResultCodeName>()
  for (const [name, code] of Object.entries(ResultCode)) {
    if (!names.has(code)) names.set(code, name as ResultCodeName)
  }
  return names
})()

/** `'ERR_TIMEOUT'` for 9; `'UNKNOWN_<code>'` for a code the table does not name. */
export function resultCodeName(code: number): string {
  return RESULT_CODE_NAMES.get(code) ?? `UNKNOWN_${code}`
}

/** Batch rows with these codes are not "row errors" (they do not turn the call into BATCH_FAILED). */
export function isBatchRowSuccess(code: number): boolean {
  return (
    code === ResultCode.OK ||
    code === ResultCode.ERR_RECORD_NOT_FOUND ||
    code === ResultCode.FILTERED_OUT
  )
}
