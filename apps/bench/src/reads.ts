// The read contenders, in one registry. A batch contender reads rows [start, end) of a dataset
// already written, by key, in chunks; a scan contender reads the dataset's whole set in one call.
// Both return the rows as read and fill every row's result code (0 = read). Keys are built inside
// the timed call, as user code would build them; the columns are extracted once.
// `checkRead` reads once, untimed, and compares every value with the dataset.

import Aerospike from 'aerospike'
import type { Client as OfficialClient } from 'aerospike'
import type { AsyncClient } from '@aerospike-numpy/async'
import type { ScanChunk } from '@aerospike-numpy/core'
import type { StructuredArray } from '@aerospike-numpy/dtype'
import type { Client as SyncClient } from '@aerospike-numpy/sync'
import type { EngineName } from './args.js'
import type { Dataset } from './datasets.js'
import type { Measurement } from './measure.js'
import { UNKNOWN_FAILURE, runChunked, runWhole } from './measure.js'
import type { RunShape } from './runs.js'
import { BENCH_POLICY } from './runs.js'

/** Scans: no limit on the whole scan (a million rows take seconds), 30 s of silence at most. */
export const SCAN_POLICY = { totalTimeout: 0, socketTimeout: 30_000 } as const

/** What the read contenders may use; a contender whose client is missing is skipped. */
export interface ReadClients {
  engines: ReadonlyMap<EngineName, AsyncClient>
  official: OfficialClient | null
  sync: SyncClient | null
}

/**
 * One read: fills `codes` for the rows it read and returns them, for `checkRead`. A batch read
 * covers rows [start, end); a scan reads the whole set (start 0, end = the rows written).
 */
export type ReadChunk = (start: number, end: number, codes: Int32Array) => Promise<ReadRows>

/**
 * Rows as a contender returns them: a structured array, or the official client's records. A
 * scan's rows come in any order: `keys` holds each row's key (= its row in the dataset).
 */
export type ReadRows =
  | { kind: 'numpy'; array: StructuredArray; keys?: ArrayLike<number> }
  | { kind: 'objects'; bins: (Record<string, unknown> | undefined)[]; keys?: ArrayLike<number> }

