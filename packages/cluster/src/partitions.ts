import { N_PARTITIONS } from '@aerospike-numpy/wire'
import { ClientError } from '@aerospike-numpy/core'

/** Base64 length of a 4096-bit ownership bitmap (512 bytes, padded). */
const BITMAP_B64_LENGTH = 684
const BITMAP_BYTES = N_PARTITIONS / 8
const NAMESPACE_MAX_LENGTH = 31
const MAX_NAMESPACES = 32
/** The client keeps at most this many replica columns (AS_MAX_REPLICATION_FACTOR). */
const MAX_REPLICAS = 3
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

export interface NamespaceReplicas {
  namespace: string
  regime: number
  replicaCount: number
  /** One 512-byte bitmap per kept replica column (at most 3); bit i set = this node holds partition i. */
  bitmaps: Uint8Array[]
}

/**
 * Parses a `replicas` value: `<ns>:<regime>,<count>,<b64>[,<b64>…][;<ns>:…]`, with or without a
 * trailing `;` (client as_partition_tables_update_all). Every bitmap must be exactly 684 base64
 * characters; anything else is a ClientError naming the namespace.
 */
export function parseReplicas(value: string): NamespaceReplicas[] {
  const out: NamespaceReplicas[] = []
  for (const entry of value.split(';')) {
    if (entry.length === 0) continue
    const colon = entry.indexOf(':')
    const namespace = colon < 0 ? entry : entry.slice(0, colon)
    if (colon <= 0 || namespace.length > NAMESPACE_MAX_LENGTH) {
      throw new ClientError(
        `replicas reply: invalid namespace ${JSON.stringify(namespace.slice(0, 40))}`,
      )
    }
    const parts = entry.slice(colon + 1).split(',')
    if (parts.length < 2 || !/^\d+$/.test(parts[0]!) || !/^\d+$/.test(parts[1]!)) {
      throw new ClientError(
        `replicas reply for namespace "${namespace}": expected <regime>,<count>,<bitmaps>`,
      )
    }
    const regime = Number(parts[0])
    const replicaCount = Number(parts[1])
    if (replicaCount < 1 || replicaCount > 255) {
      throw new ClientError(
        `replicas reply for namespace "${namespace}": replica count ${replicaCount} outside 1..255`,
      )
    }
    if (parts.length !== 2 + replicaCount) {
      throw new ClientError(
        `replicas reply for namespace "${namespace}": ${parts.length - 2} bitmaps for ${replicaCount} replicas`,
      )
    }
    const bitmaps: Uint8Array[] = []
    for (let r = 0; r < replicaCount; r++) {
      const b64 = parts[2 + r]!
      if (b64.length !== BITMAP_B64_LENGTH || !BASE64.test(b64)) {
        throw new ClientError(
          `replicas reply for namespace "${namespace}": replica ${r} bitmap is ${b64.length} characters, expected ${BITMAP_B64_LENGTH} base64 characters`,
        )
      }
      if (r < MAX_REPLICAS)
        bitmaps.push(new Uint8Array(Buffer.from(b64, 'base64').subarray(0, BITMAP_BYTES)))
    }
    out.push({ namespace, regime, replicaCount, bitmaps })
  }
  if (out.length > MAX_NAMESPACES) {
    throw new ClientError(
      `replicas reply lists ${out.length} namespaces, at most ${MAX_NAMESPACES} allowed`,
    )
  }
  return out
}

/** Whether bit `partition` is set in an ownership bitmap (MSB first). */
export function ownsPartition(bitmap: Uint8Array, partition: number): boolean {
  return (bitmap[partition >> 3]! & (0x80 >> (partition & 7))) !== 0
}

interface NamespaceTable<N> {
  /** Master node per partition (replica column 0). */
  masters: (N | undefined)[]
  regimes: Uint32Array
}

/**
 * Per-namespace table of the master node of each of the 4096 partitions. A node's claim replaces
 * the current owner unless its regime is older (client decode_and_update).
 */
export class PartitionMap<N> {
  private readonly tables = new Map<string, NamespaceTable<N>>()

  /** Applies one node's `replicas` reply. */
  update(node: N, replicas: readonly NamespaceReplicas[]): void {
    for (const ns of replicas) {
      let table = this.tables.get(ns.namespace)
      if (table === undefined) {
        if (this.tables.size >= MAX_NAMESPACES) continue
        table = {
          masters: new Array<N | undefined>(N_PARTITIONS).fill(undefined),
          regimes: new Uint32Array(N_PARTITIONS),
        }
        this.tables.set(ns.namespace, table)
      }
      const master = ns.bitmaps[0]!
      for (let i = 0; i < N_PARTITIONS; i++) {
        if (!ownsPartition(master, i)) continue
        if (ns.regime >= table.regimes[i]!) {
          table.regimes[i] = ns.regime
          table.masters[i] = node
        }
      }
    }
  }

  /** Forgets every partition a removed node held. */
  removeNode(node: N): void {
    for (const table of this.tables.values()) {
      for (let i = 0; i < N_PARTITIONS; i++)
        if (table.masters[i] === node) table.masters[i] = undefined
    }
  }

  hasNamespace(namespace: string): boolean {
    return this.tables.has(namespace)
  }

  namespaces(): string[] {
    return [...this.tables.keys()]
  }

  /** The master of `partition` in `namespace`; undefined if the namespace or its owner is unknown. */
  master(namespace: string, partition: number): N | undefined {
    return this.tables.get(namespace)?.masters[partition]
  }

  /** The masters table of a namespace (index = partition id), for per-row lookups without a map lookup. */
  masters(namespace: string): readonly (N | undefined)[] | undefined {
    return this.tables.get(namespace)?.masters
  }

  /** How many partitions (over all namespaces) have `node` as master. */
  refCount(node: N): number {
    let n = 0
    for (const table of this.tables.values()) for (const m of table.masters) if (m === node) n++
    return n
  }
}
