/**
 * The worker side of the blocking client: one `AsyncClient` with the wire engine (the official
 * addon can never load in a worker thread), driven by requests from `client.ts`. Arguments are
 * rebuilt from data, results taken apart into typed arrays that are moved, not copied, back.
 */
import type { TransferListItem } from 'node:worker_threads'

import { AsyncClient, PartialWriteError, type AsyncClientConfig } from '@aerospike-numpy/async'
import { readPrepared } from '@aerospike-numpy/async/internal'
import { BatchRecords, type NumpyBatchRecords } from '@aerospike-numpy/core'

import { toErrorData } from '@aerospike-numpy/core/internal'

import type {
  ListenerEvent,
  NumpyReadResultData,
  OptionsData,
  ReplyValue,
  Request,
  WriteResultData,
} from './messages.js'
import { scanAll, scanClose, scanNext, scanOpen } from './host-scan.js'
import {
  arrayFromData,
  dtypeFromData,
  keyBatchFromData,
  movable,
  movableArrayToData,
} from './transfer.js'
import type { HostReply } from './worker.js'

let client: AsyncClient | null = null

const NONE: HostReply = { value: { kind: 'none' }, transfer: [] }

function current(): AsyncClient {
  if (client === null) throw new Error('internal: the worker received a call before init')
  return client
}

export async function handleRequest(request: Request): Promise<HostReply> {
  switch (request.op) {
    case 'init': {
      const config = request.config
      // Always the wire engine: nothing in this thread may load the official addon.
      client = new AsyncClient(
        (typeof config === 'object' && config !== null && !Array.isArray(config)
          ? { ...config, engine: 'wire' }
          : config) as AsyncClientConfig,
      )
      return NONE
    }
    case 'connect':
      await current().connect()
      return NONE
    case 'close':
      await current().close()
      return NONE
    case 'isConnected':
      return { value: { kind: 'boolean', value: client?.isConnected() ?? false }, transfer: [] }
    case 'batchWriteNumpy':
    case 'writeNumpy': {
      const dtype = dtypeFromData(request.dtype)
      const data = arrayFromData(request.data)
      const events: ListenerEvent[] = []
      let options: unknown = request.options
      if (request.listeners.length > 0) {
        const withListeners: Record<string, unknown> = { ...request.options }
        for (const listener of request.listeners) {
          withListeners[listener] = (event: unknown) =>
            events.push({ listener, event: plainCopy(event) })
        }
        options = withListeners
      }
      try {
        const result =
          request.op === 'batchWriteNumpy'
            ? await current().batchWriteNumpy(
                data,
                request.namespace,
                request.set,
                dtype,
                options as never,
              )
            : await current().writeNumpy(
                data,
                request.namespace,
                request.set,
                dtype,
                options as never,
              )
        return writeReply(result, events, undefined)
      } catch (error) {
        // Rows were sent: the caller gets the results with the error, as from the async client.
        if (error instanceof PartialWriteError && error.results instanceof BatchRecords) {
          return writeReply(error.results, events, error)
        }
        throw error
      }
    }
    case 'read': {
      const result = await readPrepared(current(), {
        keys: keyBatchFromData(request.keys),
        dtype: dtypeFromData(request.dtype),
        bins: request.bins,
        policy: request.policy,
      })
      return readReply(result)
    }
    case 'scanNumpyAll':
      return scanAll(current(), request)
    case 'scanOpen':
      return scanOpen(current(), request)
    case 'scanNext':
      return scanNext(request.scan)
    case 'scanClose':
      return scanClose(request.scan)
  }
}

function writeReply(
  result: BatchRecords,
  events: ListenerEvent[],
  interrupted: PartialWriteError | undefined,
): HostReply {
  const transfer: TransferListItem[] = []
  // null only for an empty write (no rows, no keys)
  const keys = result.keyColumn?.bytes ?? new Uint8Array(0)
  const value: WriteResultData = {
    kind: 'write',
    resultCodes: movable(result.resultCodes, transfer),
    generations: movable(result.generations, transfer),
    ttls: movable(result.ttls, transfer),
    inDoubt: movable(result.inDoubt, transfer),
    keys: movable(keys, transfer),
    aborted: result.aborted,
    events,
    interrupted: interrupted === undefined ? undefined : toErrorData(interrupted),
  }
  return { value, transfer }
}

function readReply(result: NumpyBatchRecords): HostReply {
  const records = movableArrayToData(result.batchRecords)
  const meta = movableArrayToData(result.meta)
  const transfer: TransferListItem[] = [...records.transfer, ...meta.transfer]
  const value: NumpyReadResultData = {
    kind: 'numpyRead',
    records: records.data,
    resultCodes: movable(result.resultCodes, transfer),
    meta: meta.data,
  }
  const reply: ReplyValue = value
  return { value: reply, transfer }
}

/** A callback's event as data (what cannot be cloned is left out; the events are plain objects). */
function plainCopy(event: unknown): OptionsData {
  try {
    const copy: unknown = structuredClone(event)
    if (typeof copy === 'object' && copy !== null) return copy as OptionsData
    return { value: copy }
  } catch {
    const out: Record<string, unknown> = {}
    if (typeof event === 'object' && event !== null) {
      for (const [key, value] of Object.entries(event)) {
        if (typeof value !== 'object' && typeof value !== 'function') out[key] = value
      }
    }
    return out
  }
}
