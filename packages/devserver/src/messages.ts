// Messages between startDevServer() (caller's thread) and the server worker. Only structured-clone
// data crosses: plain objects, numbers, strings, bigints and Uint8Arrays.

import type { NamespaceConfig } from './store.js'

/** A record key as tests name it: a user key (hashed with the set into a digest) or a digest. */
export type KeyRef = number | bigint | string | Uint8Array | { digest: Uint8Array }

export type OpKind = 'write' | 'read' | 'all'

export interface FaultRule {
  namespace?: string
  set?: string
  /** Only these keys (user keys are hashed with `set`, or '' when no set is given). */
  keys?: readonly KeyRef[]
  /** Only this share of keys, chosen by a seeded hash of the digest (stable across attempts). */
  fraction?: number
  seed?: number
  /** The result code each matching attempt gets instead of being executed. */
  resultCode: number
  /** Fail only the first `times` attempts per key; later attempts run normally. Default: every attempt. */
  times?: number
  /** Which commands the rule hits. Default 'all'. */
  ops?: OpKind
}

export interface Latency {
  min: number
  max: number
}

export interface DropResponsesRule {
  /** Node index, or every node when absent. */
  node?: number
  /** How many data responses (AS_MSG replies) to cut; default 1. */
  times?: number
  /** Bytes of the response written before the socket is destroyed; default half of it. */
  afterBytes?: number
  /** Only responses to this kind of request (record command, batch, scan); default any. */
  command?: 'record' | 'batch' | 'scan'
}

export interface ScanFaultRule {
  /** Partitions a scan reports it could not read (PARTITION_DONE with `resultCode`). */
  partitions: readonly number[]
  /** Only scans sent to this node index; default any. */
  node?: number
  /** Default 11 (partition unavailable), as a real server reports a partition it cannot reserve. */
  resultCode?: number
  /** How many scans of each partition fail; default 1. */
  times?: number
}

export interface NodeDescription {
  index: number
  name: string
  host: string
  port: number
  running: boolean
}

export interface StoredBin {
  name: string
  particleType: number
  /** The particle's value bytes exactly as stored (and as sent back to clients). */
  bytes: Uint8Array
  /** Decoded for integer, float, string and bool particles; otherwise the bytes. */
  value: number | bigint | string | boolean | Uint8Array | null
}

export interface StoredRecord {
  namespace: string
  set: string
  digest: Uint8Array
  partitionId: number
  /** Index of the node owning the record's partition. */
  node: number
  generation: number
  /** Seconds since 2010-01-01T00:00:00Z; 0 = never expires. */
  voidTime: number
  /** Seconds left; -1 = never expires. */
  ttl: number
  /** Last update, Unix epoch milliseconds. */
  lastUpdateMs: number
  /** The user key the client sent with policy key=SEND, or null. */
  userKey: {
    particleType: number
    bytes: Uint8Array
    value: number | bigint | string | Uint8Array
  } | null
  bins: StoredBin[]
}

export interface MemoryStats {
  records: number
  heapUsed: number
  heapTotal: number
  external: number
  arrayBuffers: number
  rss: number
}

/** Control requests, caller → worker. */
export type ControlRequest =
  | { kind: 'injectFault'; rule: FaultRule }
  | { kind: 'clearFaults' }
  | { kind: 'setLatency'; latency: Latency }
  | { kind: 'dropConnections'; node: number | null }
  | { kind: 'connectionCount'; node: number | null }
  | { kind: 'dropNextResponses'; rule: DropResponsesRule }
  | { kind: 'stopNode'; node: number; handOff: boolean }
  | { kind: 'failScanPartitions'; rule: ScanFaultRule }
  | { kind: 'startNode'; node: number }
  | { kind: 'describeNodes' }
  | { kind: 'recordCount'; namespace: string; set: string | null; node: number | null }
  | { kind: 'getRecord'; namespace: string; set: string; key: KeyRef }
  | { kind: 'writeCount'; namespace: string; set: string; key: KeyRef }
  | { kind: 'resetCounters' }
  | { kind: 'truncate'; namespace: string; set: string | null }
  | { kind: 'memoryStats'; gc: boolean }
  | { kind: 'stop' }

/** The value each control request resolves with. */
export interface ControlResults {
  injectFault: number
  clearFaults: void
  setLatency: void
  dropConnections: number
  connectionCount: number
  dropNextResponses: void
  stopNode: void
  failScanPartitions: void
  startNode: void
  describeNodes: NodeDescription[]
  recordCount: number
  getRecord: StoredRecord | null
  writeCount: number
  resetCounters: void
  truncate: number
  memoryStats: MemoryStats
  stop: void
}

export interface StartOptions {
  host: string
  port: number
  nodes: number
  namespaces: string[]
  clusterName: string | null
  maxFrameBytes: number
  namespaceConfig: NamespaceConfig
}

/** Worker → caller. */
export type WorkerMessage =
  | { kind: 'ready'; nodes: NodeDescription[] }
  | { kind: 'startFailed'; message: string }
  | { kind: 'reply'; id: number; ok: true; value: unknown }
  | { kind: 'reply'; id: number; ok: false; code: string; message: string }

/** Caller → worker. */
export interface ControlEnvelope {
  id: number
  request: ControlRequest
}
