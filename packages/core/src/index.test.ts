// The public index keeps the engine seam and the user-facing API; helpers that only the
// workspace's own packages use are reachable through `@aerospike-numpy/core/internal` alone.
import { describe, expect, it } from 'vitest'
import * as api from './index.js'
import * as internal from './internal.js'

const INTERNAL = [
  'describe',
  'checkRowValues',
  'RESULT_NOT_SENT',
  'sliceWriteOutcome',
  'resolveReadBins',
  'validateNamespace',
  'validateSetName',
]

describe('@aerospike-numpy/core exports', () => {
  it('the seam between the async client and its engines, and the user-facing API', () => {
    for (const name of [
      'compileWritePlan',
      'createWriteOutcome',
      'createReadSink',
      'writeWithRetry',
      'resolveWritePolicy',
      'resolveKeys',
      'BatchRecords',
      'NumpyBatchRecords',
      'AerospikeError',
      'ResultCode',
      'POLICY_KEY_SEND',
      'MAX_OPS_PER_RECORD',
    ]) {
      expect(api, name).toHaveProperty(name)
    }
  })

  it('helpers only in the internal subpath, and pure internals nowhere', () => {
    for (const name of INTERNAL) {
      expect(api, name).not.toHaveProperty(name)
      expect(internal, name).toHaveProperty(name)
    }
    for (const name of [
      'halfToNumber',
      'numberToHalf',
      'invalidUtf8At',
      'keyLabel',
      'transientRows',
    ]) {
      expect(api, name).not.toHaveProperty(name)
    }
  })
})
