// startDevServer(): the caller's side. The server itself runs in a worker thread, because the
// official client's connect(), info() and truncate() block the calling thread while they wait for
// the server; a server on that same event loop would never answer.

import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'

import { DevServerError } from './errors.js'
import { DEFAULT_NAMESPACE_CONFIG, type NamespaceConfig } from './store.js'
import type {
  ControlEnvelope,
  ControlRequest,
  ControlResults,
  DropResponsesRule,
  FaultRule,
  KeyRef,
  ScanFaultRule,
  MemoryStats,
  NodeDescription,
  StartOptions,
  StoredRecord,
  WorkerMessage,
} from './messages.js'

export interface DevServerOptions {
  /** Interface to listen on; loopback by default. */
  host?: string
  /** Port of node 0; node i listens on port + i. 0 = a free port per node. */
  port?: number
  nodes?: number
  namespaces?: readonly string[]
  clusterName?: string
  /** Largest request frame accepted (bytes); bigger frames close the connection. Default 32 MiB. */
  maxFrameBytes?: number
  /**
   * Every namespace's `nsup-period` in seconds. Default 120 (as the official Docker image sets
   * it). 0 is the packaged aerospike.conf's default: then any write that sets a TTL fails with 22
   * FAIL_FORBIDDEN, unless `allowTtlWithoutNsup`.
   */
  nsupPeriod?: number
  /** Every namespace's `default-ttl` in seconds, for writes with TTL 0. Default 0 (never expire). */
  defaultTtl?: number
  allowTtlWithoutNsup?: boolean
  /** Every namespace's `max-record-size` in bytes; bigger records fail with 13. Default 1 MiB. */
  maxRecordSize?: number
  /** Keep the process alive while the server runs (the CLI); tests let the process exit. */
  keepProcessAlive?: boolean
}

export interface DevServer {
  /** 'host:port' of every node, comma-separated, as `AEROSPIKE_HOSTS` spells it. */
  readonly hosts: string
  readonly seeds: readonly { host: string; port: number }[]
  readonly nodes: readonly NodeDescription[]
  readonly namespaces: readonly string[]
  readonly clusterName: string | null
  /** Make matching commands fail with a result code; resolves with the rule's id. */
  injectFault(rule: FaultRule): Promise<number>
  clearFaults(): Promise<void>
  /** Delay every response by ms, or by a uniformly random time in [min, max]. 0 turns it off. */
  setLatency(latency: number | { min: number; max: number }): Promise<void>
  /** Destroy open client connections (of one node, or all); resolves with how many. */
  dropConnections(node?: number): Promise<number>
  /** Open client connections (of one node, or all), left as they are. */
  connectionCount(node?: number): Promise<number>
  /** Cut the next data responses part-way and destroy their connections. */
  dropNextResponses(rule?: DropResponsesRule): Promise<void>
  /**
   * Close node i's listener and connections; peers stop listing it. Its partitions stay its own
   * (requests for them fail), or with `handOff` the running nodes take them over, as a real
   * cluster does once it has re-formed without the node; they come back when it restarts.
   */
  stopNode(node: number, options?: { handOff?: boolean }): Promise<void>
  /** Scans report these partitions unavailable (PARTITION_DONE with a result code), as a real node can. */
  failScanPartitions(rule: ScanFaultRule): Promise<void>
  /** Listen again on node i's port, with its old name and records. */
  startNode(node: number): Promise<void>
  /** The nodes' current state. */
  describeNodes(): Promise<NodeDescription[]>
  /** Live (unexpired) records of a namespace, optionally of one set and/or owned by one node. */
  recordCount(namespace: string, set?: string, node?: number): Promise<number>
  getRecord(namespace: string, set: string, key: KeyRef): Promise<StoredRecord | null>
  /** Write attempts that reached this key since the last resetCounters(), failed ones included. */
  writeCount(namespace: string, set: string, key: KeyRef): Promise<number>
  resetCounters(): Promise<void>
  /** Delete every record of a namespace (or one set) at once; resolves with how many. */
  truncate(namespace: string, set?: string): Promise<number>
  /** Time the server thread spent busy and idle since it started (its event-loop utilization). */
  serverLoad(): { activeMs: number; idleMs: number }
  /** Memory of the server's thread (heap of its isolate; rss is the whole process). */
  memoryStats(options?: { gc?: boolean }): Promise<MemoryStats>
  stop(): Promise<void>
}

const DEFAULT_MAX_FRAME_BYTES = 32 * 1024 * 1024
const NAMESPACE_NAME = /^[A-Za-z0-9_-]{1,31}$/

