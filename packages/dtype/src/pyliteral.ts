// The subset of Python literal syntax that `.npy` headers and numpy `descr` text use: dicts,
// lists, tuples, str, int, True/False/None. A small recursive-descent parser with a depth limit,
// so hostile input fails with a position instead of exhausting the stack. And Python's `repr`
// of the same values, byte for byte, for writing headers numpy will read back identically.

import { DtypeSpecError } from './errors.js'

export class PyTuple {
  constructor(readonly items: readonly PyValue[]) {}
}
export type PyValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | PyTuple
  | readonly PyValue[]
  | ReadonlyMap<string, PyValue>

const MAX_DEPTH = 64

/** Thrown with the character position; callers rewrap it in their own error type. */
export class PyLiteralSyntaxError extends DtypeSpecError {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super('DTYPE_SYNTAX', `${message} at character ${position}`)
  }
}

export function parsePyLiteral(text: string): PyValue {
  const parser = new Parser(text)
  parser.skipSpace()
  const value = parser.value(0)
  parser.skipSpace()
  if (parser.pos !== text.length) parser.fail('unexpected text after the value')
  return value
}

class Parser {
  pos = 0
  constructor(private readonly text: string) {}

  fail(message: string): never {
    throw new PyLiteralSyntaxError(message, this.pos)
  }

