import { ClientError } from '@aerospike-numpy/core'

export interface HostAddress {
  host: string
  port: number
}

export interface PeerEntry {
  name: string
  tlsName: string
  hosts: HostAddress[]
}

export interface PeersReply {
  generation: number
  peers: PeerEntry[]
}

/**
 * Parses a `peers-clear-std` value: `<gen>,<default port>,[[<name>,<tls name>,[<host>[:<port>],…]],…]`
 * (server service_list.c build_peers; client as_peers_parse_peers). IPv6 hosts are in brackets.
 * Throws ClientError naming the character offset of the first unexpected character.
 */
export function parsePeers(value: string): PeersReply {
  let p = 0
  const fail = (what: string): never => {
    throw new ClientError(
      `peers reply: expected ${what} at character ${p}, got ${JSON.stringify(value.slice(p, p + 16))}`,
    )
  }
  const readNumber = (): number => {
    const start = p
    while (p < value.length && value.charCodeAt(p) >= 48 && value.charCodeAt(p) <= 57) p++
    if (p === start) fail('a number')
    return Number(value.slice(start, p))
  }
  const expect = (c: string): void => {
    if (value[p] !== c) fail(`'${c}'`)
    p++
  }
  const generation = readNumber()
  if (generation > 0xffffffff) fail('a 32-bit generation')
  expect(',')
  let defaultPort = 3000
  if (value[p] !== ',') {
    defaultPort = readNumber()
    if (defaultPort > 65535) fail('a port number')
  }
  expect(',')
  expect('[')
  const peers: PeerEntry[] = []
  if (value[p] === ']') {
    p++
    if (p !== value.length) fail('the end of the reply')
    return { generation, peers }
  }
  for (;;) {
    expect('[')
    const nameEnd = value.indexOf(',', p)
    if (nameEnd < 0) fail("',' after the node name")
    const name = value.slice(p, nameEnd)
    if (name.length === 0) fail('a node name')
    p = nameEnd + 1
    const tlsEnd = value.indexOf(',', p)
    if (tlsEnd < 0) fail("',' after the TLS name")
    const tlsName = value.slice(p, tlsEnd)
    p = tlsEnd + 1
    expect('[')
    const hosts: HostAddress[] = []
    while (value[p] !== ']') {
      let host: string
      if (value[p] === '[') {
        const close = value.indexOf(']', p)
        if (close < 0) fail("']' closing an IPv6 address")
        host = value.slice(p + 1, close)
        p = close + 1
      } else {
        const start = p
        while (p < value.length && value[p] !== ':' && value[p] !== ',' && value[p] !== ']') p++
        host = value.slice(start, p)
      }
      if (host.length === 0) fail('a host name')
      let port = defaultPort
      if (value[p] === ':') {
        p++
        port = readNumber()
        if (port === 0 || port > 65535) fail('a port number 1..65535')
      }
      hosts.push({ host, port })
      if (value[p] === ',') p++
      else if (value[p] !== ']') fail("',' or ']' after a host")
    }
    p++
    expect(']')
    peers.push({ name, tlsName, hosts })
    if (value[p] === ']') {
      p++
      if (p !== value.length) fail('the end of the reply')
      return { generation, peers }
    }
    expect(',')
  }
}
