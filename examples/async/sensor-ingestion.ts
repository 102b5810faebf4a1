// Sensor data ingestion (async): 1000 readings in one batch call.

import { AsyncClient } from '@aerospike-numpy/async'
import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
import type { Hosts } from '../shared/hosts.js'
import { hostsFromEnv, runIfMain } from '../shared/hosts.js'
import { normal, uniform } from '../shared/random.js'

export async function main(hosts: Hosts = hostsFromEnv(), setName = 'sensors') {
  const client = new AsyncClient({ hosts })
  await client.connect()
  try {
    const dt = dtype([
      ['_key', 'i4'],
      ['temperature', 'f8'],
      ['humidity', 'f4'],
      ['pressure', 'f4'],
      ['status', 'u1'],
    ])

    // Generate 1000 sensor readings
    const n = 1000
    const data = StructuredArray.zeros(dt, n)
    data.set(
      '_key',
      Int32Array.from({ length: n }, (_, i) => i),
    )
    data.set(
      'temperature',
      Float64Array.from({ length: n }, () => normal(25.0, 5.0)),
    )
    data.set(
      'humidity',
      Float32Array.from({ length: n }, () => uniform(30.0, 90.0)),
    )
    data.set(
      'pressure',
      Float32Array.from({ length: n }, () => normal(1013.25, 10.0)),
    )
    data.set('status', new Uint8Array(n).fill(1))

    const results = await client.batchWriteNumpy(data, 'test', setName, dt)
    console.log(`Wrote ${results.batchRecords.length} records`)
    return { data, results }
  } finally {
    await client.close()
  }
}

runIfMain(import.meta.url, main)
