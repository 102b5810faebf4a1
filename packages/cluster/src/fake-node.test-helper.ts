// A scripted Aerospike node for unit tests: it answers the tend's info commands like a one-node
// cluster that owns every partition of `test`, and hands each AS_MSG request to a test-supplied
// responder that may answer correctly, partially, with garbage, or not at all.
import { createServer, type Server, type Socket } from 'node:net'
import {
  AS_INFO_MESSAGE_TYPE,
  AS_MESSAGE_TYPE,
  BatchResponseWriter,
  MessageWriter,
  ProtoFrameReader,
  decodeBatchRequest,
  encodeInfoResponse,
  parseInfoRequest,
} from '@aerospike-numpy/wire'

export const ALL_PARTITIONS_B64 = '/'.repeat(682) + '8='

export interface BatchRequestSeen {
  /** Row index values of the request, in order. */
  indices: number[]
  body: Uint8Array
}

/** Writes the response (or not) to a batch request. */
export type Responder = (request: BatchRequestSeen, socket: Socket) => void

export interface FakeNode {
  host: string
  port: number
  /** Info commands answered so far, in order. */
  infoLog: string[]
  batchRequests: number
  setResponder(responder: Responder): void
  /** Overrides the value of an info command (or a function of the command line). */
  setInfo(name: string, value: string | null): void
  close(): Promise<void>
}

/** Every row OK with generation 1 and void time 0, then LAST. */
export function okResponse(request: BatchRequestSeen): Uint8Array {
  const batch = new BatchResponseWriter(new MessageWriter(1024))
  for (const index of request.indices) batch.row(index, 0, 1, 0)
  return batch.last(0)
}

export async function startFakeNode(
  options: { name?: string; namespaces?: string[] } = {},
): Promise<FakeNode> {
  const name = options.name ?? 'BB9000000000001'
  const namespaces = options.namespaces ?? ['test']
  const info = new Map<string, string | null>([
    ['node', name],
    ['partition-generation', '1'],
    ['build', '8.0.0.0'],
    ['peers-generation', '1'],
    ['peers-clear-std', '1,3000,[]'],
    ['replicas', namespaces.map((ns) => `${ns}:0,1,${ALL_PARTITIONS_B64}`).join(';')],
  ])
  const infoLog: string[] = []
  let responder: Responder = (request, socket) => socket.write(okResponse(request))
  const sockets = new Set<Socket>()
  const state = { batchRequests: 0 }
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
    const reader = new ProtoFrameReader()
    socket.on('data', (chunk) => {
      let frames
      try {
        frames = reader.push(chunk)
      } catch {
        socket.destroy()
        return
      }
      for (const frame of frames) {
        if (frame.type === AS_INFO_MESSAGE_TYPE) {
          const lines = parseInfoRequest(frame.body)
          infoLog.push(...lines)
          const entries: [string, string][] = []
          for (const line of lines) {
            const value = info.get(line)
            if (value === null) continue // scripted to leave it out
            entries.push([line, value ?? 'ERROR:4:unrecognized command'])
          }
          socket.write(encodeInfoResponse(entries))
        } else if (frame.type === AS_MESSAGE_TYPE) {
          state.batchRequests++
          const decoded = decodeBatchRequest(frame.body, 0, frame.body.length)
          responder({ indices: decoded.rows.map((r) => r.index), body: frame.body }, socket)
        }
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no address')
  return {
    host: '127.0.0.1',
    port: address.port,
    infoLog,
    get batchRequests() {
      return state.batchRequests
    },
    setResponder(r) {
      responder = r
    },
    setInfo(key, value) {
      info.set(key, value)
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}
