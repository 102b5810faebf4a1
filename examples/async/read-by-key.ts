// Read records by a key column (async): batchReadNumpy, the mirror of batchWriteNumpy.

import { AsyncClient } from '@aerospike-numpy/async'
import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
import type { Hosts } from '../shared/hosts.js'
import { hostsFromEnv, runIfMain } from '../shared/hosts.js'

export async function main(hosts: Hosts = hostsFromEnv(), setName = 'stations') {
  const client = new AsyncClient({ hosts })
  await client.connect()
  try {
    // The latest reading of four stations, keyed by station id.
    const dt = dtype([
      ['_key', 'i4'],
      ['temperature', 'f8'],
      ['status', 'u1'],
    ])
    const data = StructuredArray.fromColumns(dt, {
      _key: Int32Array.of(101, 102, 103, 104),
      temperature: Float64Array.of(21.5, 19.25, 23, 18.75),
      status: Uint8Array.of(1, 2, 3, 4),
    })
    await client.batchWriteNumpy(data, 'test', setName, dt)

    // Keys as an integer typed array: results come back in key order; 999 does not exist.
    const readDt = dtype([
      ['temperature', 'f8'],
      ['status', 'u1'],
    ])
    const byKeys = await client.batchReadNumpy(Int32Array.of(103, 101, 999), 'test', setName, {
      dtype: readDt,
    })
    console.log(Array.from(byKeys.batchRecords.get('status') as Uint8Array)) // [ 3, 1, 0 ]
    console.log(Array.from(byKeys.resultCodes)) // [ 0, 0, 2 ]

    // Or the key field of a structured array (the same array that was written).
    const back = await client.batchReadNumpy(data, 'test', setName, { dtype: readDt })
    console.log(Array.from(back.batchRecords.get('temperature') as Float64Array)) // [ 21.5, 19.25, 23, 18.75 ]
    return { byKeys, back }
  } finally {
    await client.close()
  }
}

runIfMain(import.meta.url, main)
