import {
  AerospikeError,
  ClientError,
  ConnectionError,
  NamespaceNotFoundError,
  errorFromCode,
  type ReadJob,
  type WriteJob,
} from '@aerospike-numpy/core'
import {
  BatchReadRequest,
  BatchResponseDecoder,
  BatchWriteTemplate,
  DIGEST_SIZE,
  MessageWriter,
  N_PARTITIONS,
  POLICY_GEN_EQ,
  POLICY_GEN_GT,
  ResultCode,
  KeyDigester,
  batchParentFlags,
  clepochNow,
  writeInfoBits,
  type BatchRowHandler,
} from '@aerospike-numpy/wire'
import type { Cluster } from './cluster.js'
import type { Connection, ResponseConsumer } from './connection.js'
import type { Node } from './node.js'

/** What happened to one node's sub-batch. */
export interface NodeBatchResult {
  node: string
  rows: number
  /** null when the node answered (each row then has its own code). */
  error: AerospikeError | null
  /** Whether the request reached the node's socket (its writes may have been applied). */
  sent: boolean
  /** The server answered the whole request with an error code: none of its rows was applied. */
  refused: boolean
}

/** The outcome of one batch call across nodes; per-row results are in the job's outcome. */
export interface BatchSummary {
  nodes: NodeBatchResult[]
  /** Rows no node could take (no master for the partition): result INVALID_NODE. */
  unroutedRows: number
}

/** Shared by reads and writes: the request sent to one node and how to route its answers. */
interface NodeRequest {
  node: Node
  /** Positions (job row/key positions) of this node's rows, in request order. */
  positions: Uint32Array
  request: Uint8Array
}

/**
 * Request buffers reused from one batch call to the next: a chunk of 1000 sensor rows is ~150 KB,
 * and a fresh buffer per call costs an allocation, its zero fill and, above the allocator's mmap
 * threshold, page faults on every call. A buffer returns here only once the socket has written it
 * (never while the kernel may still be reading it), and is zeroed again when taken.
 */
const pooledRequestBuffers: ArrayBuffer[] = []
const MAX_POOLED_REQUEST_BUFFERS = 8
const MAX_POOLED_REQUEST_BYTES = 16 * 1024 * 1024

/** A zeroed buffer of `size` bytes starting at offset 0 of its ArrayBuffer. */
export function takeRequestBuffer(size: number): Uint8Array {
  for (let i = pooledRequestBuffers.length - 1; i >= 0; i--) {
    const buffer = pooledRequestBuffers[i]!
    if (buffer.byteLength >= size) {
      pooledRequestBuffers.splice(i, 1)
      const out = new Uint8Array(buffer, 0, size)
      out.fill(0)
      return out
    }
  }
  return new Uint8Array(size)
}

/** Gives a written request's buffer back (at most once per take). */
export function releaseRequestBuffer(request: Uint8Array): void {
  const buffer = request.buffer
  if (
    !(buffer instanceof ArrayBuffer) ||
    buffer.byteLength > MAX_POOLED_REQUEST_BYTES ||
    pooledRequestBuffers.length >= MAX_POOLED_REQUEST_BUFFERS ||
    pooledRequestBuffers.includes(buffer)
  ) {
    return
  }
  pooledRequestBuffers.push(buffer)
}

/** Groups positions by node: counting sort over per-position node slots (no per-row objects). */
function groupByNode(slots: Int32Array, nodeCount: number): Uint32Array[] {
  const counts = new Uint32Array(nodeCount)
  for (let i = 0; i < slots.length; i++) {
    const s = slots[i]!
    if (s >= 0) counts[s]!++
  }
  const groups = Array.from(counts, (c) => new Uint32Array(c))
  const fill = new Uint32Array(nodeCount)
  for (let i = 0; i < slots.length; i++) {
    const s = slots[i]!
    if (s >= 0) groups[s]![fill[s]!++] = i
  }
  return groups
}

/** Per-position states while responses stream in. */
const PENDING = 1
const ANSWERED = 2

/**
 * One node's response, decoded by wire's batch decoder. A row is accepted only if its index was
 * sent to this node and is not yet answered; anything else fails the exchange (a WireError
 * naming the byte offset, which the connection reports as a ClientError).
 */
class NodeResponse implements ResponseConsumer {
  private readonly decoder: BatchResponseDecoder
  answered = 0

