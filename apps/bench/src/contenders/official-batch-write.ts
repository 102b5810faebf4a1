// Contender: the official client's `batchWrite`, fed with records built by hand from the columns
// — what a user of `aerospike` writes without this library. Columns are extracted once (user
// code would hold them); the per-row records are built inside the timed call.

import Aerospike from 'aerospike'
import type { StructuredArray } from '@aerospike-numpy/dtype'
import { inChunks, type Contender, type WriteShape } from './contender.js'

type BinValue = number | Buffer | InstanceType<typeof Aerospike.Double>

/** Per-field readers of row i, from columns extracted once: floats as Double, ints as numbers. */
function columnReaders(data: StructuredArray): Array<[string, (row: number) => BinValue]> {
  const readers: Array<[string, (row: number) => BinValue]> = []
  for (const field of data.dtype.fields ?? []) {
    if (field.name.startsWith('_')) continue
    const column = data.get(field.name)
    const kind = field.dtype.kind
    if (kind === 'f' && !field.dtype.isSubarray) {
      const values = column as ArrayLike<number>
      readers.push([field.name, (i) => new Aerospike.Double(values[i]!)])
    } else if (
      (kind === 'i' || kind === 'u') &&
      !field.dtype.isSubarray &&
      field.dtype.itemsize < 8
    ) {
      const values = column as ArrayLike<number>
      readers.push([field.name, (i) => values[i]!])
    } else {
      throw new Error(
        `the official contender builds records for int/float fields only, not '${field.name}'`,
      )
    }
  }
  return readers
}

export async function officialBatchWrite(hosts: string): Promise<Contender> {
  const client = await Aerospike.connect({ hosts, log: { level: Aerospike.log.OFF } })
  return {
    name: 'official batchWrite (records by hand)',
    async write(data: StructuredArray, set: string, shape: WriteShape): Promise<number> {
      const keys = data.get('_key') as ArrayLike<number>
      const readers = columnReaders(data)
      const policy = new Aerospike.BatchPolicy({
        totalTimeout: shape.timeoutMs,
        socketTimeout: shape.timeoutMs,
      })
      return inChunks(data.length, shape.chunkSize, shape.concurrency, async (start, end) => {
        const records = new Array<Aerospike.BatchWriteRecord>(end - start)
        for (let i = start; i < end; i++) {
          records[i - start] = {
            type: Aerospike.batchType.BATCH_WRITE,
            key: new Aerospike.Key(shape.namespace, set, keys[i]!),
            ops: readers.map(([name, read]) => Aerospike.operations.write(name, read(i))),
          }
        }
        const results = await client.batchWrite(records, policy)
        let written = 0
        for (const r of results) if (r.status === 0) written++
        return written
      })
    },
    async close() {
      client.close()
    },
  }
}
