import { ClientError, ConnectionError, ParamError } from '@aerospike-numpy/core'
import { parseReplicas, PartitionMap } from './partitions.js'
import { parsePeers, type HostAddress } from './peers.js'
import { lookupNode, Node } from './node.js'

/** A seed host: `{ host, port }`, `[host, port]`, `"host:port"` or `"host"` (port 3000). */
export type HostSpec =
  HostAddress | { addr: string; port?: number } | readonly [string, number] | string

export interface ClusterConfig {
  /** Seed hosts: an array of HostSpec, or a comma-separated `host:port` string. */
  hosts: readonly HostSpec[] | string
  timeouts?: {
    /** Opening a connection and each tend info exchange (ms). Default 1000. */
    connect?: number
  }
  /** Connections per node, in use or idle. Default 100. */
  maxConnsPerNode?: number
  /** Idle data connections are closed after this long (ms). Default 55000. */
  maxSocketIdleMs?: number
  /** Interval between tends (ms). Default 1000. */
  tendIntervalMs?: number
  /** Expected cluster name; seeds reporting another name are refused. */
  clusterName?: string
  /** Not supported by this engine: setting them is a ParamError. */
  user?: unknown
  password?: unknown
  tls?: unknown
  authMode?: unknown
}

interface ResolvedConfig {
  seeds: HostAddress[]
  connectTimeoutMs: number
  maxConnsPerNode: number
  maxSocketIdleMs: number
  tendIntervalMs: number
  clusterName: string | undefined
}

const KNOWN_KEYS = new Set([
  'hosts',
  'timeouts',
  'maxConnsPerNode',
  'maxSocketIdleMs',
  'tendIntervalMs',
  'clusterName',
  'user',
  'password',
  'tls',
  'authMode',
])
const PEERS_COMMAND = 'peers-clear-std'
const REFRESH_COMMANDS = ['node', 'peers-generation', 'partition-generation'] as const
const PARTITION_COMMANDS = ['partition-generation', 'replicas'] as const
/** Consecutive tend failures after which an unreferenced node is dropped (as_cluster_find_nodes_to_remove). */
const MAX_NODE_FAILURES = 5

function positiveInt(value: unknown, field: string, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < (allowZero ? 0 : 1) ||
    value > 2 ** 31 - 1
  ) {
    throw new ParamError(
      `${field} must be an integer ${allowZero ? '≥ 0' : '≥ 1'}, got ${String(value)}`,
    )
  }
  return value
}

function parseHost(spec: HostSpec, index: number): HostAddress {
  const field = `hosts[${index}]`
  let host: unknown
  let port: unknown = 3000
  if (typeof spec === 'string') {
    const m = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(spec.trim())
    if (m === null)
      throw new ParamError(`${field}: cannot parse host "${spec}" (expected host:port)`)
    host = m[1] ?? m[2]
    if (m[3] !== undefined) port = Number(m[3])
  } else if (Array.isArray(spec)) {
    host = spec[0]
    port = spec[1]
  } else if (typeof spec === 'object' && spec !== null) {
    const o = spec as { host?: unknown; addr?: unknown; port?: unknown }
    host = o.host ?? o.addr
    if (o.port !== undefined) port = o.port
  }
  if (typeof host !== 'string' || host.length === 0) {
    throw new ParamError(`${field}: host must be a non-empty string`)
  }
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ParamError(`${field}: port must be an integer 1..65535, got ${String(port)}`)
  }
  return { host, port }
}

function parseGeneration(node: Node, name: string, value: string): number {
  if (!/^\d{1,10}$/.test(value) || Number(value) > 0xffffffff) {
    throw new ClientError(`${node.address}: invalid ${name} ${JSON.stringify(value.slice(0, 40))}`)
  }
  return Number(value)
}