function workerEntry(): string {
  // From dist/ the worker sits beside this file; under vitest (src/*.ts) use the built one.
  const here = fileURLToPath(import.meta.url)
  const sibling = fileURLToPath(new URL('./worker.js', import.meta.url))
  if (!here.endsWith('.ts') && existsSync(sibling)) return sibling
  const built = fileURLToPath(new URL('../dist/worker.js', import.meta.url))
  if (existsSync(built)) return built
  throw new DevServerError(
    'DEVSERVER_START_FAILED',
    `devserver worker not found at ${built}; build @aerospike-numpy/devserver first`,
  )
}

/** Every option startDevServer knows; anything else is a typo that would be silently ignored. */
const OPTION_KEYS: readonly (keyof DevServerOptions)[] = [
  'host',
  'port',
  'nodes',
  'namespaces',
  'clusterName',
  'maxFrameBytes',
  'nsupPeriod',
  'defaultTtl',
  'allowTtlWithoutNsup',
  'maxRecordSize',
  'keepProcessAlive',
]

function badOption(message: string, cause?: unknown): DevServerError {
  return new DevServerError('DEVSERVER_BAD_OPTION', message, cause === undefined ? {} : { cause })
}

function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'bigint') return `${value}n`
  if (typeof value === 'object' && value !== null)
    return Array.isArray(value) ? 'an array' : 'an object'
  return String(value)
}

/** The options as a snapshot of known own keys: an unknown key or a non-object is refused. */
function readOptions(options: unknown): DevServerOptions {
  if (options === undefined) return {}
  try {
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw badOption(`options must be an object, got ${shown(options)}`)
    }
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(options)) {
      if (!(OPTION_KEYS as readonly string[]).includes(key)) {
        throw badOption(`unknown option ${JSON.stringify(key)} (known: ${OPTION_KEYS.join(', ')})`)
      }
      out[key] = (options as Record<string, unknown>)[key]
    }
    return out as DevServerOptions
  } catch (error) {
    if (error instanceof DevServerError) throw error
    throw badOption(`options could not be read: ${(error as Error)?.message}`, error)
  }
}

function resolveOptions(options: DevServerOptions): StartOptions {
  if (options.namespaces !== undefined && !Array.isArray(options.namespaces)) {
    throw badOption(`namespaces must be an array of names, got ${shown(options.namespaces)}`)
  }
  if (options.clusterName !== undefined && typeof options.clusterName !== 'string') {
    throw badOption(`clusterName must be a string, got ${shown(options.clusterName)}`)
  }
  if (options.keepProcessAlive !== undefined && typeof options.keepProcessAlive !== 'boolean') {
    throw badOption(`keepProcessAlive must be a boolean, got ${shown(options.keepProcessAlive)}`)
  }
  const host = options.host ?? '127.0.0.1'
  const port = options.port ?? 0
  const nodes = options.nodes ?? 1
  const namespaces = [...(options.namespaces ?? ['test', 'bar'])]
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES
  if (typeof host !== 'string' || host.length === 0) {
    throw new DevServerError(
      'DEVSERVER_BAD_OPTION',
      `host must be a non-empty string, got ${shown(host)}`,
    )
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new DevServerError(
      'DEVSERVER_BAD_OPTION',
      `port must be an integer 0..65535, got ${shown(port)}`,
    )
  }
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 64) {
    throw new DevServerError(
      'DEVSERVER_BAD_OPTION',
      `nodes must be an integer 1..64, got ${shown(nodes)}`,
    )
  }
  if (port !== 0 && port + nodes - 1 > 65535) {
    throw new DevServerError(
      'DEVSERVER_BAD_OPTION',
      `ports ${port}..${port + nodes - 1} exceed 65535`,
    )
  }
  if (namespaces.length === 0 || namespaces.length > 32) {
    throw new DevServerError(
      'DEVSERVER_BAD_OPTION',
      `namespaces must list 1..32 names, got ${namespaces.length}`,
    )
  }
  for (const ns of namespaces) {
    if (typeof ns !== 'string' || !NAMESPACE_NAME.test(ns)) {
      throw new DevServerError(
        'DEVSERVER_BAD_OPTION',
        `namespace name ${JSON.stringify(ns)} must be 1..31 of [A-Za-z0-9_-]`,
      )
    }
  }
  if (new Set(namespaces).size !== namespaces.length) {
    throw new DevServerError(
      'DEVSERVER_BAD_OPTION',
      `namespaces contain a duplicate: ${namespaces.join(',')}`,
    )
  }
  const clusterName = options.clusterName ?? null
  if (clusterName !== null && (clusterName.length === 0 || /[\s;:,\t\n]/.test(clusterName))) {
    throw new DevServerError(
      'DEVSERVER_BAD_OPTION',
      `clusterName ${JSON.stringify(clusterName)} must be non-empty without separators`,
    )
  }
  if (
    !Number.isInteger(maxFrameBytes) ||
    maxFrameBytes < 1024 ||
    maxFrameBytes > 128 * 1024 * 1024
  ) {
    throw new DevServerError(
      'DEVSERVER_BAD_OPTION',
      `maxFrameBytes must be an integer 1024..134217728, got ${shown(maxFrameBytes)}`,
    )
  }
  const namespaceConfig = resolveNamespaceConfig(options)
  return { host, port, nodes, namespaces, clusterName, maxFrameBytes, namespaceConfig }
}

