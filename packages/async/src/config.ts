/**
 * Client configuration: the guide's `hosts: [['127.0.0.1', 3000]]` and the official client's
 * forms (`'h:p,h:p'`, `[{ addr, port }]`), plus `engine`. Other keys go to the official client.
 */
import { ParamError } from '@aerospike-numpy/core'
import { describe, readingInput } from '@aerospike-numpy/core/internal'

export type EngineName = 'official' | 'wire'

export interface HostAddress {
  addr: string
  port: number
}

export type HostsInput =
  string | readonly (readonly [string, number] | readonly [string] | HostAddress | string)[]

export interface AsyncClientConfig {
  hosts: HostsInput
  /**
   * `'wire'` (default): the pure-TypeScript engine — measured 2.6–4× the official engine's rows/s
   * at a fifth to a tenth of its client CPU per row, and it runs in worker threads.
   * `'official'`: the `aerospike` npm client, for auth, TLS and `raw` (everything else).
   */
  engine?: EngineName
  /** Anything else is passed to the official client's config (user, password, policies, …). */
  [option: string]: unknown
}

/** Config after validation, as engines receive it. */
export interface ResolvedClientConfig {
  engine: EngineName
  hosts: HostAddress[]
  /** `'127.0.0.1:3000,10.0.0.2:3000'` */
  hostsString: string
  /** The caller's other config keys, untouched (for the official client). */
  options: Record<string, unknown>
}

const DEFAULT_PORT = 3000

function parsePort(value: unknown, where: string): number {
  const port = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ParamError(
      `${where}: port must be an integer from 1 to 65535, got ${describe(value)}`,
    )
  }
  return port
}

function parseAddr(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ParamError(
      `${where}: host address must be a non-empty string, got ${describe(value)}`,
    )
  }
  return value.trim()
}

/** `'h'`, `'h:p'`, `'[v6]:p'`, and the official client's `'h:tlsname:p'`. */
function parseHostString(text: string, where: string): HostAddress {
  const s = text.trim()
  if (s === '') throw new ParamError(`${where}: empty host`)
  const v6 = /^\[([^\]]+)\](?::(.+))?$/.exec(s)
  if (v6 !== null) {
    return { addr: v6[1]!, port: v6[2] === undefined ? DEFAULT_PORT : parsePort(v6[2], where) }
  }
  const parts = s.split(':')
  if (parts.length === 1) return { addr: parseAddr(parts[0], where), port: DEFAULT_PORT }
  return { addr: parseAddr(parts[0], where), port: parsePort(parts[parts.length - 1], where) }
}

export function resolveHosts(hosts: unknown): HostAddress[] {
  if (typeof hosts === 'string') {
    return hosts.split(',').map((h, i) => parseHostString(h, `hosts[${i}]`))
  }
  if (!Array.isArray(hosts) || hosts.length === 0) {
    throw new ParamError(
      `hosts must be a non-empty array ([['127.0.0.1', 3000]] or [{ addr, port }]) or a 'host:port,…' string, got ${describe(hosts)}`,
    )
  }
  return hosts.map((h: unknown, i) => {
    const where = `hosts[${i}]`
    if (typeof h === 'string') return parseHostString(h, where)
    if (Array.isArray(h)) {
      if (h.length < 1 || h.length > 2) {
        throw new ParamError(`${where} must be [address, port], got an array of length ${h.length}`)
      }
      return {
        addr: parseAddr(h[0], where),
        port: h.length === 2 ? parsePort(h[1], where) : DEFAULT_PORT,
      }
    }
    if (typeof h === 'object' && h !== null) {
      const o = h as Record<string, unknown>
      return {
        addr: parseAddr(o.addr, where),
        port: o.port === undefined ? DEFAULT_PORT : parsePort(o.port, where),
      }
    }
    throw new ParamError(
      `${where} must be [address, port], { addr, port } or 'host:port', got ${describe(h)}`,
    )
  })
}

export function resolveClientConfig(input: unknown): ResolvedClientConfig {
  // A snapshot of the caller's object (any key: the rest goes to the official client), so a
  // getter runs once and one that throws, or a Proxy, gives a ParamError.
  const config = readingInput('config', () => {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new ParamError(
        `config must be an object like { hosts: [['127.0.0.1', 3000]] }, got ${describe(input)}`,
      )
    }
    const copy: Record<string, unknown> = {}
    for (const key of Object.keys(input)) {
      Object.defineProperty(copy, key, {
        value: (input as Record<string, unknown>)[key],
        enumerable: true,
        writable: true,
        configurable: true,
      })
    }
    return copy
  })
  const { hosts, engine = 'wire', ...options } = config
  if (engine !== 'official' && engine !== 'wire') {
    throw new ParamError(`config.engine must be 'official' or 'wire', got ${describe(engine)}`)
  }
  const resolved = readingInput('config.hosts', () => resolveHosts(hosts))
  return {
    engine,
    hosts: resolved,
    hostsString: resolved
      .map((h) => (h.addr.includes(':') ? `[${h.addr}]:${h.port}` : `${h.addr}:${h.port}`))
      .join(','),
    options,
  }
}
