/**
 * The sync client's worker entry. It installs the exit hook first, then imports the module that
 * serves requests (the async client with the wire engine), so that even a failure to load that
 * module wakes the blocked caller with the reason. Only `node:` modules, core's import-free
 * error serializer and the local message types are imported statically.
 */
import { workerData, type TransferListItem } from 'node:worker_threads'

import { toErrorData } from '@aerospike-numpy/core/error-data'
import {
  CONTROL_EXITED,
  CONTROL_READY,
  CONTROL_REPLY_COUNT,
  type Reply,
  type ReplyValue,
  type Request,
  type WorkerBootData,
} from './messages.js'

/** What the host module exports. */
export interface RequestHost {
  handleRequest(request: Request): Promise<HostReply>
}
export interface HostReply {
  readonly value: ReplyValue
  /** Buffers to move (not copy) to the caller; never the caller's own SharedArrayBuffer. */
  readonly transfer: readonly TransferListItem[]
}

const boot = workerData as WorkerBootData
const control = new Int32Array(boot.control)
let fatalError: unknown

function wakeCaller(): void {
  Atomics.add(control, CONTROL_REPLY_COUNT, 1)
  Atomics.notify(control, CONTROL_REPLY_COUNT)
}

process.on('uncaughtExceptionMonitor', (error) => {
  fatalError ??= error
})
process.on('exit', (code) => {
  const reply: Reply = {
    kind: 'exit',
    code,
    error: fatalError === undefined ? undefined : toErrorData(fatalError),
  }
  try {
    boot.port.postMessage(reply)
  } catch {
    // The flag below still tells the caller.
  }
  Atomics.store(control, CONTROL_EXITED, 1)
  wakeCaller()
})

Atomics.store(control, CONTROL_READY, 1)
Atomics.notify(control, CONTROL_READY)

let host: RequestHost
try {
  host = (await import(boot.hostModule)) as RequestHost
} catch (error) {
  fatalError = error
  process.exit(1)
}

boot.port.on('message', (request: Request) => {
  void serve(request)
})

async function serve(request: Request): Promise<void> {
  let reply: Reply
  let transfer: readonly TransferListItem[] = []
  try {
    const answer = await host.handleRequest(request)
    reply = { kind: 'result', id: request.id, value: answer.value }
    transfer = answer.transfer
  } catch (error) {
    reply = { kind: 'error', id: request.id, error: toErrorData(error) }
  }
  try {
    boot.port.postMessage(reply, transfer as TransferListItem[])
  } catch (error) {
    const failed: Reply = { kind: 'error', id: request.id, error: toErrorData(error) }
    boot.port.postMessage(failed)
  }
  wakeCaller()
}
