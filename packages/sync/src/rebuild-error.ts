/**
 * Errors rebuilt on the calling thread from `ErrorData`: the same class (found by name among the
 * exported error classes of core, async, dtype and this package), the same `name`, `code`,
 * message, `inDoubt` and extra fields, and a stack that shows both the worker's frames and where
 * the caller made the call.
 */
import * as asyncExports from '@aerospike-numpy/async'
import * as coreExports from '@aerospike-numpy/core'
import { AerospikeError, errorFromCode, resultCodeName } from '@aerospike-numpy/core'
import * as dtypeExports from '@aerospike-numpy/dtype'

import * as syncErrors from './errors.js'
import type { ErrorData } from './messages.js'

type ErrorClass = abstract new (...args: never[]) => Error

const BUILTIN_ERRORS: readonly ErrorClass[] = [
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
]

const classByName: ReadonlyMap<string, ErrorClass> = (() => {
  const byName = new Map<string, ErrorClass>()
  for (const cls of BUILTIN_ERRORS) byName.set(cls.name, cls)
  for (const exports of [dtypeExports, coreExports, asyncExports, syncErrors]) {
    for (const value of Object.values(exports as Record<string, unknown>)) {
      if (typeof value === 'function' && value.prototype instanceof Error) {
        byName.set(value.name, value as ErrorClass)
      }
    }
  }
  return byName
})()

/**
 * Rebuild an error that crossed from the worker. `callerStack` is the stack where the blocking
 * call was made on this thread (appended to the worker's frames).
 */
export function rebuildError(data: ErrorData, callerStack?: string): Error {
  const error = instantiate(data)
  const own = error as unknown as Record<string, unknown>
  for (const [key, value] of Object.entries(data.extra)) own[key] = value
  const workerStack = data.stack ?? `${data.name}: ${data.message}`
  const callerFrames = callerStack?.split('\n').slice(1).join('\n')
  Object.defineProperty(error, 'stack', {
    value:
      callerFrames === undefined || callerFrames === ''
        ? workerStack
        : `${workerStack}\n    --- in the sync client's worker thread; called from ---\n${callerFrames}`,
    writable: true,
    configurable: true,
    enumerable: false,
  })
  return error
}

function instantiate(data: ErrorData): Error {
  const cause = data.cause === undefined ? undefined : rebuildError(data.cause)
  const cls = classByName.get(data.name)
  if (cls !== undefined && (cls === AerospikeError || cls.prototype instanceof AerospikeError)) {
    // Built without its constructor (subclass constructors differ); the fields the
    // constructors set are set here.
    const error = Object.create(cls.prototype as object) as Error
    defineFields(error, {
      name: data.name,
      message: data.message,
      code: data.code ?? -1,
      result: data.code ?? -1,
      codeName: resultCodeName(data.code ?? -1),
      inDoubt: data.inDoubt ?? false,
      ...(cause === undefined ? {} : { cause }),
    })
    return error
  }
  if (cls !== undefined) {
    const error = Object.create(cls.prototype as object) as Error
    defineFields(error, {
      name: data.name,
      message: data.message,
      ...(cause === undefined ? {} : { cause }),
    })
    return error
  }
  if (data.code !== undefined) {
    // An AerospikeError subclass this side does not export: the class for its code, its name kept.
    const error = errorFromCode(data.code, data.message, {
      ...(cause === undefined ? {} : { cause }),
      inDoubt: data.inDoubt ?? false,
    })
    defineFields(error, { name: data.name })
    return error
  }
  const error = new Error(data.message, cause === undefined ? undefined : { cause })
  defineFields(error, { name: data.name })
  return error
}

function defineFields(target: object, fields: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(fields)) {
    Object.defineProperty(target, key, {
      value,
      writable: true,
      configurable: true,
      // Error's own `message`/`cause` are not enumerable; the classes' fields (`name`, `code`…) are.
      enumerable: key !== 'message' && key !== 'cause',
    })
  }
}
