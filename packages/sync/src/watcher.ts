/**
 * The watcher thread of the sync client: it starts the worker and, when the worker exits, wakes
 * the blocked caller. The worker's own exit hook cannot cover every death: one that runs out of
 * heap is terminated by Node.js without running any more JavaScript, and the caller, asleep in
 * `Atomics.wait`, would never wake (its thread cannot receive the 'exit' event either). This
 * thread runs nothing else, so it always sees the exit. Stopping the watcher ends the worker.
 */
import { Worker, workerData } from 'node:worker_threads'

import { toErrorData } from '@aerospike-numpy/core/error-data'
import {
  CONTROL_EXITED,
  CONTROL_READY,
  CONTROL_REPLY_COUNT,
  type Reply,
  type WatcherBootData,
} from './messages.js'

const { entry, boot, report, resourceLimits } = workerData as WatcherBootData
const control = new Int32Array(boot.control)
let failure: unknown

const worker = new Worker(new URL(entry), {
  workerData: boot,
  transferList: [boot.port],
  // Not the caller's flags: `--input-type`, `--eval` or a loader meant for the main script
  // make a worker fail before it runs a line. The worker is plain built JS.
  execArgv: [],
  ...(resourceLimits === undefined ? {} : { resourceLimits }),
})
worker.on('error', (error) => {
  failure ??= error
})
worker.on('exit', (code) => {
  // The worker's hook, when it ran, has already said so (and why); otherwise say it here.
  if (Atomics.load(control, CONTROL_EXITED) === 0) {
    const reply: Reply = {
      kind: 'exit',
      code,
      error: failure === undefined ? undefined : toErrorData(failure),
    }
    report.postMessage(reply)
    Atomics.store(control, CONTROL_EXITED, 1)
  }
  report.close()
  Atomics.add(control, CONTROL_REPLY_COUNT, 1)
  Atomics.notify(control, CONTROL_REPLY_COUNT)
  // A worker that died before it was ready: the caller waits on this word while it starts.
  Atomics.store(control, CONTROL_READY, 1)
  Atomics.notify(control, CONTROL_READY)
})
