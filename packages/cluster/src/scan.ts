/**
 * Partition-parallel scans, as the C client's as_query_partitions does them: the job's
 * partitions are grouped by their master node and each node gets one request for all of its
 * partitions (those read before resume after their last digest), the nodes in flight at once.
 * A request that fails (a node gone, a cut stream, a timeout, partitions the node could not
 * serve) leaves its partitions unfinished; after a tend they are sent again to their current
 * master, resumed from the last digest read, so no record comes twice. What is still unfinished
 * after the retries is reported, not thrown.
 */
import { randomBytes } from 'node:crypto'
import {
  AerospikeError,
  ClientError,
  NamespaceNotFoundError,
  ResultCode,
  errorFromCode,
  SCAN_RETRYABLE_CODES,
  type ScanJob,
  type ScanOutcome,
  type ScanPartitionStatus,
} from '@aerospike-numpy/core'
import { sleepUnlessAborted } from '@aerospike-numpy/core/internal'
import {
  DIGEST_SIZE,
  MessageWriter,
  N_PARTITIONS,
  OP_HEADER_SIZE,
  ScanResponseDecoder,
  WireError,
  clepochNow,
  writeScanRequest,
  type ScanRecordCursor,
  type ScanResponseHandler,
} from '@aerospike-numpy/wire'
import { untilDeadline } from './batch.js'
import type { Cluster } from './cluster.js'
import type { Connection, ResponseConsumer } from './connection.js'
import type { Node } from './node.js'

/** Partition states. */
const PENDING = 0
const DONE = 1

/** Any error as core's (the cluster's own are; a bad answer or a bug becomes a ClientError). */
function toCoreError(error: unknown): AerospikeError {
  if (error instanceof AerospikeError) return error
  return new ClientError((error as Error | null)?.message ?? String(error), { cause: error })
}

function randomTaskId(): bigint {
  // The server refuses a task id it still remembers; 0 would ask it to pick one.
  return randomBytes(8).readBigUInt64BE(0) | 1n
}

/** Per-partition progress of one scan: done or not, and the last digest read. */
class PartitionTracker {
  readonly requested = new Uint8Array(N_PARTITIONS)
  readonly state = new Uint8Array(N_PARTITIONS)
  readonly hasDigest = new Uint8Array(N_PARTITIONS)
  readonly digests = new Uint8Array(N_PARTITIONS * DIGEST_SIZE)
  readonly codes = new Int32Array(N_PARTITIONS)
  total = 0
  done = 0

  constructor(job: ScanJob) {
    for (const p of job.partitions) {
      this.requested[p.id] = 1
      this.total++
      if (p.digest !== null) {
        this.digests.set(p.digest, p.id * DIGEST_SIZE)
        this.hasDigest[p.id] = 1
      }
    }
  }

  pending(): number[] {
    const out: number[] = []
    for (let id = 0; id < N_PARTITIONS; id++) {
      if (this.requested[id] === 1 && this.state[id] === PENDING) out.push(id)
    }
    return out
  }

  finish(id: number): void {
    if (this.state[id] === DONE) return
    this.state[id] = DONE
    this.done++
  }

  unfinished(): ScanPartitionStatus[] {
    return this.pending().map((id) => ({
      id,
      digest:
        this.hasDigest[id] === 1
          ? this.digests.slice(id * DIGEST_SIZE, (id + 1) * DIGEST_SIZE)
          : null,
      code: this.codes[id]!,
    }))
  }
}

/** Shared state of one scan across its node requests. */
interface ScanRun {
  readonly cluster: Cluster
  readonly job: ScanJob
  readonly tracker: PartitionTracker
  readonly deadline: number
  /** Connections with a request in flight: closed when the scan stops. */
  readonly active: Set<Connection>
  /** Records the sink took. */
  records: number
  /** No more requests: the signal fired, maxRecords was reached, or a fatal error. */
  stopping: boolean
  fatal: AerospikeError | null
  /** Stops the scan: no new requests, requests in flight closed. */
  stop(): void
}

/** Streams one node request's answer into the sink and the tracker. */
class ScanConsumer implements ResponseConsumer, ScanResponseHandler {
  readonly decoder: ScanResponseDecoder
  /** Partitions of this request (1 = named in it). */
  readonly inRequest: Uint8Array
  /** Partitions the node reported it could not scan, with their codes. */
  readonly unavailable: { id: number; code: number }[] = []
  received = 0
  /** The sink takes no more records: the answer is abandoned. */
  stopped = false
  /** Why this answer cannot be used (a broken stream, a value the sink refused). */
  fatal: unknown = null
  #ttlBase: number

  #paused = false

