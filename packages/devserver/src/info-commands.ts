// Answers to info commands, as the C client's tend and a real server's thr_info.c give them.
// Values only: framing (`name\tvalue\n`) is the wire package's job.

import { N_PARTITIONS, parseInfoCommand } from '@aerospike-numpy/wire'

import type { NamespaceConfig } from './store.js'

export const SERVER_BUILD = '8.0.0.0'

/** A real 8.0 server's feature list; only C client 7.1 asks for it (it needs pscans, batch-any). */
export const SERVER_FEATURES =
  'batch-any;batch-index;blob-bits;cdt-index;cdt-list;cdt-map;cluster-stable;float;geo;sindex-exists;peers;pipelining;pquery;pscans;query-show;relaxed-sc;replicas;replicas-all;replicas-master;replicas-max;truncate-namespace;udf'

export const UNRECOGNIZED = 'ERROR:4:unrecognized command'

/** What an info command may ask of the cluster, seen from one node. */
export interface InfoContext {
  nodeName: string
  nodeIndex: number
  namespaces: readonly string[]
  clusterName: string | null
  clusterSize: number
  partitionGeneration: number
  peersGeneration: number
  rebalanceGeneration: number
  /** Other running nodes: name, host, port. */
  peers(): readonly { name: string; host: string; port: number }[]
  defaultPort: number
  /** base64 of the 512-byte ownership bitmap of this node. */
  replicasBitmap: string
  countRecords(namespace: string, set: string | null): number
  setsOf(namespace: string): readonly { set: string; objects: number }[]
  /** Deletes records of ns (or ns+set) updated at or before `beforeMs`; returns how many. */
  truncate(namespace: string, set: string | null, beforeMs: number): number
  uptimeSeconds(): number
  /** The namespace settings a client may read (nsup-period, default-ttl, …). */
  namespaceConfig(namespace: string): NamespaceConfig
}

/** The 684-char base64 bitmap (MSB-first) of the partitions `owns` says this node masters. */
export function replicasBitmap(owns: (partition: number) => boolean): string {
  const bitmap = Buffer.alloc(N_PARTITIONS / 8)
  for (let p = 0; p < N_PARTITIONS; p++) {
    if (owns(p)) bitmap[p >> 3]! |= 0x80 >> (p & 7)
  }
  return bitmap.toString('base64')
}

function formatPeerHost(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}

const NANOS_PER_MS = 1_000_000n

function truncateCommand(
  ctx: InfoContext,
  params: ReadonlyMap<string, string>,
  withSet: boolean,
): string {
  const namespace = params.get('namespace')
  if (namespace === undefined || namespace.length === 0) return "ERROR:4:missing 'namespace'"
  if (!ctx.namespaces.includes(namespace)) return 'ERROR:4:unknown namespace'
  const set = params.get('set') ?? null
  if (!withSet && set !== null) return 'ERROR:4:unexpected set name'
  if (set !== null && (set.length === 0 || set.length > 63)) return 'ERROR:4:bad set name'
  let beforeMs = Date.now()
  const lut = params.get('lut')
  if (lut !== undefined) {
    if (!/^\d{1,20}$/.test(lut)) return "ERROR:4:bad 'lut'"
    const lutMs = Number(BigInt(lut) / NANOS_PER_MS)
    if (lutMs > beforeMs) return 'ERROR:4:would truncate in the future'
    beforeMs = lutMs
  }
  ctx.truncate(namespace, set, beforeMs)
  return 'ok'
}

function namespaceStats(ctx: InfoContext, namespace: string): string {
  const objects = ctx.countRecords(namespace, null)
  const config = ctx.namespaceConfig(namespace)
  return [
    `ns_cluster_size=${ctx.clusterSize}`,
    `objects=${objects}`,
    `master_objects=${objects}`,
    'replication-factor=1',
    `default-ttl=${config.defaultTtl}`,
    `nsup-period=${config.nsupPeriod}`,
    `allow-ttl-without-nsup=${String(config.allowTtlWithoutNsup)}`,
    `max-record-size=${config.maxRecordSize}`,
    'storage-engine=memory',
    'strong-consistency=false',
  ].join(';')
}

