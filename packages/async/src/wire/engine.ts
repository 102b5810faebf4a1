/**
 * The wire engine: core's `Engine` over `@aerospike-numpy/cluster`, the pure-TypeScript batch
 * client. Nothing here reaches the `aerospike` addon, so it runs in worker threads.
 */
import {
  Cluster,
  batchRead,
  batchWrite,
  scanPartitions,
  type BatchSummary,
  type ClusterConfig,
} from '@aerospike-numpy/cluster'
import type { AerospikeError } from '@aerospike-numpy/core'
import {
  ParamError,
  ResultCode,
  errorFromCode,
  type Engine,
  type ReadJob,
  type ScanJob,
  type WriteJob,
} from '@aerospike-numpy/core'
import type { ResolvedClientConfig } from '../config.js'
import { NotConnectedError } from '../errors.js'

/** Official-client config keys that need features this engine does not have. */
const UNSUPPORTED_KEYS: Record<string, string> = {
  user: 'authentication',
  password: 'authentication',
  authMode: 'authentication',
  tls: 'TLS',
}

/** Official-client config keys this engine honours; any other key would be ignored, so it is refused. */
const SUPPORTED_KEYS = new Set([
  'connTimeoutMs',
  'tenderInterval',
  'maxConnsPerNode',
  'maxSocketIdle',
  'clusterName',
  // The official client's logging settings: this engine has no log to configure.
  'log',
])

function intOption(options: Record<string, unknown>, key: string): number | undefined {
  const value = options[key]
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new ParamError(`config.${key} must be a non-negative integer, got ${String(value)}`)
  }
  return value
}

/** The cluster settings for a client config; auth and TLS are refused with a pointer to the official engine. */
export function clusterConfigFor(config: ResolvedClientConfig): ClusterConfig {
  const o = config.options
  for (const [key, feature] of Object.entries(UNSUPPORTED_KEYS)) {
    const value = o[key]
    if (value !== undefined && value !== null && value !== false) {
      throw new ParamError(
        `config.${key}: ${feature} is not supported by engine 'wire'; use engine: 'official'`,
      )
    }
  }
  for (const key of Object.keys(o)) {
    if (!SUPPORTED_KEYS.has(key) && !Object.hasOwn(UNSUPPORTED_KEYS, key) && o[key] !== undefined) {
      throw new ParamError(
        `config.${key} is an option of the official client that engine 'wire' does not use; ` +
          `use engine: 'official', or drop it (engine 'wire' takes ${[...SUPPORTED_KEYS].join(', ')})`,
      )
    }
  }
  const cluster: ClusterConfig = {
    hosts: config.hosts.map((h) => ({ host: h.addr, port: h.port })),
  }
  const connect = intOption(o, 'connTimeoutMs')
  if (connect !== undefined && connect > 0) cluster.timeouts = { connect }
  const tend = intOption(o, 'tenderInterval')
  if (tend !== undefined && tend > 0) cluster.tendIntervalMs = tend
  const conns = intOption(o, 'maxConnsPerNode')
  if (conns !== undefined && conns > 0) cluster.maxConnsPerNode = conns
  const idle = intOption(o, 'maxSocketIdle')
  if (idle !== undefined && idle > 0) cluster.maxSocketIdleMs = idle * 1000
  if (o.clusterName !== undefined) {
    if (typeof o.clusterName !== 'string')
      throw new ParamError('config.clusterName must be a string')
    cluster.clusterName = o.clusterName
  }
  return cluster
}

/** A node's error with `inDoubt` as the whole call sees it (the cluster does not know writes from reads). */
function withInDoubt(error: AerospikeError, inDoubt: boolean): AerospikeError {
  if (error.inDoubt === inDoubt) return error
  return errorFromCode(error.code, error.message, { cause: error, inDoubt })
}

/**
 * When no node gave any per-row answer the call failed as a whole (as the official client then
 * rejects): the first node's error is thrown. Otherwise per-row codes tell the story.
 */
function throwIfWholeCallFailed(cluster: Cluster, summary: BatchSummary, writes: boolean): void {
  if (summary.nodes.length === 0) {
    if (summary.unroutedRows > 0 && cluster.nodes.length === 0) {
      // Every node has left the map (all unreachable): the official client's words and code.
      throw errorFromCode(
        ResultCode.ERR_SERVER,
        'Batch command failed because cluster is empty (no node is reachable)',
      )
    }
    if (summary.unroutedRows > 0) {
      throw errorFromCode(
        ResultCode.ERR_INVALID_NODE,
        'no cluster node serves the partitions of these keys',
      )
    }
    return
  }
  if (summary.nodes.some((n) => n.error === null)) return
  const first = summary.nodes[0]!
  // A write request that reached a socket may have been applied; a parent-level server refusal was
  // not. The error stands for every node's rows, so any node's request may have put them in doubt.
  const sent = summary.nodes.some((n) => n.sent && !n.refused)
  throw withInDoubt(first.error!, writes && sent)
}

/** `clusterConfig` skips the mapping (worker threads receive it already mapped). */
export function createWireEngine(
  config: ResolvedClientConfig,
  clusterConfig: ClusterConfig = clusterConfigFor(config),
): Engine {
  let cluster: Cluster | null = null
  const connected = (): Cluster => {
    if (cluster === null || cluster.isClosed) throw new NotConnectedError()
    return cluster
  }
  return {
    kind: 'wire',
    async connect() {
      if (cluster !== null) return
      cluster = await Cluster.connect(clusterConfig)
    },
    async close() {
      const c = cluster
      cluster = null
      if (c !== null) await c.close()
    },
    isConnected() {
      return cluster !== null && !cluster.isClosed && cluster.nodes.length > 0
    },
    async write(job: WriteJob) {
      const c = connected()
      throwIfWholeCallFailed(c, await batchWrite(c, job), true)
    },
    async read(job: ReadJob) {
      const c = connected()
      throwIfWholeCallFailed(c, await batchRead(c, job), false)
    },
    async scan(job: ScanJob) {
      // scanPartitions throws core's errors only.
      return scanPartitions(connected(), job)
    },
  }
}