  constructor(
    readonly run: ScanRun,
    readonly connection: Connection,
    inRequest: Uint8Array,
  ) {
    this.inRequest = inRequest
    this.decoder = new ScanResponseDecoder(this)
    this.#ttlBase = clepochNow()
  }

  get address(): string {
    return this.connection.address
  }

  onData(chunk: Uint8Array): boolean {
    try {
      const done = this.decoder.push(chunk) || this.stopped
      if (!done && !this.#paused && this.run.job.full()) {
        // The consumer is behind: stop reading; TCP holds the node back until it catches up.
        this.#paused = true
        this.connection.pause()
        void this.run.job.ready().then(() => {
          this.#paused = false
          this.connection.resume()
        })
      }
      return done
    } catch (error) {
      this.fatal =
        error instanceof WireError
          ? new ClientError(`${this.address}: bad scan answer: ${error.message}`, { cause: error })
          : error
      throw this.fatal
    }
  }

  onPartitionDone(partition: number, resultCode: number): void {
    if (this.inRequest[partition] !== 1) {
      throw new WireError(
        'BAD_VALUE',
        this.decoder.position,
        `PARTITION_DONE for partition ${partition}, which this request did not name`,
      )
    }
    this.unavailable.push({ id: partition, code: resultCode })
  }

