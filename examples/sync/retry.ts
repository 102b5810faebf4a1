// Retry for transient failures (sync): rows that fail with a transient code (timeout, key busy,
// device overload, server memory, partition unavailable) are re-sent, alone, after 10 ms, 20 ms,
// 40 ms … (capped at 500 ms). Permanent failures (e.g. key exists) are never retried.

import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
import { client } from '@aerospike-numpy/sync'
import type { Hosts } from '../shared/hosts.js'
import { hostsFromEnv, runIfMain } from '../shared/hosts.js'

export function main(hosts: Hosts = hostsFromEnv(), setName = 'demo') {
  const c = client({ hosts }).connect()
  try {
    const dt = dtype([
      ['_key', 'i4'],
      ['score', 'f8'],
      ['count', 'i4'],
    ])
    const data = StructuredArray.fromRows(
      dt,
      Array.from({ length: 100 }, (_, i) => [i, i / 100, i]),
    )

    // Retry up to 3 times for transient failures
    const results = c.batchWriteNumpy(data, 'test', setName, dt, { retry: 3 })

    // Check which records still failed after retries
    for (const br of results.batchRecords) {
      if (br.result !== 0) {
        console.log(`Write failed for key ${String(br.key.key)} after retries (code=${br.result})`)
      }
    }
    console.log(`${results.writtenCount} written, ${results.failedCount} failed`)
    return results
  } finally {
    c.close()
  }
}

runIfMain(import.meta.url, main)
