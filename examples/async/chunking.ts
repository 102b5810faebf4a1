// Chunking (async): write a large array in slices of `chunkSize` rows (slices share the array's
// buffer: nothing is copied), or let `writeNumpy` do it.

import { AsyncClient } from '@aerospike-numpy/async'
import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
import type { Hosts } from '../shared/hosts.js'
import { hostsFromEnv, runIfMain } from '../shared/hosts.js'

export async function main(hosts: Hosts = hostsFromEnv(), setName = 'demo') {
  const client = new AsyncClient({ hosts })
  await client.connect()
  try {
    const dt = dtype([
      ['_key', 'i4'],
      ['value', 'f8'],
    ])
    const n = 10_000
    const data = StructuredArray.fromColumns(dt, {
      _key: Int32Array.from({ length: n }, (_, i) => i),
      value: Float64Array.from({ length: n }, (_, i) => i * 0.5),
    })

    // As in the guide: a loop over slices
    const chunkSize = 1000
    let written = 0
    for (let i = 0; i < data.length; i += chunkSize) {
      const chunk = data.slice(i, i + chunkSize)
      written += (await client.batchWriteNumpy(chunk, 'test', setName, dt)).writtenCount
    }
    console.log(`Loop: ${written} of ${n} rows written`)

    // The same with the bulk helper
    const results = await client.writeNumpy(data, 'test', setName, dt, { chunkSize })
    console.log(`writeNumpy: ${results.writtenCount} of ${n} rows written`)
    return { written, bulkWritten: results.writtenCount }
  } finally {
    await client.close()
  }
}

runIfMain(import.meta.url, main)
