import { TestUtilsError } from './errors.js'

/**
 * Parses `host:port[,host:port…]` as AEROSPIKE_HOSTS spells it; IPv6 hosts go in brackets
 * (`[::1]:3000`); a missing port means 3000.
 */
export function parseHosts(text: string): [string, number][] {
  const hosts: [string, number][] = []
  for (const [i, raw] of text.split(',').entries()) {
    const entry = raw.trim()
    if (entry.length === 0) continue
    let host: string
    let portText: string | undefined
    if (entry.startsWith('[')) {
      const close = entry.indexOf(']')
      if (close < 0)
        throw new TestUtilsError(
          'TEST_UTILS_BAD_HOSTS',
          `host ${i} (${JSON.stringify(entry)}): missing ']'`,
        )
      host = entry.slice(1, close)
      const rest = entry.slice(close + 1)
      if (rest.length > 0 && !rest.startsWith(':')) {
        throw new TestUtilsError(
          'TEST_UTILS_BAD_HOSTS',
          `host ${i} (${JSON.stringify(entry)}): expected ':port' after ']'`,
        )
      }
      portText = rest.length > 0 ? rest.slice(1) : undefined
    } else {
      const parts = entry.split(':')
      if (parts.length > 2) {
        throw new TestUtilsError(
          'TEST_UTILS_BAD_HOSTS',
          `host ${i} (${JSON.stringify(entry)}): put IPv6 addresses in brackets`,
        )
      }
      host = parts[0]!
      portText = parts[1]
    }
    const port = portText === undefined ? 3000 : Number(portText)
    if (
      host.length === 0 ||
      !Number.isInteger(port) ||
      port < 1 ||
      port > 65535 ||
      !/^\d+$/.test(portText ?? '3000')
    ) {
      throw new TestUtilsError(
        'TEST_UTILS_BAD_HOSTS',
        `host ${i} (${JSON.stringify(entry)}): expected host:port with port 1..65535`,
      )
    }
    hosts.push([host, port])
  }
  if (hosts.length === 0)
    throw new TestUtilsError('TEST_UTILS_BAD_HOSTS', `no host in ${JSON.stringify(text)}`)
  return hosts
}

export function formatHosts(hosts: readonly (readonly [string, number])[]): string {
  return hosts
    .map(([host, port]) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`))
    .join(',')
}
