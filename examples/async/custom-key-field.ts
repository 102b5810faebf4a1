// Custom key field (async): `user_id` is the record key. It does not start with `_`, so it is
// also stored as a bin (a key field named `_id` would be key only).

import { AsyncClient } from '@aerospike-numpy/async'
import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
import type { Hosts } from '../shared/hosts.js'
import { hostsFromEnv, runIfMain } from '../shared/hosts.js'

export async function main(hosts: Hosts = hostsFromEnv(), setName = 'demo') {
  const client = new AsyncClient({ hosts })
  await client.connect()
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
    const results = await client.batchWriteNumpy(data, 'test', setName, dt, { keyField: 'user_id' })
    for (const br of results.batchRecords)
      console.log(`user_id=${String(br.key.key)}: result ${br.result}`)
    return results
  } finally {
    await client.close()
  }
}

runIfMain(import.meta.url, main)
