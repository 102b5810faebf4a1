// Quick start (async): the same as the sync example, with promises.

import { AsyncClient } from '@aerospike-numpy/async'
import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
import type { Hosts } from '../shared/hosts.js'
import { hostsFromEnv, runIfMain } from '../shared/hosts.js'

export async function main(hosts: Hosts = hostsFromEnv(), setName = 'demo') {
  const client = new AsyncClient({ hosts })
  await client.connect()
  try {
    // 1. Define dtype with key field and bin fields
    const dt = dtype([
      ['_key', 'i4'],
      ['score', 'f8'],
      ['count', 'i4'],
    ])

    // 2. Create structured array
    const data = StructuredArray.fromRows(dt, [
      [1, 0.95, 10],
      [2, 0.87, 20],
      [3, 0.72, 15],
    ])

    // 3. Batch write
    const results = await client.batchWriteNumpy(data, 'test', setName, dt)

    // 4. Check results
    for (const br of results.batchRecords) {
      if (br.result === 0) console.log(`Key: ${String(br.key.key)}, Gen: ${br.record?.meta.gen}`)
      else console.log(`Failed: ${String(br.key.key)}, code=${br.result}`)
    }
    return results
  } finally {
    await client.close()
  }
}

runIfMain(import.meta.url, main)
