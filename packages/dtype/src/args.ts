// Checking what callers pass in: values described for messages without running their code,
// option objects read once into a snapshot, and anything a caller's getter or Proxy throws while
// we read it turned into this package's error (with the original as `cause`).

import { DtypeError } from './errors.js'

/** A short rendering of any value for an error message; never throws. */
export function describeValue(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v.length > 40 ? v.slice(0, 37) + '...' : v)
    case 'bigint':
      return `${v}n`
    case 'symbol':
      return v.toString()
    case 'function':
      return 'a function'
    case 'undefined':
      return 'undefined'
    case 'number':
    case 'boolean':
      return String(v)
  }
  if (v === null) return 'null'
  try {
    if (v instanceof Uint8Array) return `Uint8Array(${v.length})`
    if (ArrayBuffer.isView(v)) return v.constructor.name
    if (Array.isArray(v)) return `an array of ${v.length}`
    if (v instanceof ArrayBuffer) return `an ArrayBuffer(${v.byteLength})`
  } catch {
    // a Proxy that refuses to be looked at
  }
  return 'an object'
}

/** The message of anything thrown, safely. */
export function messageOf(err: unknown): string {
  try {
    if (err instanceof Error) return err.message
  } catch {
    // fall through
  }
  return describeValue(err)
}

/**
 * Run `read`, which touches the caller's objects: anything it throws that is not this package's
 * error (a getter, a Proxy trap, a revoked Proxy) comes out as `wrap`'s error, the original as cause.
 */
export function readingInput<T>(
  read: () => T,
  wrap: (detail: string, cause: unknown) => DtypeError,
): T {
  try {
    return read()
  } catch (err) {
    if (err instanceof DtypeError) throw err
    throw wrap(messageOf(err), err)
  }
}

/**
 * An options argument as a snapshot of its own keys: `undefined` is `{}`; anything but a plain
 * object, and any key not in `known`, is refused with `fail`'s error.
 */
export function readOptions(
  value: unknown,
  known: readonly string[],
  where: string,
  fail: (message: string, cause?: unknown) => DtypeError,
): Readonly<Record<string, unknown>> {
  if (value === undefined) return {}
  return readingInput(
    () => {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw fail(`${where} must be an object, got ${describeValue(value)}`)
      }
      const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>
      for (const key of Object.keys(value)) {
        if (!known.includes(key)) {
          throw fail(
            `unknown ${where} key ${JSON.stringify(key)} (known: ${known.join(', ') || 'none'})`,
          )
        }
        out[key] = (value as Record<string, unknown>)[key]
      }
      return out
    },
    (detail, cause) => fail(`${where} could not be read: ${detail}`, cause),
  )
}

/** A path argument of the file functions: a non-empty string or a file: URL. */
export function checkPath(path: unknown, fn: string): string | URL {
  if (typeof path === 'string' && path !== '') return path
  if (
    readingInput(
      () => path instanceof URL,
      () => badArgument(`${fn}: bad path`),
    )
  ) {
    return path as URL
  }
  throw badArgument(`${fn}: path must be a non-empty string or a URL, got ${describeValue(path)}`)
}

/** An argument of the wrong type or range (the call could not even start). */
export function badArgument(message: string, cause?: unknown): DtypeError {
  return new DtypeError('BAD_ARGUMENT', message, { cause })
}
