/**
 * Errors rebuilt from `ErrorData` on the receiving thread: the same class (found by name among
 * the error classes of dtype, core and the modules the caller names), the same `name`, `code`,
 * `codeName`, message, `inDoubt` and extra fields, and a stack that shows both the other
 * thread's frames and where the caller made the call.
 */
import * as dtypeExports from '@aerospike-numpy/dtype'

import { resultCodeName } from './codes.js'
import type { ErrorData } from './error-data.js'
import * as coreErrors from './errors.js'
import { AerospikeError, errorFromCode } from './errors.js'

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

/** Error classes by name: the builtins and every Error subclass exported by these modules. */
function classesByName(modules: readonly object[]): Map<string, ErrorClass> {
  const byName = new Map<string, ErrorClass>()
  for (const cls of BUILTIN_ERRORS) byName.set(cls.name, cls)
  for (const exports of [dtypeExports, coreErrors, ...modules]) {
    for (const value of Object.values(exports as Record<string, unknown>)) {
      if (typeof value === 'function' && value.prototype instanceof Error) {
        byName.set(value.name, value as ErrorClass)
      }
    }
  }
  return byName
}

const baseClasses = classesByName([])
const classesCache = new WeakMap<readonly object[], Map<string, ErrorClass>>()

export interface FromErrorDataOptions {
  /**
   * Modules (namespace objects, e.g. `import * as x`) whose exported error classes may be
   * rebuilt besides dtype's and core's; give the same array each time (it is cached).
   */
  modules?: readonly object[]
  /** The stack where the call was made on this thread (appended to the other thread's frames). */
  callerStack?: string | undefined
  /** Where the error happened, for the stack: default "a worker thread". */
  origin?: string
}

/** Rebuilds an error taken apart by `toErrorData` on another thread. */
export function fromErrorData(data: ErrorData, options: FromErrorDataOptions = {}): Error {
  const modules = options.modules
  let classes = baseClasses
  if (modules !== undefined && modules.length > 0) {
    classes = classesCache.get(modules) ?? classesByName(modules)
    classesCache.set(modules, classes)
  }
  return rebuild(data, classes, options.callerStack, options.origin ?? 'a worker thread')
}

function rebuild(
  data: ErrorData,
  classes: ReadonlyMap<string, ErrorClass>,
  callerStack: string | undefined,
  origin: string,
): Error {
  const error = instantiate(data, classes, origin)
  const own = error as unknown as Record<string, unknown>
  for (const [key, value] of Object.entries(data.extra)) own[key] = value
  const workerStack = data.stack ?? `${data.name}: ${data.message}`
  const callerFrames = callerStack?.split('\n').slice(1).join('\n')
  Object.defineProperty(error, 'stack', {
    value:
      callerFrames === undefined || callerFrames === ''
        ? workerStack
        : `${workerStack}\n    --- in ${origin}; called from ---\n${callerFrames}`,
    writable: true,
    configurable: true,
    enumerable: false,
  })
  return error
}

function instantiate(
  data: ErrorData,
  classes: ReadonlyMap<string, ErrorClass>,
  origin: string,
): Error {
  const cause =
    data.cause === undefined ? undefined : rebuild(data.cause, classes, undefined, origin)
  const cls = classes.get(data.name)
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
