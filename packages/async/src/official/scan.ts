/**
 * Scans on the official engine: the official client's partition queries (`query.partitions`),
 * one per run of consecutive partitions, records handed to the sink as the client's JS values.
 * The official client retries a query itself; partitions of a query that still fails are sent
 * again, one partition at a time, in later rounds. Its `partitions(begin, count, digest)` aborts
 * the process when given a digest (aerospike 6.x extracts the Buffer into an unset pointer), so a
 * partition is resumed by reading it from its start and skipping the records at or before the
 * last one delivered: a server returns a partition's records in descending digest order and
 * resumes a digest with the records below it, so "digest below the last one" is the same rule.
 *
 * Stopping early (maxRecords, a signal, a consumer that left, an error): the official client
 * gives no way to know when a stopped query is over. `RecordStream.abort()` ends the stream at
 * once while the C query's node commands go on, and closing the client under them aborts the
 * process (seen on a 3-node cluster). So a stopped query is left to run to its end with its
 * records dropped, and queries are runs of at most MAX_RUN partitions, so what is drained after a
 * stop is bounded.
 */
import {
  ResultCode,
  SCAN_RETRYABLE_CODES,
  type ScanJob,
  type ScanOutcome,
  type ScanPartitionStatus,
} from '@aerospike-numpy/core'
import { sleepUnlessAborted } from '@aerospike-numpy/core/internal'
import { DIGEST_SIZE, N_PARTITIONS } from '@aerospike-numpy/wire'
import type Aerospike from 'aerospike'
import { fromOfficialError } from '../errors.js'

type AerospikeModule = typeof Aerospike
type OfficialClient = Aerospike.Client

/** Partitions per query: a stopped scan drains at most `concurrency` queries of this many. */
const MAX_RUN = 64

interface OfficialRecord {
  key: { key?: unknown; digest: Buffer | null }
  bins: Record<string, unknown>
  gen?: number
  ttl?: number
}

interface RecordStream {
  on(event: 'data', listener: (record: OfficialRecord) => void): RecordStream
  on(event: 'error', listener: (error: unknown) => void): RecordStream
  on(event: 'end', listener: () => void): RecordStream
}

/** One partition query: a run of partitions read from their start (resumed ones are runs of one). */
interface Task {
  begin: number
  count: number
}

/** memcmp(a[ai..ai+20), b[bi..bi+20)) < 0 */
function digestBelow(a: Uint8Array, ai: number, b: Uint8Array, bi: number): boolean {
  for (let i = 0; i < DIGEST_SIZE; i++) {
    const x = a[ai + i]!
    const y = b[bi + i]!
    if (x !== y) return x < y
  }
  return false
}

