// One client connection: frames in, one reply per request out, strictly in order (the official
// client never pipelines, but a hostile one may). Malformed framing closes the connection;
// a malformed message inside good framing gets a PARAMETER reply. Nothing here may throw past
// the socket handlers, so one bad client can never stop the worker.

import type net from 'node:net'

import {
  AS_INFO_MESSAGE_TYPE,
  AS_MESSAGE_TYPE,
  INFO1_BATCH_INDEX,
  MessageWriter,
  ProtoFrameReader,
  ResultCode,
  decodeMessage,
  encodeInfoResponse,
  isScanMessage,
  parseInfoRequest,
  type ProtoFrame,
} from '@aerospike-numpy/wire'

import { executeBatch } from './batch.js'
import type { DevNode, ResponseKind } from './cluster.js'
import { executeScan } from './scan.js'
import { commandFromMessage } from './single.js'
import { SingleReplySink, executeRecordCommand, writeError } from './execute.js'
import { answerInfoCommand } from './info-commands.js'

/** Frames queued beyond this stop reading from the socket until the queue drains. */
const MAX_QUEUED_FRAMES = 4

export interface Connection {
  destroy(): void
}

export function serveConnection(node: DevNode, socket: net.Socket): void {
  const cluster = node.cluster
  const reader = new ProtoFrameReader({ maxFrameSize: cluster.options.maxFrameBytes })
  const queue: ProtoFrame[] = []
  let busy = false
  let closed = false
  const connection: Connection = {
    destroy() {
      close()
    },
  }
  node.connections.add(connection)
  socket.setNoDelay(true)

  function close(): void {
    if (closed) return
    closed = true
    queue.length = 0
    node.connections.delete(connection)
    socket.destroy()
  }

  socket.on('error', close)
  socket.on('close', close)
  socket.on('data', (chunk: Buffer) => {
    if (closed) return
    let frames: ProtoFrame[]
    try {
      frames = reader.push(chunk)
    } catch {
      // Wrong version, unknown type, oversize or corrupt compressed frame: the stream cannot be
      // resynchronised, so the connection ends.
      close()
      return
    }
    for (const frame of frames) queue.push(frame)
    if (queue.length > MAX_QUEUED_FRAMES) socket.pause()
    pump()
  })

  function pump(): void {
    while (!busy && !closed && queue.length > 0) {
      const frame = queue.shift()!
      if (queue.length <= MAX_QUEUED_FRAMES && socket.isPaused()) socket.resume()
      let reply: Reply | null
      try {
        reply = handleFrame(node, frame)
      } catch {
        reply = null
      }
      if (reply === null) {
        close()
        return
      }
      send(reply.bytes, reply.kind)
    }
  }

  function send(reply: Uint8Array, kind: ResponseKind | 'info'): void {
    const delay = cluster.responseDelay()
    busy = true
    const write = (): void => {
      if (closed) return
      const cut = kind === 'info' ? -1 : cluster.takeDrop(node.index, reply.length, kind)
      if (cut >= 0) {
        socket.write(reply.subarray(0, cut), () => close())
        busy = false
        return
      }
      const flushed = socket.write(reply)
      if (flushed) {
        busy = false
        pump()
      } else {
        socket.once('drain', () => {
          busy = false
          pump()
        })
      }
    }
    if (delay > 0) setTimeout(write, delay)
    else write()
  }
}

interface Reply {
  bytes: Uint8Array
  kind: ResponseKind | 'info'
}

/** The reply frame(s) for one request frame, or null to close the connection. */
function handleFrame(node: DevNode, frame: ProtoFrame): Reply | null {
  if (frame.type === AS_INFO_MESSAGE_TYPE) {
    const bytes = handleInfo(node, frame.body)
    return bytes === null ? null : { bytes, kind: 'info' }
  }
  if (frame.type === AS_MESSAGE_TYPE) return handleMessage(node, frame.body)
  // Admin (security) messages: this server has no users, like a server without security.
  return null
}

function handleInfo(node: DevNode, body: Uint8Array): Uint8Array | null {
  let lines: string[]
  try {
    lines = parseInfoRequest(body)
  } catch {
    return null
  }
  if (lines.length === 0) lines = ['node']
  const entries: [string, string][] = []
  for (const line of lines) {
    const name = line.replace(/\t/g, ' ')
    entries.push([name, answerInfoCommand(node.info, line)])
  }
  return encodeInfoResponse(entries)
}

function handleMessage(node: DevNode, body: Uint8Array): Reply {
  const cluster = node.cluster
  const writer = new MessageWriter(256)
  const now = Date.now()
  let message
  try {
    message = decodeMessage(body, 0, body.length)
  } catch {
    return { bytes: errorFrame(writer, ResultCode.ERR_REQUEST_INVALID), kind: 'record' }
  }
  if ((message.header.info1 & INFO1_BATCH_INDEX) !== 0) {
    return { bytes: executeBatch(cluster, body, writer, now), kind: 'batch' }
  }
  // No record digest: a scan or query (server as_transaction_is_query).
  if (isScanMessage(message.fields)) {
    return { bytes: executeScan(node, body, writer, now), kind: 'scan' }
  }
  const command = commandFromMessage(message)
  if (typeof command === 'number') return { bytes: errorFrame(writer, command), kind: 'record' }
  const mark = writer.beginProto(AS_MESSAGE_TYPE)
  executeRecordCommand(cluster, command, new SingleReplySink(writer), now)
  writer.endProto(mark)
  return { bytes: writer.finish(), kind: 'record' }
}

function errorFrame(writer: MessageWriter, resultCode: number): Uint8Array {
  writer.reset()
  const mark = writer.beginProto(AS_MESSAGE_TYPE)
  writeError(new SingleReplySink(writer), resultCode)
  writer.endProto(mark)
  return writer.finish()
}
