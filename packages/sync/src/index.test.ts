// The blocking client exports the same classes, constants and helpers as the async one (one
// list, `@aerospike-numpy/core/common`), so a script never needs to import another package.
import * as common from '@aerospike-numpy/core/common'
import { describe, expect, it } from 'vitest'
import * as api from './index.js'

describe('@aerospike-numpy/sync exports', () => {
  it('every class, constant and helper of the async client, the same objects', () => {
    const names = Object.keys(common)
    expect(names).toEqual(expect.arrayContaining(['AerospikeError', 'policy', 'ttl']))
    for (const name of names) {
      expect(api[name as keyof typeof api], name).toBe(common[name as keyof typeof common])
    }
  })

  it('the errors its calls throw', () => {
    for (const name of ['PartialWriteError', 'NotConnectedError', 'SyncCallTimeoutError']) {
      expect(api, name).toHaveProperty(name)
    }
  })
})
