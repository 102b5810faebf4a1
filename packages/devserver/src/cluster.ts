// The nodes of one devserver and the state they share: records, faults, latency. Runs inside the
// server worker. Node i masters the partitions p with p % nodes === i; a stopped node keeps its
// partitions (requests for them fail on the client side), the others stop listing it as a peer —
// unless it is stopped with `handOff`, when the running nodes take its partitions over (as a real
// cluster does after a node dies: a new partition generation, new replicas maps) until it returns.

import net from 'node:net'

import {
  N_PARTITIONS,
  clepochNow,
  keyDigest,
  partitionId,
  type UserKey,
} from '@aerospike-numpy/wire'

import { serveConnection, type Connection } from './connection.js'
import { FaultTable } from './faults.js'
import { replicasBitmap, type InfoContext } from './info-commands.js'
import type {
  DropResponsesRule,
  KeyRef,
  Latency,
  NodeDescription,
  ScanFaultRule,
  StartOptions,
} from './messages.js'
import { NamespaceStore, isExpired } from './store.js'

export class DevNode {
  readonly index: number
  readonly cluster: DevCluster
  port: number
  name = ''
  server: net.Server | null = null
  readonly connections = new Set<Connection>()
  info!: InfoContext
  #replicas = ''
  #replicasGeneration = -1

  constructor(cluster: DevCluster, index: number, port: number) {
    this.cluster = cluster
    this.index = index
    this.port = port
  }

  /** base64 bitmap of the partitions this node masters now. */
  get replicas(): string {
    if (this.#replicasGeneration !== this.cluster.partitionGeneration) {
      this.#replicas = replicasBitmap((p) => this.cluster.ownerOf(p) === this.index)
      this.#replicasGeneration = this.cluster.partitionGeneration
    }
    return this.#replicas
  }

  get host(): string {
    return this.cluster.options.host
  }

  get running(): boolean {
    return this.server !== null
  }

  describe(): NodeDescription {
    return {
      index: this.index,
      name: this.name,
      host: this.host,
      port: this.port,
      running: this.running,
    }
  }

  async start(): Promise<void> {
    if (this.server !== null) return
    const server = net.createServer({ noDelay: true }, (socket) => {
      serveConnection(this, socket)
    })
    server.on('error', () => {
      // Listening errors surface through the listen promise; later ones must not kill the worker.
    })
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => reject(error)
      server.once('error', onError)
      server.listen({ host: this.host, port: this.port, exclusive: true }, () => {
        server.off('error', onError)
        resolve()
      })
    })
    const address = server.address()
    if (address === null || typeof address === 'string')
      throw new Error('listener has no TCP address')
    this.port = address.port
    if (this.name === '') {
      // Stable for the node's life (the client drops a node whose name changes); ≤ 19 chars.
      this.name = `BB9${this.port.toString(16).toUpperCase().padStart(4, '0')}${(this.index + 1).toString(16).toUpperCase().padStart(8, '0')}`
    }
    this.server = server
  }

  async stop(): Promise<void> {
    const server = this.server
    if (server === null) return
    this.server = null
    for (const connection of this.connections) connection.destroy()
    this.connections.clear()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  dropConnections(): number {
    const count = this.connections.size
    for (const connection of this.connections) connection.destroy()
    this.connections.clear()
    return count
  }
}

interface DropRule {
  node: number | null
  remaining: number
  afterBytes: number | null
  command: DropResponsesRule['command'] | null
}

/** What kind of request a data response answers (for drop rules that pick one kind). */
export type ResponseKind = 'record' | 'batch' | 'scan'

interface ResolvedScanFault {
  partitions: Set<number>
  node: number | null
  resultCode: number
  /** Scans of each partition that fail. */
  times: number
  hits: Map<number, number>
}

export class DevCluster {
  readonly options: StartOptions
  readonly namespaces = new Map<string, NamespaceStore>()
  readonly faults = new FaultTable()
  readonly nodes: DevNode[] = []
  latency: Latency = { min: 0, max: 0 }
  private dropRules: DropRule[] = []
  private scanFaults: ResolvedScanFault[] = []
  peersGeneration = 1
  partitionGeneration = 1
  /** Master node of each partition. */
  private readonly owners = new Int16Array(N_PARTITIONS)
  private readonly startedAt = Date.now()

