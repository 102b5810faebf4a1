/**
 * Reading what callers pass: values described for messages without running their code, option
 * objects read once into a snapshot of known own keys, and whatever a caller's getter or Proxy
 * throws while it is read turned into a `ParamError` (with the original as `cause`). Every entry
 * point from core up reads its arguments through these, so a bad argument is always a ParamError.
 */
import { Dtype } from '@aerospike-numpy/dtype'
import { AerospikeError, ParamError } from './errors.js'

/** A short, safe rendering of a bad value for an error message; never throws. */
export function describe(value: unknown): string {
  switch (typeof value) {
    case 'undefined':
      return 'undefined'
    case 'string':
      return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)
    case 'bigint':
      return `${value}n`
    case 'number':
    case 'boolean':
      return String(value)
    case 'symbol':
      return value.toString()
    case 'function':
      return 'a function'
  }
  if (value === null) return 'null'
  try {
    if (Array.isArray(value)) return `an array of length ${value.length}`
    if (value instanceof Uint8Array) return `a ${value.constructor.name} of ${value.length} bytes`
    const name = (value as object).constructor?.name
    return `a ${typeof name === 'string' && name !== '' ? name : 'object'}`
  } catch {
    return 'an object' // a Proxy that refuses to be looked at
  }
}

/** `value` when it is an integer from `min` to `max`; otherwise a ParamError naming `name`. */
export function integerIn(value: unknown, min: number, max: number, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ParamError(`${name} must be an integer from ${min} to ${max}, got ${describe(value)}`)
  }
  return value
}

function messageOf(error: unknown): string {
  try {
    if (error instanceof Error) return error.message
  } catch {
    // fall through
  }
  return describe(error)
}

/**
 * Run `read`, which touches the caller's objects: anything it throws that is not already an
 * AerospikeError (a getter, a Proxy trap, a revoked Proxy) becomes a ParamError about `what`.
 */
export function readingInput<T>(what: string, read: () => T): T {
  try {
    return read()
  } catch (error) {
    if (error instanceof AerospikeError) throw error
    throw new ParamError(`${what} could not be read: ${messageOf(error)}`, { cause: error })
  }
}

/**
 * An options argument as a snapshot of its own keys (`undefined` and `null` are `{}`): anything
 * but a plain object, and any key not in `known` — `__proto__` or `constructor` included — is
 * refused naming it. Later reads see plain data, so a getter runs once.
 */
export function readOptions(
  options: unknown,
  known: readonly string[],
  where: string,
): Readonly<Record<string, unknown>> {
  if (options === undefined || options === null) return {}
  return readingInput(where, () => {
    if (typeof options !== 'object' || Array.isArray(options)) {
      throw new ParamError(`${where} must be an object, got ${describe(options)}`)
    }
    const out = Object.create(null) as Record<string, unknown>
    for (const key of Object.keys(options)) {
      if (!known.includes(key)) {
        throw new ParamError(`unknown ${where} key '${key}' (known: ${known.join(', ')})`)
      }
      out[key] = (options as Record<string, unknown>)[key]
    }
    return out
  })
}

/** `value instanceof type`, false (not an exception) for a Proxy that refuses to be looked at. */
export function instanceOf<T>(value: unknown, type: { readonly prototype: T }): value is T {
  try {
    return value instanceof (type as unknown as new () => T)
  } catch {
    return false
  }
}

export function isDtype(value: unknown): value is Dtype {
  return instanceOf(value, Dtype)
}
