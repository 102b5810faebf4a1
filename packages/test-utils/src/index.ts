// The one place integration tests get a cluster: a fresh devserver on free ports, or the real
// cluster named by AEROSPIKE_HOSTS. Tests must not assume an empty namespace: use uniqueSetName().

import { randomBytes } from 'node:crypto'

import { startDevServer, type DevServer } from '@aerospike-numpy/devserver'
import type Aerospike from 'aerospike'

import { TestUtilsError } from './errors.js'
import { formatHosts, parseHosts } from './hosts.js'
import { namespaceTtlConfig, type NamespaceTtlConfig } from './namespace-info.js'

export { rowColumns } from './columns.js'
export { TestUtilsError, type TestUtilsErrorCode } from './errors.js'
export { formatHosts, parseHosts } from './hosts.js'
export {
  FAULT_TEST_NODES,
  controlledClusterSkipReason,
  openControlledCluster,
  serverControlEnv,
  type ControlledCluster,
  type ServerControlEnv,
  type StopWatch,
  type StopWatchOptions,
} from './server-control.js'
export {
  infoCommand,
  namespaceTtlConfig,
  parseNamespaceTtlConfig,
  type NamespaceTtlConfig,
} from './namespace-info.js'

export interface TestCluster {
  /** [host, port] of every seed. */
  readonly hosts: [string, number][]
  /** `host:port,host:port`, as AEROSPIKE_HOSTS and the official client's `hosts` string take it. */
  readonly hostsString: string
  /** The devserver behind the cluster, or null when it is a real cluster. */
  readonly devserver: DevServer | null
  readonly isReal: boolean
  /** Releases this handle; the devserver stops when its last handle is closed. */
  close(): Promise<void>
}

export interface TestClusterOptions {
  /** Devserver nodes (ignored for a real cluster). Default 1. */
  nodes?: number
  /** Devserver namespaces. Default ['test', 'bar']. */
  namespaces?: readonly string[]
}

interface SharedDevServer {
  server: Promise<DevServer>
  handles: number
}

const shared = new Map<string, SharedDevServer>()

/** The hosts in AEROSPIKE_HOSTS, or null when it is unset or empty. */
export function realClusterHosts(): [string, number][] | null {
  const text = process.env['AEROSPIKE_HOSTS']
  if (text === undefined || text.trim().length === 0) return null
  return parseHosts(text)
}

/** True when the tests run against our devserver (AEROSPIKE_HOSTS unset). */
export function usesDevServer(): boolean {
  return realClusterHosts() === null
}

/** Prints how long each step of a long test took, so a CI log shows where its time goes. */
export function stepTimer(name: string): (step: string) => void {
  let last = Date.now()
  return (step) => {
    const now = Date.now()
    console.info(`${name}: ${step} ${((now - last) / 1000).toFixed(1)} s`)
    last = now
  }
}

/** What the tests run against: our devserver, or the real cluster of AEROSPIKE_HOSTS. */
export function clusterKind(): 'devserver' | 'real' {
  return usesDevServer() ? 'devserver' : 'real'
}

/**
 * A cluster for integration tests. Devservers are shared per configuration within a process
 * (one per test file under vitest's forks pool) and stop when every handle is closed.
 */
