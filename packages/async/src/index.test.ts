// The package's index exports what users of the Promise API need, and none of the internals
// (tests import those from their modules).
import { describe, expect, it } from 'vitest'
import * as api from './index.js'

describe('@aerospike-numpy/async exports', () => {
  it('the client, its result and error classes and the policy constants', () => {
    for (const name of [
      'AsyncClient',
      'StreamWriteSummary',
      'BatchRecords',
      'NumpyBatchRecords',
      'AerospikeError',
      'ParamError',
      'NotConnectedError',
      'NamespaceNotFoundError',
      'ResultCode',
      'POLICY_KEY_SEND',
      'DEFAULT_CHUNK_SIZE',
    ]) {
      expect(api, name).toHaveProperty(name)
    }
  })

  it('no internals', () => {
    for (const name of [
      'checkData',
      'checkDtype',
      'checkOptionKeys',
      'checkRows',
      'planFor',
      'prepareWrite',
      'runBounded',
      'rechunk',
      'chunkRanges',
      'resolveBulkOptions',
      'ProgressTracker',
      'WRITE_NUMPY_OPTION_KEYS',
      'resolveClientConfig',
      'resolveHosts',
      'fromOfficialError',
    ]) {
      expect(api, name).not.toHaveProperty(name)
    }
  })
})
