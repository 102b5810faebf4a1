// The read contenders, in one registry: each reads rows [0, rows) of a dataset already written,
// in chunks, and returns the measurement with every row's result code (0 = found). Keys are built
// inside the timed call, as user code would build them; the columns are extracted once.
// `checkRead` reads the first chunk once, untimed, and compares every value with the dataset.

import Aerospike from 'aerospike'
import type { Client as OfficialClient } from 'aerospike'
import type { AsyncClient } from '@aerospike-numpy/async'
import type { StructuredArray } from '@aerospike-numpy/dtype'
import type { Client as SyncClient } from '@aerospike-numpy/sync'
import type { EngineName } from './args.js'
import type { Dataset } from './datasets.js'
import type { Measurement } from './measure.js'
import { runChunked } from './measure.js'
import type { RunShape } from './runs.js'
import { BENCH_POLICY } from './runs.js'

/** What the read contenders may use; a contender whose client is missing is skipped. */
export interface ReadClients {
  engines: ReadonlyMap<EngineName, AsyncClient>
  official: OfficialClient | null
  sync: SyncClient | null
}

/** One chunk read: fills `codes[start, end)` and returns the rows as read, for `checkRead`. */
type ReadChunk = (start: number, end: number, codes: Int32Array) => Promise<ReadRows>

/** Rows as a contender returns them: a structured array, or the official client's records. */
export type ReadRows =
  | { kind: 'numpy'; array: StructuredArray }
  | { kind: 'objects'; bins: (Record<string, unknown> | undefined)[] }

export interface ReadContender {
  contender: string
  engine: EngineName | null
  mode: 'async' | 'sync'
  /** Only one call at a time (the blocking client): measured beside async at concurrency 1. */
  oneAtATime: boolean
  /** The chunk reader, or why this contender cannot run. */
  open(clients: ReadClients, namespace: string, dataset: Dataset): ReadChunk | string
}

/**
 * The keys of rows [start, end) as users give them, `[namespace, set, key]`, from the key column
 * extracted once (`get` of a field of a packed dtype copies the whole column).
 */
function keyTuples(namespace: string, dataset: Dataset): (start: number, end: number) => unknown[] {
  const column = dataset.data.get('_key') as Int32Array
  return (start, end) => {
    const keys = new Array<unknown>(end - start)
    for (let i = start; i < end; i++) keys[i - start] = [namespace, dataset.set, column[i]]
    return keys
  }
}

function asyncBatchRead(engine: EngineName): ReadContender {
  return {
    contender: 'batchRead',
    engine,
    mode: 'async',
    oneAtATime: false,
    open(clients, namespace, dataset) {
      const client = clients.engines.get(engine)
      if (client === undefined) return `the ${engine} engine is not available`
      const keysOf = keyTuples(namespace, dataset)
      return async (start, end, codes) => {
        const keys = keysOf(start, end)
        const result = await client.batchRead(keys, {
          dtype: dataset.readDtype,
          policy: BENCH_POLICY,
        })
        codes.set(result.resultCodes, start)
        return { kind: 'numpy', array: result.batchRecords }
      }
    },
  }
}

/** Every read contender of the bench, in the order each round runs them. */
export const READ_CONTENDERS: readonly ReadContender[] = [
  asyncBatchRead('wire'),
  asyncBatchRead('official'),
  {
    contender: 'official batchRead (objects)',
    engine: 'official',
    mode: 'async',
    oneAtATime: false,
    open(clients, namespace, dataset) {
      const official = clients.official
      if (official === null) return 'the official client is not connected'
      const column = dataset.data.get('_key') as Int32Array
      const policy = new Aerospike.BatchPolicy(BENCH_POLICY)
      return async (start, end, codes) => {
        const records = new Array<Aerospike.BatchReadRecord>(end - start)
        for (let i = start; i < end; i++) {
          records[i - start] = {
            key: new Aerospike.Key(namespace, dataset.set, column[i]!),
            readAllBins: true,
          } as Aerospike.BatchReadRecord
        }
        const results = await official.batchRead(records, policy)
        const bins = new Array<Record<string, unknown> | undefined>(results.length)
        results.forEach((r, j) => {
          codes[start + j] = r.status as number
          bins[j] = r.record?.bins as Record<string, unknown> | undefined
        })
        return { kind: 'objects', bins }
      }
    },
  },
  {
    contender: 'batchRead',
    engine: 'wire',
    mode: 'async',
    oneAtATime: true,
    open: (clients, namespace, dataset) => asyncBatchRead('wire').open(clients, namespace, dataset),
  },
  {
    contender: 'sync batchRead',
    engine: 'wire',
    mode: 'sync',
    oneAtATime: true,
    open(clients, namespace, dataset) {
      const client = clients.sync
      if (client === null) return 'the blocking client is not available'
      const keysOf = keyTuples(namespace, dataset)
      return async (start, end, codes) => {
        const keys = keysOf(start, end)
        const result = client.batchRead(keys, { dtype: dataset.readDtype, policy: BENCH_POLICY })
        codes.set(result.resultCodes, start)
        return { kind: 'numpy', array: result.batchRecords }
      }
    },
  },
]

/** A timed run of one read contender over `shape.rows` rows. */
export function runRead(read: ReadChunk, shape: RunShape): Promise<Measurement> {
  return runChunked(
    shape.rows,
    shape.chunkSize,
    shape.concurrency,
    async (start, end, codes) => {
      await read(start, end, codes)
    },
    { onRows: shape.onRows, maxSeconds: shape.maxSeconds },
  )
}

/**
 * Reads rows [0, rows) once, untimed, and counts the rows missing or differing from the dataset
 * in any bin (floats compared as the dtype stores them).
 */
export async function checkRead(
  read: ReadChunk,
  dataset: Dataset,
  rows: number,
): Promise<{ rows: number; mismatches: number }> {
  const codes = new Int32Array(rows)
  const got = await read(0, rows, codes)
  const fields = (dataset.readDtype.names ?? []).filter((n) => !n.startsWith('_'))
  const columns = fields.map((name) => dataset.data.get(name) as unknown as ArrayLike<number>)
  const values =
    got.kind === 'numpy'
      ? fields.map((name) => got.array.get(name) as unknown as ArrayLike<number>)
      : []
  let mismatches = 0
  for (let i = 0; i < rows; i++) {
    if (codes[i] !== 0) {
      mismatches++
      continue
    }
    let same = true
    if (got.kind === 'numpy') {
      for (let f = 0; f < fields.length && same; f++) {
        same = Object.is(values[f]![i], columns[f]![i])
      }
    } else {
      const bins = got.bins[i]
      for (let f = 0; f < fields.length && same; f++) {
        // the official client returns f4 bins as the double they were written as
        same = bins !== undefined && Number(bins[fields[f]!]) === Number(columns[f]![i])
      }
    }
    if (!same) mismatches++
  }
  return { rows, mismatches }
}
