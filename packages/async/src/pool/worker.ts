/**
 * The piscina worker: writes one chunk of shared rows with the wire engine and writes the
 * per-row results into the shared outcome. One cluster connection per worker and cluster
 * config, kept for the pool's life. Never imports the official client (it aborts worker threads).
 */
import {
  compileWritePlan,
  resolveRetry,
  resolveWritePolicy,
  toErrorData,
  writeWithRetry,
  type Engine,
  type RetryOptions,
  type WritePlan,
} from '@aerospike-numpy/core'
import { dtype, StructuredArray, type DtypeSpec } from '@aerospike-numpy/dtype'
import type { ResolvedClientConfig } from '../config.js'
import { createWireEngine } from '../wire/engine.js'
import type { RetryEventMessage, WriteChunkResult, WriteChunkTask } from './messages.js'

const engines = new Map<string, Promise<Engine>>()
const plans = new Map<string, WritePlan>()
const arrays = new WeakMap<SharedArrayBuffer, Map<string, StructuredArray>>()

function engineFor(task: WriteChunkTask): Promise<Engine> {
  const key = JSON.stringify(task.cluster)
  let engine = engines.get(key)
  if (engine === undefined) {
    const hosts = (task.cluster.hosts as { host: string; port: number }[]).map((h) => ({
      addr: h.host,
      port: h.port,
    }))
    const config: ResolvedClientConfig = {
      engine: 'wire',
      hosts,
      hostsString: hosts.map((h) => `${h.addr}:${h.port}`).join(','),
      options: {},
    }
    const e = createWireEngine(config, task.cluster)
    engine = e.connect().then(() => e)
    engines.set(key, engine)
    engine.catch(() => engines.delete(key))
  }
  return engine
}

function rowsFor(task: WriteChunkTask): { data: StructuredArray; plan: WritePlan } {
  const { rows } = task
  const specKey = JSON.stringify(rows.spec)
  const planKey = `${specKey}\0${task.keyField}\0${task.validityField ?? ''}`
  let plan = plans.get(planKey)
  let perBuffer = arrays.get(rows.buffer)
  if (perBuffer === undefined) {
    perBuffer = new Map()
    arrays.set(rows.buffer, perBuffer)
  }
  let data = perBuffer.get(specKey)
  if (data === undefined) {
    const dt = plan?.dtype ?? dtype(rows.spec as DtypeSpec)
    data = StructuredArray.fromBuffer(dt, rows.buffer, {
      byteOffset: rows.byteOffset,
      stride: rows.stride,
      length: rows.length,
    })
    perBuffer.set(specKey, data)
  }
  if (plan === undefined) {
    plan = compileWritePlan(data.dtype, task.keyField, task.validityField)
    plans.set(planKey, plan)
  }
  return { data, plan }
}

export default async function writeChunk(task: WriteChunkTask): Promise<WriteChunkResult> {
  try {
    return await runChunk(task)
  } catch (error) {
    return { retries: [], error: toErrorData(error) }
  }
}

async function runChunk(task: WriteChunkTask): Promise<WriteChunkResult> {
  const engine = await engineFor(task)
  const { data, plan } = rowsFor(task)
  const n = task.end - task.start
  const rows = new Uint32Array(n)
  for (let i = 0; i < n; i++) rows[i] = task.start + i
  const retries: RetryEventMessage[] = []
  await writeWithRetry(
    engine,
    {
      plan,
      data,
      rows,
      namespace: task.namespace,
      set: task.set,
      policy: resolveWritePolicy(task.policy),
      outcome: {
        resultCodes: new Int32Array(task.outcome.resultCodes),
        generations: new Uint32Array(task.outcome.generations),
        ttls: new Uint32Array(task.outcome.ttls),
        inDoubt: new Uint8Array(task.outcome.inDoubt),
      },
    },
    {
      retry: resolveRetry(task.retry as number | RetryOptions | undefined),
      onRetry: (event) =>
        retries.push({ attempt: event.attempt, rows: event.rows, delayMs: event.delayMs }),
    },
  )
  return { retries }
}
