import { createServer, type Server, type Socket } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ConnectionPool } from './pool.js'

let server: Server
let port: number
const accepted: Socket[] = []

beforeEach(async () => {
  server = createServer((socket) => {
    accepted.push(socket)
    socket.on('error', () => socket.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as { port: number }).port
})

afterEach(async () => {
  for (const s of accepted.splice(0)) s.destroy()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

describe('ConnectionPool', () => {
  it('reuses released connections and never opens more than maxConnections', async () => {
    const pool = new ConnectionPool('127.0.0.1', port, {
      maxConnections: 2,
      connectTimeoutMs: 1000,
      maxIdleMs: 60_000,
    })
    const a = await pool.acquire(0)
    const b = await pool.acquire(0)
    expect(pool.size).toBe(2)
    const waiting = pool.acquire(Date.now() + 5000)
    pool.release(a)
    expect(await waiting).toBe(a)
    pool.release(a)
    pool.release(b)
    expect(await pool.acquire(0)).toBe(b) // most recently released first
    expect(pool.size).toBe(2)
    pool.close()
  })

  it('a waiter gives up with NO_MORE_CONNECTIONS at its deadline', async () => {
    const pool = new ConnectionPool('127.0.0.1', port, {
      maxConnections: 1,
      connectTimeoutMs: 1000,
      maxIdleMs: 60_000,
    })
    await pool.acquire(0)
    await expect(pool.acquire(Date.now() + 50)).rejects.toMatchObject({
      code: -7,
      result: -7,
    })
    pool.close()
  })

  it('drops broken and idle connections, freeing their slots', async () => {
    const pool = new ConnectionPool('127.0.0.1', port, {
      maxConnections: 1,
      connectTimeoutMs: 1000,
      maxIdleMs: 30,
    })
    const a = await pool.acquire(0)
    a.close() // broken while in use
    pool.release(a)
    expect(pool.size).toBe(0)
    const b = await pool.acquire(0)
    pool.release(b)
    expect(pool.idleCount).toBe(1)
    await new Promise((r) => setTimeout(r, 60))
    pool.closeIdle()
    expect(pool.idleCount).toBe(0)
    expect(b.isOpen).toBe(false)
    const c = await pool.acquire(0)
    expect(c).not.toBe(b)
    // A connection the server closed while idle is not handed out again.
    pool.release(c)
    for (const s of accepted) s.destroy()
    await new Promise((r) => setTimeout(r, 50))
    const d = await pool.acquire(0)
    expect(d).not.toBe(c)
    expect(d.isOpen).toBe(true)
    pool.close()
    expect(d.isOpen).toBe(false)
    await expect(pool.acquire(0)).rejects.toMatchObject({
      code: -1,
      message: 'the cluster is closed',
    })
  })

  it('connect failures reject with a connection error and free the slot', async () => {
    const pool = new ConnectionPool('127.0.0.1', 1, {
      maxConnections: 1,
      connectTimeoutMs: 500,
      maxIdleMs: 1000,
    })
    await expect(pool.acquire(0)).rejects.toMatchObject({ code: -10, codeName: 'ERR_CONNECTION' })
    expect(pool.size).toBe(0)
    pool.close()
  })
})
