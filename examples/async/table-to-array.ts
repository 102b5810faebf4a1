// A table to a structured array (async). The guide starts from a pandas DataFrame; in TypeScript
// a table is typically columns (or rows of objects) from a CSV, an API or a query.

import { AsyncClient } from '@aerospike-numpy/async'
import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
import type { Hosts } from '../shared/hosts.js'
import { hostsFromEnv, runIfMain } from '../shared/hosts.js'

export async function main(hosts: Hosts = hostsFromEnv(), setName = 'users') {
  const client = new AsyncClient({ hosts })
  await client.connect()
  try {
    // The table, column by column
    const table = {
      user_id: [1, 2, 3],
      score: [0.95, 0.87, 0.72],
      level: [10, 20, 15],
    }

    // Convert to a structured array: user_id becomes the record key
    const dt = dtype([
      ['_key', 'i4'],
      ['score', 'f8'],
      ['level', 'i4'],
    ])
    const data = StructuredArray.fromColumns(dt, {
      _key: Int32Array.from(table.user_id),
      score: Float64Array.from(table.score),
      level: Int32Array.from(table.level),
    })

    const results = await client.batchWriteNumpy(data, 'test', setName, dt)
    console.log(`Wrote ${results.writtenCount} users`)
    return results
  } finally {
    await client.close()
  }
}

runIfMain(import.meta.url, main)
