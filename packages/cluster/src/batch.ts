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
  AS_MESSAGE_TYPE,
  BATCH_FLAGS_DEFAULT,
  BATCH_FLAG_INLINE_DATA_IN_MEMORY,
  BATCH_FLAG_INLINE_DATA_ON_DEVICE,
  BATCH_FLAG_REPORT_ALL_ERRORS,
  BATCH_FLAG_REPORT_ERROR_REC,
  BATCH_MSG_GEN,
  BATCH_MSG_INFO,
  BATCH_MSG_REPEAT,
  BATCH_MSG_TTL,
  DIGEST_SIZE,
  FIELD_BATCH_INDEX,
  FIELD_HEADER_SIZE,
  FIELD_KEY,
  FIELD_NAMESPACE,
  FIELD_SETNAME,
  INFO1_BATCH_INDEX,
  INFO1_GET_ALL,
  INFO1_GET_NOBINDATA,
  INFO1_READ,
  INFO2_CREATE_ONLY,
  INFO2_DURABLE_DELETE,
  INFO2_GENERATION,
  INFO2_GENERATION_GT,
  INFO2_WRITE,
  INFO3_COMMIT_MASTER,
  INFO3_CREATE_OR_REPLACE,
  INFO3_LAST,
  INFO3_REPLACE_ONLY,
  INFO3_UPDATE_ONLY,
  AS_MSG_OP_READ,
  AS_MSG_OP_WRITE,
  MSG_HEADER_SIZE,
  N_PARTITIONS,
  OP_HEADER_SIZE,
  PROTO_HEADER_SIZE,
  ProtoFrameReader,
  ResultCode,
  clepochNow,
} from '@aerospike-numpy/wire'
import type { Cluster } from './cluster.js'
import type { Connection, ResponseConsumer } from './connection.js'
import type { Node } from './node.js'
import { Ripemd160 } from '@aerospike-numpy/wire'

const utf8 = new TextEncoder()
const utf8Decoder = new TextDecoder()

/** proto header + msg header + BATCH_INDEX field header + n_rows + parent flags. */
const BATCH_HEADER_SIZE = PROTO_HEADER_SIZE + MSG_HEADER_SIZE + FIELD_HEADER_SIZE + 4 + 1
/** index + digest + row flags. */
const ROW_PREFIX_SIZE = 4 + DIGEST_SIZE + 1
const MAX_ROWS_PER_REQUEST = 0xffffffff

// core's policy enum values (kept numeric so this module needs only core's types).
const EXISTS_CREATE = 1
const EXISTS_UPDATE = 2
const EXISTS_REPLACE = 3
const EXISTS_CREATE_OR_REPLACE = 4
const GEN_EQ = 1
const GEN_GT = 2
const COMMIT_MASTER = 1

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