  constructor(options: StartOptions) {
    this.options = options
    for (const ns of options.namespaces)
      this.namespaces.set(ns, new NamespaceStore(ns, options.namespaceConfig))
    for (let i = 0; i < options.nodes; i++) {
      this.nodes.push(new DevNode(this, i, options.port === 0 ? 0 : options.port + i))
    }
    for (let p = 0; p < N_PARTITIONS; p++) this.owners[p] = p % options.nodes
    for (const node of this.nodes) node.info = this.infoContext(node)
  }

  ownerOf(partition: number): number {
    return this.owners[partition]!
  }

  async start(): Promise<void> {
    try {
      for (const node of this.nodes) await node.start()
    } catch (error) {
      await this.stop()
      throw error
    }
  }

  async stop(): Promise<void> {
    for (const node of this.nodes) await node.stop()
  }

  async stopNode(index: number, handOff = false): Promise<void> {
    const node = this.nodes[index]
    if (node === undefined || !node.running) return
    await node.stop()
    this.peersGeneration++
    const running = this.nodes.filter((n) => n.running)
    if (handOff && running.length > 0) {
      let next = 0
      for (let p = 0; p < N_PARTITIONS; p++) {
        if (this.owners[p] === index) this.owners[p] = running[next++ % running.length]!.index
      }
      this.partitionGeneration++
    }
  }

  async startNode(index: number): Promise<void> {
    const node = this.nodes[index]
    if (node === undefined || node.running) return
    await node.start()
    this.peersGeneration++
    // Partitions handed off while it was away come back to it.
    let moved = false
    for (let p = 0; p < N_PARTITIONS; p++) {
      if (p % this.options.nodes === index && this.owners[p] !== index) {
        this.owners[p] = index
        moved = true
      }
    }
    if (moved) this.partitionGeneration++
  }

  /** The first `times` scans of each of these partitions get PARTITION_DONE with `resultCode` (default 11). */
  addScanFault(rule: ScanFaultRule): void {
    const times = rule.times ?? 1
    if (!(Number.isInteger(times) && times >= 1) && times !== Infinity) {
      throw new Error(`times must be a positive integer, got ${String(times)}`)
    }
    const resultCode = rule.resultCode ?? 11
    if (!Number.isInteger(resultCode) || resultCode < 1 || resultCode > 255) {
      throw new Error(`resultCode must be 1..255, got ${String(resultCode)}`)
    }
    for (const p of rule.partitions) {
      if (!Number.isInteger(p) || p < 0 || p >= N_PARTITIONS) {
        throw new Error(`partition ids must be 0..4095, got ${String(p)}`)
      }
    }
    this.scanFaults.push({
      partitions: new Set(rule.partitions),
      node: rule.node ?? null,
      resultCode,
      times,
      hits: new Map(),
    })
  }

  /**
   * The code a scan on `node` must report for `partition` instead of reading it, or 0. Each call
   * counts as one use of the rules that match it.
   */
  takeScanFault(node: number, partition: number): number {
    for (const rule of this.scanFaults) {
      if (rule.node !== null && rule.node !== node) continue
      if (!rule.partitions.has(partition)) continue
      const hits = rule.hits.get(partition) ?? 0
      if (hits >= rule.times) continue
      rule.hits.set(partition, hits + 1)
      return rule.resultCode
    }
    return 0
  }

  /** Delay for the next response, in ms (0 = none). */
  responseDelay(): number {
    const { min, max } = this.latency
    if (max <= 0) return 0
    return min + Math.random() * (max - min)
  }

  addDropRule(rule: DropResponsesRule): void {
    const times = rule.times ?? 1
    if (!Number.isInteger(times) || times < 1)
      throw new Error(`times must be a positive integer, got ${String(times)}`)
    if (
      rule.afterBytes !== undefined &&
      !(Number.isInteger(rule.afterBytes) && rule.afterBytes >= 0)
    ) {
      throw new Error(`afterBytes must be a non-negative integer, got ${String(rule.afterBytes)}`)
    }
    if (rule.command !== undefined && !['record', 'batch', 'scan'].includes(rule.command)) {
      throw new Error(`command must be 'record', 'batch' or 'scan', got ${String(rule.command)}`)
    }
    this.dropRules.push({
      node: rule.node ?? null,
      remaining: times,
      afterBytes: rule.afterBytes ?? null,
      command: rule.command ?? null,
    })
  }

