// The baselines: what a user of the official `aerospike` client writes by hand for the same rows —
// a `put` per row, and `batchWrite` of records built from the columns. The records are built
// inside the timed call, as user code would; extracting the columns is done once, before timing.

import Aerospike from 'aerospike'
import type { Client as OfficialClient } from 'aerospike'
import type { Dataset } from './datasets.js'
import { EMBEDDING_DIM } from './datasets.js'
import type { Measurement } from './measure.js'
import { errorCode, runChunked } from './measure.js'
import type { RunShape } from './runs.js'
import { BENCH_POLICY } from './runs.js'

export async function connectOfficial(hosts: string): Promise<OfficialClient> {
  return Aerospike.connect({
    hosts,
    policies: {
      batch: new Aerospike.BatchPolicy(BENCH_POLICY),
      write: new Aerospike.WritePolicy(BENCH_POLICY),
    },
  })
}

type Bins = Record<string, number | Buffer | InstanceType<typeof Aerospike.Double>>

/** Bins of row i, as a user would build them: floats wrapped so that 1.0 stays a float. */
export function binBuilder(dataset: Dataset): (row: number) => Bins {
  if (dataset.name === 'sensor') {
    const temperature = dataset.data.get('temperature') as Float64Array
    const humidity = dataset.data.get('humidity') as Float32Array
    const pressure = dataset.data.get('pressure') as Float32Array
    const status = dataset.data.get('status') as Uint8Array
    return (i) => ({
      temperature: new Aerospike.Double(temperature[i] as number),
      humidity: new Aerospike.Double(humidity[i] as number),
      pressure: new Aerospike.Double(pressure[i] as number),
      status: status[i] as number,
    })
  }
  const emb = dataset.data.get('emb') as Float32Array
  const label = dataset.data.get('label') as Int32Array
  const embBytes = Buffer.from(emb.buffer, emb.byteOffset, emb.byteLength)
  const width = EMBEDDING_DIM * 4
  return (i) => ({
    emb: embBytes.subarray(i * width, (i + 1) * width),
    label: label[i] as number,
  })
}

/** One `put` per row, `concurrency` puts in flight. */
export function putLoop(
  client: OfficialClient,
  namespace: string,
  dataset: Dataset,
  shape: Omit<RunShape, 'chunkSize'>,
): Promise<Measurement> {
  const bins = binBuilder(dataset)
  const keys = dataset.data.get('_key') as Int32Array
  return runChunked(
    shape.rows,
    1,
    shape.concurrency,
    async (start, _end, codes) => {
      try {
        // The typings' Key and KeyOptions disagree under exactOptionalPropertyTypes; it is a Key.
        const key = new Aerospike.Key(namespace, dataset.set, keys[start] as number)
        await client.put(key as Aerospike.KeyOptions, bins(start))
        codes[start] = 0
      } catch (error) {
        codes[start] = errorCode(error)
      }
    },
    { onRows: shape.onRows, maxSeconds: shape.maxSeconds },
  )
}

/** `batchWrite` of hand-built BATCH_WRITE records, `concurrency` calls in flight. */
export function handBuiltBatchWrite(
  client: OfficialClient,
  namespace: string,
  dataset: Dataset,
  shape: RunShape,
): Promise<Measurement> {
  const bins = binBuilder(dataset)
  const keys = dataset.data.get('_key') as Int32Array
  const policy = new Aerospike.BatchPolicy(BENCH_POLICY)
  return runChunked(
    shape.rows,
    shape.chunkSize,
    shape.concurrency,
    async (start, end, codes) => {
      const records = []
      for (let i = start; i < end; i++) {
        const row = bins(i)
        records.push({
          type: Aerospike.batchType.BATCH_WRITE,
          key: new Aerospike.Key(namespace, dataset.set, keys[i] as number),
          ops: Object.entries(row).map(([name, value]) => Aerospike.operations.write(name, value)),
        })
      }
      const results = await client.batchWrite(records, policy)
      if (results.length !== end - start) {
        throw new Error(`batchWrite returned ${results.length} results for ${end - start} records`)
      }
      results.forEach((result, j) => {
        codes[start + j] = result.status as number
      })
    },
    { onRows: shape.onRows, maxSeconds: shape.maxSeconds },
  )
}
