/**
 * Errors across the pool's thread boundary. A thrown error loses its class and its fields when
 * cloned to another thread, so the worker sends it as data and the calling thread rebuilds the
 * same error class (by its numeric `code`, through core's `errorFromCode`) with its name, message,
 * `inDoubt` and the worker's stack. Only this module knows how; when core carries the one
 * serializer every thread boundary uses, this module becomes a re-export of it.
 */
import { AerospikeError, errorFromCode } from '@aerospike-numpy/core'

/** An error as cloneable data. */
export interface ErrorData {
  readonly name: string
  readonly message: string
  readonly stack: string | undefined
  /** The numeric result code of an `AerospikeError`; undefined for other errors. */
  readonly code: number | undefined
  readonly inDoubt: boolean
}

export function errorToData(error: unknown): ErrorData {
  if (!(error instanceof Error)) {
    return {
      name: 'Error',
      message: `non-Error value thrown: ${String(error)}`,
      stack: undefined,
      code: undefined,
      inDoubt: false,
    }
  }
  return {
    name: error.name,
    message: error.message,
    stack: error.stack,
    code: error instanceof AerospikeError ? error.code : undefined,
    inDoubt: error instanceof AerospikeError && error.inDoubt,
  }
}

/** The error `data` describes: an `AerospikeError` of the class its code maps to, else an `Error`. */
export function errorFromData(data: ErrorData): Error {
  const error =
    data.code === undefined
      ? new Error(data.message)
      : errorFromCode(data.code, data.message, { inDoubt: data.inDoubt })
  if (error.name !== data.name) {
    Object.defineProperty(error, 'name', { value: data.name, writable: true, configurable: true })
  }
  if (data.stack !== undefined) {
    Object.defineProperty(error, 'stack', {
      value: `${data.stack}\n    --- in a worker thread of the writeNumpy pool ---`,
      writable: true,
      configurable: true,
    })
  }
  return error
}
