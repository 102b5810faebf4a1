/**
 * Taking an error apart into cloneable data: the sending half of the one serializer that carries
 * errors across every thread boundary (the sync client's worker, the worker pool). Errors lose
 * their class, `name` and extra properties when cloned, so they travel as `ErrorData` and
 * `fromErrorData` (error-rebuild.ts) rebuilds them. This module has no imports: a worker's exit
 * hook loads it (as `@aerospike-numpy/core/error-data`) before anything that could fail to load.
 */

/** An error taken apart: enough to rebuild its class, code and message on the other side. */
export interface ErrorData {
  readonly name: string
  readonly message: string
  readonly stack: string | undefined
  /** Numeric result code of an AerospikeError; absent for other errors. */
  readonly code: number | undefined
  readonly inDoubt: boolean | undefined
  /** Other own properties that survived cloning (e.g. `field`, `row`). */
  readonly extra: Readonly<Record<string, unknown>>
  readonly cause: ErrorData | undefined
}

/** Fields rebuilt explicitly; everything else cloneable goes into `extra`. */
const KNOWN_FIELDS = new Set([
  'name',
  'message',
  'stack',
  'code',
  'result',
  'codeName',
  'inDoubt',
  'cause',
])
const MAX_CAUSE_DEPTH = 4

/** `error` as structured-cloneable data (any thrown value; causes up to 4 deep). */
export function toErrorData(error: unknown, depth = 0): ErrorData {
  if (!(error instanceof Error)) {
    return {
      name: 'Error',
      message: `non-Error value thrown: ${describeThrown(error)}`,
      stack: undefined,
      code: undefined,
      inDoubt: undefined,
      extra: {},
      cause: undefined,
    }
  }
  const fields = error as Error & Record<string, unknown>
  const extra: Record<string, unknown> = {}
  for (const key of Object.keys(fields)) {
    const value = fields[key]
    // A string `code` (Node's 'ERR_…') is kept as is; a numeric one is the result code below.
    if (KNOWN_FIELDS.has(key) && !(key === 'code' && typeof value === 'string')) continue
    if (isPlainCloneable(value)) extra[key] = value
  }
  const cause = fields.cause
  return {
    name: error.name,
    message: error.message,
    stack: error.stack,
    code: typeof fields.code === 'number' ? fields.code : undefined,
    inDoubt: typeof fields.inDoubt === 'boolean' ? fields.inDoubt : undefined,
    extra,
    cause:
      cause === undefined || depth >= MAX_CAUSE_DEPTH ? undefined : toErrorData(cause, depth + 1),
  }
}

/**
 * Values that clone without surprises: primitives, Uint8Arrays, and (two levels deep) arrays and
 * plain objects of them, such as a scan error's `unfinished` partitions. Other objects and
 * functions are left behind.
 */
function isPlainCloneable(value: unknown, depth = 0): boolean {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'bigint':
    case 'boolean':
    case 'undefined':
      return true
    case 'object':
      if (value === null || value instanceof Uint8Array) return true
      if (depth >= 2) return false
      if (Array.isArray(value)) {
        return value.length <= 4096 && value.every((item) => isPlainCloneable(item, depth + 1))
      }
      if (Object.getPrototypeOf(value) === Object.prototype) {
        return Object.values(value as object).every((item) => isPlainCloneable(item, depth + 1))
      }
      return false
    default:
      return false
  }
}

function describeThrown(value: unknown): string {
  try {
    return typeof value === 'string' ? JSON.stringify(value) : String(value)
  } catch {
    return typeof value
  }
}
