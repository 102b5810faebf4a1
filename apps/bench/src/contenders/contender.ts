// What compare-official.ts measures: one contender writes the same rows in chunks, `concurrency`
// chunks in flight, and says how many rows ended written.

import type { StructuredArray } from '@aerospike-numpy/dtype'

export interface WriteShape {
  namespace: string
  chunkSize: number
  concurrency: number
  /** Milliseconds for one batch call (policy totalTimeout and socketTimeout). */
  timeoutMs: number
}

export interface Contender {
  readonly name: string
  /** Write every row of `data` (its `_key` field is the key) into `set`; resolves to rows written. */
  write(data: StructuredArray, set: string, shape: WriteShape): Promise<number>
  close(): Promise<void>
}

/** Calls `call(start, end)` for each chunk of `rows`, at most `concurrency` at once; sums what they return. */
export async function inChunks(
  rows: number,
  chunkSize: number,
  concurrency: number,
  call: (start: number, end: number) => Promise<number>,
): Promise<number> {
  let next = 0
  let total = 0
  const lane = async (): Promise<void> => {
    while (next < rows) {
      const start = next
      const end = Math.min(rows, start + chunkSize)
      next = end
      // not `total += await …`: that reads `total` before the await and loses other lanes' counts
      const written = await call(start, end)
      total += written
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, lane))
  return total
}
