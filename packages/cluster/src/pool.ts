import { Connection } from './connection.js'
import { ClientError, ResultCode, TimeoutError, errorFromCode } from '@aerospike-numpy/core'

export interface PoolOptions {
  /** At most this many connections to the node, in use or idle. */
  maxConnections: number
  /** Timeout for opening one connection (ms). */
  connectTimeoutMs: number
  /** Idle connections older than this (ms) are closed instead of reused. */
  maxIdleMs: number
}

interface Waiter {
  resolve: (connection: Connection) => void
  reject: (error: Error) => void
  deadline: number
  timer: NodeJS.Timeout | undefined
}

/**
 * A bounded pool of connections to one node. Connections are reused most-recent first; broken
 * ones are dropped on release; when all are busy, callers wait (up to their deadline) for one.
 */
export class ConnectionPool {
  private readonly idle: Connection[] = []
  /** Every open connection, idle or in use (close() ends them all). */
  private readonly all = new Set<Connection>()
  private readonly waiters: Waiter[] = []
  private total = 0
  private closed = false

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly options: PoolOptions,
  ) {}

  /** Connections open or being opened. */
  get size(): number {
    return this.total
  }

  get idleCount(): number {
    return this.idle.length
  }

  /** A connection for one exchange; give it back with release(). deadline 0 = no deadline. */
  acquire(deadline: number): Promise<Connection> {
    if (this.closed) return Promise.reject(new ClientError('the cluster is closed'))
    const now = Date.now()
    for (;;) {
      const connection = this.idle.pop()
      if (connection === undefined) break
      if (connection.isOpen && now - connection.lastUsed < this.options.maxIdleMs) {
        return Promise.resolve(connection)
      }
      this.drop(connection)
    }
    if (this.total < this.options.maxConnections) return this.openNew(deadline)
    return new Promise<Connection>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, deadline, timer: undefined }
      if (deadline > 0) {
        waiter.timer = setTimeout(
          () => {
            const index = this.waiters.indexOf(waiter)
            if (index >= 0) this.waiters.splice(index, 1)
            reject(
              errorFromCode(
                ResultCode.ERR_NO_MORE_CONNECTIONS,
                `${this.host}:${this.port}: all ${this.options.maxConnections} connections stayed busy until the deadline`,
              ),
            )
          },
          Math.max(0, deadline - now),
        )
      }
      this.waiters.push(waiter)
    })
  }

  /** Returns a connection after an exchange; a closed (broken) one frees its slot. */
  release(connection: Connection): void {
    if (this.closed || !connection.isOpen) {
      this.drop(connection)
      return
    }
    const waiter = this.waiters.shift()
    if (waiter !== undefined) {
      clearTimeout(waiter.timer)
      waiter.resolve(connection)
      return
    }
    this.idle.push(connection)
  }

  /** Closes idle connections unused for longer than maxIdleMs (called from the tend loop). */
  closeIdle(now = Date.now()): void {
    for (let i = this.idle.length - 1; i >= 0; i--) {
      const connection = this.idle[i]!
      if (!connection.isOpen || now - connection.lastUsed >= this.options.maxIdleMs) {
        this.idle.splice(i, 1)
        this.drop(connection)
      }
    }
  }

  /** Closes every connection (an exchange in flight rejects with ConnectionError) and fails waiters. */
  close(): void {
    this.closed = true
    this.idle.length = 0
    for (const connection of [...this.all]) connection.close()
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer)
      waiter.reject(new ClientError('the cluster is closed'))
    }
  }

  private drop(connection: Connection): void {
    connection.close()
    if (!this.all.delete(connection)) return
    this.total--
    this.slotFreed()
  }

  // A slot came free: the longest waiter gets a fresh connection.
  private slotFreed(): void {
    const waiter = this.closed ? undefined : this.waiters.shift()
    if (waiter !== undefined) {
      clearTimeout(waiter.timer)
      this.openNew(waiter.deadline).then(waiter.resolve, waiter.reject)
    }
  }

  private openNew(deadline: number): Promise<Connection> {
    let timeoutMs = this.options.connectTimeoutMs
    if (deadline > 0) {
      const remaining = deadline - Date.now()
      if (remaining <= 0) {
        return Promise.reject(
          new TimeoutError(`${this.host}:${this.port}: total timeout passed before connecting`),
        )
      }
      if (timeoutMs <= 0 || remaining < timeoutMs) timeoutMs = remaining
    }
    this.total++
    return Connection.open(this.host, this.port, timeoutMs).then(
      (connection) => {
        if (this.closed) {
          this.total--
          connection.close()
          throw new ClientError('the cluster is closed')
        }
        this.all.add(connection)
        return connection
      },
      (error: unknown) => {
        this.total--
        this.slotFreed()
        throw error
      },
    )
  }
}