  constructor(states: Uint8Array, slots: Int32Array, slot: number, onRow: BatchRowHandler) {
    this.decoder = new BatchResponseDecoder((index, result, generation, voidTime, ops) => {
      if (index >= states.length || slots[index] !== slot || states[index] !== PENDING) {
        return false
      }
      states[index] = ANSWERED
      this.answered++
      return onRow(index, result, generation, voidTime, ops)
    })
  }

  get parentResult(): number {
    return this.decoder.resultCode
  }

  onData(chunk: Uint8Array): boolean {
    return this.decoder.push(chunk)
  }
}

function routeError(error: unknown): AerospikeError {
  return error instanceof AerospikeError
    ? error
    : new ConnectionError(`batch request failed: ${(error as Error)?.message ?? String(error)}`, {
        cause: error,
      })
}

/**
 * Sends each node's request concurrently and streams the answers to `onRow`. A node failure fills
 * its unanswered rows through `onNodeFailure` and asks the cluster for a tend; it never rejects.
 */
async function executeNodeRequests(
  cluster: Cluster,
  requests: NodeRequest[],
  states: Uint8Array,
  slots: Int32Array,
  socketTimeout: number,
  deadline: number,
  onRow: BatchRowHandler,
  onNodeFailure: (
    positions: Uint32Array,
    states: Uint8Array,
    error: AerospikeError,
    sent: boolean,
  ) => void,
): Promise<NodeBatchResult[]> {
  return Promise.all(
    requests.map(async (req, slot): Promise<NodeBatchResult> => {
      const { node, positions, request } = req
      let connection: Connection
      try {
        if (!node.active)
          throw errorFromCode(
            ResultCode.ERR_INVALID_NODE,
            `node ${node.name} (${node.address}) left the cluster`,
          )
        connection = await node.pool.acquire(deadline)
      } catch (error) {
        const e = routeError(error)
        onNodeFailure(positions, states, e, false)
        cluster.requestTend()
        return { node: node.name, rows: positions.length, error: e, sent: false, refused: false }
      }
      const consumer = new NodeResponse(states, slots, slot, onRow)
      try {
        await connection.exchange(
          request,
          consumer,
          { socketTimeoutMs: socketTimeout, deadline },
          () => releaseRequestBuffer(request),
        )
      } catch (error) {
        node.pool.release(connection)
        const e = routeError(error)
        onNodeFailure(positions, states, e, true)
        cluster.requestTend()
        return { node: node.name, rows: positions.length, error: e, sent: true, refused: false }
      }
      node.pool.release(connection)
      if (consumer.parentResult !== 0) {
        const e = errorFromCode(
          consumer.parentResult,
          `${node.address}: batch failed on the server with result ${consumer.parentResult}`,
        )
        onNodeFailure(positions, states, e, false)
        return { node: node.name, rows: positions.length, error: e, sent: true, refused: true }
      }
      if (consumer.answered !== positions.length) {
        const e = errorFromCode(
          ResultCode.NO_RESPONSE,
          `${node.address}: batch ended with ${positions.length - consumer.answered} of ${positions.length} rows unanswered`,
        )
        onNodeFailure(positions, states, e, true)
        return { node: node.name, rows: positions.length, error: e, sent: true, refused: false }
      }
      return { node: node.name, rows: positions.length, error: null, sent: true, refused: false }
    }),
  )
}

type NodeFailureHandler = (
  positions: Uint32Array,
  states: Uint8Array,
  error: AerospikeError,
  sent: boolean,
) => void

/** What `dispatch` needs to know about a batch of reads or writes. */
interface Dispatch {
  /** The current master of position i (for re-sends, after a tend). */
  masterOf(i: number): Node | undefined
  /** The request carrying `positions` to `node`. */
  build(node: Node, positions: Uint32Array): Uint8Array
  onRow: BatchRowHandler
  onNodeFailure: NodeFailureHandler
  /** Position i has no master: its result becomes INVALID_NODE. */
  onUnrouted(i: number): void
  /** Whether a node's unanswered rows may be sent again after this failure. */
  retryable(result: NodeBatchResult): boolean
}

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)))

/** Waits for `promise`, or until `deadline` (0 = no deadline) if that comes first. */
export async function untilDeadline(promise: Promise<void>, deadline: number): Promise<void> {
  if (deadline <= 0) return promise
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, deadline - Date.now()))
  })
  try {
    await Promise.race([promise, expired])
  } finally {
    clearTimeout(timer)
  }
}

