/**
 * The official engine: core's `Engine` over the `aerospike` npm client. This is the only module
 * that imports `aerospike`, and it does so with a dynamic `import()` when the engine is created,
 * so nothing else (and nothing a worker thread loads) ever reaches the native addon.
 */
import type { AerospikeError } from '@aerospike-numpy/core'
import {
  ClientError,
  MAX_OPS_PER_RECORD,
  NamespaceNotFoundError,
  ParamError,
  PARTICLE_FLOAT,
  ResultCode,
  errorFromCode,
  type Engine,
  type ReadJob,
  type ResolvedReadPolicy,
  type ScanJob,
  type ResolvedWritePolicy,
  type WriteJob,
} from '@aerospike-numpy/core'
import { binPresent } from '@aerospike-numpy/core/internal'
import type Aerospike from 'aerospike'
import type { ResolvedClientConfig } from '../config.js'
import { NotConnectedError, fromOfficialError } from '../errors.js'
import { refuseGenerationCheck } from '../write-args.js'
import { officialScan } from './scan.js'

/** The `aerospike` module as loaded (typed loosely: only what this adapter touches). */
type AerospikeModule = typeof Aerospike
type OfficialClient = Aerospike.Client

export interface OfficialEngine extends Engine {
  readonly kind: 'official'
  /** The connected official client. */
  readonly client: OfficialClient
  readonly aerospike: AerospikeModule
}

/** A row's code as the wire engine reports it: -6 (the C event loop's connection error) is -10. */
function rowCode(status: number): number {
  return status === ResultCode.ERR_ASYNC_CONNECTION ? ResultCode.ERR_CONNECTION : status
}

/** The namespaces a node lists in its `namespaces` info reply (`namespaces\tns1;ns2\n`). */
export function parseNamespacesReply(reply: unknown): string[] | null {
  if (typeof reply !== 'string') return null
  const tab = reply.indexOf('\t')
  const value = (tab >= 0 ? reply.slice(tab + 1) : reply).trim()
  return value === '' ? [] : value.split(';')
}

/**
 * The official client turns a batch whose rows it cannot route into BATCH_FAILED (-16) for the
 * whole call and drops the rows' own codes; the commonest cause is a namespace the cluster does
 * not serve. Ask the cluster (this is the error path only) and report that cause as the wire
 * engine does: NamespaceNotFoundError (20) naming the first unknown namespace in key order.
 */
async function explainBatchFailed(
  client: OfficialClient,
  error: AerospikeError,
  namespaces: Iterable<string>,
): Promise<AerospikeError> {
  if (error.code !== ResultCode.BATCH_FAILED) return error
  let served: string[] | null
  try {
    served = parseNamespacesReply(await client.infoAny('namespaces'))
  } catch {
    return error
  }
  if (served === null) return error
  for (const ns of namespaces) {
    if (!served.includes(ns)) {
      return new NamespaceNotFoundError(`namespace "${ns}" is not served by the cluster`, {
        cause: error,
      })
    }
  }
  return error
}

/** The range of `aerospike` this adapter is written and tested against (package.json's peer). */
const AEROSPIKE_PEER = 'aerospike@^6.7.1'

/** Whole-call batch failures raised before any node was sent a command. */
const REFUSED_BEFORE_SENDING: ReadonlySet<number> = new Set([
  ResultCode.ERR_PARAM,
  ResultCode.BATCH_FAILED,
  ResultCode.ERR_NAMESPACE_NOT_FOUND,
])

/**
 * The official client runs a batch as one command per node and, when one of them fails, rejects
 * the whole call with that command's error alone: its `inDoubt` speaks for that node's rows, while
 * the other nodes' commands may have been applied and their rows' results are dropped (C client
 * `as_event_executor_error` keeps the first error; the Node client's batch listener then discards
 * the records). On a cluster of several nodes every row of such a call may be on the server, so
 * it is in doubt unless the call was refused before anything was sent.
 */
export function inDoubtAcrossNodes(client: OfficialClient, error: AerospikeError): AerospikeError {
  if (error.inDoubt || REFUSED_BEFORE_SENDING.has(error.code)) return error
  let nodes: number
  try {
    nodes = client.getNodes().length
  } catch {
    return error
  }
  if (nodes <= 1) return error
  return errorFromCode(error.code, error.message, { cause: error.cause ?? error, inDoubt: true })
}

/**
 * The `aerospike` package, an optional peer dependency: only `engine: 'official'` needs it, so
 * its absence (or an addon that cannot load here) is reported when that engine is chosen.
 */
