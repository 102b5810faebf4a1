/**
 * The worker pool behind `writeNumpy({ workers })`: a piscina pool of threads, each running the
 * wire engine with its own cluster connection, so chunks are encoded and sent off the caller's
 * event loop. It is only a `ChunkSender` — where a chunk goes — for the one write loop, which runs
 * on the calling thread (chunking, concurrency, retry, progress, abort are the same as without
 * workers). Rows and per-row results stay in SharedArrayBuffers the threads share.
 *
 * One pool per client, made on first use and closed by `close()`; a call asking for another
 * number of workers (or another concurrency) gets a new pool, and the old one closes once the
 * calls using it are done. Threads start as chunks need them (`workers` at most, `concurrency`
 * chunks each), so a small write does not start every thread, and end after a while idle.
 */
import { fileURLToPath } from 'node:url'
import { Piscina } from 'piscina'
import { ClientError, fromErrorData, type WriteJob } from '@aerospike-numpy/core'
import type { Dtype } from '@aerospike-numpy/dtype'
import type { ResolvedClientConfig } from '../config.js'
import { clusterConfigFor } from '../wire/engine.js'
import type { ChunkSender } from '../write-loop.js'
import * as asyncErrors from '../errors.js'
import type { PoolWorkerData, SharedView, WriteTask, WriteTaskReply } from './messages.js'

/** Error classes a worker may throw besides dtype's and core's (for core's `fromErrorData`). */
const ERROR_MODULES: readonly object[] = [asyncErrors]

/** A thread idle this long ends (its cluster connection with it); the next chunk starts one. */
const IDLE_MS = 30_000

/** The worker entry, always from dist/ (worker threads cannot load TypeScript sources). */
function entryFilename(): string {
  const here = fileURLToPath(import.meta.url)
  if (here.endsWith('.js')) return fileURLToPath(new URL('./entry.cjs', import.meta.url))
  return fileURLToPath(new URL('../../dist/pool/entry.cjs', import.meta.url))
}

const specText = new WeakMap<Dtype, string>()

/** The dtype as the worker rebuilds it: numpy's dict form (offsets, itemsize), as JSON text. */
function dtypeText(dt: Dtype): string {
  let text = specText.get(dt)
  if (text === undefined) {
    text = JSON.stringify(dt.toSpec())
    specText.set(dt, text)
  }
  return text
}

function shared(view: Int32Array | Uint32Array | Uint8Array): SharedView {
  if (!(view.buffer instanceof SharedArrayBuffer)) {
    throw new Error('internal: the pool needs results in a SharedArrayBuffer')
  }
  return { buffer: view.buffer, byteOffset: view.byteOffset, length: view.length }
}

export interface PoolLease {
  readonly sender: ChunkSender
  release(): void
}

export class WriteWorkerPool {
  /** Pools made and closed in this process (for tests and diagnostics). */
  static opened = 0
  static closed = 0
  readonly workers: number
  readonly concurrency: number
  readonly #piscina: Piscina<WriteTask, WriteTaskReply>
  #leases = 0
  #retired = false
  #closing = false
  readonly #closed: Promise<void>
  readonly #onClosed: () => void
  readonly #sender: ChunkSender

  /** `workers` threads at most, `concurrency` chunks in flight on each. */
  constructor(workers: number, concurrency: number, config: ResolvedClientConfig) {
    this.workers = workers
    this.concurrency = concurrency
    let onClosed = (): void => {}
    this.#closed = new Promise((resolve) => (onClosed = resolve))
    this.#onClosed = () => {
      WriteWorkerPool.closed++
      onClosed()
    }
    WriteWorkerPool.opened++
    const workerData: PoolWorkerData = { cluster: clusterConfigFor(config) }
    this.#piscina = new Piscina<WriteTask, WriteTaskReply>({
      filename: entryFilename(),
      minThreads: 1,
      maxThreads: workers,
      // a thread takes this many chunks; more in flight start another thread (up to maxThreads)
      concurrentTasksPerWorker: concurrency,
      idleTimeout: IDLE_MS,
      // A thread blocked in Atomics.wait between tasks would also stop its cluster's tend.
      atomics: 'disabled',
      workerData,
    })
    const piscina = this.#piscina
    this.#sender = {
      shared: true,
      async write(job: WriteJob): Promise<void> {
        const data = job.data
        if (!(data.buffer instanceof SharedArrayBuffer)) {
          throw new Error('internal: the pool needs rows in a SharedArrayBuffer')
        }
        const task: WriteTask = {
          dtype: dtypeText(data.dtype),
          keyField: job.plan.keyField,
          validityField: job.plan.validity?.field.name ?? null,
          rows: {
            buffer: data.buffer,
            byteOffset: data.byteOffset,
            stride: data.stride,
            length: data.length,
          },
          rowIndices: job.rows,
          namespace: job.namespace,
          set: job.set,
          policy: job.policy,
          outcome: {
            resultCodes: shared(job.outcome.resultCodes),
            generations: shared(job.outcome.generations),
            ttls: shared(job.outcome.ttls),
            inDoubt: shared(job.outcome.inDoubt),
          },
        }
        let reply: WriteTaskReply
        try {
          reply = await piscina.run(task)
        } catch (error) {
          // The thread died (or could not load) with the task: it may have sent the rows.
          const reason = error instanceof Error ? error.message : String(error)
          throw new ClientError(
            `a worker thread of the writeNumpy pool failed during the write: ${reason}`,
            { cause: error, inDoubt: true },
          )
        }
        if (reply.error !== null) {
          throw fromErrorData(reply.error, {
            modules: ERROR_MODULES,
            origin: 'a writeNumpy worker',
          })
        }
      },
    }
  }

  /** The sender for one call; `release()` when the call is done. */
  lease(): PoolLease {
    if (this.#closing || this.#retired) throw new Error('internal: lease of a retired pool')
    this.#leases++
    let released = false
    return {
      sender: this.#sender,
      release: () => {
        if (released) return
        released = true
        this.#leases--
        if (this.#retired && this.#leases === 0) void this.close()
      },
    }
  }

  /** No new calls; the pool closes once the calls using it are done. Resolves when closed. */
  retire(): Promise<void> {
    this.#retired = true
    if (this.#leases === 0) return this.close()
    return this.#closed
  }

  /** Ends every thread (each one's cluster connection goes with it). */
  close(): Promise<void> {
    if (!this.#closing) {
      this.#closing = true
      this.#piscina.destroy().then(this.#onClosed, this.#onClosed)
    }
    return this.#closed
  }
}