/** Slot of a position left out of an attempt (already answered, or final). */
const NOT_IN_ATTEMPT = -2

/**
 * Sends positions grouped by node (first attempt: `router`/`slots` from the caller's hot loop),
 * then, while `maxRetries` and the total timeout allow, re-sends the unanswered rows of nodes
 * whose failure is retryable, routed again by the map after a tend (as the C client's batch
 * retry re-splits by the current map).
 */
async function dispatch(
  cluster: Cluster,
  policy: {
    totalTimeout: number
    socketTimeout: number
    maxRetries: number
    sleepBetweenRetries: number
  },
  d: Dispatch,
  firstRouter: Router,
  slots: Int32Array,
): Promise<BatchSummary> {
  const n = slots.length
  const deadline = policy.totalTimeout > 0 ? Date.now() + policy.totalTimeout : 0
  const states = new Uint8Array(n)
  const nodes: NodeBatchResult[] = []
  let router = firstRouter
  let unroutedRows = 0
  for (let attempt = 0; ; attempt++) {
    // Rows without a master now: INVALID_NODE, and tried again after a tend (nothing was sent).
    const again: number[] = []
    for (let i = 0; i < n; i++) {
      const s = slots[i]!
      if (s >= 0) states[i] = PENDING
      else if (s === -1) {
        d.onUnrouted(i)
        again.push(i)
      }
    }
    if (again.length > 0) cluster.requestTend()
    const groups = groupByNode(slots, router.nodes.length)
    const requests: NodeRequest[] = router.nodes.map((node, slot) => ({
      node,
      positions: groups[slot]!,
      request: d.build(node, groups[slot]!),
    }))
    const results = await executeNodeRequests(
      cluster,
      requests,
      states,
      slots,
      policy.socketTimeout,
      deadline,
      d.onRow,
      d.onNodeFailure,
    )
    nodes.push(...results)
    for (let slot = 0; slot < results.length; slot++) {
      const r = results[slot]!
      if (r.error === null || !d.retryable(r)) continue
      for (const i of groups[slot]!) if (states[i] === PENDING) again.push(i)
    }
    const final =
      attempt >= policy.maxRetries || cluster.isClosed || (deadline > 0 && Date.now() >= deadline)
    if (again.length === 0 || final) {
      unroutedRows = 0
      for (let i = 0; i < n; i++) if (slots[i] === -1) unroutedRows++
      break
    }
    // Let the tend see what failed (a node gone, partitions moved) before routing again.
    await untilDeadline(cluster.tend(), deadline)
    if (policy.sleepBetweenRetries > 0) {
      await sleep(
        deadline > 0
          ? Math.min(policy.sleepBetweenRetries, deadline - Date.now())
          : policy.sleepBetweenRetries,
      )
    }
    if (cluster.isClosed || (deadline > 0 && Date.now() >= deadline)) {
      for (const i of again) if (slots[i] === -1) unroutedRows++
      break
    }
    router = new Router()
    slots.fill(NOT_IN_ATTEMPT)
    for (const i of again) {
      states[i] = 0
      slots[i] = router.slotFor(d.masterOf(i))
    }
  }
  return { nodes, unroutedRows }
}

/** Resolves the active master node of every position; collects the distinct nodes as slots. */
class Router {
  readonly nodes: Node[] = []
  private readonly slotOf = new Map<Node, number>()

  slotFor(node: Node | undefined): number {
    if (node === undefined || !node.active) return -1
    let slot = this.slotOf.get(node)
    if (slot === undefined) {
      slot = this.nodes.length
      this.nodes.push(node)
      this.slotOf.set(node, slot)
    }
    return slot
  }
}

function namespaceNotServed(namespace: string): NamespaceNotFoundError {
  return new NamespaceNotFoundError(`namespace "${namespace}" is not served by the cluster`)
}

/**
 * Failures of a write request that never reached a socket and may be sent again after a tend
 * (a write that may have reached the server is never re-sent: it would be applied twice).
 */
const RESENDABLE_WRITE_FAILURES: ReadonlySet<number> = new Set([
  ResultCode.ERR_CONNECTION,
  ResultCode.ERR_TIMEOUT,
  ResultCode.ERR_INVALID_NODE,
  ResultCode.ERR_NO_MORE_CONNECTIONS,
])

function recordTtl(policyTtl: number): number {
  // -1 never expire, -2 do not update → their u32 forms; -3 (client default) → namespace default.
  if (policyTtl === -3) return 0
  return policyTtl >>> 0
}

