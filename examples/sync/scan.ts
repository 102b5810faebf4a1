// Scan a set into structured arrays (sync): a blocking iterator of chunks, then all at once.

import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
import { POLICY_KEY_SEND, client } from '@aerospike-numpy/sync'
import type { Hosts } from '../shared/hosts.js'
import { hostsFromEnv, runIfMain } from '../shared/hosts.js'

export function main(hosts: Hosts = hostsFromEnv(), setName = 'readings') {
  const c = client({ hosts }).connect()
  try {
    const dt = dtype([
      ['_key', 'i4'],
      ['temperature', 'f8'],
      ['status', 'u1'],
    ])
    const n = 5000
    const data = StructuredArray.zeros(dt, n)
    data.set(
      '_key',
      Int32Array.from({ length: n }, (_, i) => i),
    )
    data.set(
      'temperature',
      Float64Array.from({ length: n }, (_, i) => 20 + (i % 10)),
    )
    data.set(
      'status',
      Uint8Array.from({ length: n }, (_, i) => i % 2),
    )
    // key: SEND stores each key with its record, so a scan gives it back in the `_key` field.
    c.writeNumpy(data, 'test', setName, dt, { policy: { key: POLICY_KEY_SEND } })

    // Chunk by chunk: each step blocks until the next chunk is read.
    let rows = 0
    let sum = 0
    for (const chunk of c.scanNumpy('test', setName, { dtype: dt, chunkRows: 1000 })) {
      const temperature = chunk.records.get('temperature') as Float64Array
      for (const t of temperature) sum += t
      rows += chunk.length
    }
    console.log(`Scanned ${rows} rows, mean temperature ${(sum / rows).toFixed(2)}`)

    // Or everything in one structured array (plus 20-byte digests and gen/ttl meta per row).
    const all = c.scanNumpyAll('test', setName, { dtype: dt })
    const keys = all.records.get('_key') as Int32Array
    console.log(`scanNumpyAll: ${all.length} rows, keys ${Math.min(...keys)}..${Math.max(...keys)}`)
    return { rows, all }
  } finally {
    c.close()
  }
}

runIfMain(import.meta.url, main)
