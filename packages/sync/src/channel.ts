/**
 * A worker thread the calling thread talks to by blocking on `Atomics.wait`.
 *
 * Built on `worker_threads` directly rather than synckit's `createSyncFn`, because synckit cannot
 * meet three requirements of this client:
 * - it keeps one worker per worker file for the whole process (a module-level cache), so several
 *   clients could not have independent workers, and `close()` could not end one;
 * - when the worker dies mid-call nothing wakes the waiting thread: without a timeout it blocks
 *   for ever, with one it reports a generic "Atomics.wait() failed: timed-out";
 * - it gives no handle to stop the worker after a user-set timeout.
 * The protocol is the same idea: the request goes over a MessagePort, the worker posts its reply
 * and bumps a shared counter, the caller sleeps in `Atomics.wait` on that counter and then takes
 * the reply with `receiveMessageOnPort`. While it sleeps, no timer, promise or I/O callback of the
 * calling thread can run. The worker's exit hook (it runs on `process.exit`, an uncaught
 * exception and an unhandled rejection) posts an `exit` message and bumps the counter too. A death
 * that runs no JavaScript (the heap limit reached, a terminated thread) cannot run that hook, and
 * the blocked thread cannot receive the worker's 'exit' event either: so the worker is started by
 * a small watcher thread (`watcher.ts`) that does the same when it sees the worker exit. Every
 * death wakes the caller.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import {
  MessageChannel,
  Worker,
  receiveMessageOnPort,
  type MessagePort,
  type ResourceLimits,
  type TransferListItem,
} from 'node:worker_threads'

import {
  CONTROL_EXITED,
  CONTROL_READY,
  CONTROL_RECEIVED,
  CONTROL_REPLY_COUNT,
  CONTROL_WORDS,
  type ErrorData,
  type Reply,
  type ReplyValue,
  type RequestBody,
  type WatcherBootData,
  type WorkerBootData,
} from './messages.js'

/** The watcher entry, built (found from src/ under the tests and from dist/ alike). */
const WATCHER_URL = new URL('../dist/watcher.js', import.meta.url)

export interface BlockingWorkerOptions {
  /** The worker entry file (built JS). */
  readonly workerUrl: URL
  /** Module the worker imports to serve requests (absolute file URL string). */
  readonly hostModule: string
  /** @internal The worker's heap limits (tests make it run out of memory). */
  readonly resourceLimits?: ResourceLimits
}

/** How a call ended, for the caller to turn into a value or an error. */
export type CallOutcome =
  | { readonly kind: 'result'; readonly value: ReplyValue }
  | { readonly kind: 'error'; readonly error: ErrorData }
  | {
      readonly kind: 'exited'
      readonly exitCode: number
      readonly error: ErrorData | undefined
      /** The worker had taken this call before it died (so it may have acted on it). */
      readonly received: boolean
    }
  | {
      readonly kind: 'timeout'
      readonly timeoutMs: number
      /** The worker had taken this call before it was stopped. */
      readonly received: boolean
    }
  | { readonly kind: 'notCloneable'; readonly error: unknown }

/**
 * How long a new worker may take to install its exit hook. Before that point a failure to start
 * (reported only as an event on this thread, which is blocked) could not wake the caller.
 */
export const STARTUP_LIMIT_MS = 30_000

export class BlockingWorker {
  /** The watcher thread; the worker is its child and ends with it. */
  private readonly worker: Worker
  private readonly port: MessagePort
  /** Where the watcher reports a worker's exit that its own hook could not. */
  private readonly watch: MessagePort
  private readonly control: Int32Array
  private nextId = 1
  private exitCode: number | undefined
  private exitError: ErrorData | undefined
  private stopped = false
  private watcherGone = false

