// Vector embeddings (sync): each 128-dimension float32 vector is stored as a 512-byte blob.

import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
import { client } from '@aerospike-numpy/sync'
import type { Hosts } from '../shared/hosts.js'
import { hostsFromEnv, runIfMain } from '../shared/hosts.js'
import { normal, randint } from '../shared/random.js'

export function main(hosts: Hosts = hostsFromEnv(), setName = 'vectors') {
  const c = client({ hosts }).connect()
  try {
    const dim = 128
    const dt = dtype([
      ['_key', 'i4'],
      ['embedding', `V${dim * 4}`], // 128 * 4 bytes = 512-byte blob
      ['label', 'i4'],
    ])
    // ['embedding', 'f4', [dim]] (a sub-array) is stored the same way: a blob of all its bytes.

    const n = 100
    const embeddings = Float32Array.from({ length: n * dim }, () => normal(0, 1))

    const data = StructuredArray.zeros(dt, n)
    data.set(
      '_key',
      Int32Array.from({ length: n }, (_, i) => i),
    )
    data.set(
      'embedding',
      Array.from({ length: n }, (_, i) => new Uint8Array(embeddings.buffer, i * dim * 4, dim * 4)),
    )
    data.set(
      'label',
      Int32Array.from({ length: n }, () => randint(0, 10)),
    )

    const results = c.batchWriteNumpy(data, 'test', setName, dt)
    console.log(`Wrote ${results.writtenCount} of ${results.batchRecords.length} embeddings`)
    return { embeddings, results }
  } finally {
    c.close()
  }
}

runIfMain(import.meta.url, main)
