import { describe, expect, it } from 'vitest'

import { ResultCode, resultCodeName } from './result-codes.js'

describe('ResultCode', () => {
  it("has the C client's values (as_status.h) under the official Node client's names", () => {
    // Values read from as_status.h; names from the Node client's lib/status.js.
    expect(ResultCode.INVALID_FIELD).toBe(55)
    expect(ResultCode.ILLEGAL_STATE).toBe(56)
    expect(ResultCode.ERR_TLS_ERROR).toBe(-9)
    expect(ResultCode.ERR_ASYNC_QUEUE_FULL).toBe(-11)
    expect(ResultCode.ERR_MAX_RETRIES_EXCEEDED).toBe(-12)
    expect(ResultCode.USE_NORMAL_RETRY).toBe(-13)
    expect(ResultCode.MAX_ERROR_RATE).toBe(-14)
    expect(ResultCode.ERR_REQUEST_INVALID).toBe(4)
    expect(ResultCode.ERR_CLUSTER_CHANGE).toBe(7)
    expect(ResultCode.INVALID_ENCODING).toBe(29)
  })

  it('gives every code one name', () => {
    const codes = Object.values(ResultCode)
    expect(new Set(codes).size).toBe(codes.length)
    expect(resultCodeName(9)).toBe('ERR_TIMEOUT')
    expect(resultCodeName(-2)).toBe('ERR_PARAM')
    expect(resultCodeName(999)).toBe('UNKNOWN_999')
  })
})
