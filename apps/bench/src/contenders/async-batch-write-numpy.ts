// Contender: `AsyncClient.batchWriteNumpy` per chunk — the rows go straight from the array's
// buffer through the write plan; no per-row objects in user code.

import { AsyncClient, type EngineName } from '@aerospike-numpy/async'
import type { StructuredArray } from '@aerospike-numpy/dtype'
import { inChunks, type Contender, type WriteShape } from './contender.js'

export async function asyncBatchWriteNumpy(
  hosts: string,
  engine: EngineName = 'official',
): Promise<Contender> {
  const client = await new AsyncClient({ hosts, engine, log: { level: -1 } }).connect()
  return {
    name: `async batchWriteNumpy (${engine} engine)`,
    async write(data: StructuredArray, set: string, shape: WriteShape): Promise<number> {
      const policy = { totalTimeout: shape.timeoutMs, socketTimeout: shape.timeoutMs }
      return inChunks(data.length, shape.chunkSize, shape.concurrency, async (start, end) => {
        const results = await client.batchWriteNumpy(
          data.slice(start, end),
          shape.namespace,
          set,
          data.dtype,
          {
            policy,
          },
        )
        return results.writtenCount
      })
    },
    close: () => client.close(),
  }
}