  onRecord(r: ScanRecordCursor): void {
    if (this.stopped) return
    const bytes = r.bytes
    const d = r.digestOffset
    const pid = (bytes[d]! | (bytes[d + 1]! << 8)) & (N_PARTITIONS - 1)
    if (this.inRequest[pid] !== 1) {
      throw new WireError(
        'BAD_VALUE',
        r.streamOffset,
        `a record of partition ${pid}, which this request did not name`,
      )
    }
    const run = this.run
    const sink = run.job.sink
    const voidTime = r.voidTime
    const ttl = voidTime === 0 ? 0xffffffff : Math.max(1, voidTime - this.#ttlBase)
    if (!sink.beginRecord(bytes, d, r.generation & 0xffff, ttl)) {
      this.stopped = true
      run.stop()
      return
    }
    const view = r.view
    if (r.keyOffset >= 0) sink.keyParticle(bytes, view, r.keyOffset, r.keyLength)
    let q = r.opsOffset
    for (let o = 0; o < r.nOps; o++) {
      const size = view.getUint32(q)
      const nameLength = bytes[q + 7]!
      const valueOffset = q + OP_HEADER_SIZE + nameLength
      sink.binParticle(
        bytes,
        view,
        q + OP_HEADER_SIZE,
        nameLength,
        bytes[q + 5]!,
        valueOffset,
        size - 4 - nameLength,
      )
      q += 4 + size
    }
    sink.endRecord()
    // Only now is the record delivered: a resumed request starts after it.
    const tracker = run.tracker
    const at = pid * DIGEST_SIZE
    for (let i = 0; i < DIGEST_SIZE; i++) tracker.digests[at + i] = bytes[d + i]!
    tracker.hasDigest[pid] = 1
    this.received++
    run.records++
  }
}

/** Why a node's requests stopped before its partitions were done. */
interface NodeFailure {
  error: AerospikeError
}

/**
 * Pages through one node's partitions: each request names the partitions still pending (resumed
 * ones by digest) and asks for at most `cap` records; an answer with fewer than `cap` records
 * finished every partition it named (except those the node reported unavailable).
 */
async function scanNode(
  run: ScanRun,
  node: Node,
  ids: number[],
  nodesInRound: number,
): Promise<NodeFailure | null> {
  const { job, tracker } = run
  const writer = new MessageWriter(256 + ids.length * (2 + DIGEST_SIZE))
  const inRequest = new Uint8Array(N_PARTITIONS)
  let failure: NodeFailure | null = null
  const fail = (error: AerospikeError, list: readonly number[]): NodeFailure => {
    for (const id of list) if (tracker.state[id] === PENDING) tracker.codes[id] = error.code
    return { error }
  }
  let list = ids
  while (list.length > 0) {
    if (run.stopping || job.signal.aborted) return null
    await job.ready()
    if (run.stopping || job.signal.aborted) return null
    let cap = job.pageRecords
    if (job.maxRecords > 0) {
      const share = Math.max(1, Math.ceil((job.maxRecords - run.records) / nodesInRound))
      cap = cap === 0 ? share : Math.min(cap, share)
    }
    const full: number[] = []
    const resumed = new Uint8Array(list.length * DIGEST_SIZE)
    let nResumed = 0
    inRequest.fill(0)
    for (const id of list) {
      inRequest[id] = 1
      if (tracker.hasDigest[id] === 1) {
        resumed.set(
          tracker.digests.subarray(id * DIGEST_SIZE, (id + 1) * DIGEST_SIZE),
          nResumed * DIGEST_SIZE,
        )
        nResumed++
      } else full.push(id)
    }
    const policy = job.policy
    let socketTimeout = policy.socketTimeout
    if (policy.totalTimeout > 0 && (socketTimeout === 0 || socketTimeout > policy.totalTimeout)) {
      socketTimeout = policy.totalTimeout
    }
    writer.reset()
    const request = writeScanRequest(writer, {
      namespace: job.namespace,
      set: job.set,
      partitions: full,
      digests: resumed.subarray(0, nResumed * DIGEST_SIZE),
      bins: job.bins,
      maxRecords: cap,
      recordsPerSecond: policy.recordsPerSecond,
      socketTimeout,
      totalTimeout: run.deadline > 0 ? Math.max(1, run.deadline - Date.now()) : 0,
      taskId: randomTaskId(),
      compressResponse: policy.compress,
    })
    let connection: Connection
    try {
      if (!node.active) {
        throw errorFromCode(
          ResultCode.ERR_INVALID_NODE,
          `node ${node.name} (${node.address}) left the cluster`,
        )
      }
      connection = await node.pool.acquire(run.deadline)
    } catch (error) {
      return fail(toCoreError(error), list)
    }
    const consumer = new ScanConsumer(run, connection, inRequest)
    run.active.add(connection)
    try {
      await connection.exchange(request, consumer, {
        socketTimeoutMs: socketTimeout,
        deadline: run.deadline,
      })
    } catch (error) {
      run.active.delete(connection)
      node.pool.release(connection)
      if (consumer.fatal !== null) throw consumer.fatal
      if (run.stopping || job.signal.aborted) return null
      return fail(toCoreError(error), list)
    }
    run.active.delete(connection)
    const decoder = consumer.decoder
    // A stream left before its end (the sink stopped, the node gave up) cannot be reused.
    if (!decoder.done || decoder.failed) connection.close()
    node.pool.release(connection)
    if (consumer.stopped) return null
    const code = decoder.resultCode
    if (code !== 0 && !(decoder.failed && code === ResultCode.ERR_RECORD_NOT_FOUND)) {
      return fail(
        errorFromCode(code, `${node.address}: scan failed on the node with result ${code}`),
        list,
      )
    }
    for (const { id, code: partitionCode } of consumer.unavailable) {
      tracker.codes[id] = partitionCode
      inRequest[id] = 0
    }
    if (consumer.unavailable.length > 0) {
      const first = consumer.unavailable[0]!
      failure = {
        error: errorFromCode(
          first.code,
          `${node.address}: ${consumer.unavailable.length} partitions unavailable (partition ${first.id} first)`,
        ),
      }
    }
    // An answer with fewer records than asked for read every partition it named to the end.
    if (cap === 0 || consumer.received < cap || decoder.failed) {
      for (const id of list) if (inRequest[id] === 1) tracker.finish(id)
      job.onPartitionsDone?.(tracker.done)
      list = []
    } else {
      list = list.filter((id) => inRequest[id] === 1)
    }
  }
  return failure
}

/** A `key=value` item of an info value split by `separator`, as a number (NaN when absent). */
function infoNumber(value: string | undefined, key: string, separator: string): number {
  if (value === undefined) return NaN
  for (const item of value.split(separator)) {
    const eq = item.indexOf('=')
    if (eq > 0 && item.slice(0, eq) === key) return Number(item.slice(eq + 1))
  }
  return NaN
}

/**
 * About how many records the job reads: the set's (or namespace's) objects on every node over the
 * effective replication factor, scaled to the partitions asked for. null when a node cannot say.
 */
async function estimateRecords(cluster: Cluster, job: ScanJob): Promise<number | null> {
  const nodes = cluster.nodes.filter((n) => n.active)
  if (nodes.length === 0) return null
  const nsCommand = `namespace/${job.namespace}`
  const setCommand = job.set === '' ? null : `sets/${job.namespace}/${job.set}`
  const commands = setCommand === null ? [nsCommand] : [nsCommand, setCommand]
  let answers: Map<string, string>[]
  try {
    answers = await Promise.all(nodes.map((node) => node.info(commands, 1000)))
  } catch {
    return null
  }
  let objects = 0
  let replication = 1
  for (const values of answers) {
    const ns = values.get(nsCommand)
    const factor = infoNumber(ns, 'effective_replication_factor', ';')
    if (factor >= 1) replication = Math.max(replication, factor)
    const count =
      setCommand === null
        ? infoNumber(ns, 'objects', ';')
        : // a set a node has never seen: no objects there
          (values.get(setCommand) ?? '') === ''
          ? 0
          : infoNumber(values.get(setCommand), 'objects', ':')
    if (!Number.isFinite(count) || count < 0) return null
    objects += count
  }
  let estimate = Math.ceil(((objects / replication) * job.partitions.length) / N_PARTITIONS)
  if (job.maxRecords > 0) estimate = Math.min(estimate, job.maxRecords)
  return estimate
}

/** Runs `tasks` with at most `limit` in flight; resolves with their results in order. */
async function bounded<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results = new Array<T>(tasks.length)
  let next = 0
  const lanes = Array.from({ length: Math.min(limit, tasks.length) }, async () => {
    while (next < tasks.length) {
      const i = next++
      results[i] = await tasks[i]!()
    }
  })
  await Promise.all(lanes)
  return results
}

