import { AS_INFO_MESSAGE_TYPE, PROTO_HEADER_SIZE } from './constants.js'
import { WireError } from './errors.js'
import { writeProtoHeader } from './proto.js'

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

export interface InfoEntry {
  /** The command line as sent (parameters included). */
  readonly name: string
  readonly value: string
}

export interface InfoErrorValue {
  readonly code: number
  readonly message: string
}

function frameText(text: string): Uint8Array {
  const body = encoder.encode(text)
  const out = new Uint8Array(PROTO_HEADER_SIZE + body.length)
  writeProtoHeader(out, 0, AS_INFO_MESSAGE_TYPE, body.length)
  out.set(body, PROTO_HEADER_SIZE)
  return out
}

function decodeText(body: Uint8Array, what: string): string {
  try {
    return decoder.decode(body)
  } catch (cause) {
    throw new WireError('BAD_VALUE', 0, `${what} is not valid UTF-8`, { cause })
  }
}

/** A whole info request frame: each command followed by `\n`. */
export function encodeInfoRequest(commands: readonly string[]): Uint8Array {
  for (const [i, command] of commands.entries()) {
    if (command.length === 0 || command.includes('\n') || command.includes('\t')) {
      throw new WireError('BAD_VALUE', 0, `info command ${i} is empty or contains a tab or newline`)
    }
  }
  return frameText(commands.map((c) => `${c}\n`).join(''))
}

/** The command lines of an info request body (empty lines dropped). */
export function parseInfoRequest(body: Uint8Array): string[] {
  return decodeText(body, 'info request')
    .split('\n')
    .filter((line) => line.length > 0)
}

/** A whole info response frame: `name\tvalue\n` per entry, in the given order. */
export function encodeInfoResponse(
  entries: Iterable<readonly [string, string] | InfoEntry>,
): Uint8Array {
  let text = ''
  for (const entry of entries) {
    const [name, value] = Array.isArray(entry)
      ? entry
      : [(entry as InfoEntry).name, (entry as InfoEntry).value]
    if (name.includes('\n') || name.includes('\t') || value.includes('\n')) {
      throw new WireError(
        'BAD_VALUE',
        text.length,
        `info entry ${JSON.stringify(name)} contains a tab or newline`,
      )
    }
    text += `${name}\t${value}\n`
  }
  return frameText(text)
}

/**
 * The entries of an info response body, in order. A line without a tab is a name with an
 * empty value (as the C client reads it).
 */
export function parseInfoResponse(body: Uint8Array): InfoEntry[] {
  const entries: InfoEntry[] = []
  for (const line of decodeText(body, 'info response').split('\n')) {
    if (line.length === 0) continue
    const tab = line.indexOf('\t')
    entries.push(
      tab < 0
        ? { name: line, value: '' }
        : { name: line.slice(0, tab), value: line.slice(tab + 1) },
    )
  }
  return entries
}

/** Entries keyed by name (a later duplicate wins). */
export function parseInfoResponseMap(body: Uint8Array): Map<string, string> {
  return new Map(parseInfoResponse(body).map((e) => [e.name, e.value]))
}

/**
 * The error a value carries, as the C client detects it: `ERROR:<code>:<message>`, `FAIL:…` or
 * `error=…`; the code defaults to 1 when absent. `null` for a normal value.
 */
export function parseInfoError(value: string): InfoErrorValue | null {
  let rest: string
  if (value.startsWith('ERROR:')) rest = value.slice(6)
  else if (value.startsWith('FAIL:')) rest = value.slice(5)
  else if (value.startsWith('error=')) return { code: 1, message: value.slice(6) }
  else return null
  const colon = rest.indexOf(':')
  const codeText = colon < 0 ? rest : rest.slice(0, colon)
  const message = colon < 0 ? '' : rest.slice(colon + 1)
  const code = /^-?\d+$/.test(codeText) ? Number(codeText) : 1
  return { code, message: /^-?\d+$/.test(codeText) ? message : rest }
}

/** An info error value: `ERROR:<code>:<message>`. */
export function formatInfoError(code: number, message: string): string {
  return `ERROR:${code}:${message}`
}

export interface InfoCommand {
  /** Before the first `:` (e.g. `truncate`). */
  readonly name: string
  /** `k=v` pairs after the `:`, separated by `;`. */
  readonly params: Map<string, string>
}

/** Splits `name:k=v;k2=v2` into a name and parameters. */
export function parseInfoCommand(line: string): InfoCommand {
  const colon = line.indexOf(':')
  if (colon < 0) return { name: line, params: new Map() }
  const params = new Map<string, string>()
  for (const pair of line.slice(colon + 1).split(';')) {
    if (pair.length === 0) continue
    const eq = pair.indexOf('=')
    if (eq < 0) params.set(pair, '')
    else params.set(pair.slice(0, eq), pair.slice(eq + 1))
  }
  return { name: line.slice(0, colon), params }
}