function batchParentFlags(policy: {
  allowInline: boolean | undefined
  allowInlineSSD: boolean | undefined
  respondAllKeys: boolean | undefined
}): number {
  if (
    policy.allowInline === undefined &&
    policy.allowInlineSSD === undefined &&
    policy.respondAllKeys === undefined
  ) {
    return BATCH_FLAGS_DEFAULT
  }
  return (
    BATCH_FLAG_REPORT_ERROR_REC |
    ((policy.allowInline ?? true) ? BATCH_FLAG_INLINE_DATA_IN_MEMORY : 0) |
    ((policy.allowInlineSSD ?? false) ? BATCH_FLAG_INLINE_DATA_ON_DEVICE : 0) |
    ((policy.respondAllKeys ?? true) ? BATCH_FLAG_REPORT_ALL_ERRORS : 0)
  )
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

/** Writes the proto + msg headers and the BATCH_INDEX field header once the length is known. */
function writeBatchHeader(
  out: Uint8Array,
  view: DataView,
  end: number,
  rows: number,
  flags: number,
  totalTimeout: number,
): void {
  const bodySize = end - PROTO_HEADER_SIZE
  // proto: version 2, type 3, 48-bit size (requests stay far below 2^32)
  out[0] = 2
  out[1] = AS_MESSAGE_TYPE
  view.setUint16(2, 0)
  view.setUint32(4, bodySize)
  let p = PROTO_HEADER_SIZE
  out[p] = MSG_HEADER_SIZE
  out[p + 1] = INFO1_BATCH_INDEX
  out[p + 2] = 0
  out[p + 3] = 0
  out[p + 4] = 0
  out[p + 5] = 0
  view.setUint32(p + 6, 0) // generation
  view.setUint32(p + 10, 0) // record_ttl
  view.setUint32(p + 14, totalTimeout >>> 0) // transaction_ttl: the server-side timeout
  view.setUint16(p + 18, 1) // n_fields
  view.setUint16(p + 20, 0) // n_ops
  p += MSG_HEADER_SIZE
  view.setUint32(p, end - p - 4) // field size counts the type byte
  out[p + 4] = FIELD_BATCH_INDEX
  view.setUint32(p + 5, rows)
  out[p + 9] = flags
}

function writeField(
  out: Uint8Array,
  view: DataView,
  p: number,
  type: number,
  data: Uint8Array,
): number {
  view.setUint32(p, data.length + 1)
  out[p + 4] = type
  out.set(data, p + FIELD_HEADER_SIZE)
  return p + FIELD_HEADER_SIZE + data.length
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
 * Decodes a batch response stream: AS_MSGs in type-3 (or inflated type-4) frames until the one
 * with INFO3_LAST. Each row message is checked (header size, bounds, an index this request sent
 * and not yet answered) before `onRow` sees it; anything else is a ClientError naming the byte
 * offset, so a bad server can never make the decoder read outside the message or hang.
 */
class BatchResponseConsumer implements ResponseConsumer {
  private readonly reader = new ProtoFrameReader()
  private done = false
  parentResult = 0
  answered = 0

  constructor(
    private readonly address: string,
    private readonly states: Uint8Array,
    private readonly slots: Int32Array,
    private readonly slot: number,
    private readonly onRow: (
      position: number,
      result: number,
      generation: number,
      voidTime: number,
      body: Uint8Array,
      view: DataView,
      opsOffset: number,
      nOps: number,
      end: number,
    ) => void,
  ) {}

  onData(chunk: Uint8Array): boolean {
    let frames
    try {
      frames = this.reader.push(chunk)
    } catch (error) {
      throw new ClientError(`${this.address}: bad batch response: ${(error as Error).message}`, {
        cause: error,
      })
    }
    for (const frame of frames) {
      if (this.done) throw new ClientError(`${this.address}: bytes after the last batch message`)
      if (frame.type !== AS_MESSAGE_TYPE) {
        throw new ClientError(
          `${this.address}: batch response frame has proto type ${frame.type}, expected 3`,
        )
      }
      this.parseFrame(frame.body)
    }
    if (this.done && !this.reader.idle)
      throw new ClientError(`${this.address}: bytes after the last batch message`)
    return this.done
  }

  private parseFrame(body: Uint8Array): void {
    const view = new DataView(body.buffer, body.byteOffset, body.byteLength)
    const length = body.length
    if (length < MSG_HEADER_SIZE) {
      throw new ClientError(
        `${this.address}: batch response frame of ${length} bytes is shorter than a message header`,
      )
    }
    let p = 0
    while (p < length) {
      if (this.done)
        throw new ClientError(
          `${this.address}: message after the last batch message (frame byte ${p})`,
        )
      if (length - p < MSG_HEADER_SIZE) {
        throw new ClientError(`${this.address}: truncated message header at frame byte ${p}`)
      }
      if (body[p] !== MSG_HEADER_SIZE) {
        throw new ClientError(
          `${this.address}: message header size ${body[p]} at frame byte ${p}, expected 22`,
        )
      }
      const info3 = body[p + 3]!
      const result = body[p + 5]!
      const generation = view.getUint32(p + 6)
      const voidTime = view.getUint32(p + 10)
      const index = view.getUint32(p + 14)
      const nFields = view.getUint16(p + 18)
      const nOps = view.getUint16(p + 20)
      let q = p + MSG_HEADER_SIZE
      for (let f = 0; f < nFields; f++) {
        if (length - q < 4)
          throw new ClientError(`${this.address}: truncated field at frame byte ${q}`)
        const size = view.getUint32(q)
        if (size < 1 || size > length - q - 4) {
          throw new ClientError(
            `${this.address}: field size ${size} at frame byte ${q} crosses the message end`,
          )
        }
        q += 4 + size
      }
      const opsOffset = q
      for (let o = 0; o < nOps; o++) {
        if (length - q < OP_HEADER_SIZE)
          throw new ClientError(`${this.address}: truncated op at frame byte ${q}`)
        const size = view.getUint32(q)
        const nameLength = body[q + 7]!
        if (size < 4 + nameLength || size > length - q - 4) {
          throw new ClientError(`${this.address}: op size ${size} at frame byte ${q} is impossible`)
        }
        q += 4 + size
      }
      if ((info3 & INFO3_LAST) !== 0) {
        this.parentResult = result
        this.done = true
        if (q !== length)
          throw new ClientError(
            `${this.address}: bytes after the last batch message (frame byte ${q})`,
          )
        return
      }
      if (
        index >= this.states.length ||
        this.slots[index] !== this.slot ||
        this.states[index] !== PENDING
      ) {
        throw new ClientError(
          `${this.address}: batch row index ${index} at frame byte ${p} was not sent to this node or was already answered`,
        )
      }
      this.states[index] = ANSWERED
      this.answered++
      this.onRow(index, result, generation, voidTime, body, view, opsOffset, nOps, q)
      p = q
    }
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
  onRow: RowHandler,
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
      const consumer = new BatchResponseConsumer(connection.address, states, slots, slot, onRow)
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

type RowHandler = ConstructorParameters<typeof BatchResponseConsumer>[4]
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
  onRow: RowHandler
  onNodeFailure: NodeFailureHandler
  /** Position i has no master: its result becomes INVALID_NODE. */
  onUnrouted(i: number): void
  /** Whether a node's unanswered rows may be sent again after this failure. */
  retryable(result: NodeBatchResult): boolean
}

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)))

