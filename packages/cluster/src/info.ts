import {
  AS_INFO_MESSAGE_TYPE,
  INFO_TEND_REPLY_MAX,
  ProtoFrameReader,
  encodeInfoRequest,
  parseInfoError,
  parseInfoResponse,
  type InfoEntry,
} from '@aerospike-numpy/wire'
import type { Connection, ExchangeTimeouts, ResponseConsumer } from './connection.js'
import { ClientError, errorFromCode, type AerospikeError } from '@aerospike-numpy/core'

/** Reads exactly one type-1 frame of at most 512 KiB (the tend path's limit). */
class InfoReplyConsumer implements ResponseConsumer {
  body: Uint8Array | null = null
  private readonly reader = new ProtoFrameReader({
    maxFrameSize: INFO_TEND_REPLY_MAX,
    inflate: false,
  })

  constructor(private readonly address: string) {}

  onData(chunk: Uint8Array): boolean {
    let frames
    try {
      frames = this.reader.push(chunk)
    } catch (error) {
      throw new ClientError(`${this.address}: bad info reply: ${(error as Error).message}`, {
        cause: error,
      })
    }
    if (frames.length === 0) return false
    const frame = frames[0]!
    if (frames.length > 1 || !this.reader.idle) {
      throw new ClientError(`${this.address}: bytes after the info reply`)
    }
    if (frame.type !== AS_INFO_MESSAGE_TYPE) {
      throw new ClientError(`${this.address}: info reply has proto type ${frame.type}, expected 1`)
    }
    if (frame.body.length === 0) throw new ClientError(`${this.address}: empty info reply`)
    this.body = frame.body
    return true
  }
}

/** The error an info value carries (`ERROR:<code>:<message>`, `FAIL:…`, `error=…`), or null. */
export function infoValueError(name: string, value: string): AerospikeError | null {
  const error = parseInfoError(value)
  return error === null ? null : errorFromCode(error.code, `info "${name}" failed: ${value}`)
}

/** Sends info commands on `connection` and returns the reply's lines in order. */
export async function infoRequest(
  connection: Connection,
  commands: readonly string[],
  timeouts: ExchangeTimeouts,
): Promise<InfoEntry[]> {
  const consumer = new InfoReplyConsumer(connection.address)
  await connection.exchange(encodeInfoRequest(commands), consumer, timeouts)
  try {
    return parseInfoResponse(consumer.body!)
  } catch (cause) {
    connection.close()
    throw new ClientError(`${connection.address}: bad info reply: ${(cause as Error).message}`, {
      cause,
    })
  }
}

/**
 * Matches reply lines to requested names (the tend path's rule): every name present, no
 * unrequested name, no error value. Returns the values by name.
 */
export function infoValuesByName(
  address: string,
  requested: readonly string[],
  entries: readonly InfoEntry[],
): Map<string, string> {
  const values = new Map<string, string>()
  for (const { name, value } of entries) {
    if (!requested.includes(name))
      throw new ClientError(`${address}: info reply has unrequested name "${name}"`)
    const error = infoValueError(name, value)
    if (error !== null) throw error
    values.set(name, value)
  }
  for (const name of requested) {
    if (!values.has(name)) throw new ClientError(`${address}: info reply lacks "${name}"`)
  }
  return values
}