/** Validates a ClusterConfig; throws ParamError naming the field. */
export function resolveClusterConfig(config: ClusterConfig): ResolvedConfig {
  if (typeof config !== 'object' || config === null)
    throw new ParamError('config must be an object')
  for (const key of Object.keys(config)) {
    if (!KNOWN_KEYS.has(key)) throw new ParamError(`unknown config key "${key}"`)
  }
  if (config.user !== undefined || config.password !== undefined || config.authMode !== undefined) {
    throw new ParamError(
      'authentication (user/password/authMode) is not supported by the wire engine; use the official engine',
    )
  }
  if (config.tls !== undefined && config.tls !== null && config.tls !== false) {
    throw new ParamError('TLS is not supported by the wire engine; use the official engine')
  }
  const list = typeof config.hosts === 'string' ? config.hosts.split(',') : config.hosts
  if (!Array.isArray(list) || list.length === 0) {
    throw new ParamError('hosts must be a non-empty array or a "host:port,…" string')
  }
  const seeds = (list as readonly HostSpec[]).map(parseHost)
  if (config.timeouts !== undefined) {
    if (typeof config.timeouts !== 'object' || config.timeouts === null) {
      throw new ParamError('timeouts must be an object')
    }
    for (const key of Object.keys(config.timeouts)) {
      if (key !== 'connect') throw new ParamError(`unknown config key "timeouts.${key}"`)
    }
  }
  if (
    config.clusterName !== undefined &&
    (typeof config.clusterName !== 'string' || config.clusterName.length === 0)
  ) {
    throw new ParamError('clusterName must be a non-empty string')
  }
  return {
    seeds,
    connectTimeoutMs: positiveInt(config.timeouts?.connect, 'timeouts.connect', 1000),
    maxConnsPerNode: positiveInt(config.maxConnsPerNode, 'maxConnsPerNode', 100),
    maxSocketIdleMs: positiveInt(config.maxSocketIdleMs, 'maxSocketIdleMs', 55_000),
    tendIntervalMs: positiveInt(config.tendIntervalMs, 'tendIntervalMs', 1000),
    clusterName: config.clusterName,
  }
}

/** What one tend learns about peers (client as_peers). */
interface PeersState {
  newNodes: Node[]
  nodesToRemove: Set<Node>
  refreshCount: number
  genChanged: boolean
}

/**
 * The nodes of an Aerospike cluster and the master of every partition, kept current by a tend
 * loop that follows the C client (as_cluster_tend): refresh each node's generations, re-read peers
 * when a peers generation changes (discovering and validating new nodes), drop nodes that left,
 * re-read `replicas` when a partition generation changes. Timers and idle sockets never keep the
 * process alive; close() ends them all.
 */
export class Cluster {
  nodes: Node[] = []
  readonly partitions = new PartitionMap<Node>()
  private readonly config: ResolvedConfig
  private closed = false
  private timer: NodeJS.Timeout | undefined
  private tending: Promise<void> | null = null
  private tendAgain = false
  /** The last tend failure, kept for error messages. */
  lastTendError: Error | null = null

  private constructor(config: ResolvedConfig) {
    this.config = config
  }

  /** Seeds the cluster, tends until the node list is stable, then tends every tendIntervalMs. */
  static async connect(config: ClusterConfig): Promise<Cluster> {
    const cluster = new Cluster(resolveClusterConfig(config))
    try {
      await cluster.tendOnce(true)
      // Like as_wait_till_stabilized: tend until the node count stops changing.
      for (let i = 0; i < 5; i++) {
        const count = cluster.nodes.length
        await cluster.tendOnce(false)
        if (cluster.nodes.length === count) break
      }
    } catch (error) {
      await cluster.close()
      throw error
    }
    cluster.schedule()
    return cluster
  }

  get isClosed(): boolean {
    return this.closed
  }

  get tendIntervalMs(): number {
    return this.config.tendIntervalMs
  }

  /** Active node by name. */
  node(name: string): Node | undefined {
    return this.nodes.find((n) => n.name === name)
  }

  /** Asks for a tend as soon as possible (after a node failed a request): coalesced, never throws. */
  requestTend(): void {
    if (this.closed) return
    if (this.tending !== null) {
      this.tendAgain = true
      return
    }
    clearTimeout(this.timer)
    this.timer = setTimeout(() => this.runScheduledTend(), 0)
    this.timer.unref()
  }

  /** Runs one full tend after any running one. Resolves when it ends; never rejects. */
  async tend(): Promise<void> {
    if (this.closed) return
    if (this.tending !== null) await this.tending
    await this.runTend()
  }

  /** Stops the tend loop and closes every node's sockets. Idempotent. */
  async close(): Promise<void> {
    this.closed = true
    clearTimeout(this.timer)
    this.timer = undefined
    for (const node of this.nodes) node.close()
    this.nodes = []
    if (this.tending !== null) await this.tending.catch(() => undefined)
  }

  private schedule(): void {
    if (this.closed) return
    clearTimeout(this.timer)
    this.timer = setTimeout(() => this.runScheduledTend(), this.config.tendIntervalMs)
    this.timer.unref()
  }

