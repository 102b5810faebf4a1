import { Socket } from 'node:net'
import { AerospikeError, ClientError, ConnectionError, TimeoutError } from '@aerospike-numpy/core'

/**
 * Receives the bytes of one response as they arrive. `onData` returns true once the response is
 * complete; it throws (an AerospikeError, or anything, which becomes a ClientError) when the bytes
 * break the protocol. Bytes after the end of the response are unsolicited: the consumer throws.
 */
export interface ResponseConsumer {
  onData(chunk: Uint8Array): boolean
}

export interface ExchangeTimeouts {
  /** Fail when no byte arrives for this long (ms); 0 = no socket timeout. */
  socketTimeoutMs: number
  /** Absolute time (Date.now() ms) by which the response must be complete; 0 = none. */
  deadline: number
}

/**
 * One TCP connection to a node: one request at a time, the response streamed to a consumer. A
 * connection that saw an error, a timeout or unsolicited bytes is closed and never reused. Idle
 * connections do not keep the process alive.
 */
export class Connection {
  readonly host: string
  readonly port: number
  /** Date.now() when the last exchange ended (for idle eviction). */
  lastUsed = Date.now()
  private readonly socket: Socket
  private open = true
  /** The current exchange's socket timeout (restored after a pause). */
  private socketTimeoutMs = 0
  private current: {
    consumer: ResponseConsumer
    resolve: () => void
    reject: (error: Error) => void
    timer: NodeJS.Timeout | undefined
  } | null = null

  private constructor(host: string, port: number, socket: Socket) {
    this.host = host
    this.port = port
    this.socket = socket
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('error', (error) =>
      this.fail(new ConnectionError(`${this.address}: ${error.message}`, { cause: error })),
    )
    socket.on('close', () =>
      this.fail(new ConnectionError(`${this.address}: connection closed by the server`)),
    )
    socket.on('timeout', () =>
      this.fail(new TimeoutError(`${this.address}: no response within the socket timeout`)),
    )
  }

  get address(): string {
    return `${this.host}:${this.port}`
  }

  get isOpen(): boolean {
    return this.open
  }

  /** Opens a connection; rejects with ConnectionError or TimeoutError, never hangs past timeoutMs. */
  static open(host: string, port: number, timeoutMs: number): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = new Socket()
      let settled = false
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              if (settled) return
              settled = true
              socket.destroy()
              reject(new TimeoutError(`${host}:${port}: connect timed out after ${timeoutMs} ms`))
            }, timeoutMs)
          : undefined
      socket.once('error', (error) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        socket.destroy()
        reject(new ConnectionError(`${host}:${port}: ${error.message}`, { cause: error }))
      })
      socket.connect({ host, port, noDelay: true }, () => {
        if (settled) {
          socket.destroy()
          return
        }
        settled = true
        clearTimeout(timer)
        socket.removeAllListeners('error')
        const connection = new Connection(host, port, socket)
        socket.unref()
        resolve(connection)
      })
    })
  }

  /**
   * Sends `request` and feeds the response to `consumer` until it reports completion. On any
   * failure the connection is closed and the promise rejects with an AerospikeError.
   */
  exchange(
    request: Uint8Array,
    consumer: ResponseConsumer,
    timeouts: ExchangeTimeouts,
    onRequestWritten?: () => void,
  ): Promise<void> {
    if (!this.open)
      return Promise.reject(new ConnectionError(`${this.address}: connection is closed`))
    if (this.current !== null) {
      return Promise.reject(new ConnectionError(`${this.address}: connection is busy`))
    }
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined
      if (timeouts.deadline > 0) {
        const remaining = timeouts.deadline - Date.now()
        if (remaining <= 0) {
          reject(
            new TimeoutError(`${this.address}: total timeout passed before the request was sent`),
          )
          return
        }
        timer = setTimeout(
          () =>
            this.fail(
              new TimeoutError(`${this.address}: no complete response within the total timeout`),
            ),
          remaining,
        )
      }
      this.current = { consumer, resolve, reject, timer }
      this.socket.ref()
      this.socketTimeoutMs = timeouts.socketTimeoutMs > 0 ? timeouts.socketTimeoutMs : 0
      this.socket.setTimeout(this.socketTimeoutMs)
      // The callback says the kernel has every byte: only then may the caller reuse `request`.
      if (onRequestWritten === undefined) this.socket.write(request)
      else this.socket.write(request, (error) => (error ? undefined : onRequestWritten()))
    })
  }

  /**
   * Stops reading the response until `resume()`: a consumer that cannot keep up holds the server
   * back through TCP instead of buffering. No socket timeout runs while paused (the total
   * deadline still does).
   */
  pause(): void {
    if (!this.open) return
    this.socket.pause()
    this.socket.setTimeout(0)
  }

  resume(): void {
    if (!this.open) return
    this.socket.setTimeout(this.socketTimeoutMs)
    this.socket.resume()
  }

  /** Closes the socket; an outstanding exchange rejects with ConnectionError. */
  close(): void {
    this.fail(new ConnectionError(`${this.address}: connection closed by the client`))
  }

  private onData(chunk: Buffer): void {
    const current = this.current
    if (current === null) {
      // Bytes nobody asked for: the stream is out of step, so the socket cannot be reused.
      this.fail(
        new ClientError(`${this.address}: ${chunk.length} unsolicited bytes from the server`),
      )
      return
    }
    let done: boolean
    try {
      done = current.consumer.onData(chunk)
    } catch (error) {
      this.fail(
        error instanceof AerospikeError
          ? error
          : new ClientError(`${this.address}: bad response: ${(error as Error).message}`, {
              cause: error,
            }),
      )
      return
    }
    if (done) {
      this.current = null
      clearTimeout(current.timer)
      this.socket.setTimeout(0)
      this.socket.unref()
      this.lastUsed = Date.now()
      current.resolve()
    }
  }

  private fail(error: Error): void {
    const current = this.current
    this.current = null
    if (this.open) {
      this.open = false
      this.socket.setTimeout(0)
      this.socket.destroy()
    }
    if (current !== null) {
      clearTimeout(current.timer)
      current.reject(error)
    }
  }
}