/**
 * Batch write of `job.rows` of `job.data`, encoded straight from the row buffer through the write
 * plan: key bytes → RIPEMD-160 digest → partition → master node; one request per node, sent
 * concurrently; results land in `job.outcome` by row. Throws only for a failure of the whole
 * call before anything is sent (unknown namespace, a row the plan refuses); node failures become
 * per-row codes (inDoubt where the request was sent).
 */
export async function batchWrite(cluster: Cluster, job: WriteJob): Promise<BatchSummary> {
  const { plan, data, rows, policy, outcome } = job
  const n = rows.length
  if (n === 0) return { nodes: [], unroutedRows: 0 }
  const masters = cluster.partitions.masters(job.namespace)
  if (masters === undefined) throw namespaceNotServed(job.namespace)
  const key = plan.key
  const bins = plan.bins
  const source = {
    bytes: new Uint8Array(data.buffer),
    view: new DataView(data.buffer),
    byteOffset: data.byteOffset,
    stride: data.stride,
  }
  const src = source.bytes
  const stride = data.stride
  const base = data.byteOffset

  // Pass 1: digest and master of every row.
  const digests = new Uint8Array(n * DIGEST_SIZE)
  const slots = new Int32Array(n)
  const digester = new KeyDigester(job.set, key.particleType, key.maxKeyBytes)
  const keyInput = digester.input
  const keyAt = digester.keyOffset
  const router = new Router()
  const partitionMask = N_PARTITIONS - 1
  for (let i = 0; i < n; i++) {
    const row = rows[i]!
    const keyLength = key.writeKeyBytes(src, base + row * stride, row, keyInput, keyAt)
    const d = i * DIGEST_SIZE
    digester.digest(keyLength, digests, d)
    slots[i] = router.slotFor(masters[(digests[d]! | (digests[d + 1]! << 8)) & partitionMask])
  }

  // Pass 2: one request per node, through a row template compiled once for the call.
  const { info2, info3 } = writeInfoBits(policy)
  const template = new BatchWriteTemplate({
    namespace: job.namespace,
    set: job.set,
    bins,
    key,
    sendKey: policy.sendKey,
    info2,
    info3,
    generation:
      policy.gen === POLICY_GEN_EQ || policy.gen === POLICY_GEN_GT ? policy.generation : 0,
    recordTtl: recordTtl(policy.ttl),
    flags: batchParentFlags(policy),
    timeout: policy.totalTimeout,
    ...(plan.validity === null ? {} : { validityOffset: plan.validity.offset }),
  })
  const build = (_node: Node, positions: Uint32Array): Uint8Array => {
    const writer = new MessageWriter({
      buffer: takeRequestBuffer(template.requestSize(positions.length)),
    })
    return template.encode(writer, positions, rows, digests, source)
  }

  const now = clepochNow()
  return dispatch(
    cluster,
    policy,
    {
      masterOf: (i) => {
        const d = i * DIGEST_SIZE
        return cluster.partitions.masters(job.namespace)?.[
          (digests[d]! | (digests[d + 1]! << 8)) & partitionMask
        ]
      },
      build,
      onUnrouted: (i) => {
        const row = rows[i]!
        outcome.resultCodes[row] = ResultCode.ERR_INVALID_NODE
        outcome.inDoubt[row] = 0
      },
      // A write that may have reached the server is never sent again (it would be applied twice).
      retryable: (r) => !r.sent && RESENDABLE_WRITE_FAILURES.has(r.error!.code),
      onRow: (i, result, generation, voidTime) => {
        const row = rows[i]!
        outcome.resultCodes[row] = result
        outcome.inDoubt[row] = 0
        if (result === 0) {
          // The C client keeps the low 16 bits of the generation; TTL as it reports it.
          outcome.generations[row] = generation & 0xffff
          outcome.ttls[row] = voidTime === 0 ? 0xffffffff : Math.max(1, voidTime - now)
        } else {
          outcome.generations[row] = 0
          outcome.ttls[row] = 0
        }
        return true
      },
      onNodeFailure: (positions, states, error, sent) => {
        for (let k = 0; k < positions.length; k++) {
          const i = positions[k]!
          if (states[i] !== PENDING) continue
          const row = rows[i]!
          outcome.resultCodes[row] = error.code
          // A request that reached the socket may have been applied, unless the server refused it whole.
          outcome.inDoubt[row] = sent ? 1 : 0
          outcome.generations[row] = 0
          outcome.ttls[row] = 0
        }
      },
    },
    router,
    slots,
  )
}