  private runScheduledTend(): void {
    void this.runTend().then(() => {
      if (this.tendAgain) {
        this.tendAgain = false
        this.requestTend()
      } else {
        this.schedule()
      }
    })
  }

  /** Starts a tend, or joins the one running: two tends never overlap. */
  private runTend(): Promise<void> {
    if (this.closed) return Promise.resolve()
    if (this.tending !== null) return this.tending
    const tending = this.tendOnce(false).then(
      () => {
        this.lastTendError = null
      },
      (error: unknown) => {
        this.lastTendError = error as Error
      },
    )
    this.tending = tending.finally(() => {
      this.tending = null
    })
    return this.tending
  }

  /** One tend iteration (as_cluster_tend). `init` makes seed failures throw. */
  private async tendOnce(init: boolean): Promise<void> {
    if (this.closed) throw new ClientError('the cluster is closed')
    const peers: PeersState = {
      newNodes: [],
      nodesToRemove: new Set(),
      refreshCount: 0,
      genChanged: false,
    }
    for (const node of this.nodes) {
      node.friends = 0
      node.partitionChanged = false
    }
    if (this.nodes.length === 0) {
      await this.seedNode(peers, init)
    } else {
      const timeout = this.config.connectTimeoutMs
      await Promise.all(
        this.nodes.map(async (node) => {
          if (!node.active) return
          try {
            await this.refreshNode(node, peers, timeout)
          } catch {
            peers.genChanged = true
            node.failures++
          }
        }),
      )
      if (peers.genChanged) {
        peers.refreshCount = 0
        for (const node of this.nodes) {
          if (node.failures === 0 && node.active) await this.refreshPeers(node, peers)
        }
        this.findNodesToRemove(peers)
        if (peers.nodesToRemove.size > 0) this.removeNodes(peers.nodesToRemove)
      }
      if (peers.newNodes.length > 0) await this.addPeerNodes(peers)
    }
    for (const node of this.nodes) {
      if (
        node.partitionChanged &&
        node.failures === 0 &&
        node.active &&
        (node.peersCount > 0 || peers.refreshCount === 1)
      ) {
        try {
          await this.refreshPartitions(node)
        } catch {
          node.failures++
        }
      }
    }
    const now = Date.now()
    for (const node of this.nodes) node.pool.closeIdle(now)
    if (this.closed) {
      for (const node of this.nodes) node.close()
      this.nodes = []
    }
  }

  /** as_cluster_seed_node: the first seed that validates (preferring one with peers). */
  private async seedNode(peers: PeersState, init: boolean): Promise<void> {
    const errors: string[] = []
    let chosen: Node | null = null
    let fallback: Node | null = null
    for (const seed of this.config.seeds) {
      let node: Node
      try {
        node = await this.createNode(seed)
      } catch (error) {
        if (error instanceof ParamError) {
          // A server too old or of another cluster: no other seed makes it usable.
          throw error
        }
        errors.push(`${seed.host}:${seed.port}: ${(error as Error).message}`)
        continue
      }
      peers.refreshCount = 0
      try {
        await this.refreshPeers(node, peers)
      } catch (error) {
        errors.push(`${seed.host}:${seed.port}: peers: ${(error as Error).message}`)
        node.close()
        continue
      }
      if (node.peersCount === 0) {
        // A node without peers is suspect (maybe split off); keep it only if nothing better turns up.
        if (fallback === null) fallback = node
        else node.close()
        continue
      }
      fallback?.close()
      fallback = null
      chosen = node
      break
    }
    if (chosen === null && fallback !== null) {
      chosen = fallback
      peers.refreshCount = 1
    }
    if (chosen === null) {
      for (const n of peers.newNodes) n.close()
      const error = new ConnectionError(`failed to connect to any seed host: ${errors.join('; ')}`)
      if (init) throw error
      this.lastTendError = error
      return
    }
    this.nodes = [...this.nodes, chosen]
    if (peers.newNodes.length > 0) await this.addPeerNodes(peers)
  }

  private async createNode(host: HostAddress): Promise<Node> {
    const { info, connection } = await lookupNode(host.host, host.port, {
      connectTimeoutMs: this.config.connectTimeoutMs,
      clusterName: this.config.clusterName,
    })
    if (this.closed) {
      connection.close()
      throw new ClientError('the cluster is closed')
    }
    return new Node(info, host.host, host.port, connection, {
      maxConnections: this.config.maxConnsPerNode,
      connectTimeoutMs: this.config.connectTimeoutMs,
      maxIdleMs: this.config.maxSocketIdleMs,
    })
  }

