// Read records by a key column (sync): batchReadNumpy, the mirror of batchWriteNumpy.

import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
import { client } from '@aerospike-numpy/sync'
import type { Hosts } from '../shared/hosts.js'
import { hostsFromEnv, runIfMain } from '../shared/hosts.js'

export function main(hosts: Hosts = hostsFromEnv(), setName = 'scores') {
  const c = client({ hosts }).connect()
  try {
    const dt = dtype([
      ['_key', 'i4'],
      ['score', 'f8'],
      ['count', 'i4'],
    ])
    const data = StructuredArray.fromRows(dt, [
      [1, 0.95, 10],
      [2, 0.87, 20],
      [3, 0.72, 15],
    ])
    c.batchWriteNumpy(data, 'test', setName, dt)

    // Keys as an integer typed array: results come back in key order; 99 does not exist.
    const readDt = dtype([
      ['score', 'f8'],
      ['count', 'i4'],
    ])
    const byKeys = c.batchReadNumpy(Int32Array.of(3, 1, 99), 'test', setName, { dtype: readDt })
    console.log(Array.from(byKeys.batchRecords.get('count') as Int32Array)) // [ 15, 10, 0 ]
    console.log(Array.from(byKeys.resultCodes)) // [ 0, 0, 2 ]

    // Or the key field of a structured array (the same array that was written).
    const back = c.batchReadNumpy(data, 'test', setName, { dtype: readDt })
    console.log(Array.from(back.batchRecords.get('score') as Float64Array)) // [ 0.95, 0.87, 0.72 ]
    return { byKeys, back }
  } finally {
    c.close()
  }
}

runIfMain(import.meta.url, main)