/**
 * Batch read of `job.keys`: rows grouped by master node, one request per node (rows after the
 * first with the same namespace and set are sent as BATCH_MSG_REPEAT), answers streamed into
 * `job.sink` as raw particles and into `job.outcome` by key position. A key whose namespace the
 * cluster does not serve gets NAMESPACE_NOT_FOUND (20) and is not sent; when that is every key,
 * the call throws NamespaceNotFoundError.
 */
export async function batchRead(cluster: Cluster, job: ReadJob): Promise<BatchSummary> {
  const { keys, policy, outcome, sink } = job
  const n = keys.length
  if (n === 0) return { nodes: [], unroutedRows: 0 }
  const { digests, groupOf, groups } = keys
  if (digests.length !== n * DIGEST_SIZE) {
    throw new ClientError(`${n} keys need ${n * DIGEST_SIZE} digest bytes, got ${digests.length}`)
  }
  // The partition map of each group's namespace (undefined: not served), looked up once.
  const mastersOf = groups.map((g) => cluster.partitions.masters(g.namespace))
  const router = new Router()
  const slots = new Int32Array(n)
  const partitionMask = N_PARTITIONS - 1
  let firstUnknownNamespace: string | null = null
  let unknownNamespaceKeys = 0
  for (let i = 0; i < n; i++) {
    const group = groupOf[i]!
    const masters = mastersOf[group]
    if (masters === undefined) {
      // As the official client does: that key alone fails with NAMESPACE_NOT_FOUND, never sent.
      firstUnknownNamespace ??= groups[group]!.namespace
      unknownNamespaceKeys++
      slots[i] = NOT_IN_ATTEMPT
      outcome.resultCodes[i] = ResultCode.ERR_NAMESPACE_NOT_FOUND
      continue
    }
    const d = i * DIGEST_SIZE
    slots[i] = router.slotFor(masters[(digests[d]! | (digests[d + 1]! << 8)) & partitionMask])
  }
  // No key can be sent: the call fails as a whole.
  if (unknownNamespaceKeys === n) throw namespaceNotServed(firstUnknownNamespace!)

  const bins = job.bins
  const request = new BatchReadRequest({
    bins,
    readTouchTtlPercent: policy.readTouchTtlPercent ?? 0,
    flags: batchParentFlags(policy),
    timeout: policy.totalTimeout,
  })
  const build = (_node: Node, positions: Uint32Array): Uint8Array => {
    const writer = new MessageWriter({
      buffer: takeRequestBuffer(request.requestSize(keys, positions)),
    })
    return request.encode(writer, keys, positions)
  }

  const now = clepochNow()
  // A value the sink refuses (lossy conversion) fails the call once every node has answered.
  let sinkError: unknown = null
  const summary = await dispatch(
    cluster,
    policy,
    {
      masterOf: (i) => {
        const d = i * DIGEST_SIZE
        return cluster.partitions.masters(groups[groupOf[i]!]!.namespace)?.[
          (digests[d]! | (digests[d + 1]! << 8)) & partitionMask
        ]
      },
      build,
      onUnrouted: (i) => {
        outcome.resultCodes[i] = ResultCode.ERR_INVALID_NODE
      },
      // Reads are idempotent: any failure but a server's refusal may be sent again.
      retryable: (r) => !r.refused,
      onRow: (i, result, generation, voidTime, ops) => {
        outcome.resultCodes[i] = result
        if (result !== 0) return true
        outcome.generations[i] = generation & 0xffff
        outcome.ttls[i] = voidTime === 0 ? 0xffffffff : Math.max(1, voidTime - now)
        try {
          while (ops.next()) {
            sink.binParticle(
              i,
              ops.bytes,
              ops.view,
              ops.nameOffset,
              ops.nameLength,
              ops.particleType,
              ops.valueOffset,
              ops.valueLength,
            )
          }
        } catch (error) {
          // the rest of this row's bins are dropped: the call fails with this error
          sinkError ??= error
        }
        return true
      },
      onNodeFailure: (positions, states, error) => {
        for (let k = 0; k < positions.length; k++) {
          const i = positions[k]!
          if (states[i] === PENDING) outcome.resultCodes[i] = error.code
        }
      },
    },
    router,
    slots,
  )
  if (sinkError !== null) throw sinkError
  return summary
}