  constructor(options: BlockingWorkerOptions) {
    // A missing entry would fail inside the worker before its exit hook exists: say so here.
    for (const url of [options.workerUrl, WATCHER_URL]) {
      const entry = fileURLToPath(url)
      if (!existsSync(entry)) {
        throw new Error(
          `the sync client's worker entry ${entry} does not exist: build @aerospike-numpy/sync first`,
        )
      }
    }
    this.control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4))
    const { port1, port2 } = new MessageChannel()
    const watch = new MessageChannel()
    this.port = port1
    this.watch = watch.port1
    const boot: WorkerBootData = {
      control: this.control.buffer as SharedArrayBuffer,
      port: port2,
      hostModule: options.hostModule,
    }
    const watcherData: WatcherBootData = {
      entry: options.workerUrl.href,
      boot,
      report: watch.port2,
      resourceLimits: options.resourceLimits,
    }
    this.worker = new Worker(WATCHER_URL, {
      workerData: watcherData,
      transferList: [port2, watch.port2],
      execArgv: [],
    })
    // A script that never calls close() must still exit: neither the threads nor the ports keep
    // the event loop alive.
    this.worker.unref()
    this.port.unref()
    this.watch.unref()
    this.worker.on('error', () => {
      // The watcher runs nothing that throws; its exit (below) is what counts.
    })
    this.worker.on('exit', () => {
      // Seen only when this thread's event loop runs. The worker ended with its watcher.
      this.watcherGone = true
    })
    this.awaitStartup()
  }

  private awaitStartup(): void {
    const deadline = performance.now() + STARTUP_LIMIT_MS
    // READY is also set by the watcher when the worker died before it got that far.
    while (Atomics.load(this.control, CONTROL_READY) === 0) {
      const remaining = deadline - performance.now()
      if (remaining <= 0) {
        this.stop()
        throw new Error(
          `the sync client's worker did not start within ${STARTUP_LIMIT_MS / 1000} s (Node.js could not start a worker thread here)`,
        )
      }
      Atomics.wait(this.control, CONTROL_READY, 0, remaining)
    }
  }

  /** The worker has ended (or was stopped) and will answer nothing more. */
  get exited(): boolean {
    return (
      this.stopped ||
      this.watcherGone ||
      this.exitCode !== undefined ||
      Atomics.load(this.control, CONTROL_EXITED) !== 0
    )
  }

  get threadId(): number {
    return this.worker.threadId
  }

  /**
   * Send one request and block until its reply, the worker's exit, or `timeoutMs` (none: wait as
   * long as the call takes).
   */
  call(
    body: RequestBody,
    transfer: readonly TransferListItem[] = [],
    timeoutMs?: number,
  ): CallOutcome {
    const id = this.nextId++
    if (this.exited) return this.exitOutcome(id)
    try {
      this.port.postMessage({ ...body, id }, transfer as TransferListItem[])
    } catch (error) {
      return { kind: 'notCloneable', error }
    }
    const deadline = timeoutMs === undefined ? undefined : performance.now() + timeoutMs
    for (;;) {
      const seen = Atomics.load(this.control, CONTROL_REPLY_COUNT)
      const received = receiveMessageOnPort(this.port)
      if (received !== undefined) {
        const outcome = this.take(received.message as Reply, id)
        if (outcome !== undefined) return outcome
        continue
      }
      // The exit hook and the watcher post their message before they set the flag: with the
      // flag set and nothing queued, the worker is gone.
      if (Atomics.load(this.control, CONTROL_EXITED) !== 0) {
        const late = receiveMessageOnPort(this.port)
        if (late === undefined) return this.exitOutcome(id)
        const outcome = this.take(late.message as Reply, id)
        if (outcome !== undefined) return outcome
        continue
      }
      let waitMs = Infinity
      if (deadline !== undefined) {
        waitMs = deadline - performance.now()
        if (waitMs <= 0) return this.timeOut(timeoutMs ?? 0, id)
      }
      Atomics.wait(this.control, CONTROL_REPLY_COUNT, seen, waitMs)
    }
  }

  /** What a message from the worker means for call `id`; undefined: not ours, keep waiting. */
  private take(reply: Reply, id: number): CallOutcome | undefined {
    if (reply.kind === 'exit') {
      this.exitCode ??= reply.code
      this.exitError ??= reply.error
      return this.exitOutcome(id)
    }
    // Replies to earlier calls cannot be pending (calls are strictly one at a time); skip
    // anything that is not ours rather than misattribute it.
    if (reply.id !== id) return undefined
    return reply.kind === 'result'
      ? { kind: 'result', value: reply.value }
      : { kind: 'error', error: reply.error }
  }

  /** Stop the worker now (it may be mid-call); later calls report it as exited. */
  stop(): void {
    if (this.stopped) return
    this.stopped = true
    void this.worker.terminate()
    this.port.close()
    this.watch.close()
  }

  private timeOut(timeoutMs: number, id: number): CallOutcome {
    // The call is still running in the worker; stopping it is the only way to be sure it does
    // nothing more after we have reported the timeout.
    this.stop()
    return { kind: 'timeout', timeoutMs, received: this.receivedCall(id) }
  }

  private receivedCall(id: number): boolean {
    return Atomics.load(this.control, CONTROL_RECEIVED) >= id
  }

  /** Call `id` ends because the worker is gone. */
  private exitOutcome(id: number): CallOutcome {
    if (!this.stopped) {
      // Collect the exit message (the worker's hook's or the watcher's) if it is still queued.
      for (const port of [this.port, this.watch]) {
        for (;;) {
          const received = receiveMessageOnPort(port)
          if (received === undefined) break
          const reply = received.message as Reply
          if (reply.kind === 'exit') {
            this.exitCode ??= reply.code
            this.exitError ??= reply.error
          }
        }
      }
    }
    return {
      kind: 'exited',
      exitCode: this.exitCode ?? -1,
      error: this.exitError,
      received: this.receivedCall(id),
    }
  }
}