export interface ReadContender {
  contender: string
  engine: EngineName | null
  mode: 'async' | 'sync'
  /** batch: by key, in chunks, calls in flight; scan: the whole set in one call. */
  kind: 'batch' | 'scan'
  /** Only one call at a time (the blocking client): measured beside async at concurrency 1. */
  oneAtATime: boolean
  /** The reader, or why this contender cannot run. */
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

/** What batchRead and batchReadNumpy return; the same for both clients. */
interface NumpyRead {
  resultCodes: Int32Array
  batchRecords: StructuredArray
}

/** The calls one client offers, so that async and sync contenders are built the same way. */
interface Reader {
  batchRead(keys: unknown[], dataset: Dataset): NumpyRead | Promise<NumpyRead>
  batchReadNumpy(keys: Int32Array, set: string, dataset: Dataset): NumpyRead | Promise<NumpyRead>
  scanNumpyAll(set: string, dataset: Dataset): ScanChunk | Promise<ScanChunk>
}

function readerOf(client: AsyncClient | SyncClient, namespace: string): Reader {
  const options = (dataset: Dataset) => ({ dtype: dataset.readDtype, policy: BENCH_POLICY })
  return {
    batchRead: (keys, dataset) => client.batchRead(keys, options(dataset)),
    batchReadNumpy: (keys, set, dataset) =>
      client.batchReadNumpy(keys, namespace, set, options(dataset)),
    // the stored key fills `_key`: the rows were written with key: SEND
    scanNumpyAll: (set, dataset) =>
      client.scanNumpyAll(namespace, set, { dtype: dataset.dtype, policy: SCAN_POLICY }),
  }
}

/** The client a contender reads with, or why there is none. */
function clientFor(
  clients: ReadClients,
  engine: EngineName,
  mode: 'async' | 'sync',
): AsyncClient | SyncClient | string {
  if (mode === 'sync') return clients.sync ?? 'the blocking client is not available'
  return clients.engines.get(engine) ?? `the ${engine} engine is not available`
}

/**
 * Marks the rows a scan returned (by their key) as read. A key outside the dataset or seen twice
 * fails the call: the scan must return every row of the set exactly once.
 */
export function markScanned(keys: ArrayLike<number>, codes: Int32Array): void {
  for (let j = 0; j < keys.length; j++) {
    const key = keys[j] as number
    if (!(Number.isInteger(key) && key >= 0 && key < codes.length)) {
      throw new Error(
        `the scan returned a row with key ${key}, not one of the ${codes.length} rows`,
      )
    }
    if (codes[key] === 0) throw new Error(`the scan returned the row with key ${key} twice`)
    codes[key] = 0
  }
}

/** How each of our read calls reads, given a client's calls: one entry per call. */
const OUR_READS: Record<
  'batchRead' | 'batchReadNumpy' | 'scanNumpyAll',
  {
    kind: ReadContender['kind']
    read(reader: Reader, namespace: string, dataset: Dataset): ReadChunk
  }
> = {
  batchRead: {
    kind: 'batch',
    read(reader, namespace, dataset) {
      const keysOf = keyTuples(namespace, dataset)
      return async (start, end, codes) => {
        const result = await reader.batchRead(keysOf(start, end), dataset)
        codes.set(result.resultCodes, start)
        return { kind: 'numpy', array: result.batchRecords }
      }
    },
  },
  batchReadNumpy: {
    kind: 'batch',
    read(reader, _namespace, dataset) {
      const column = dataset.data.get('_key') as Int32Array
      return async (start, end, codes) => {
        const keys = column.subarray(start, end)
        const result = await reader.batchReadNumpy(keys, dataset.set, dataset)
        codes.set(result.resultCodes, start)
        return { kind: 'numpy', array: result.batchRecords }
      }
    },
  },
  scanNumpyAll: {
    kind: 'scan',
    read(reader, _namespace, dataset) {
      return async (_start, _end, codes) => {
        const chunk = await reader.scanNumpyAll(dataset.set, dataset)
        const keys = chunk.records.get('_key') as Int32Array
        markScanned(keys, codes)
        return { kind: 'numpy', array: chunk.records, keys }
      }
    },
  },
}

/** One of our read calls on an engine, async or on the blocking client (one call at a time). */
function ours(
  call: keyof typeof OUR_READS,
  engine: EngineName,
  mode: 'async' | 'sync',
): ReadContender {
  const { kind, read } = OUR_READS[call]
  return {
    contender: mode === 'sync' ? `sync ${call}` : call,
    engine,
    mode,
    kind,
    // a scan is one call either way
    oneAtATime: mode === 'sync' && kind === 'batch',
    open(clients, namespace, dataset) {
      const client = clientFor(clients, engine, mode)
      if (typeof client === 'string') return client
      return read(readerOf(client, namespace), namespace, dataset)
    },
  }
}

/** The same contender, one call at a time: the async side of a sync-against-async pair. */
function oneAtATime(contender: ReadContender): ReadContender {
  return { ...contender, oneAtATime: true }
}

/** A read the official client's own way (records as objects). */
function theOfficialClients(
  contender: string,
  kind: ReadContender['kind'],
  read: (official: OfficialClient, namespace: string, dataset: Dataset) => ReadChunk,
): ReadContender {
  return {
    contender,
    engine: 'official',
    mode: 'async',
    kind,
    oneAtATime: false,
    open(clients, namespace, dataset) {
      if (clients.official === null) return 'the official client is not connected'
      return read(clients.official, namespace, dataset)
    },
  }
}

const officialBatchRead = theOfficialClients(
  'official batchRead (objects)',
  'batch',
  (official, namespace, dataset) => {
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
)

/** The official client's own scan of a set: `query.foreach()`, one JS object per record. */
const officialQuery = theOfficialClients(
  'official query.foreach (objects)',
  'scan',
  (official, namespace, dataset) => {
    const policy = new Aerospike.QueryPolicy(SCAN_POLICY)
    return (_start, _end, codes) =>
      new Promise((resolve, reject) => {
        const bins: (Record<string, unknown> | undefined)[] = []
        const keys: number[] = []
        const stream = official.query(namespace, dataset.set).foreach(policy)
        stream.on('data', (record) => {
          bins.push(record.bins as Record<string, unknown>)
          keys.push(record.key.key as number)
        })
        stream.on('error', reject)
        stream.on('end', () => {
          try {
            markScanned(keys, codes)
            resolve({ kind: 'objects', bins, keys })
          } catch (error) {
            reject(error)
          }
        })
      })
  },
)

/**
 * Every read contender of the bench, in the order each round runs them: batch reads on each
 * engine, the official client's; the blocking client beside async one call at a time; the scans.
 */
export const READ_CONTENDERS: readonly ReadContender[] = [
  ours('batchRead', 'wire', 'async'),
  ours('batchRead', 'official', 'async'),
  ours('batchReadNumpy', 'wire', 'async'),
  ours('batchReadNumpy', 'official', 'async'),
  officialBatchRead,
  oneAtATime(ours('batchRead', 'wire', 'async')),
  ours('batchRead', 'wire', 'sync'),
  oneAtATime(ours('batchReadNumpy', 'wire', 'async')),
  ours('batchReadNumpy', 'wire', 'sync'),
  ours('scanNumpyAll', 'wire', 'async'),
  ours('scanNumpyAll', 'official', 'async'),
  ours('scanNumpyAll', 'wire', 'sync'),
  officialQuery,
]

/** A timed run of one read contender: `shape.rows` rows by key, or the whole set of a scan. */
export function runRead(
  read: ReadChunk,
  kind: ReadContender['kind'],
  shape: RunShape,
): Promise<Measurement> {
  if (kind === 'scan') {
    return runWhole(shape.rows, async (codes) => {
      await read(0, shape.rows, codes)
      shape.onRows?.(shape.rows)
    })
  }
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
 * Reads rows [0, rows) once, untimed (a scan: the whole set), and counts the rows missing or
 * differing from the dataset in any bin (floats compared as the dtype stores them).
 */
export async function checkRead(
  read: ReadChunk,
  dataset: Dataset,
  rows: number,
): Promise<{ rows: number; mismatches: number }> {
  const codes = new Int32Array(rows).fill(UNKNOWN_FAILURE)
  const got = await read(0, rows, codes)
  const fields = (dataset.readDtype.names ?? []).filter((n) => !n.startsWith('_'))
  const columns = fields.map((name) => dataset.data.get(name) as unknown as ArrayLike<number>)
  const values =
    got.kind === 'numpy'
      ? fields.map((name) => got.array.get(name) as unknown as ArrayLike<number>)
      : []
  let mismatches = 0
  for (let i = 0; i < rows; i++) if (codes[i] !== 0) mismatches++
  const returned = got.kind === 'numpy' ? got.array.length : got.bins.length
  for (let j = 0; j < returned; j++) {
    // a batch returns row j of the dataset at j; a scan says which row by its key
    const i = got.keys === undefined ? j : (got.keys[j] as number)
    if (codes[i] !== 0) continue // counted above
    let same = true
    if (got.kind === 'numpy') {
      for (let f = 0; f < fields.length && same; f++) {
        same = Object.is(values[f]![j], columns[f]![i])
      }
    } else {
      const bins = got.bins[j]
      for (let f = 0; f < fields.length && same; f++) {
        // the official client returns f4 bins as the double they were written as
        same = bins !== undefined && Number(bins[fields[f]!]) === Number(columns[f]![i])
      }
    }
    if (!same) mismatches++
  }
  return { rows, mismatches }
}
