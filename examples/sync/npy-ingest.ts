// Ingest a .npy file written by numpy (sync), e.g.:
//   python3 -c "import numpy as np; a = np.zeros(5000, [('_key', '<i4'), ('temperature', '<f8')]);
//               a['_key'] = np.arange(5000); np.save('readings.npy', a)"
//   node examples/dist/sync/npy-ingest.js readings.npy

import { readNpySync } from '@aerospike-numpy/dtype'
import { client } from '@aerospike-numpy/sync'
import type { Hosts } from '../shared/hosts.js'
import { hostsFromEnv, runIfMain } from '../shared/hosts.js'

export function main(hosts: Hosts = hostsFromEnv(), path = process.argv[2], setName = 'readings') {
  if (path === undefined) throw new Error('usage: npy-ingest.js <file.npy>')
  const data = readNpySync(path) // the whole file; the async example streams it
  const c = client({ hosts }).connect()
  try {
    const results = c.writeNumpy(data, 'test', setName, data.dtype, {
      chunkSize: 1000,
      // A large ingest on a busy cluster meets the odd slow chunk: allow each one 10 s (the
      // default is 1 s, re-sends included) and re-send the rows a timeout left unwritten.
      policy: { totalTimeout: 10_000 },
      retry: 3,
    })
    console.log(
      `${path}: ${data.length} rows of ${data.dtype.toString()}, ${results.writtenCount} written`,
    )
    for (const failure of results.failures.slice(0, 5)) {
      console.log(
        `row ${failure.row} (key ${String(failure.key.key)}) failed: code ${failure.result}`,
      )
    }
    return results
  } finally {
    c.close()
  }
}

runIfMain(import.meta.url, main)