/**
 * Scans `job.partitions` of the cluster into `job.sink`. Throws only what no retry mends (an
 * unknown namespace, a request the server refuses, a broken answer, a value the sink refuses);
 * partitions still unfinished after `policy.maxRetries` rounds (or the total timeout) are
 * returned in `unfinished`.
 */
export async function scanPartitions(cluster: Cluster, job: ScanJob): Promise<ScanOutcome> {
  const tracker = new PartitionTracker(job)
  const policy = job.policy
  const run: ScanRun = {
    cluster,
    job,
    tracker,
    deadline: policy.totalTimeout > 0 ? Date.now() + policy.totalTimeout : 0,
    active: new Set(),
    records: 0,
    stopping: false,
    fatal: null,
    stop() {
      run.stopping = true
      for (const connection of run.active) connection.close()
    },
  }
  const stop = (): void => run.stop()
  job.signal.addEventListener('abort', stop, { once: true })
  if (job.onEstimate !== undefined) {
    const estimate = await estimateRecords(cluster, job)
    if (estimate !== null) job.onEstimate(estimate)
  }
  try {
    for (let round = 0; ; round++) {
      if (run.stopping || job.signal.aborted) break
      const pending = tracker.pending()
      if (pending.length === 0) break
      const masters = cluster.partitions.masters(job.namespace)
      if (masters === undefined)
        throw new NamespaceNotFoundError(
          `namespace "${job.namespace}" is not served by the cluster`,
        )
      const byNode = new Map<Node, number[]>()
      let unrouted = 0
      for (const id of pending) {
        const node = masters[id]
        if (node === undefined || !node.active) {
          tracker.codes[id] = ResultCode.ERR_INVALID_NODE
          unrouted++
          continue
        }
        let list = byNode.get(node)
        if (list === undefined) byNode.set(node, (list = []))
        list.push(id)
      }
      if (unrouted > 0) cluster.requestTend()
      const groups = [...byNode]
      const limit = job.concurrency > 0 ? job.concurrency : groups.length
      const failures = await bounded(
        groups.map(([node, ids]) => async () => {
          try {
            const failure = await scanNode(run, node, ids, groups.length)
            if (failure !== null && !SCAN_RETRYABLE_CODES.has(failure.error.code)) {
              // A refusal no retry mends: stop the other nodes now.
              run.fatal ??= failure.error
              stop()
            }
            return failure
          } catch (error) {
            // No retry mends it: stop every other request and fail the scan.
            run.fatal ??= toCoreError(error)
            stop()
            return null
          }
        }),
        limit,
      )
      if (run.fatal !== null) throw run.fatal
      if (run.stopping || job.signal.aborted) break
      if (tracker.pending().length === 0) break
      if (failures.some((f) => f !== null) || unrouted > 0) cluster.requestTend()
      const expired = run.deadline > 0 && Date.now() >= run.deadline
      if (round >= policy.maxRetries || expired || cluster.isClosed) {
        if (expired) {
          for (const id of tracker.pending()) tracker.codes[id] = ResultCode.ERR_TIMEOUT
        }
        break
      }
      // Let a tend see what failed (a node gone, partitions moved) before routing again.
      await untilDeadline(cluster.tend(), run.deadline)
      const wait =
        run.deadline > 0
          ? Math.min(policy.sleepBetweenRetries, run.deadline - Date.now())
          : policy.sleepBetweenRetries
      await sleepUnlessAborted(wait, job.signal)
      if (run.deadline > 0 && Date.now() >= run.deadline) {
        for (const id of tracker.pending()) tracker.codes[id] = ResultCode.ERR_TIMEOUT
        break
      }
    }
  } finally {
    job.signal.removeEventListener('abort', stop)
  }
  const stopped = run.stopping || job.signal.aborted
  return { unfinished: stopped ? [] : tracker.unfinished(), stopped }
}
