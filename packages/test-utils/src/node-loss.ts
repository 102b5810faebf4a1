// Everything the node-loss fault suites share (async, sync, scans): what they write, how long
// they wait, how they read it back and tally it. One import for all of it:
// `import * as nodeLoss from '@aerospike-numpy/test-utils/node-loss'`.
import {
  NODE_LOSS_READ_CHUNK,
  NODE_LOSS_READ_POLICY,
  nodeLossN,
  nodeLossX,
} from './node-loss-data.js'

export * from './node-loss-data.js'
export * from './node-loss-tally.js'

/** What a batch read of NODE_LOSS_READ_FIELDS gives (a `BatchReadResult` of any client). */
export interface ReadChunk {
  readonly length: number
  readonly resultCodes: ArrayLike<number>
  readonly batchRecords: { get(name: string): unknown }
}

export interface ReadBack {
  /** Per row: the read's result code (0 found, 2 not found, or the code of its chunk's failure). */
  codes: Int32Array
  /** Per row: 1 when found with the values written. */
  equal: Uint8Array
  /** Whole-call failures (the official client rejects a batch when one node fails). */
  errors: Error[]
}

/**
 * A client of any kind (async or blocking): its `batchRead`, called with `{ dtype, policy }`
 * (typed `never` here: this package does not know the clients' option types).
 */
export interface BatchReader {
  batchRead(keys: [string, string, number][], options: never): ReadChunk | Promise<ReadChunk>
}

/**
 * Reads keys 0..n-1 of `set` (namespace `test`) back into `readDtype` (NODE_LOSS_READ_FIELDS),
 * NODE_LOSS_READ_CHUNK keys at a time. A chunk whose read fails as a whole with the client's
 * error (an Error with a numeric `code`: a result code) takes that code for every row; any other
 * error (a bug, a Node system error with its string code) is thrown.
 */
export async function readBack(
  client: BatchReader,
  readDtype: unknown,
  set: string,
  n: number,
): Promise<ReadBack> {
  const codes = new Int32Array(n)
  const equal = new Uint8Array(n)
  const errors: Error[] = []
  for (let start = 0; start < n; start += NODE_LOSS_READ_CHUNK) {
    const end = Math.min(n, start + NODE_LOSS_READ_CHUNK)
    const keys = Array.from({ length: end - start }, (_, k): [string, string, number] => [
      'test',
      set,
      start + k,
    ])
    try {
      const r = await client.batchRead(keys, {
        dtype: readDtype,
        policy: NODE_LOSS_READ_POLICY,
      } as never)
      const x = r.batchRecords.get('x') as ArrayLike<number>
      const nn = r.batchRecords.get('n') as ArrayLike<number>
      for (let k = 0; k < r.length; k++) {
        const i = start + k
        codes[i] = r.resultCodes[k]!
        equal[i] = codes[i] === 0 && x[k] === nodeLossX(i) && nn[k] === nodeLossN(i) ? 1 : 0
      }
    } catch (error) {
      const code = (error as { code?: unknown }).code
      if (!(error instanceof Error) || typeof code !== 'number') throw error
      errors.push(error)
      codes.fill(code, start, end)
    }
  }
  return { codes, equal, errors }
}
