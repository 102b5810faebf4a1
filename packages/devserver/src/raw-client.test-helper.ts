// A raw TCP client for tests that speak the protocol by hand (hostile input, exact replies).

import net from 'node:net'

import { ProtoFrameReader, type ProtoFrame } from '@aerospike-numpy/wire'

export interface RawConnection {
  socket: net.Socket
  /** Resolves with the next `count` frames, or rejects when the server closes first. */
  frames(count: number, timeoutMs?: number): Promise<ProtoFrame[]>
  /** Resolves true once the server has closed the connection (false on timeout). */
  closed(timeoutMs?: number): Promise<boolean>
  send(bytes: Uint8Array): void
  destroy(): void
}

export async function rawConnect(host: string, port: number): Promise<RawConnection> {
  const socket = net.connect({ host, port })
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  const reader = new ProtoFrameReader()
  const received: ProtoFrame[] = []
  let ended = false
  const waiters = new Set<() => void>()
  const wake = (): void => {
    for (const waiter of [...waiters]) waiter()
  }
  socket.on('data', (chunk: Buffer) => {
    for (const frame of reader.push(chunk)) received.push(frame)
    wake()
  })
  socket.on('close', () => {
    ended = true
    wake()
  })
  socket.on('error', () => {})
  return {
    socket,
    frames(count, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check)
          reject(new Error(`timed out waiting for ${count} frames (got ${received.length})`))
        }, timeoutMs)
        const check = (): void => {
          if (received.length >= count) {
            clearTimeout(timer)
            waiters.delete(check)
            resolve(received.splice(0, count))
          } else if (ended) {
            clearTimeout(timer)
            waiters.delete(check)
            reject(new Error(`connection closed after ${received.length} of ${count} frames`))
          }
        }
        waiters.add(check)
        check()
      })
    },
    closed(timeoutMs = 5000) {
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiters.delete(check)
          resolve(false)
        }, timeoutMs)
        const check = (): void => {
          if (ended) {
            clearTimeout(timer)
            waiters.delete(check)
            resolve(true)
          }
        }
        waiters.add(check)
        check()
      })
    },
    send(bytes) {
      socket.write(bytes)
    },
    destroy() {
      socket.destroy()
    },
  }
}