/** A real server's largest record (its largest write block): 8 MiB. */
const MAX_RECORD_SIZE = 8 * 1024 * 1024

/** A real server's limit on TTLs and default-ttl: 10 years. */
const MAX_TTL_SECONDS = 10 * 365 * 24 * 3600

function resolveNamespaceConfig(options: DevServerOptions): NamespaceConfig {
  const nsupPeriod = options.nsupPeriod ?? DEFAULT_NAMESPACE_CONFIG.nsupPeriod
  const defaultTtl = options.defaultTtl ?? DEFAULT_NAMESPACE_CONFIG.defaultTtl
  const allowTtlWithoutNsup =
    options.allowTtlWithoutNsup ?? DEFAULT_NAMESPACE_CONFIG.allowTtlWithoutNsup
  if (!Number.isInteger(nsupPeriod) || nsupPeriod < 0 || nsupPeriod > MAX_TTL_SECONDS) {
    throw new DevServerError(
      'DEVSERVER_BAD_OPTION',
      `nsupPeriod must be an integer 0..${MAX_TTL_SECONDS} (seconds), got ${shown(nsupPeriod)}`,
    )
  }
  if (!Number.isInteger(defaultTtl) || defaultTtl < 0 || defaultTtl > MAX_TTL_SECONDS) {
    throw new DevServerError(
      'DEVSERVER_BAD_OPTION',
      `defaultTtl must be an integer 0..${MAX_TTL_SECONDS} (seconds), got ${shown(defaultTtl)}`,
    )
  }
  if (typeof allowTtlWithoutNsup !== 'boolean') {
    throw new DevServerError(
      'DEVSERVER_BAD_OPTION',
      `allowTtlWithoutNsup must be a boolean, got ${shown(allowTtlWithoutNsup)}`,
    )
  }
  const maxRecordSize = options.maxRecordSize ?? DEFAULT_NAMESPACE_CONFIG.maxRecordSize
  if (!Number.isInteger(maxRecordSize) || maxRecordSize < 1024 || maxRecordSize > MAX_RECORD_SIZE) {
    throw new DevServerError(
      'DEVSERVER_BAD_OPTION',
      `maxRecordSize must be an integer 1024..${MAX_RECORD_SIZE} (bytes), got ${shown(maxRecordSize)}`,
    )
  }
  // A real server refuses to start with this combination (cfg.c).
  if (defaultTtl !== 0 && nsupPeriod === 0 && !allowTtlWithoutNsup) {
    throw new DevServerError(
      'DEVSERVER_BAD_OPTION',
      'defaultTtl must be 0 when nsupPeriod is 0 (unless allowTtlWithoutNsup), as on a real server',
    )
  }
  return { nsupPeriod, defaultTtl, allowTtlWithoutNsup, maxRecordSize }
}

function formatHost(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}

function checkNodeIndex(node: number, count: number): void {
  if (!Number.isInteger(node) || node < 0 || node >= count) {
    throw new DevServerError(
      'DEVSERVER_BAD_OPTION',
      `node index must be an integer 0..${count - 1}, got ${shown(node)}`,
    )
  }
}

