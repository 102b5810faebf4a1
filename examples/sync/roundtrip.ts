// Write and read roundtrip (sync): write a structured array, read it back into one.

import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
import { POLICY_KEY_SEND, client } from '@aerospike-numpy/sync'
import type { Hosts } from '../shared/hosts.js'
import { hostsFromEnv, runIfMain } from '../shared/hosts.js'

export function main(hosts: Hosts = hostsFromEnv(), setName = 'points') {
  const c = client({ hosts }).connect()
  try {
    // Define dtype
    const dt = dtype([
      ['_key', 'i4'],
      ['x', 'f8'],
      ['y', 'f8'],
      ['category', 'i4'],
    ])

    // Write
    const data = StructuredArray.fromRows(dt, [
      [1, 1.0, 2.0, 0],
      [2, 3.0, 4.0, 1],
      [3, 5.0, 6.0, 0],
    ])
    c.batchWriteNumpy(data, 'test', setName, dt)

    // Read back with a dtype
    const readDt = dtype([
      ['x', 'f8'],
      ['y', 'f8'],
      ['category', 'i4'],
    ])
    const keys = [1, 2, 3].map((i) => ['test', setName, i] as [string, string, number])
    const batch = c.batchRead(keys, { dtype: readDt, policy: { key: POLICY_KEY_SEND } })

    // Vectorized analysis
    const x = batch.batchRecords.get('x') as Float64Array
    const category = batch.batchRecords.get('category') as Int32Array
    const xMean = x.reduce((a, b) => a + b, 0) / x.length
    const categorySum = category.reduce((a, b) => a + b, 0)
    console.log(xMean) // 3
    console.log(categorySum) // 1
    return { xMean, categorySum, batch }
  } finally {
    c.close()
  }
}

runIfMain(import.meta.url, main)
