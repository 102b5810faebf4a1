import { Connection } from './connection.js'
import { ClientError, ConnectionError, ParamError } from '@aerospike-numpy/core'
import { infoRequest, infoValueError, infoValuesByName } from './info.js'
import { ConnectionPool, type PoolOptions } from './pool.js'

/** The longest node name the C client accepts. */
const NODE_NAME_MAX = 19
/** partition-generation of a node that has not finished starting. */
const GENERATION_UNINITIALIZED = 0xffffffff

export interface NodeInfo {
  name: string
  partitionGeneration: number
  /** Server version from `build` (at least three components). */
  version: readonly [number, number, number, number]
}

/** Parses `build`: `%hu.%hu.%hu[.%hu]` with optional suffix after the numbers (e.g. `8.0.0.0-rc1`). */
export function parseBuild(value: string): [number, number, number, number] | null {
  const m = /^(\d{1,5})\.(\d{1,5})\.(\d{1,5})(?:\.(\d{1,5}))?/.exec(value)
  if (m === null) return null
  const parts = [
    Number(m[1]),
    Number(m[2]),
    Number(m[3]),
    m[4] === undefined ? 0 : Number(m[4]),
  ] as [number, number, number, number]
  return parts.every((n) => n <= 65535) ? parts : null
}

function versionAtLeast(v: readonly number[], min: readonly number[]): boolean {
  for (let i = 0; i < min.length; i++) {
    if (v[i]! !== min[i]!) return v[i]! > min[i]!
  }
  return true
}

/**
 * Validates a host as an Aerospike node (client as_lookup_node): asks `node`,
 * `partition-generation`, `build` (and `cluster-name` when configured) and checks each value
 * positionally. Batch writes need server 6.0 or later (batch-any). On success the connection is
 * returned open, to become the node's tend connection.
 */
export async function lookupNode(
  host: string,
  port: number,
  options: { connectTimeoutMs: number; clusterName: string | undefined },
): Promise<{ info: NodeInfo; connection: Connection }> {
  const address = `${host}:${port}`
  const connection = await Connection.open(host, port, options.connectTimeoutMs)
  try {
    const commands = ['node', 'partition-generation', 'build']
    if (options.clusterName !== undefined) commands.push('cluster-name')
    const entries = await infoRequest(connection, commands, {
      socketTimeoutMs: options.connectTimeoutMs,
      deadline: options.connectTimeoutMs > 0 ? Date.now() + options.connectTimeoutMs : 0,
    })
    if (entries.length !== commands.length) {
      throw new ClientError(
        `${address}: seed info reply has ${entries.length} values for ${commands.length} requested`,
      )
    }
    for (const [i, { name, value }] of entries.entries()) {
      const error = infoValueError(name, value)
      if (error !== null) throw error
      if (name !== commands[i]) {
        throw new ClientError(
          `${address}: seed info reply value ${i} is "${name}", expected "${commands[i]}"`,
        )
      }
    }
    const name = entries[0]!.value
    if (name.length === 0 || name.length > NODE_NAME_MAX) {
      throw new ClientError(`${address}: invalid node name ${JSON.stringify(name.slice(0, 40))}`)
    }
    const generationText = entries[1]!.value
    if (!/^\d+$/.test(generationText) || Number(generationText) > 0xffffffff) {
      throw new ClientError(
        `${address}: invalid partition-generation ${JSON.stringify(generationText.slice(0, 40))}`,
      )
    }
    const partitionGeneration = Number(generationText)
    if (partitionGeneration === GENERATION_UNINITIALIZED) {
      throw new ClientError(`${address}: node ${name} is not yet fully initialized`)
    }
    const version = parseBuild(entries[2]!.value)
    if (version === null) {
      throw new ClientError(
        `${address}: invalid build ${JSON.stringify(entries[2]!.value.slice(0, 40))}`,
      )
    }
    if (!versionAtLeast(version, [6, 0, 0])) {
      throw new ParamError(
        `${address}: server ${entries[2]!.value} is older than 6.0 and has no batch writes (batch-any); use the official engine`,
      )
    }
    if (options.clusterName !== undefined && entries[3]!.value !== options.clusterName) {
      throw new ParamError(
        `${address}: cluster name is "${entries[3]!.value}", expected "${options.clusterName}"`,
      )
    }
    return { info: { name, partitionGeneration, version }, connection }
  } catch (error) {
    connection.close()
    throw error
  }
}

/** One server node: its data connection pool, its tend connection and the tend bookkeeping. */
export class Node {
  readonly name: string
  readonly host: string
  readonly port: number
  readonly version: readonly [number, number, number, number]
  readonly pool: ConnectionPool
  /** False once the node's name changed or it was removed: no new requests go to it. */
  active = true
  /** Consecutive failed tend exchanges. */
  failures = 0
  /** How many other nodes list this one as a peer (this tend). */
  friends = 0
  peersCount = 0
  peersGeneration = GENERATION_UNINITIALIZED
  partitionGeneration = GENERATION_UNINITIALIZED
  partitionChanged = true
  private tendConnection: Connection | null

  constructor(
    info: NodeInfo,
    host: string,
    port: number,
    tendConnection: Connection | null,
    poolOptions: PoolOptions,
  ) {
    this.name = info.name
    this.host = host
    this.port = port
    this.version = info.version
    this.tendConnection = tendConnection
    this.pool = new ConnectionPool(host, port, poolOptions)
  }

  get address(): string {
    return `${this.host}:${this.port}`
  }

  /**
   * Info exchange on the node's own tend connection (reopened when it broke); values by name.
   * Calls are queued: the connection carries one request at a time.
   */
  info(commands: readonly string[], timeoutMs: number): Promise<Map<string, string>> {
    const run = this.infoQueue.then(() => this.infoNow(commands, timeoutMs))
    this.infoQueue = run.then(
      () => undefined,
      () => undefined,
    )
    return run
  }

  private infoQueue: Promise<void> = Promise.resolve()

  private async infoNow(
    commands: readonly string[],
    timeoutMs: number,
  ): Promise<Map<string, string>> {
    if (!this.active) throw new ConnectionError(`${this.address}: node ${this.name} was removed`)
    if (this.tendConnection === null || !this.tendConnection.isOpen) {
      this.tendConnection = await Connection.open(this.host, this.port, timeoutMs)
    }
    const connection = this.tendConnection
    try {
      const entries = await infoRequest(connection, commands, {
        socketTimeoutMs: timeoutMs,
        deadline: timeoutMs > 0 ? Date.now() + timeoutMs : 0,
      })
      return infoValuesByName(this.address, commands, entries)
    } catch (error) {
      // The C client drops the tend socket after any failed exchange.
      connection.close()
      throw error
    }
  }

  close(): void {
    this.active = false
    this.tendConnection?.close()
    this.tendConnection = null
    this.pool.close()
  }
}
