import { ArrayValueError, DtypeError, DtypeSpecError } from '@aerospike-numpy/dtype'
import { describe, expect, it } from 'vitest'

import { toErrorData } from './error-data.js'
import { fromErrorData } from './error-rebuild.js'
import {
  AerospikeError,
  ClientError,
  ConversionError,
  KeyBusyError,
  NamespaceNotFoundError,
  ParamError,
  TimeoutError,
} from './errors.js'

/** A class of another package, known to the receiving side through `modules`. */
class ElsewhereError extends AerospikeError {
  override name = 'ElsewhereError'
  readonly exitCode: number
  constructor(message: string, exitCode: number) {
    super(-1, message)
    this.exitCode = exitCode
  }
}
const modules = [{ ElsewhereError }]

/** Through data and a structured clone, as between the threads. */
function cross(error: unknown): Error {
  return fromErrorData(structuredClone(toErrorData(error)), {
    modules,
    callerStack: new Error('caller').stack,
    origin: 'the test thread',
  })
}

describe('toErrorData / fromErrorData', () => {
  it.each([
    new ParamError('data must be a StructuredArray, got "x"'),
    new ConversionError('value 300 does not fit u1 field "x" of key 7'),
    new NamespaceNotFoundError('namespace "nope" is not served by the cluster'),
    new KeyBusyError('busy', { inDoubt: true }),
    new TimeoutError('timed out', { inDoubt: true }),
    new AerospikeError(150, 'batch disabled'),
  ])('keeps class, name, code, codeName, inDoubt and message: %s', (original) => {
    const back = cross(original) as AerospikeError
    expect(Object.getPrototypeOf(back)).toBe(Object.getPrototypeOf(original))
    expect(back).toBeInstanceOf(AerospikeError)
    expect(back).toBeInstanceOf(Error)
    expect({
      name: back.name,
      message: back.message,
      code: back.code,
      result: back.result,
      codeName: back.codeName,
      inDoubt: back.inDoubt,
    }).toEqual({
      name: original.name,
      message: original.message,
      code: original.code,
      result: original.result,
      codeName: original.codeName,
      inDoubt: original.inDoubt,
    })
    expect(String(back)).toBe(String(original))
    expect(back.stack).toContain(original.message)
    expect(back.stack).toContain('in the test thread; called from')
    expect(back.stack).toContain('error-data.test.ts')
  })

  it('keeps dtype errors with their string code', () => {
    const back = cross(new DtypeSpecError('DTYPE_SYNTAX', "cannot parse 'i9'"))
    expect(back).toBeInstanceOf(DtypeSpecError)
    expect(back).toBeInstanceOf(DtypeError)
    expect(back.name).toBe('DtypeSpecError')
    expect((back as DtypeSpecError).code).toBe('DTYPE_SYNTAX')
    expect(cross(new ArrayValueError('ARRAY_FIELD', 'x'))).toBeInstanceOf(ArrayValueError)
  })

  it('keeps builtin classes, extra fields and causes', () => {
    const original = Object.assign(new RangeError('row 3 out of range'), { row: 3, field: 'x' })
    const withCause = new ParamError('bad input', { cause: original })
    const back = cross(withCause)
    expect(back).toBeInstanceOf(ParamError)
    const cause = back.cause as RangeError & { row: number; field: string }
    expect(cause).toBeInstanceOf(RangeError)
    expect([cause.message, cause.row, cause.field]).toEqual(['row 3 out of range', 3, 'x'])
  })

  it('keeps the classes of the modules it is given, with their own fields', () => {
    const back = cross(new ElsewhereError('gone', 7))
    expect(back).toBeInstanceOf(ElsewhereError)
    expect((back as ElsewhereError).exitCode).toBe(7)
    // without the module, the class for its code, its name kept
    const plain = fromErrorData(toErrorData(new ElsewhereError('gone', 7)))
    expect([plain.constructor, plain.name]).toEqual([ClientError, 'ElsewhereError'])
  })

  it('maps an AerospikeError subclass it does not know by its code, keeping the name', () => {
    class ShinyError extends AerospikeError {
      override name = 'ShinyError'
    }
    const back = cross(new ShinyError(9, 'shiny timeout')) as AerospikeError
    expect(back).toBeInstanceOf(TimeoutError)
    expect([back.name, back.code, back.message]).toEqual(['ShinyError', 9, 'shiny timeout'])
  })

  it('turns thrown non-errors into an Error that says what was thrown', () => {
    expect(cross('just a string').message).toBe('non-Error value thrown: "just a string"')
    expect(cross(42).message).toBe('non-Error value thrown: 42')
    const unknown = new Error('odd')
    unknown.name = 'OddError'
    const back = cross(unknown)
    expect([back.name, back.message, back instanceof Error]).toEqual(['OddError', 'odd', true])
  })
})
