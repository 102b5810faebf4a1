// Error handling (sync): a failure of the whole call throws an AerospikeError (with the numeric
// `code` the official client uses); a row that fails on its own is reported in its result.

import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
import { AerospikeError, POLICY_EXISTS_CREATE, client } from '@aerospike-numpy/sync'
import type { Hosts } from '../shared/hosts.js'
import { hostsFromEnv, runIfMain } from '../shared/hosts.js'

export function main(hosts: Hosts = hostsFromEnv(), setName = 'demo') {
  const c = client({ hosts }).connect()
  const caught: { name: string; code: number | string }[] = []
  const failedRows: { key: unknown; result: number }[] = []
  try {
    const dt = dtype([
      ['_key', 'i4'],
      ['score', 'f8'],
    ])
    const data = StructuredArray.fromRows(dt, [
      [1, 0.5],
      [2, 0.25],
    ])
    c.batchWriteNumpy(data, 'test', setName, dt)

    // Per-row failures: "create only" on keys that exist fails each row with code 5 (key exists).
    try {
      const results = c.batchWriteNumpy(data, 'test', setName, dt, {
        policy: { exists: POLICY_EXISTS_CREATE },
      })
      for (const br of results.batchRecords) {
        if (br.result !== 0) {
          console.log(`Write failed for key ${String(br.key.key)} (code=${br.result})`)
          failedRows.push({ key: br.key.key, result: br.result })
        }
      }
    } catch (e) {
      if (!(e instanceof AerospikeError)) throw e
      console.log(`Batch write error: ${e.message}`)
      caught.push({ name: e.name, code: e.code })
    }

    // A failure of the whole call: the array's dtype is not the dtype passed in.
    const other = dtype([
      ['_key', 'i8'],
      ['score', 'f8'],
    ])
    try {
      c.batchWriteNumpy(data, 'test', setName, other)
    } catch (e) {
      if (!(e instanceof AerospikeError)) throw e
      console.log(`Batch write error: ${e.name} (code=${e.code}): ${e.message}`)
      caught.push({ name: e.name, code: e.code })
    }
    return { caught, failedRows }
  } finally {
    c.close()
  }
}

runIfMain(import.meta.url, main)