async function loadAerospike(): Promise<AerospikeModule> {
  let mod: AerospikeModule & { default?: AerospikeModule }
  try {
    mod = (await import('aerospike')) as AerospikeModule & { default?: AerospikeModule }
  } catch (error) {
    const missing =
      (error as { code?: unknown } | null)?.code === 'ERR_MODULE_NOT_FOUND' &&
      /['"]aerospike['"]/.test(String((error as Error).message))
    throw new ClientError(
      missing
        ? `engine 'official' needs the 'aerospike' package, which is not installed: install it next to @aerospike-numpy/async (npm install ${AEROSPIKE_PEER}), or use engine: 'wire' (the default, no native code)`
        : `engine 'official': the 'aerospike' package could not be loaded (${(error as Error)?.message ?? String(error)}); reinstall ${AEROSPIKE_PEER}, or use engine: 'wire'`,
      { cause: error },
    )
  }
  // CommonJS module: its exports sit on `default` under ESM interop
  return (mod.default ?? mod) as AerospikeModule
}

function batchPolicyOptions(p: ResolvedWritePolicy | ResolvedReadPolicy): Record<string, unknown> {
  const o: Record<string, unknown> = {
    totalTimeout: p.totalTimeout,
    socketTimeout: p.socketTimeout,
    maxRetries: p.maxRetries,
    compress: p.compress,
  }
  const optional = [
    'connectTimeout',
    'timeoutDelay',
    'concurrent',
    'allowInline',
    'allowInlineSSD',
    'respondAllKeys',
    'sendSetName',
    'replica',
    'readModeAP',
    'readModeSC',
  ] as const
  for (const k of optional) if (p[k] !== undefined) o[k] = p[k]
  return o
}

export async function createOfficialEngine(config: ResolvedClientConfig): Promise<OfficialEngine> {
  const Aerospike = await loadAerospike()
  let client: OfficialClient | null = null
  // Policy objects are built once per resolved policy object, not per call or row.
  const writePolicies = new WeakMap<ResolvedWritePolicy, { batch: unknown; write: unknown }>()
  const readPolicies = new WeakMap<ResolvedReadPolicy, unknown>()

  const connected = (): OfficialClient => {
    if (client === null) throw new NotConnectedError()
    return client
  }

  const writePoliciesFor = (p: ResolvedWritePolicy): { batch: unknown; write: unknown } => {
    let cached = writePolicies.get(p)
    if (cached === undefined) {
      refuseGenerationCheck(p)
      // The official client converts a record's policy once per record (in C, per call): give
      // one only when it differs from the defaults, which the client applies anyway.
      const defaults =
        !p.sendKey && p.exists === 0 && p.ttl === 0 && p.commitLevel === 0 && !p.durableDelete
      cached = {
        batch: new Aerospike.BatchPolicy(batchPolicyOptions(p)),
        write: defaults
          ? undefined
          : new Aerospike.BatchWritePolicy({
              key: p.sendKey ? Aerospike.policy.key.SEND : Aerospike.policy.key.DIGEST,
              exists: p.exists,
              gen: p.gen,
              ttl: p.ttl,
              commitLevel: p.commitLevel,
              durableDelete: p.durableDelete,
            }),
      }
      writePolicies.set(p, cached)
    }
    return cached
  }

  const engine: OfficialEngine = {
    kind: 'official',
    get aerospike() {
      return Aerospike
    },
    get client() {
      return connected()
    },
    async connect() {
      if (client !== null) return
      const { user, password, ...rest } = config.options
      const officialConfig: Record<string, unknown> = {
        ...rest,
        hosts: config.hosts.map((h) => ({ addr: h.addr, port: h.port })),
      }
      if (user !== undefined) officialConfig.user = user
      if (password !== undefined) officialConfig.password = password
      const c = new Aerospike.Client(officialConfig as never)
      try {
        await c.connect()
      } catch (error) {
        try {
          c.close()
        } catch {
          // a client that never connected may refuse to close; nothing to release then
        }
        throw fromOfficialError(error)
      }
      client = c
    },
    async close() {
      const c = client
      client = null
      if (c !== null) c.close()
    },
    isConnected() {
      return client !== null && client.isConnected(false)
    },

    async write(job: WriteJob) {
      const c = connected()
      const { plan, data, rows, namespace, set, outcome } = job
      const policies = writePoliciesFor(job.policy)
      const src = new Uint8Array(data.buffer)
      const view = new DataView(data.buffer)
      const { byteOffset, stride } = data
      const bins = plan.bins
      const nBins = bins.length
      const writeType = Aerospike.batchType.BATCH_WRITE
      const records = new Array<unknown>(rows.length)
      for (let k = 0; k < rows.length; k++) {
        const row = rows[k]!
        const rowOffset = byteOffset + row * stride
        let keyValue = plan.key.value(src, rowOffset, row)
        if (keyValue instanceof Uint8Array) keyValue = Buffer.from(keyValue)
        const ops: unknown[] = []
        for (let b = 0; b < nBins; b++) {
          if (!binPresent(plan, src, rowOffset, b)) continue
          const bin = bins[b]!
          const v = bin.value(src, view, rowOffset, row)
          if (bin.particleType === PARTICLE_FLOAT) {
            // floats must go as Double, or 1.0 would be stored as the integer 1
            ops.push(Aerospike.operations.write(bin.name, new Aerospike.Double(v as number)))
          } else if (typeof v === 'bigint') {
            // The official client's write operation takes no BigInt (and a bad operation aborts
            // the process), so an integer beyond 2^53 goes as two exact steps on the server:
            // write hi·2^32 (a double holding it exactly), then add lo (0 ≤ lo < 2^32).
            const hi = Number(v >> 32n)
            const lo = Number(v & 0xffff_ffffn)
            ops.push(Aerospike.operations.write(bin.name, hi * 4294967296))
            if (lo !== 0) ops.push(Aerospike.operations.incr(bin.name, lo))
          } else if (v instanceof Uint8Array) {
            ops.push(
              Aerospike.operations.write(
                bin.name,
                Buffer.from(v.buffer, v.byteOffset, v.byteLength),
              ),
            )
          } else {
            ops.push(Aerospike.operations.write(bin.name, v))
          }
        }
        // An integer beyond 2^53 takes two operations: count them, since the client's op count
        // is 16 bits and would wrap (the plan has already refused more than 65,535 bins).
        if (ops.length > MAX_OPS_PER_RECORD) {
          throw new ParamError(
            `row ${row}: its ${nBins} bins need ${ops.length.toLocaleString('en-US')} operations with engine 'official' (each integer beyond 2^53 takes two), more than the ${MAX_OPS_PER_RECORD.toLocaleString('en-US')} one record message can carry; use engine: 'wire' (one operation per bin) or fewer bins`,
          )
        }
        records[k] = {
          type: writeType,
          key: new Aerospike.Key(namespace, set === '' ? null : set, keyValue as never),
          ops,
          ...(policies.write === undefined ? {} : { policy: policies.write }),
        }
      }
      let results: Array<{
        status: number
        record?: { gen?: number; ttl?: number }
        inDoubt?: boolean
      }>
      try {
        results = (await c.batchWrite(records as never, policies.batch as never)) as never
      } catch (error) {
        throw inDoubtAcrossNodes(
          c,
          await explainBatchFailed(c, fromOfficialError(error), [namespace]),
        )
      }
      for (let k = 0; k < rows.length; k++) {
        const row = rows[k]!
        const r = results[k]
        if (r === undefined) {
          outcome.resultCodes[row] = ResultCode.NO_RESPONSE
          outcome.inDoubt[row] = 1
          continue
        }
        outcome.resultCodes[row] = rowCode(r.status)
        outcome.inDoubt[row] = r.inDoubt === true ? 1 : 0
        if (r.status === 0 && r.record !== undefined) {
          outcome.generations[row] = r.record.gen ?? 0
          outcome.ttls[row] = (r.record.ttl ?? 0) >>> 0
        }
      }
    },

    async read(job: ReadJob) {
      const c = connected()
      const { keys, bins, sink, outcome } = job
      let policy = readPolicies.get(job.policy)
      if (policy === undefined) {
        policy = new Aerospike.BatchPolicy(batchPolicyOptions(job.policy))
        readPolicies.set(job.policy, policy)
      }
      // one bin list shared by every record (the client copies it into C per record anyway)
      // An empty bin list means metadata only: the official client sends that (GET_NOBINDATA)
      // only without a `bins` array; an empty array would read every bin.
      const binSelection =
        bins === null
          ? { readAllBins: true }
          : bins.length === 0
            ? { readAllBins: false }
            : { bins: [...bins] }
      const records = new Array<unknown>(keys.length)
      for (let i = 0; i < keys.length; i++) {
        const { namespace, set } = keys.groups[keys.groupOf[i]!]!
        const key = keys.userKeys[i]!
        records[i] = {
          type: Aerospike.batchType.BATCH_READ,
          key:
            key === null
              ? new Aerospike.Key(
                  namespace,
                  set === '' ? null : set,
                  null,
                  Buffer.from(keys.digest(i)),
                )
              : new Aerospike.Key(
                  namespace,
                  set === '' ? null : set,
                  (key instanceof Uint8Array ? Buffer.from(key) : key) as never,
                ),
          ...binSelection,
        }
      }
      let results: Array<{
        status: number
        record?: { bins?: Record<string, unknown>; gen?: number; ttl?: number }
      }>
      try {
        results = (await c.batchRead(records as never, policy as never)) as never
      } catch (error) {
        throw await explainBatchFailed(
          c,
          fromOfficialError(error),
          new Set(keys.groups.map((g) => g.namespace)),
        )
      }
      for (let i = 0; i < keys.length; i++) {
        const r = results[i]
        if (r === undefined) {
          outcome.resultCodes[i] = ResultCode.NO_RESPONSE
          continue
        }
        outcome.resultCodes[i] = rowCode(r.status)
        if (r.status !== 0 || r.record === undefined) continue
        outcome.generations[i] = r.record.gen ?? 0
        outcome.ttls[i] = (r.record.ttl ?? 0) >>> 0
        const found = r.record.bins
        if (found === undefined || found === null) continue
        for (const name of Object.keys(found)) sink.setValue(i, name, found[name])
      }
    },

    scan(job: ScanJob) {
      return officialScan(Aerospike, connected(), job)
    },
  }
  return engine
}