  /** as_node_refresh: node name unchanged, generations compared. */
  private async refreshNode(node: Node, peers: PeersState, timeoutMs: number): Promise<void> {
    const values = await node.info(REFRESH_COMMANDS, timeoutMs)
    const name = values.get('node')!
    if (name !== node.name) {
      node.active = false
      throw new ClientError(`${node.address}: node name changed from ${node.name} to ${name}`)
    }
    const peersGeneration = parseGeneration(
      node,
      'peers-generation',
      values.get('peers-generation')!,
    )
    if (node.peersGeneration !== peersGeneration) peers.genChanged = true
    const partitionGeneration = parseGeneration(
      node,
      'partition-generation',
      values.get('partition-generation')!,
    )
    if (node.partitionGeneration !== partitionGeneration) node.partitionChanged = true
    peers.refreshCount++
    if (node.failures > 0) {
      // Reload everything after failures (the C client does the same).
      peers.genChanged = true
      node.partitionChanged = true
    }
    node.failures = 0
  }

  /** as_node_refresh_peers + as_peers_parse_peers: count friends, validate unknown peers. */
  private async refreshPeers(node: Node, peers: PeersState): Promise<void> {
    let reply
    try {
      const values = await node.info([PEERS_COMMAND], this.config.connectTimeoutMs)
      reply = parsePeers(values.get(PEERS_COMMAND)!)
    } catch (error) {
      node.failures++
      throw error
    }
    node.peersCount = reply.peers.length
    let allKnown = true
    for (const peer of reply.peers) {
      const existing = this.nodes.find((n) => n.name === peer.name && n.active)
      if (existing !== undefined) {
        existing.friends++
        continue
      }
      if (peers.newNodes.some((n) => n.name === peer.name)) continue
      let added = false
      for (const host of peer.hosts) {
        try {
          const candidate = await this.createNode(host)
          if (candidate.name !== peer.name) {
            candidate.close()
            continue
          }
          peers.newNodes.push(candidate)
          added = true
          break
        } catch {
          // Try the peer's next address.
        }
      }
      if (!added) allKnown = false
    }
    // Only adopt the new generation once every listed peer is in the cluster.
    if (allKnown) node.peersGeneration = reply.generation
    peers.refreshCount++
  }

  /** as_cluster_find_nodes_to_remove. */
  private findNodesToRemove(peers: PeersState): void {
    for (const node of this.nodes) {
      if (!node.active) {
        peers.nodesToRemove.add(node)
      } else if (peers.refreshCount === 0 && node.failures >= MAX_NODE_FAILURES) {
        peers.nodesToRemove.add(node)
      } else if (this.nodes.length > 1 && peers.refreshCount >= 1 && node.friends === 0) {
        // Not listed by any other node: keep it only if it answers and still owns partitions.
        if (node.failures !== 0 || this.partitions.refCount(node) === 0)
          peers.nodesToRemove.add(node)
      }
    }
  }

  private removeNodes(remove: Set<Node>): void {
    this.nodes = this.nodes.filter((n) => !remove.has(n))
    for (const node of remove) {
      this.partitions.removeNode(node)
      node.close()
    }
  }

  /** as_cluster_add_nodes + as_cluster_refresh_peers: add, then read the new nodes' peers. */
  private async addPeerNodes(peers: PeersState): Promise<void> {
    while (peers.newNodes.length > 0) {
      const added = peers.newNodes.splice(0)
      if (this.closed) {
        for (const n of added) n.close()
        return
      }
      this.nodes = [...this.nodes, ...added]
      for (const node of added) {
        try {
          await this.refreshPeers(node, peers)
        } catch {
          // Counted as a failure by refreshPeers; the next tend retries.
        }
      }
    }
  }

  /** as_node_refresh_partitions: `partition-generation` and `replicas` into the partition map. */
  private async refreshPartitions(node: Node): Promise<void> {
    const values = await node.info(PARTITION_COMMANDS, this.config.connectTimeoutMs)
    const replicas = parseReplicas(values.get('replicas')!)
    const generation = parseGeneration(
      node,
      'partition-generation',
      values.get('partition-generation')!,
    )
    this.partitions.update(node, replicas)
    node.partitionGeneration = generation
  }
}
