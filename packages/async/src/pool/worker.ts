/**
 * The pool's worker: one attempt at writing a chunk's rows with the wire engine, results written
 * into the shared outcome in place. One cluster connection per worker, made on its first task and
 * kept for the pool's life. Loaded through `entry.cts` (see there); never imports the official
 * client (it aborts worker threads).
 */
import { workerData } from 'node:worker_threads'
import { toErrorData, type Engine, type WriteOutcome } from '@aerospike-numpy/core'
import {
  dtype as makeDtype,
  StructuredArray,
  type Dtype,
  type DtypeSpec,
} from '@aerospike-numpy/dtype'
import type { ResolvedClientConfig } from '../config.js'
import { createWireEngine } from '../wire/engine.js'
import { planFor } from '../write-args.js'
import type { PoolWorkerData, SharedView, WriteTask, WriteTaskReply } from './messages.js'

const { cluster } = workerData as PoolWorkerData
let engine: Promise<Engine> | null = null

function connected(): Promise<Engine> {
  if (engine === null) {
    // clusterConfigFor always lists hosts as objects
    const seeds = cluster.hosts as readonly { host: string; port: number }[]
    const hosts = seeds.map((h) => ({ addr: h.host, port: h.port }))
    const config: ResolvedClientConfig = {
      engine: 'wire',
      hosts,
      hostsString: hosts.map((h) => `${h.addr}:${h.port}`).join(','),
      options: {},
    }
    const e = createWireEngine(config, cluster)
    const connecting = e.connect().then(() => e)
    // a failed connect is retried by the next task
    connecting.catch(() => {
      if (engine === connecting) engine = null
    })
    engine = connecting
  }
  return engine
}

const dtypes = new Map<string, Dtype>()
const DTYPE_CACHE_LIMIT = 64

/** The dtype of a task, one Dtype per spec text (so `planFor` compiles one plan per dtype). */
function dtypeOf(text: string): Dtype {
  let dt = dtypes.get(text)
  if (dt === undefined) {
    dt = makeDtype(JSON.parse(text) as DtypeSpec)
    if (dtypes.size >= DTYPE_CACHE_LIMIT) dtypes.clear()
    dtypes.set(text, dt)
  }
  return dt
}

function int32(v: SharedView): Int32Array {
  return new Int32Array(v.buffer, v.byteOffset, v.length)
}
function uint32(v: SharedView): Uint32Array {
  return new Uint32Array(v.buffer, v.byteOffset, v.length)
}

export default async function writeRows(task: WriteTask): Promise<WriteTaskReply> {
  try {
    const e = await connected()
    const dt = dtypeOf(task.dtype)
    const data = StructuredArray.fromBuffer(dt, task.rows.buffer, {
      byteOffset: task.rows.byteOffset,
      stride: task.rows.stride,
      length: task.rows.length,
    })
    const o = task.outcome
    const outcome: WriteOutcome = {
      resultCodes: int32(o.resultCodes),
      generations: uint32(o.generations),
      ttls: uint32(o.ttls),
      inDoubt: new Uint8Array(o.inDoubt.buffer, o.inDoubt.byteOffset, o.inDoubt.length),
    }
    await e.write({
      plan: planFor(dt, task.keyField, task.validityField),
      data,
      rows: task.rowIndices,
      namespace: task.namespace,
      set: task.set,
      policy: task.policy,
      outcome,
    })
    return { error: null }
  } catch (error) {
    return { error: toErrorData(error) }
  }
}
