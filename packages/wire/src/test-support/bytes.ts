/** Shared by the codec tests: hex fixtures in and out, and the WireError every bad input must raise. */
import { expect } from 'vitest'
import { WireError } from '../errors.js'

/** Bytes from hex text; whitespace (line breaks, field gaps) is ignored. */
export const hex = (text: string): Uint8Array =>
  Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'))

export const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')

export const concat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts))

/** `fn` must throw a WireError with this code (and, when given, at this byte offset). */
export function expectWireError(fn: () => unknown, code: string, offset?: number): WireError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(WireError)
    const wire = error as WireError
    expect(wire.code).toBe(code)
    if (offset !== undefined) expect(wire.offset).toBe(offset)
    return wire
  }
  throw new Error(`expected WireError ${code}`)
}
