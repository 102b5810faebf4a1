/**
 * `batchReadNumpy`'s keys: a key column (a typed array of integer keys, an array of strings,
 * Buffers or integers, or a StructuredArray whose key field holds them) turned into the resolved
 * keys `batchRead` reads, in the same order.
 */
import {
  DEFAULT_KEY_FIELD,
  ParamError,
  compileKeyCodec,
  type KeyBatch,
} from '@aerospike-numpy/core'
import {
  KeyBatchBuilder,
  describe,
  validateNamespace,
  validateSetName,
} from '@aerospike-numpy/core/internal'
import { StructuredArray } from '@aerospike-numpy/dtype'

const INT64_MAX = 2n ** 63n - 1n

type IntegerArray =
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array

function isIntegerArray(value: unknown): value is IntegerArray {
  return (
    value instanceof Int8Array ||
    (value instanceof Uint8Array && !Buffer.isBuffer(value)) ||
    value instanceof Uint8ClampedArray ||
    value instanceof Int16Array ||
    value instanceof Uint16Array ||
    value instanceof Int32Array ||
    value instanceof Uint32Array ||
    value instanceof BigInt64Array ||
    value instanceof BigUint64Array
  )
}

/**
 * Resolves `keys` (in `namespace`/`set`) in order into one `KeyBatch`. Throws `ParamError`
 * naming the position of a key Aerospike cannot hold (a float, an integer beyond int64, a string
 * key that is not UTF-8).
 */
export function resolveNumpyKeys(
  keys: unknown,
  namespace: unknown,
  set: unknown,
  keyField: unknown = DEFAULT_KEY_FIELD,
): KeyBatch {
  const ns = validateNamespace(namespace)
  const setName = validateSetName(set)
  if (keys instanceof StructuredArray) {
    if (typeof keyField !== 'string' || keyField === '') {
      throw new ParamError(`keyField must be a non-empty field name, got ${describe(keyField)}`)
    }
    const codec = compileKeyCodec(keys.dtype, keyField)
    const src = new Uint8Array(keys.buffer)
    const builder = new KeyBatchBuilder(keys.length)
    const where = (i: number): string => `keys row ${i} field '${keyField}'`
    for (let i = 0; i < keys.length; i++) {
      builder.addKey(ns, setName, codec.value(src, keys.byteOffset + i * keys.stride, i), i, where)
    }
    return builder.finish()
  }
  if (isIntegerArray(keys)) {
    const builder = new KeyBatchBuilder(keys.length)
    for (let i = 0; i < keys.length; i++) {
      let value: number | bigint = keys[i]!
      if (typeof value === 'bigint') {
        if (value > INT64_MAX) {
          throw new ParamError(`keys[${i}] ${value}n does not fit a signed 64-bit integer key`)
        }
        // Numbers where exact: the same key reads back as the same value type as batchRead's.
        if (value >= -(2n ** 53n) + 1n && value <= 2n ** 53n - 1n) value = Number(value)
      }
      builder.addKey(ns, setName, value, i)
    }
    return builder.finish()
  }
  if (keys instanceof Float32Array || keys instanceof Float64Array) {
    throw new ParamError(
      `keys is a ${keys.constructor.name}; Aerospike keys are integers, strings or bytes (use an integer typed array, e.g. Int32Array or BigInt64Array)`,
    )
  }
  if (!Array.isArray(keys)) {
    throw new ParamError(
      `keys must be an integer typed array, an array of strings, Buffers or integers, or a StructuredArray with a key field, got ${describe(keys)}`,
    )
  }
  const builder = new KeyBatchBuilder(keys.length)
  for (let i = 0; i < keys.length; i++) {
    const value: unknown = keys[i]
    if (
      typeof value !== 'string' &&
      typeof value !== 'number' &&
      typeof value !== 'bigint' &&
      !(value instanceof Uint8Array)
    ) {
      throw new ParamError(
        `keys[${i}] must be a string, Buffer/Uint8Array or integer, got ${describe(value)}`,
      )
    }
    builder.addKey(ns, setName, value, i)
  }
  return builder.finish()
}