  /** If a data response of this node must be cut, how many of its bytes to send first; else -1. */
  takeDrop(node: number, responseLength: number, kind: ResponseKind): number {
    for (let i = 0; i < this.dropRules.length; i++) {
      const rule = this.dropRules[i]!
      if (rule.node !== null && rule.node !== node) continue
      if (rule.command !== null && rule.command !== kind) continue
      rule.remaining--
      if (rule.remaining <= 0) this.dropRules.splice(i, 1)
      const after = rule.afterBytes ?? Math.floor(responseLength / 2)
      return Math.min(after, Math.max(0, responseLength - 1))
    }
    return -1
  }

  clearDropRules(): void {
    this.dropRules = []
    this.scanFaults = []
  }

  namespaceStore(namespace: string): NamespaceStore {
    const store = this.namespaces.get(namespace)
    if (store === undefined)
      throw new Error(
        `unknown namespace ${JSON.stringify(namespace)}; this devserver has ${[...this.namespaces.keys()].join(', ')}`,
      )
    return store
  }

  /** Digest of a key reference: a user key hashed with `set`, or a given 20-byte digest. */
  resolveDigest(set: string, key: KeyRef): Uint8Array {
    if (typeof key === 'object' && key !== null && !(key instanceof Uint8Array)) {
      if (!(key.digest instanceof Uint8Array) || key.digest.length !== 20) {
        throw new Error('a digest key must be { digest: Uint8Array } of 20 bytes')
      }
      return key.digest
    }
    return keyDigest(set, key as UserKey)
  }

  countRecords(namespace: string, set: string | null, node: number | null): number {
    const store = this.namespaceStore(namespace)
    const now = clepochNow()
    let count = 0
    for (const [key, record] of store.records) {
      if (isExpired(record, now)) continue
      if (set !== null && record.set !== set) continue
      if (node !== null && this.ownerOf(partitionOfKey(key)) !== node) continue
      count++
    }
    return count
  }

  setsOf(namespace: string): { set: string; objects: number }[] {
    const store = this.namespaceStore(namespace)
    const now = clepochNow()
    const counts = new Map<string, number>()
    for (const record of store.records.values()) {
      if (isExpired(record, now) || record.set === '') continue
      counts.set(record.set, (counts.get(record.set) ?? 0) + 1)
    }
    return [...counts].map(([set, objects]) => ({ set, objects }))
  }

  private infoContext(node: DevNode): InfoContext {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const cluster = this
    return {
      get nodeName() {
        return node.name
      },
      nodeIndex: node.index,
      namespaces: this.options.namespaces,
      clusterName: this.options.clusterName,
      get clusterSize() {
        return cluster.nodes.filter((n) => n.running).length
      },
      get partitionGeneration() {
        return cluster.partitionGeneration
      },
      get peersGeneration() {
        return cluster.peersGeneration
      },
      rebalanceGeneration: 1,
      peers: () =>
        cluster.nodes
          .filter((n) => n !== node && n.running)
          .map((n) => ({ name: n.name, host: n.host, port: n.port })),
      get defaultPort() {
        return node.port
      },
      get replicasBitmap() {
        return node.replicas
      },
      countRecords: (ns, set) => cluster.countRecords(ns, set, null),
      setsOf: (ns) => cluster.setsOf(ns),
      truncate: (ns, set, beforeMs) => cluster.namespaceStore(ns).truncate(set, beforeMs),
      namespaceConfig: (ns) => cluster.namespaceStore(ns).config,
      uptimeSeconds: () => Math.floor((Date.now() - cluster.startedAt) / 1000),
    }
  }
}

function partitionOfKey(key: string): number {
  return partitionId(Buffer.from(key.slice(0, 2), 'latin1'))
}