/** Waits for `promise`, or until `deadline` (0 = no deadline) if that comes first. */
async function untilDeadline(promise: Promise<void>, deadline: number): Promise<void> {
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

function writeAttributes(policy: WriteJob['policy']): { info2: number; info3: number } {
  let info2 = INFO2_WRITE
  let info3 = 0
  switch (policy.exists) {
    case EXISTS_UPDATE:
      info3 |= INFO3_UPDATE_ONLY
      break
    case EXISTS_CREATE_OR_REPLACE:
      info3 |= INFO3_CREATE_OR_REPLACE
      break
    case EXISTS_REPLACE:
      info3 |= INFO3_REPLACE_ONLY
      break
    case EXISTS_CREATE:
      info2 |= INFO2_CREATE_ONLY
      break
  }
  if (policy.gen === GEN_EQ) info2 |= INFO2_GENERATION
  else if (policy.gen === GEN_GT) info2 |= INFO2_GENERATION_GT
  if (policy.durableDelete) info2 |= INFO2_DURABLE_DELETE
  if (policy.commitLevel === COMMIT_MASTER) info3 |= INFO3_COMMIT_MASTER
  return { info2, info3 }
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
  const namespaceBytes = utf8.encode(job.namespace)
  const setBytes = utf8.encode(job.set)
  const key = plan.key
  const bins = plan.bins
  const src = new Uint8Array(data.buffer)
  const srcView = new DataView(data.buffer)
  const stride = data.stride
  const base = data.byteOffset

  // Pass 1: digest and master of every row.
  const digests = new Uint8Array(n * DIGEST_SIZE)
  const slots = new Int32Array(n)
  const scratch = new Uint8Array(setBytes.length + 1 + key.maxKeyBytes)
  scratch.set(setBytes, 0)
  const keyAt = setBytes.length + 1
  scratch[setBytes.length] = key.particleType
  const hasher = new Ripemd160()
  const router = new Router()
  const partitionMask = N_PARTITIONS - 1
  for (let i = 0; i < n; i++) {
    const row = rows[i]!
    const keyLength = key.writeKeyBytes(src, base + row * stride, row, scratch, keyAt)
    const d = i * DIGEST_SIZE
    hasher.digest(scratch, 0, keyAt + keyLength, digests, d)
    slots[i] = router.slotFor(masters[(digests[d]! | (digests[d + 1]! << 8)) & partitionMask])
  }

  // Pass 2: one request per node.
  const { info2, info3 } = writeAttributes(policy)
  const useGen = policy.gen === GEN_EQ || policy.gen === GEN_GT
  const sendKey = policy.sendKey
  const nFields = sendKey ? 3 : 2
  let binsSize = 0
  for (const bin of bins) binsSize += OP_HEADER_SIZE + bin.nameBytes.length + bin.valueSize
  // Everything of a full row after index + digest + flags, up to the key field.
  const rowHead = new Uint8Array(
    3 + 2 + 4 + 2 + 2 + FIELD_HEADER_SIZE * 2 + namespaceBytes.length + setBytes.length,
  )
  {
    const v = new DataView(rowHead.buffer)
    rowHead[0] = 0 // info1: no reads
    rowHead[1] = info2
    rowHead[2] = info3
    v.setUint16(3, useGen ? policy.generation : 0)
    v.setUint32(5, recordTtl(policy.ttl))
    v.setUint16(9, nFields)
    v.setUint16(11, bins.length)
    writeField(
      rowHead,
      v,
      writeField(rowHead, v, 13, FIELD_NAMESPACE, namespaceBytes),
      FIELD_SETNAME,
      setBytes,
    )
  }
  // Row templates copied with one memcpy per row: `head` is the flags byte and everything up to
  // the key field, `ops` the op headers and bin names with room for the values. Without a key
  // field the two are one template.
  const head = new Uint8Array(1 + rowHead.length)
  head[0] = BATCH_MSG_INFO | BATCH_MSG_GEN | BATCH_MSG_TTL
  head.set(rowHead, 1)
  const ops = new Uint8Array(binsSize)
  const valueOffsets = new Int32Array(bins.length)
  {
    const v = new DataView(ops.buffer)
    let q = 0
    for (let b = 0; b < bins.length; b++) {
      const bin = bins[b]!
      const name = bin.nameBytes
      v.setUint32(q, 4 + name.length + bin.valueSize)
      ops[q + 4] = AS_MSG_OP_WRITE
      ops[q + 5] = bin.particleType
      ops[q + 7] = name.length
      ops.set(name, q + OP_HEADER_SIZE)
      q += OP_HEADER_SIZE + name.length
      valueOffsets[b] = q
      q += bin.valueSize
    }
  }
  const whole = new Uint8Array(head.length + ops.length)
  whole.set(head, 0)
  whole.set(ops, head.length)
  const template = sendKey ? head : whole
  const nBins = bins.length
  const maxRowSize =
    ROW_PREFIX_SIZE - 1 + whole.length + (sendKey ? FIELD_HEADER_SIZE + 1 + key.maxKeyBytes : 0)
  const parentFlags = batchParentFlags(policy)
  const build = (_node: Node, positions: Uint32Array): Uint8Array => {
    if (positions.length > MAX_ROWS_PER_REQUEST)
      throw new ClientError('too many rows for one batch request')
    const out = takeRequestBuffer(BATCH_HEADER_SIZE + positions.length * maxRowSize)
    const view = new DataView(out.buffer)
    let p = BATCH_HEADER_SIZE
    for (let k = 0; k < positions.length; k++) {
      const i = positions[k]!
      const row = rows[i]!
      const rowOffset = base + row * stride
      view.setUint32(p, i)
      const d = i * DIGEST_SIZE
      for (let b = 0; b < DIGEST_SIZE; b++) out[p + 4 + b] = digests[d + b]!
      out.set(template, p + 24)
      p += 24 + template.length
      if (sendKey) {
        const keyLength = key.writeKeyBytes(src, rowOffset, row, out, p + FIELD_HEADER_SIZE + 1)
        view.setUint32(p, keyLength + 2)
        out[p + 4] = FIELD_KEY
        out[p + 5] = key.particleType
        p += FIELD_HEADER_SIZE + 1 + keyLength
        out.set(ops, p)
        p += ops.length
      }
      const opsAt = p - ops.length
      for (let b = 0; b < nBins; b++) {
        bins[b]!.writeValue(src, srcView, rowOffset, row, out, view, opsAt + valueOffsets[b]!)
      }
    }
    writeBatchHeader(out, view, p, positions.length, parentFlags, policy.totalTimeout)
    return out.subarray(0, p)
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
  const router = new Router()
  const slots = new Int32Array(n)
  let lastNamespace: string | null = null
  let masters: readonly (Node | undefined)[] | undefined
  let firstUnknownNamespace: string | null = null
  let unknownNamespaceKeys = 0
  for (let i = 0; i < n; i++) {
    const k = keys[i]!
    const d = k.digest
    if (d.length !== DIGEST_SIZE)
      throw new ClientError(`key ${i}: digest has ${d.length} bytes, expected 20`)
    if (k.namespace !== lastNamespace) {
      lastNamespace = k.namespace
      masters = cluster.partitions.masters(k.namespace)
    }
    if (masters === undefined) {
      // As the official client does: that key alone fails with NAMESPACE_NOT_FOUND, never sent.
      firstUnknownNamespace ??= k.namespace
      unknownNamespaceKeys++
      slots[i] = NOT_IN_ATTEMPT
      outcome.resultCodes[i] = ResultCode.ERR_NAMESPACE_NOT_FOUND
      continue
    }
    slots[i] = router.slotFor(masters[(d[0]! | (d[1]! << 8)) & (N_PARTITIONS - 1)])
  }
  // No key can be sent: the call fails as a whole.
  if (unknownNamespaceKeys === n) throw namespaceNotServed(firstUnknownNamespace!)

  const bins = job.bins
  const binNames = bins === null ? [] : bins.map((b) => utf8.encode(b))
  let info1 = INFO1_READ
  if (bins === null) info1 |= INFO1_GET_ALL
  else if (bins.length === 0) info1 |= INFO1_GET_NOBINDATA
  let opsSize = 0
  for (const name of binNames) opsSize += OP_HEADER_SIZE + name.length
  const readTtl = (policy.readTouchTtlPercent ?? 0) >>> 0
  const encoded = new Map<string, Uint8Array>()
  const bytesOf = (s: string): Uint8Array => {
    let b = encoded.get(s)
    if (b === undefined) {
      b = utf8.encode(s)
      encoded.set(s, b)
    }
    return b
  }
  const parentFlags = batchParentFlags(policy)
  const build = (_node: Node, positions: Uint32Array): Uint8Array => {
    let size = BATCH_HEADER_SIZE
    for (let k = 0; k < positions.length; k++) {
      const key = keys[positions[k]!]!
      size +=
        ROW_PREFIX_SIZE +
        13 +
        2 * FIELD_HEADER_SIZE +
        bytesOf(key.namespace).length +
        bytesOf(key.set).length +
        opsSize
    }
    const out = takeRequestBuffer(size)
    const view = new DataView(out.buffer)
    let p = BATCH_HEADER_SIZE
    let prevNamespace: string | null = null
    let prevSet: string | null = null
    for (let k = 0; k < positions.length; k++) {
      const i = positions[k]!
      const key = keys[i]!
      view.setUint32(p, i)
      out.set(key.digest, p + 4)
      if (key.namespace === prevNamespace && key.set === prevSet) {
        out[p + 24] = BATCH_MSG_REPEAT
        p += ROW_PREFIX_SIZE
        continue
      }
      prevNamespace = key.namespace
      prevSet = key.set
      out[p + 24] = BATCH_MSG_INFO | BATCH_MSG_TTL
      p += ROW_PREFIX_SIZE
      out[p] = info1
      out[p + 1] = 0
      out[p + 2] = 0
      view.setUint32(p + 3, readTtl)
      view.setUint16(p + 7, 2)
      view.setUint16(p + 9, binNames.length)
      p = writeField(out, view, p + 11, FIELD_NAMESPACE, bytesOf(key.namespace))
      p = writeField(out, view, p, FIELD_SETNAME, bytesOf(key.set))
      for (const name of binNames) {
        view.setUint32(p, 4 + name.length)
        out[p + 4] = AS_MSG_OP_READ
        out[p + 5] = 0
        out[p + 6] = 0
        out[p + 7] = name.length
        out.set(name, p + 8)
        p += OP_HEADER_SIZE + name.length
      }
    }
    writeBatchHeader(out, view, p, positions.length, parentFlags, policy.totalTimeout)
    return out.subarray(0, p)
  }

  // Bin names repeat row after row: decode each distinct name once.
  const names: { bytes: Uint8Array; name: string }[] = []
  const binName = (body: Uint8Array, offset: number, length: number): string => {
    for (const entry of names) {
      const b = entry.bytes
      if (b.length !== length) continue
      let same = true
      for (let c = 0; c < length; c++) {
        if (b[c] !== body[offset + c]) {
          same = false
          break
        }
      }
      if (same) return entry.name
    }
    const bytes = body.slice(offset, offset + length)
    const name = utf8Decoder.decode(bytes)
    if (names.length < 256) names.push({ bytes, name })
    return name
  }

  const now = clepochNow()
  // A value the sink refuses (lossy conversion) fails the call once every node has answered.
  let sinkError: unknown = null
  const summary = await dispatch(
    cluster,
    policy,
    {
      masterOf: (i) => {
        const k = keys[i]!
        return cluster.partitions.masters(k.namespace)?.[
          (k.digest[0]! | (k.digest[1]! << 8)) & (N_PARTITIONS - 1)
        ]
      },
      build,
      onUnrouted: (i) => {
        outcome.resultCodes[i] = ResultCode.ERR_INVALID_NODE
      },
      // Reads are idempotent: any failure but a server's refusal may be sent again.
      retryable: (r) => !r.refused,
      onRow: (i, result, generation, voidTime, body, view, opsOffset, nOps) => {
        outcome.resultCodes[i] = result
        if (result !== 0) return
        outcome.generations[i] = generation & 0xffff
        outcome.ttls[i] = voidTime === 0 ? 0xffffffff : Math.max(1, voidTime - now)
        let q = opsOffset
        for (let o = 0; o < nOps; o++) {
          const size = view.getUint32(q)
          const particleType = body[q + 5]!
          const nameLength = body[q + 7]!
          const name = binName(body, q + OP_HEADER_SIZE, nameLength)
          const valueOffset = q + OP_HEADER_SIZE + nameLength
          try {
            sink.setParticle(i, name, particleType, body, valueOffset, size - 4 - nameLength)
          } catch (error) {
            sinkError ??= error
          }
          q += 4 + size
        }
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
