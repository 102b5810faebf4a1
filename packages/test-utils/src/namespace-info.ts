// What a test may need to know of a namespace's configuration on whatever cluster it runs against.
// A real server's packaged aerospike.conf has no nsup-period, so it refuses any write that sets a
// TTL (result 22); the official Docker image sets one. Tests that write a TTL ask first.

import { Socket } from 'node:net'

import { TestUtilsError } from './errors.js'

const PROTO_VERSION = 2
const PROTO_TYPE_INFO = 1
/** Info replies here are a few KiB; anything far bigger is not an info reply. */
const MAX_REPLY_BYTES = 1024 * 1024

/** Sends one info command to host:port and resolves with its value (the text after the tab). */
export function infoCommand(
  host: string,
  port: number,
  command: string,
  timeoutMs = 10_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const body = Buffer.from(`${command}\n`, 'utf8')
    const header = Buffer.alloc(8)
    header.writeUInt8(PROTO_VERSION, 0)
    header.writeUInt8(PROTO_TYPE_INFO, 1)
    header.writeUIntBE(body.length, 2, 6)
    const socket = new Socket()
    const chunks: Buffer[] = []
    let received = 0
    const fail = (message: string, cause?: unknown): void => {
      socket.destroy()
      reject(
        new TestUtilsError(
          'TEST_UTILS_INFO_FAILED',
          `info ${JSON.stringify(command)} to ${host}:${port}: ${message}`,
          cause === undefined ? undefined : { cause },
        ),
      )
    }
    socket.setTimeout(timeoutMs, () => fail(`no reply within ${timeoutMs} ms`))
    socket.on('error', (error) => fail(error.message, error))
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk)
      received += chunk.length
      if (received < 8) return
      const all = Buffer.concat(chunks)
      if (all[0] !== PROTO_VERSION || all[1] !== PROTO_TYPE_INFO) {
        fail(`not an info reply (version ${all[0]}, type ${all[1]})`)
        return
      }
      const length = all.readUIntBE(2, 6)
      if (length > MAX_REPLY_BYTES) {
        fail(`reply of ${length} bytes is too large`)
        return
      }
      if (all.length < 8 + length) return
      socket.destroy()
      const text = all.subarray(8, 8 + length).toString('utf8')
      const line = text.split('\n')[0] ?? ''
      const tab = line.indexOf('\t')
      if (tab < 0 || line.slice(0, tab) !== command) {
        fail(`unexpected reply ${JSON.stringify(line.slice(0, 200))}`)
        return
      }
      resolve(line.slice(tab + 1))
    })
    socket.connect(port, host, () => socket.write(Buffer.concat([header, body])))
  })
}

export interface NamespaceTtlConfig {
  /** Seconds between expiry runs; 0: none. */
  nsupPeriod: number
  /** Seconds a record written with TTL 0 lives; 0: never expires. */
  defaultTtl: number
  allowTtlWithoutNsup: boolean
  /** True when writes may set a TTL; false when they fail with 22 FAIL_FORBIDDEN. */
  ttlWritesAllowed: boolean
}

/** Reads `namespace/<ns>` from a node and picks the settings that decide how TTLs behave. */
export async function namespaceTtlConfig(
  host: string,
  port: number,
  namespace: string,
): Promise<NamespaceTtlConfig> {
  const reply = await infoCommand(host, port, `namespace/${namespace}`)
  // A real server answers an unknown namespace with `type=unknown`.
  if (reply.startsWith('ERROR') || reply === 'type=unknown')
    throw new TestUtilsError(
      'TEST_UTILS_INFO_FAILED',
      `namespace ${JSON.stringify(namespace)} on ${host}:${port}: ${reply}`,
    )
  return parseNamespaceTtlConfig(reply, namespace)
}

/** Parses the `name=value;…` reply of `namespace/<ns>`. */
export function parseNamespaceTtlConfig(reply: string, namespace: string): NamespaceTtlConfig {
  const values = new Map<string, string>()
  for (const pair of reply.split(';')) {
    const eq = pair.indexOf('=')
    if (eq > 0) values.set(pair.slice(0, eq), pair.slice(eq + 1))
  }
  const seconds = (name: string): number => {
    const text = values.get(name)
    if (text === undefined || !/^\d+$/.test(text)) {
      throw new TestUtilsError(
        'TEST_UTILS_INFO_FAILED',
        `namespace ${JSON.stringify(namespace)}: no numeric '${name}' in its info reply`,
      )
    }
    return Number(text)
  }
  const nsupPeriod = seconds('nsup-period')
  const defaultTtl = seconds('default-ttl')
  const allowTtlWithoutNsup = values.get('allow-ttl-without-nsup') === 'true'
  return {
    nsupPeriod,
    defaultTtl,
    allowTtlWithoutNsup,
    ttlWritesAllowed: nsupPeriod !== 0 || allowTtlWithoutNsup,
  }
}