/** Start an in-memory Aerospike-compatible cluster; resolves once every node listens. */
export async function startDevServer(input?: DevServerOptions): Promise<DevServer> {
  const options = readOptions(input)
  const start = resolveOptions(options)
  const worker = new Worker(workerEntry(), { workerData: start })
  if (options.keepProcessAlive !== true) worker.unref()

  const pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >()
  let nextId = 1
  let exited: Error | null = null

  const nodes = await new Promise<NodeDescription[]>((resolve, reject) => {
    const onMessage = (message: WorkerMessage): void => {
      if (message.kind === 'ready') {
        worker.off('error', onError)
        worker.off('exit', onExit)
        resolve(message.nodes)
      } else if (message.kind === 'startFailed') {
        reject(new DevServerError('DEVSERVER_START_FAILED', message.message))
        void worker.terminate()
      }
    }
    const onError = (error: Error): void => {
      reject(
        new DevServerError('DEVSERVER_START_FAILED', `devserver worker failed: ${error.message}`, {
          cause: error,
        }),
      )
    }
    const onExit = (code: number): void => {
      reject(
        new DevServerError(
          'DEVSERVER_START_FAILED',
          `devserver worker exited with code ${code} before listening`,
        ),
      )
    }
    worker.once('message', onMessage)
    worker.on('error', onError)
    worker.on('exit', onExit)
  })

  worker.on('message', (message: WorkerMessage) => {
    if (message.kind !== 'reply') return
    const waiter = pending.get(message.id)
    if (waiter === undefined) return
    pending.delete(message.id)
    if (message.ok) waiter.resolve(message.value)
    else waiter.reject(new DevServerError('DEVSERVER_CONTROL_FAILED', message.message))
  })
  const failAll = (error: Error): void => {
    exited = error
    for (const waiter of pending.values()) waiter.reject(error)
    pending.clear()
  }
  worker.on('error', (error) =>
    failAll(
      new DevServerError('DEVSERVER_WORKER_EXITED', `devserver worker failed: ${error.message}`, {
        cause: error,
      }),
    ),
  )
  worker.on('exit', (code) =>
    failAll(
      new DevServerError('DEVSERVER_WORKER_EXITED', `devserver worker exited with code ${code}`),
    ),
  )

  function call<K extends ControlRequest['kind']>(
    request: Extract<ControlRequest, { kind: K }>,
  ): Promise<ControlResults[K]> {
    if (exited !== null) return Promise.reject(exited)
    const id = nextId++
    return new Promise<ControlResults[K]>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
      const envelope: ControlEnvelope = { id, request }
      worker.postMessage(envelope)
    })
  }

  let stopping: Promise<void> | null = null
  const seeds = nodes.map((node) => ({ host: node.host, port: node.port }))
  const server: DevServer = {
    hosts: nodes.map((node) => formatHost(node.host, node.port)).join(','),
    seeds,
    nodes,
    namespaces: start.namespaces,
    clusterName: start.clusterName,
    injectFault: (rule) => call({ kind: 'injectFault', rule }),
    clearFaults: () => call({ kind: 'clearFaults' }),
    setLatency(latency) {
      const range = typeof latency === 'number' ? { min: latency, max: latency } : latency
      if (
        !Number.isFinite(range.min) ||
        !Number.isFinite(range.max) ||
        range.min < 0 ||
        range.max < range.min ||
        range.max > 600_000
      ) {
        return Promise.reject(
          new DevServerError(
            'DEVSERVER_BAD_OPTION',
            `latency must be 0 ≤ min ≤ max ≤ 600000 ms, got ${JSON.stringify(latency)}`,
          ),
        )
      }
      return call({ kind: 'setLatency', latency: { min: range.min, max: range.max } })
    },
    dropConnections(node) {
      if (node !== undefined) checkNodeIndex(node, nodes.length)
      return call({ kind: 'dropConnections', node: node ?? null })
    },
    connectionCount(node) {
      if (node !== undefined) checkNodeIndex(node, nodes.length)
      return call({ kind: 'connectionCount', node: node ?? null })
    },
    dropNextResponses(rule = {}) {
      if (rule.node !== undefined) checkNodeIndex(rule.node, nodes.length)
      return call({ kind: 'dropNextResponses', rule })
    },
    async stopNode(node, options) {
      checkNodeIndex(node, nodes.length)
      await call({ kind: 'stopNode', node, handOff: options?.handOff === true })
    },
    failScanPartitions(rule) {
      if (rule.node !== undefined) checkNodeIndex(rule.node, nodes.length)
      return call({ kind: 'failScanPartitions', rule })
    },
    async startNode(node) {
      checkNodeIndex(node, nodes.length)
      await call({ kind: 'startNode', node })
    },
    describeNodes: () => call({ kind: 'describeNodes' }),
    recordCount(namespace, set, node) {
      if (node !== undefined) checkNodeIndex(node, nodes.length)
      return call({ kind: 'recordCount', namespace, set: set ?? null, node: node ?? null })
    },
    getRecord: (namespace, set, key) => call({ kind: 'getRecord', namespace, set, key }),
    writeCount: (namespace, set, key) => call({ kind: 'writeCount', namespace, set, key }),
    resetCounters: () => call({ kind: 'resetCounters' }),
    truncate: (namespace, set) => call({ kind: 'truncate', namespace, set: set ?? null }),
    serverLoad() {
      const elu = worker.performance.eventLoopUtilization()
      return { activeMs: elu.active, idleMs: elu.idle }
    },
    memoryStats: (opts) => call({ kind: 'memoryStats', gc: opts?.gc === true }),
    stop() {
      if (stopping !== null) return stopping
      stopping = (async () => {
        if (exited === null) {
          try {
            await call({ kind: 'stop' })
          } catch {
            // The worker is terminated below either way.
          }
        }
        await worker.terminate()
      })()
      return stopping
    },
  }
  return server
}
