/**
 * What the node-loss suites (async and sync) write and how long they wait: key i with `x` and
 * `n` derived from i, so any row read back can be checked. Field specs, not dtypes: this package
 * does not depend on dtype (dtype's tests depend on it).
 */
export const NODE_LOSS_FIELDS: [string, string][] = [
  ['_key', 'i4'],
  ['x', 'f8'],
  ['n', 'i4'],
]
export const NODE_LOSS_READ_FIELDS: [string, string][] = [
  ['x', 'f8'],
  ['n', 'i4'],
]
export const nodeLossX = (i: number): number => i * 0.5 + 0.25
export const nodeLossN = (i: number): number => i ^ 0x5a5a

/** The columns of rows 0..n-1, by field name. */
export function nodeLossColumns(n: number): Record<string, Int32Array | Float64Array> {
  return {
    _key: Int32Array.from({ length: n }, (_, i) => i),
    x: Float64Array.from({ length: n }, (_, i) => nodeLossX(i)),
    n: Int32Array.from({ length: n }, (_, i) => nodeLossN(i)),
  }
}

/**
 * Long enough for a cluster to notice a lost node and hand its partitions over, and for a
 * restarted node to catch up, on a loaded 2-core machine (seconds, up to minutes): re-sends stop
 * at `totalTimeout`, 500 ms apart once the backoff is at its cap.
 */
export const NODE_LOSS_WRITE_POLICY = { totalTimeout: 120_000, socketTimeout: 30_000 } as const
export const NODE_LOSS_RETRY = { attempts: 300 } as const
export const NODE_LOSS_READ_POLICY = {
  totalTimeout: 60_000,
  socketTimeout: 30_000,
  maxRetries: 2,
} as const
export const NODE_LOSS_READ_CHUNK = 50_000
/** Node restarts and migrations take minutes on a loaded 2-core machine. */
export const FAULT_TEST_TIMEOUT_MS = 15 * 60_000
