// Custom key field (sync): `user_id` is the record key. It does not start with `_`, so it is
// also stored as a bin (a key field named `_id` would be key only).

import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
import { client } from '@aerospike-numpy/sync'
import type { Hosts } from '../shared/hosts.js'
import { hostsFromEnv, runIfMain } from '../shared/hosts.js'

export function main(hosts: Hosts = hostsFromEnv(), setName = 'demo') {
  const c = client({ hosts }).connect()
  try {
    const dt = dtype([
      ['user_id', 'i8'], // use this as the record key
      ['score', 'f8'],
    ])
    const data = StructuredArray.fromRows(dt, [
      [100, 1.5],
      [101, 2.5],
    ])

    // Use "user_id" as key instead of "_key"
    const results = c.batchWriteNumpy(data, 'test', setName, dt, { keyField: 'user_id' })
    for (const br of results.batchRecords)
      console.log(`user_id=${String(br.key.key)}: result ${br.result}`)
    return results
  } finally {
    c.close()
  }
}

runIfMain(import.meta.url, main)
