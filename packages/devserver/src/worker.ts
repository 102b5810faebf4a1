// The server worker's entry: builds the cluster from workerData, listens, then answers control
// requests from startDevServer() until told to stop. This module must never load the official
// `aerospike` addon (it aborts the process inside a worker thread).

import v8 from 'node:v8'
import vm from 'node:vm'
import { parentPort, workerData } from 'node:worker_threads'

import {
  clepochNow,
  decodeKeyField,
  decodeParticle,
  partitionId,
  ttlFromVoidTime,
} from '@aerospike-numpy/wire'

import { DevCluster } from './cluster.js'
import { validateFaultRule } from './faults.js'
import type {
  ControlEnvelope,
  ControlRequest,
  ControlResults,
  MemoryStats,
  StartOptions,
  StoredBin,
  StoredRecord,
  WorkerMessage,
} from './messages.js'
import { binName, digestKey, unpackBins } from './store.js'

const port = parentPort
if (port === null) throw new Error('the devserver worker must run in a worker thread')

const cluster = new DevCluster(workerData as StartOptions)

// Last line of defence: a bug hit by one request must not take every client's server down.
let reportedFailures = 0
process.on('uncaughtException', (error) => {
  if (reportedFailures++ < 5)
    process.stderr.write(
      `devserver: unexpected error (still serving): ${error.stack ?? String(error)}\n`,
    )
})

function post(message: WorkerMessage): void {
  port!.postMessage(message)
}

function binValue(particleType: number, bytes: Uint8Array): StoredBin['value'] {
  try {
    const value = decodeParticle(particleType, bytes, 0, bytes.length)
    switch (value.type) {
      case 'nil':
        return null
      case 'integer': {
        const n = value.value
        return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER)
          ? Number(n)
          : n
      }
      case 'float':
      case 'string':
      case 'bool':
      case 'geojson':
        return value.value
      default:
        return bytes
    }
  } catch {
    return bytes
  }
}

function readRecord(
  namespace: string,
  set: string,
  key: ControlRequest & { kind: 'getRecord' },
): StoredRecord | null {
  const store = cluster.namespaceStore(namespace)
  const digest = cluster.resolveDigest(set, key.key)
  const entry = store.get(digestKey(digest), clepochNow())
  if (entry === undefined) return null
  const pid = partitionId(digest)
  let userKey: StoredRecord['userKey'] = null
  if (entry.userKey !== null) {
    const bytes = entry.userKey.slice(1)
    let value: number | bigint | string | Uint8Array = bytes
    try {
      value = decodeKeyField(entry.userKey, 0, entry.userKey.length).key
    } catch {
      // Keep the raw bytes.
    }
    userKey = { particleType: entry.userKey[0]!, bytes, value }
  }
  const ttl = entry.voidTime === 0 ? -1 : ttlFromVoidTime(entry.voidTime)
  return {
    namespace,
    set: entry.set,
    digest: new Uint8Array(digest),
    partitionId: pid,
    node: cluster.ownerOf(pid),
    generation: entry.generation,
    voidTime: entry.voidTime,
    ttl,
    lastUpdateMs: entry.lastUpdateMs,
    userKey,
    bins: unpackBins(entry.packedBins).map((bin) => {
      const bytes = new Uint8Array(bin.value)
      return {
        name: binName(bin),
        particleType: bin.particleType,
        bytes,
        value: binValue(bin.particleType, bytes),
      }
    }),
  }
}

let gcFunction: (() => void) | null = null
function collectGarbage(): void {
  if (gcFunction === null) {
    v8.setFlagsFromString('--expose-gc')
    gcFunction = vm.runInNewContext('gc') as () => void
  }
  gcFunction()
}

async function control(request: ControlRequest): Promise<unknown> {
  switch (request.kind) {
    case 'injectFault': {
      const problem = validateFaultRule(request.rule)
      if (problem !== null) throw new Error(problem)
      const rule = request.rule
      if (rule.namespace !== undefined) cluster.namespaceStore(rule.namespace)
      const digests =
        rule.keys === undefined
          ? null
          : new Set(rule.keys.map((key) => digestKey(cluster.resolveDigest(rule.set ?? '', key))))
      return cluster.faults.add({
        namespace: rule.namespace ?? null,
        set: rule.set ?? null,
        digests,
        fraction: rule.fraction ?? 1,
        seed: rule.seed ?? 0,
        resultCode: rule.resultCode,
        times: rule.times ?? Infinity,
        ops: rule.ops ?? 'all',
      })
    }
    case 'clearFaults':
      cluster.faults.clear()
      cluster.clearDropRules()
      return undefined
    case 'setLatency':
      cluster.latency = request.latency
      return undefined
    case 'dropConnections': {
      let count = 0
      for (const node of cluster.nodes) {
        if (request.node === null || node.index === request.node) count += node.dropConnections()
      }
      return count
    }
    case 'connectionCount': {
      let count = 0
      for (const node of cluster.nodes) {
        if (request.node === null || node.index === request.node) count += node.connections.size
      }
      return count
    }
    case 'dropNextResponses':
      cluster.addDropRule(request.rule)
      return undefined
    case 'stopNode':
      await cluster.stopNode(request.node, request.handOff)
      return undefined
    case 'failScanPartitions':
      cluster.addScanFault(request.rule)
      return undefined
    case 'startNode':
      await cluster.startNode(request.node)
      return undefined
    case 'describeNodes':
      return cluster.nodes.map((node) => node.describe())
    case 'recordCount':
      return cluster.countRecords(request.namespace, request.set, request.node)
    case 'getRecord':
      return readRecord(request.namespace, request.set, request)
    case 'writeCount': {
      const store = cluster.namespaceStore(request.namespace)
      return (
        store.writeAttempts.get(digestKey(cluster.resolveDigest(request.set, request.key))) ?? 0
      )
    }
    case 'resetCounters':
      for (const store of cluster.namespaces.values()) store.writeAttempts.clear()
      return undefined
    case 'truncate':
      // The control call empties the set now, this millisecond included.
      return cluster.namespaceStore(request.namespace).truncate(request.set, Date.now() + 1)
    case 'memoryStats': {
      if (request.gc) collectGarbage()
      const heap = v8.getHeapStatistics()
      const usage = process.memoryUsage()
      let records = 0
      for (const store of cluster.namespaces.values()) records += store.records.size
      const stats: MemoryStats = {
        records,
        heapUsed: heap.used_heap_size,
        heapTotal: heap.total_heap_size,
        external: heap.external_memory,
        arrayBuffers: usage.arrayBuffers,
        rss: usage.rss,
      }
      return stats
    }
    case 'stop':
      await cluster.stop()
      return undefined
  }
}

port.on('message', (envelope: ControlEnvelope) => {
  control(envelope.request).then(
    (value) =>
      post({
        kind: 'reply',
        id: envelope.id,
        ok: true,
        value: value as ControlResults[keyof ControlResults],
      }),
    (error: unknown) =>
      post({
        kind: 'reply',
        id: envelope.id,
        ok: false,
        code: 'DEVSERVER_CONTROL_FAILED',
        message: error instanceof Error ? error.message : String(error),
      }),
  )
})

cluster.start().then(
  () => post({ kind: 'ready', nodes: cluster.nodes.map((node) => node.describe()) }),
  (error: unknown) =>
    post({ kind: 'startFailed', message: error instanceof Error ? error.message : String(error) }),
)