export async function getTestCluster(options: TestClusterOptions = {}): Promise<TestCluster> {
  const nodes = options.nodes ?? 1
  if (!Number.isInteger(nodes) || nodes < 1) {
    throw new TestUtilsError(
      'TEST_UTILS_BAD_OPTION',
      `nodes must be a positive integer, got ${String(nodes)}`,
    )
  }
  const real = realClusterHosts()
  if (real !== null) {
    return {
      hosts: real,
      hostsString: formatHosts(real),
      devserver: null,
      isReal: true,
      close: async () => {},
    }
  }
  const namespaces = [...(options.namespaces ?? ['test', 'bar'])]
  const configKey = JSON.stringify({ nodes, namespaces })
  let entry = shared.get(configKey)
  if (entry === undefined) {
    const server = startDevServer({ nodes, namespaces })
    entry = { server, handles: 0 }
    shared.set(configKey, entry)
    server.catch(() => shared.delete(configKey))
  }
  entry.handles++
  const current = entry
  const devserver = await current.server
  let closed = false
  const hosts = devserver.seeds.map((seed): [string, number] => [seed.host, seed.port])
  return {
    hosts,
    hostsString: devserver.hosts,
    devserver,
    isReal: false,
    async close() {
      if (closed) return
      closed = true
      current.handles--
      if (current.handles === 0) {
        if (shared.get(configKey) === current) shared.delete(configKey)
        await devserver.stop()
      }
    },
  }
}

type AerospikeModule = typeof Aerospike
export type OfficialClient = Aerospike.Client
export type OfficialConfig = Aerospike.ConfigOptions

let officialModule: Promise<AerospikeModule> | null = null

/** The official `aerospike` module, loaded on first use (never in a worker thread). */
export function loadOfficialClient(): Promise<AerospikeModule> {
  officialModule ??= import('aerospike').then(
    (module) => (module as { default: AerospikeModule }).default,
  )
  return officialModule
}

const TEST_TIMEOUT_MS = 10_000
const TEST_TIMEOUTS = { totalTimeout: TEST_TIMEOUT_MS, socketTimeout: TEST_TIMEOUT_MS }

/**
 * The official client's policies in tests: timeouts long enough for a loaded machine (its
 * defaults give up on a batch after 1 s). `connectOfficialClient` uses them; a test that connects
 * by itself passes them as `policies`.
 */
export const OFFICIAL_TEST_POLICIES = {
  read: TEST_TIMEOUTS,
  write: TEST_TIMEOUTS,
  operate: TEST_TIMEOUTS,
  remove: TEST_TIMEOUTS,
  batch: TEST_TIMEOUTS,
  batchParentWrite: TEST_TIMEOUTS,
  info: { timeout: TEST_TIMEOUT_MS },
}

/**
 * The official client, connected to the cluster. Logging is off and timeouts are generous
 * (10 s) so a loaded CI machine does not fail tests; `config` overrides anything.
 */
export async function connectOfficialClient(
  cluster: TestCluster,
  config: OfficialConfig = {},
): Promise<OfficialClient> {
  const aerospike = await loadOfficialClient()
  const policies = { ...OFFICIAL_TEST_POLICIES, ...config.policies }
  return aerospike.connect({
    hosts: cluster.hosts.map(([addr, port]) => ({ addr, port })),
    log: { level: aerospike.log.OFF },
    ...config,
    policies,
  } as OfficialConfig)
}

let setCounter = 0

/** A set name no other test (or earlier run against a real cluster) uses; ≤ 63 bytes. */
export function uniqueSetName(prefix = 'set'): string {
  const clean = prefix.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40)
  return `${clean}_${randomBytes(4).toString('hex')}_${(setCounter++).toString(36)}`
}

/**
 * For tests that need devserver-only features (fault injection, latency, node stops):
 * `describe.skipIf(skipUnlessDevServer())(...)` or `it.skipIf(skipUnlessDevServer())(...)`.
 */
export function skipUnlessDevServer(): boolean {
  return !usesDevServer()
}

/**
 * How TTLs behave in `namespace` of the cluster (asked of its first seed): tests that write a TTL
 * check `ttlWritesAllowed` (a real server's packaged config refuses them with 22), and tests that
 * read the TTL of a record written with TTL 0 expect `defaultTtl` (0: never expires).
 */
export function clusterTtlConfig(
  cluster: TestCluster,
  namespace = 'test',
): Promise<NamespaceTtlConfig> {
  const [host, port] = cluster.hosts[0]!
  return namespaceTtlConfig(host, port, namespace)
}