function setsList(ctx: InfoContext, namespaces: readonly string[]): string {
  const parts: string[] = []
  for (const ns of namespaces) {
    for (const { set, objects } of ctx.setsOf(ns))
      parts.push(`ns=${ns}:set=${set}:objects=${objects}:tombstones=0`)
  }
  return parts.map((p) => `${p};`).join('')
}

/** The value for one request line (without the echoed name). */
export function answerInfoCommand(ctx: InfoContext, line: string): string {
  const { name, params } = parseInfoCommand(line)
  switch (name) {
    case 'node':
      return ctx.nodeName
    case 'build':
      return SERVER_BUILD
    case 'version':
      return `Aerospike Community Edition build ${SERVER_BUILD}`
    case 'edition':
      return 'Aerospike Community Edition'
    case 'features':
      return SERVER_FEATURES
    case 'partitions':
      return String(N_PARTITIONS)
    case 'partition-generation':
      return String(ctx.partitionGeneration)
    case 'peers-generation':
      return String(ctx.peersGeneration)
    case 'rebalance-generation':
      return String(ctx.rebalanceGeneration)
    case 'cluster-name':
      return ctx.clusterName ?? 'null'
    case 'cluster-size':
      return String(ctx.clusterSize)
    case 'peers-clear-std':
    case 'peers-clear-alt': {
      const peers = ctx
        .peers()
        .map((peer) => `[${peer.name},,[${formatPeerHost(peer.host, peer.port)}]]`)
      return `${ctx.peersGeneration},${ctx.defaultPort},[${peers.join(',')}]`
    }
    case 'peers-tls-std':
    case 'peers-tls-alt':
      return `${ctx.peersGeneration},,[]`
    case 'service-clear-std':
    case 'service-clear-alt':
      // Empty: the client keeps the address it connected to (no load-balancer detection).
      return ''
    case 'replicas':
      return ctx.namespaces.map((ns) => `${ns}:0,1,${ctx.replicasBitmap}`).join(';')
    case 'replicas-master':
    case 'replicas-all':
      return ctx.namespaces.map((ns) => `${ns}:${ctx.replicasBitmap}`).join(';')
    case 'rack-ids':
      return ctx.namespaces.map((ns) => `${ns}:0`).join(';')
    case 'namespaces':
      return ctx.namespaces.join(';')
    case 'user-agent-set':
      return 'ok'
    case 'truncate':
      return truncateCommand(ctx, params, true)
    case 'truncate-namespace':
      return truncateCommand(ctx, params, false)
    case 'statistics':
      return [
        `cluster_size=${ctx.clusterSize}`,
        `uptime=${ctx.uptimeSeconds()}`,
        `objects=${ctx.namespaces.reduce((sum, ns) => sum + ctx.countRecords(ns, null), 0)}`,
      ].join(';')
    case 'sets':
      return setsList(ctx, ctx.namespaces)
    default:
      break
  }
  if (name.startsWith('namespace/')) {
    const ns = name.slice('namespace/'.length)
    // A real server answers an unknown namespace this way, not with an error (thr_info.c).
    return ctx.namespaces.includes(ns) ? namespaceStats(ctx, ns) : 'type=unknown'
  }
  if (name.startsWith('sets/')) {
    const [ns, set] = name.slice('sets/'.length).split('/')
    if (ns === undefined || !ctx.namespaces.includes(ns)) return 'ERROR:2:not found'
    if (set !== undefined) {
      return `objects=${ctx.countRecords(ns, set)}:tombstones=0:truncate_lut=0`
    }
    return setsList(ctx, [ns])
  }
  return UNRECOGNIZED
}
