// Quick start (sync): a structured array → one record per row, the key from `_key`.

import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
import { client } from '@aerospike-numpy/sync'
import type { Hosts } from '../shared/hosts.js'
import { hostsFromEnv, runIfMain } from '../shared/hosts.js'

export function main(hosts: Hosts = hostsFromEnv(), setName = 'demo') {
  const c = client({ hosts }).connect()
  try {
    // 1. Define dtype with key field and bin fields
    const dt = dtype([
      ['_key', 'i4'], // record key (int32)
      ['score', 'f8'], // bin: float64
      ['count', 'i4'], // bin: int32
    ])

    // 2. Create structured array
    const data = StructuredArray.fromRows(dt, [
      [1, 0.95, 10],
      [2, 0.87, 20],
      [3, 0.72, 15],
    ])

    // 3. Batch write (blocks until the server has answered)
    const results = c.batchWriteNumpy(data, 'test', setName, dt)

    // 4. Check results
    for (const br of results.batchRecords) {
      if (br.result === 0) console.log(`Key: ${String(br.key.key)}, Gen: ${br.record?.meta.gen}`)
      else console.log(`Failed: ${String(br.key.key)}, code=${br.result}`)
    }
    return results
  } finally {
    c.close()
  }
}

runIfMain(import.meta.url, main)