export async function officialScan(
  Aerospike: AerospikeModule,
  client: OfficialClient,
  job: ScanJob,
): Promise<ScanOutcome> {
  const { sink, policy, signal } = job
  const requested = new Uint8Array(N_PARTITIONS)
  const done = new Uint8Array(N_PARTITIONS)
  const hasDigest = new Uint8Array(N_PARTITIONS)
  const digests = new Uint8Array(N_PARTITIONS * DIGEST_SIZE)
  const codes = new Int32Array(N_PARTITIONS)
  for (const p of job.partitions) {
    requested[p.id] = 1
    if (p.digest !== null) {
      hasDigest[p.id] = 1
      digests.set(p.digest, p.id * DIGEST_SIZE)
    }
  }
  let finished = 0
  let stopping = false
  const stop = (): void => {
    stopping = true
  }
  signal.addEventListener('abort', stop, { once: true })
  const queryPolicy = new Aerospike.QueryPolicy({
    totalTimeout: policy.totalTimeout,
    socketTimeout: policy.socketTimeout,
    maxRetries: policy.maxRetries,
    compress: policy.compress,
  } as never)
  const deadline = policy.totalTimeout > 0 ? Date.now() + policy.totalTimeout : 0

  /** Partitions still to read, as runs of fresh partitions and single resumed ones. */
  const plan = (): Task[] => {
    const tasks: Task[] = []
    let run: Task | null = null
    for (let id = 0; id < N_PARTITIONS; id++) {
      if (requested[id] !== 1 || done[id] === 1) {
        run = null
        continue
      }
      if (hasDigest[id] === 1) {
        tasks.push({ begin: id, count: 1 })
        run = null
      } else if (run !== null && run.begin + run.count === id && run.count < MAX_RUN) {
        run.count++
      } else {
        run = { begin: id, count: 1 }
        tasks.push(run)
      }
    }
    return tasks
  }

  /** Runs one query; resolves with the error that ended it, or null when it ran to its end. */
  const runTask = async (task: Task): Promise<unknown> => {
    await job.ready()
    if (stopping || signal.aborted) return null
    const query = client.query(job.namespace, job.set === '' ? (null as never) : job.set)
    if (job.bins === null) {
      // every bin
    } else if (job.bins.length === 0) query.nobins = true
    else query.select(...job.bins)
    query.partitions(task.begin, task.count, undefined as never)
    // Resume points as they were when the query started (a run of fresh partitions has none).
    const skipAt = task.count === 1 && hasDigest[task.begin] === 1 ? task.begin : -1
    const skipDigest =
      skipAt >= 0 ? digests.slice(skipAt * DIGEST_SIZE, (skipAt + 1) * DIGEST_SIZE) : null
    return new Promise<unknown>((resolve) => {
      const stream = query.foreach(queryPolicy as never) as unknown as RecordStream
      // Set when the sink refused a value: the query is drained, then the scan fails with it.
      let fatal: unknown = null
      let settled = false
      const settle = (value: unknown): void => {
        if (settled) return
        settled = true
        resolve(fatal !== null ? { fatal } : value)
      }
      stream.on('data', (record) => {
        // Stopped: records are dropped until the query ends on its own (see the top).
        if (stopping || fatal !== null) return
        const digest = record.key.digest
        if (digest === null || digest.length !== DIGEST_SIZE) return
        const pid = (digest[0]! | (digest[1]! << 8)) & (N_PARTITIONS - 1)
        if (pid < task.begin || pid >= task.begin + task.count) return
        // Delivered already (at or before the resume point): skip.
        if (skipDigest !== null && !digestBelow(digest, 0, skipDigest, 0)) return
        try {
          const ttl = record.ttl === undefined ? 0 : record.ttl >>> 0
          if (!sink.beginRecord(digest, 0, record.gen ?? 0, ttl)) {
            stop()
            return
          }
          if (record.key.key !== undefined && record.key.key !== null) sink.keyValue(record.key.key)
          const bins = record.bins
          if (bins !== undefined && bins !== null) {
            for (const name of Object.keys(bins)) sink.binValue(name, bins[name])
          }
          sink.endRecord()
        } catch (error) {
          // A value the sink refuses ends the scan with that error, once the queries are over.
          fatal = error
          stop()
          return
        }
        digests.set(digest, pid * DIGEST_SIZE)
        hasDigest[pid] = 1
      })
      stream.on('error', (error) => settle(fromOfficialError(error)))
      stream.on('end', () => {
        if (!settled && !stopping && fatal === null) {
          for (let id = task.begin; id < task.begin + task.count; id++) {
            if (done[id] === 0) {
              done[id] = 1
              finished++
            }
          }
          job.onPartitionsDone?.(finished)
        }
        settle(null)
      })
    })
  }

  try {
    for (let round = 0; ; round++) {
      if (stopping || signal.aborted) break
      const tasks = plan()
      if (tasks.length === 0) break
      const limit = job.concurrency > 0 ? job.concurrency : 8
      const errors: unknown[] = []
      let next = 0
      await Promise.all(
        Array.from({ length: Math.min(limit, tasks.length) }, async () => {
          while (next < tasks.length && !stopping) {
            const task = tasks[next++]!
            const error = await runTask(task)
            if (error === null) continue
            if (typeof error === 'object' && 'fatal' in (error as object)) {
              stop()
              errors.unshift((error as { fatal: unknown }).fatal)
              continue
            }
            const code = (error as { code: number }).code
            for (let id = task.begin; id < task.begin + task.count; id++) codes[id] = code
            errors.push(error)
            if (!SCAN_RETRYABLE_CODES.has(code)) stop()
          }
        }),
      )
      const fatal = errors.find(
        (e) =>
          !(
            e instanceof Error &&
            'code' in e &&
            SCAN_RETRYABLE_CODES.has((e as { code: number }).code)
          ),
      )
      if (fatal !== undefined) throw fatal
      if (stopping || signal.aborted || errors.length === 0) break
      const expired = deadline > 0 && Date.now() >= deadline
      if (round >= policy.maxRetries || expired) {
        if (expired) {
          for (let id = 0; id < N_PARTITIONS; id++) {
            if (requested[id] === 1 && done[id] === 0) codes[id] = ResultCode.ERR_TIMEOUT
          }
        }
        break
      }
      await sleepUnlessAborted(policy.sleepBetweenRetries, signal)
    }
  } finally {
    signal.removeEventListener('abort', stop)
  }
  const stopped = stopping || signal.aborted
  const unfinished: ScanPartitionStatus[] = []
  if (!stopped) {
    for (let id = 0; id < N_PARTITIONS; id++) {
      if (requested[id] !== 1 || done[id] === 1) continue
      unfinished.push({
        id,
        digest:
          hasDigest[id] === 1 ? digests.slice(id * DIGEST_SIZE, (id + 1) * DIGEST_SIZE) : null,
        code: codes[id]!,
      })
    }
  }
  return { unfinished, stopped }
}