  skipSpace(): void {
    const t = this.text
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos)
      if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11) this.pos++
      else break
    }
  }

  value(depth: number): PyValue {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH}`)
    const c = this.text[this.pos]
    if (c === undefined) this.fail('unexpected end of text')
    if (c === "'" || c === '"') return this.string()
    if (c === '{') return this.dict(depth)
    if (c === '[') return this.sequence(depth, '[', ']') as PyValue[]
    if (c === '(') return this.tupleOrParens(depth)
    if (c === '-' || c === '+' || (c >= '0' && c <= '9')) return this.integer()
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos, this.pos + 16))?.[0]
    if (word === 'True' || word === 'False' || word === 'None') {
      this.pos += word.length
      return word === 'True' ? true : word === 'False' ? false : null
    }
    this.fail(`unexpected ${JSON.stringify(c)}`)
  }

  private expect(ch: string): void {
    if (this.text[this.pos] !== ch) this.fail(`expected ${JSON.stringify(ch)}`)
    this.pos++
  }

  private sequence(depth: number, open: string, close: string): PyValue[] {
    this.expect(open)
    const items: PyValue[] = []
    this.skipSpace()
    while (this.text[this.pos] !== close) {
      items.push(this.value(depth + 1))
      this.skipSpace()
      if (this.text[this.pos] === ',') {
        this.pos++
        this.skipSpace()
      } else if (this.text[this.pos] !== close) {
        this.fail(`expected ',' or ${JSON.stringify(close)}`)
      }
    }
    this.pos++
    return items
  }

  private tupleOrParens(depth: number): PyValue {
    this.expect('(')
    this.skipSpace()
    if (this.text[this.pos] === ')') {
      this.pos++
      return new PyTuple([])
    }
    const first = this.value(depth + 1)
    this.skipSpace()
    if (this.text[this.pos] === ')') {
      this.pos++
      return first // parenthesised value, not a tuple
    }
    this.expect(',')
    const items: PyValue[] = [first]
    this.skipSpace()
    while (this.text[this.pos] !== ')') {
      items.push(this.value(depth + 1))
      this.skipSpace()
      if (this.text[this.pos] === ',') {
        this.pos++
        this.skipSpace()
      } else if (this.text[this.pos] !== ')') {
        this.fail("expected ',' or ')'")
      }
    }
    this.pos++
    return new PyTuple(items)
  }

  private dict(depth: number): ReadonlyMap<string, PyValue> {
    this.expect('{')
    const map = new Map<string, PyValue>()
    this.skipSpace()
    while (this.text[this.pos] !== '}') {
      const keyAt = this.pos
      const key = this.value(depth + 1)
      if (typeof key !== 'string') {
        this.pos = keyAt
        this.fail('dict keys must be strings')
      }
      this.skipSpace()
      this.expect(':')
      this.skipSpace()
      map.set(key, this.value(depth + 1))
      this.skipSpace()
      if (this.text[this.pos] === ',') {
        this.pos++
        this.skipSpace()
      } else if (this.text[this.pos] !== '}') {
        this.fail("expected ',' or '}'")
      }
    }
    this.pos++
    return map
  }

  private integer(): number | bigint {
    const m = /^[-+]?[0-9]+L?/.exec(this.text.slice(this.pos, this.pos + 64))
    if (!m) this.fail('expected an integer')
    const digits = m[0].endsWith('L') ? m[0].slice(0, -1) : m[0] // Python 2 long suffix
    const next = this.text[this.pos + m[0].length]
    if (next !== undefined && /[0-9A-Za-z_.]/.test(next)) this.fail('malformed number')
    if (/^[-+]?0[0-9]/.test(digits)) this.fail('integers may not have leading zeros')
    this.pos += m[0].length
    const big = BigInt(digits)
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(big)
      : big
  }

  private string(): string {
    const quote = this.text[this.pos]
    this.pos++
    let out = ''
    const t = this.text
    for (;;) {
      const c = t[this.pos]
      if (c === undefined) this.fail('unterminated string')
      if (c === quote) {
        this.pos++
        return out
      }
      if (c === '\n') this.fail('newline inside a string')
      if (c !== '\\') {
        out += c
        this.pos++
        continue
      }
      const e = t[this.pos + 1]
      this.pos += 2
      switch (e) {
        case undefined:
          this.fail('unterminated string')
          break
        case '\\':
        case "'":
        case '"':
          out += e
          break
        case 'n':
          out += '\n'
          break
        case 't':
          out += '\t'
          break
        case 'r':
          out += '\r'
          break
        case 'a':
          out += '\x07'
          break
        case 'b':
          out += '\b'
          break
        case 'f':
          out += '\f'
          break
        case 'v':
          out += '\v'
          break
        case '\n':
          break
        case 'x':
          out += this.hexEscape(2)
          break
        case 'u':
          out += this.hexEscape(4)
          break
        case 'U':
          out += this.hexEscape(8)
          break
        default:
          if (e >= '0' && e <= '7') {
            const m = /^[0-7]{1,3}/.exec(t.slice(this.pos - 1, this.pos + 2))
            const octal = m ? m[0] : e
            this.pos += octal.length - 1
            out += String.fromCodePoint(parseInt(octal, 8))
          } else {
            out += '\\' + e // Python keeps unknown escapes as they are
          }
      }
    }
  }

  private hexEscape(n: number): string {
    const hex = this.text.slice(this.pos, this.pos + n)
    if (hex.length !== n || !/^[0-9A-Fa-f]+$/.test(hex)) this.fail('bad escape in string')
    const code = parseInt(hex, 16)
    if (code > 0x10ffff) this.fail('escape beyond the Unicode range')
    this.pos += n
    return String.fromCodePoint(code)
  }
}

const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u

/** Python 3's `repr(str)`. */
export function pyReprString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'"
  let out = quote
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0
    if (ch === quote || ch === '\\') out += '\\' + ch
    else if (ch === '\t') out += '\\t'
    else if (ch === '\n') out += '\\n'
    else if (ch === '\r') out += '\\r'
    else if (code < 0x20 || code === 0x7f) out += '\\x' + code.toString(16).padStart(2, '0')
    else if (code < 0x7f || ch === ' ') out += ch
    else if (!NOT_PRINTABLE.test(ch)) out += ch
    else if (code <= 0xff) out += '\\x' + code.toString(16).padStart(2, '0')
    else if (code <= 0xffff) out += '\\u' + code.toString(16).padStart(4, '0')
    else out += '\\U' + code.toString(16).padStart(8, '0')
  }
  return out + quote
}

/** Python's `repr(tuple_of_ints)`: `()`, `(3,)`, `(3, 4)`. */
export function pyReprShape(shape: readonly number[]): string {
  if (shape.length === 1) return `(${shape[0]},)`
  return `(${shape.join(', ')})`
}
