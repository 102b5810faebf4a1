/**
 * The worker side of the blocking client's scans: `scanNumpyAll` as one call, and iterated scans
 * held open between the caller's `next()` calls (the async iterator keeps reading, held back by
 * its own queue, while the caller works on a chunk). Chunks go back as moved buffers.
 */
import type { TransferListItem } from 'node:worker_threads'

import type { AsyncClient, ScanNumpyOptions } from '@aerospike-numpy/async'
import type { ScanChunk } from '@aerospike-numpy/core'

import type { ListenerEvent, Request, ScanChunkData, ScanResultData } from './messages.js'
import { dtypeFromData, ownedArrayToData } from './transfer.js'
import type { HostReply } from './worker.js'

type ScanRequest = Extract<Request, { op: 'scanNumpyAll' | 'scanOpen' }>

interface OpenScan {
  iterator: AsyncIterator<ScanChunk>
  events: ListenerEvent[]
}

const open = new Map<number, OpenScan>()
let nextScan = 1

function optionsOf(request: ScanRequest, events: ListenerEvent[]): ScanNumpyOptions {
  const options: Record<string, unknown> = { ...request.options }
  if (request.dtype !== undefined) options.dtype = dtypeFromData(request.dtype)
  if (request.listeners.includes('onProgress')) {
    options.onProgress = (event: unknown) =>
      events.push({ listener: 'onProgress', event: { ...(event as object) } })
  }
  return options as unknown as ScanNumpyOptions
}

function chunkReply(chunk: ScanChunk | null, events: ListenerEvent[]): HostReply {
  const transfer: TransferListItem[] = []
  let data: ScanChunkData | null = null
  if (chunk !== null) {
    // A chunk owns its buffers (the sink allocates them for it): moved whole, never copied.
    const records = ownedArrayToData(chunk.records)
    const meta = ownedArrayToData(chunk.meta)
    transfer.push(...records.transfer, ...meta.transfer)
    if (chunk.digests.buffer instanceof ArrayBuffer) transfer.push(chunk.digests.buffer)
    data = {
      records: records.data,
      digests: chunk.digests,
      meta: meta.data,
      length: chunk.length,
    }
  }
  const value: ScanResultData = { kind: 'scanChunk', chunk: data, events: events.splice(0) }
  return { value, transfer }
}

export async function scanAll(client: AsyncClient, request: ScanRequest): Promise<HostReply> {
  const events: ListenerEvent[] = []
  const chunk = await client.scanNumpyAll(
    request.namespace,
    request.set,
    optionsOf(request, events),
  )
  return chunkReply(chunk, events)
}

export function scanOpen(client: AsyncClient, request: ScanRequest): HostReply {
  const events: ListenerEvent[] = []
  // Options are checked here, so a bad one fails the open call, as the async client throws.
  const iterable = client.scanNumpy(request.namespace, request.set, optionsOf(request, events))
  const id = nextScan++
  open.set(id, { iterator: iterable[Symbol.asyncIterator](), events })
  return { value: { kind: 'scanOpened', scan: id }, transfer: [] }
}

export async function scanNext(id: number): Promise<HostReply> {
  const scan = open.get(id)
  if (scan === undefined) throw new Error(`internal: scan ${id} is not open`)
  let result: IteratorResult<ScanChunk>
  try {
    result = await scan.iterator.next()
  } catch (error) {
    open.delete(id)
    throw error
  }
  if (result.done === true) open.delete(id)
  return chunkReply(result.done === true ? null : result.value, scan.events)
}

export async function scanClose(id: number): Promise<HostReply> {
  const scan = open.get(id)
  open.delete(id)
  // Stops the scan and waits until its requests are closed.
  await scan?.iterator.return?.()
  return { value: { kind: 'none' }, transfer: [] }
}
