// Ingest a .npy file written by numpy (async), streamed: the file is read in chunks of rows,
// so a file larger than memory can be ingested. E.g.:
//   python3 -c "import numpy as np; a = np.zeros(5000, [('_key', '<i4'), ('temperature', '<f8')]);
//               a['_key'] = np.arange(5000); np.save('readings.npy', a)"
//   node examples/dist/async/npy-ingest.js readings.npy

import { AsyncClient } from '@aerospike-numpy/async'
import { openNpy, readNpyHeader } from '@aerospike-numpy/dtype'
import type { Hosts } from '../shared/hosts.js'
import { hostsFromEnv, runIfMain } from '../shared/hosts.js'

export async function main(
  hosts: Hosts = hostsFromEnv(),
  path = process.argv[2],
  setName = 'readings',
) {
  if (path === undefined) throw new Error('usage: npy-ingest.js <file.npy>')
  const client = new AsyncClient({ hosts })
  await client.connect()
  try {
    // The header gives the dtype; the rows come chunk by chunk.
    const { rowDtype } = await readNpyHeader(path)
    const chunks = openNpy(path, { chunkRows: 10_000 })
    const summary = await client.writeNumpy(chunks, 'test', setName, rowDtype, {
      chunkSize: 1000,
      concurrency: 4,
      // A large ingest on a busy cluster meets the odd slow chunk: allow each one 10 s (the
      // default is 1 s, re-sends included) and re-send the rows a timeout left unwritten.
      policy: { totalTimeout: 10_000 },
      retry: 3,
      onProgress: (p) => console.log(`${p.rowsDone} rows written`),
    })
    console.log(
      `${path}: ${summary.rowCount} rows, ${summary.writtenCount} written, ${summary.failedCount} failed`,
    )
    for (const failure of summary.failures.slice(0, 5)) {
      console.log(
        `row ${failure.row} (key ${String(failure.key.key)}) failed: code ${failure.result}`,
      )
    }
    return summary
  } finally {
    await client.close()
  }
}

runIfMain(import.meta.url, main)
