// Single-record semantics (get, select, exists, put, remove, operate, touch), shared by plain
// commands and batch rows. Checks and result codes follow the server's write.c / read.c and
// rw_utils_ce.c:generation_check.

import {
  AS_BIN_NAME_MAX_LEN,
  AS_MSG_OP_APPEND,
  AS_MSG_OP_BITS_MODIFY,
  AS_MSG_OP_BITS_READ,
  AS_MSG_OP_CDT_MODIFY,
  AS_MSG_OP_CDT_READ,
  AS_MSG_OP_DELETE_ALL,
  AS_MSG_OP_EXP_MODIFY,
  AS_MSG_OP_EXP_READ,
  AS_MSG_OP_HLL_MODIFY,
  AS_MSG_OP_HLL_READ,
  AS_MSG_OP_INCR,
  AS_MSG_OP_PREPEND,
  AS_MSG_OP_READ,
  AS_MSG_OP_TOUCH,
  AS_MSG_OP_WRITE,
  INFO1_GET_NOBINDATA,
  INFO2_CREATE_ONLY,
  INFO2_DELETE,
  INFO2_DURABLE_DELETE,
  INFO2_GENERATION,
  INFO2_GENERATION_GT,
  INFO2_RESPOND_ALL_OPS,
  INFO2_WRITE,
  INFO3_CREATE_OR_REPLACE,
  INFO3_REPLACE_ONLY,
  INFO3_UPDATE_ONLY,
  PARTICLE_BLOB,
  PARTICLE_FLOAT,
  PARTICLE_INTEGER,
  PARTICLE_NIL,
  PARTICLE_STRING,
  ResultCode,
  clepochNow,
  voidTimeFromTtl,
  type MessageWriter,
  type OpRef,
} from '@aerospike-numpy/wire'

import type { FaultTable } from './faults.js'
import {
  digestKey,
  packBins,
  sameBytes,
  storedRecordSize,
  unpackBins,
  writePackedBins,
  type Bin,
  type NamespaceStore,
  type RecordEntry,
} from './store.js'

/** One record command, from a plain AS_MSG or from a batch row. Views point into `bytes`. */
export interface RecordCommand {
  namespace: string
  set: string
  digest: Uint8Array
  /** FIELD_KEY data (particle type byte + key bytes), or null. */
  userKey: Uint8Array | null
  info1: number
  info2: number
  info3: number
  generation: number
  recordTtl: number
  bytes: Uint8Array
  ops: readonly OpRef[]
  /** A field type the server does not implement (filter expression, UDF), or 0. */
  unsupportedField: number
}

export interface ExecuteContext {
  namespaces: ReadonlyMap<string, NamespaceStore>
  faults: FaultTable
}

const EMPTY = new Uint8Array(0)

/** Unimplemented but valid op types: the server answers UNSUPPORTED_FEATURE. */
const UNSUPPORTED_OPS = new Set([
  AS_MSG_OP_CDT_READ,
  AS_MSG_OP_CDT_MODIFY,
  AS_MSG_OP_EXP_READ,
  AS_MSG_OP_EXP_MODIFY,
  AS_MSG_OP_BITS_READ,
  AS_MSG_OP_BITS_MODIFY,
  AS_MSG_OP_HLL_READ,
  AS_MSG_OP_HLL_MODIFY,
])

/** Where a command's answer goes: one AS_MSG (a plain reply, or one row of a batch reply). */
export interface ReplySink {
  readonly writer: MessageWriter
  /** Writes the message header; bins follow on `writer`. */
  begin(resultCode: number, generation: number, voidTime: number): void
  /** Patches the bin count. */
  end(binCount: number): void
}

/** The sink of a plain single-record reply (transaction_ttl 0). */
export class SingleReplySink implements ReplySink {
  readonly writer: MessageWriter
  private header = -1

  constructor(writer: MessageWriter) {
    this.writer = writer
  }

  begin(resultCode: number, generation: number, voidTime: number): void {
    this.header = this.writer.msgHeader({ resultCode, generation, recordTtl: voidTime })
  }

  end(binCount: number): void {
    this.writer.patchCounts(this.header, 0, binCount)
  }
}

export function writeReply(
  sink: ReplySink,
  resultCode: number,
  generation: number,
  voidTime: number,
  bins: readonly Bin[] = EMPTY_BINS,
  record: RecordEntry | null = null,
): void {
  const { writer } = sink
  sink.begin(resultCode, generation, voidTime)
  let count = 0
  if (record !== null) {
    writePackedBins(writer, record.packedBins)
    count += record.binCount
  }
  for (const bin of bins) {
    writer.op(AS_MSG_OP_READ, bin.particleType, bin.nameBytes, bin.value)
    count++
  }
  sink.end(count)
}

export function writeError(sink: ReplySink, resultCode: number): void {
  writeReply(sink, resultCode, 0, 0)
}

const EMPTY_BINS: readonly Bin[] = []
/** The server refuses TTLs above 10 years (write.c checks record_ttl against it). */
const MAX_TTL_SECONDS = 10 * 365 * 24 * 3600
/** 0xFFFFFFFE and 0xFFFFFFFF are special values (don't update, never expire), not lengths. */
const TTL_DONT_UPDATE_U32 = 0xfffffffe

function opNameBytes(bytes: Uint8Array, op: OpRef): Uint8Array {
  return bytes.subarray(op.nameOffset, op.nameOffset + op.nameLength)
}

function opValue(bytes: Uint8Array, op: OpRef): Uint8Array {
  return bytes.subarray(op.valueOffset, op.valueOffset + op.valueLength)
}

function nilBin(bytes: Uint8Array, op: OpRef): Bin {
  return { nameBytes: opNameBytes(bytes, op), particleType: PARTICLE_NIL, value: EMPTY }
}

/** Runs one command and writes its reply. Bad requests get a result code, never an exception. */
export function executeRecordCommand(
  ctx: ExecuteContext,
  command: RecordCommand,
  sink: ReplySink,
  nowMs: number,
): void {
  const store = ctx.namespaces.get(command.namespace)
  if (store === undefined) return writeError(sink, ResultCode.ERR_NAMESPACE_NOT_FOUND)
  if (command.digest.length !== 20) return writeError(sink, ResultCode.ERR_REQUEST_INVALID)
  const key = digestKey(command.digest)
  const isWrite = (command.info2 & INFO2_WRITE) !== 0
  if (isWrite) store.countWriteAttempt(key)
  const injected = ctx.faults.check(command.namespace, command.set, key, isWrite)
  if (injected !== 0) return writeError(sink, injected)
  if (command.unsupportedField !== 0) return writeError(sink, ResultCode.ERR_UNSUPPORTED_FEATURE)
  const record = store.get(key, clepochNow(nowMs))
  if (!isWrite) return executeRead(command, record, sink)
  if ((command.info2 & INFO2_DELETE) !== 0) return executeDelete(store, key, command, record, sink)
  return executeWrite(store, key, command, record, sink, nowMs)
}

function executeRead(
  command: RecordCommand,
  record: RecordEntry | undefined,
  sink: ReplySink,
): void {
  if (record === undefined) return writeError(sink, ResultCode.ERR_RECORD_NOT_FOUND)
  const { bytes, ops } = command
  for (const op of ops) {
    if (op.op === AS_MSG_OP_READ) continue
    return writeError(
      sink,
      UNSUPPORTED_OPS.has(op.op)
        ? ResultCode.ERR_UNSUPPORTED_FEATURE
        : ResultCode.ERR_REQUEST_INVALID,
    )
  }
  if ((command.info1 & INFO1_GET_NOBINDATA) !== 0) {
    return writeReply(sink, 0, record.generation, record.voidTime)
  }
  if (ops.length === 0 || ops.every((op) => op.nameLength === 0)) {
    return writeReply(sink, 0, record.generation, record.voidTime, EMPTY_BINS, record)
  }
  const bins = unpackBins(record.packedBins)
  const respondAll = (command.info2 & INFO2_RESPOND_ALL_OPS) !== 0
  const out: Bin[] = []
  for (const op of ops) {
    if (op.nameLength === 0) {
      out.push(...bins)
      continue
    }
    const name = opNameBytes(bytes, op)
    const bin = bins.find((b) => sameBytes(b.nameBytes, name))
    if (bin !== undefined) out.push(bin)
    else if (respondAll) out.push(nilBin(bytes, op))
  }
  return writeReply(sink, 0, record.generation, record.voidTime, out)
}

/**
 * The generation check: 0 when it passes, else 3. Like the server's generation_check it also
 * runs for a record being created, whose generation is 0.
 */
function generationCheck(command: RecordCommand, record: RecordEntry | undefined): number {
  const generation = record?.generation ?? 0
  if ((command.info2 & INFO2_GENERATION) !== 0 && command.generation !== generation) {
    return ResultCode.ERR_RECORD_GENERATION
  }
  if ((command.info2 & INFO2_GENERATION_GT) !== 0 && !(command.generation > generation)) {
    return ResultCode.ERR_RECORD_GENERATION
  }
  return 0
}

function executeDelete(
  store: NamespaceStore,
  key: string,
  command: RecordCommand,
  record: RecordEntry | undefined,
  sink: ReplySink,
): void {
  // Community edition: a durable delete is refused before the record is looked at (delete.c).
  if ((command.info2 & INFO2_DURABLE_DELETE) !== 0) {
    return writeError(sink, ResultCode.ERR_ENTERPRISE_ONLY)
  }
  if (record === undefined) return writeError(sink, ResultCode.ERR_RECORD_NOT_FOUND)
  const genFailure = generationCheck(command, record)
  if (genFailure !== 0) return writeError(sink, genFailure)
  store.records.delete(key)
  return writeReply(sink, 0, 0, 0)
}

function nextGeneration(generation: number): number {
  // Generations are u16 on the server; 0 is skipped so a live record never reports 0.
  const next = (generation + 1) & 0xffff
  return next === 0 ? 1 : next
}

function readInt64(value: Uint8Array): bigint | null {
  if (value.length !== 8) return null
  return new DataView(value.buffer, value.byteOffset, 8).getBigInt64(0)
}

function readFloat64(value: Uint8Array): number | null {
  if (value.length !== 8) return null
  return new DataView(value.buffer, value.byteOffset, 8).getFloat64(0)
}

function int64Bytes(value: bigint): Uint8Array {
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigInt64(0, BigInt.asIntN(64, value))
  return out
}

function float64Bytes(value: number): Uint8Array {
  const out = new Uint8Array(8)
  new DataView(out.buffer).setFloat64(0, value)
  return out
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a, 0)
  out.set(b, a.length)
  return out
}

function findBin(bins: readonly Bin[], name: Uint8Array): number {
  for (let i = 0; i < bins.length; i++) if (sameBytes(bins[i]!.nameBytes, name)) return i
  return -1
}

/**
 * Applies one write-command op to the working bins; returns 0 or the result code that fails the
 * whole command (nothing is stored then).
 */
function applyWriteOp(
  bins: Bin[],
  results: Bin[],
  bytes: Uint8Array,
  op: OpRef,
  respondAll: boolean,
): number {
  if (op.op === AS_MSG_OP_READ) {
    if (op.nameLength === 0) {
      for (const bin of bins) results.push(bin)
      return 0
    }
    const at = findBin(bins, opNameBytes(bytes, op))
    if (at >= 0) results.push(bins[at]!)
    else if (respondAll) results.push(nilBin(bytes, op))
    return 0
  }
  if (op.op === AS_MSG_OP_TOUCH || op.op === AS_MSG_OP_DELETE_ALL) {
    if (op.op === AS_MSG_OP_DELETE_ALL) bins.length = 0
    if (respondAll) results.push(nilBin(bytes, op))
    return 0
  }
  if (
    op.op !== AS_MSG_OP_WRITE &&
    op.op !== AS_MSG_OP_INCR &&
    op.op !== AS_MSG_OP_APPEND &&
    op.op !== AS_MSG_OP_PREPEND
  ) {
    return UNSUPPORTED_OPS.has(op.op)
      ? ResultCode.ERR_UNSUPPORTED_FEATURE
      : ResultCode.ERR_REQUEST_INVALID
  }
  if (op.nameLength === 0) return ResultCode.ERR_REQUEST_INVALID
  if (op.nameLength > AS_BIN_NAME_MAX_LEN) return ResultCode.ERR_BIN_NAME
  const nameBytes = opNameBytes(bytes, op)
  // A real server refuses a NUL inside a bin name (datamodel.h as_bin_name_check).
  if (nameBytes.includes(0)) return ResultCode.ERR_BIN_NAME
  const value = opValue(bytes, op)
  const at = findBin(bins, nameBytes)
  const current = at >= 0 ? bins[at]! : null
  let particleType = op.particleType
  let stored = value
  switch (op.op) {
    case AS_MSG_OP_WRITE:
      if (particleType === PARTICLE_NIL) {
        if (at >= 0) bins.splice(at, 1)
        stored = EMPTY
      }
      break
    case AS_MSG_OP_INCR:
      if (particleType === PARTICLE_INTEGER) {
        const add = readInt64(value)
        if (add === null) return ResultCode.ERR_REQUEST_INVALID
        if (current !== null) {
          if (current.particleType !== PARTICLE_INTEGER) return ResultCode.ERR_BIN_INCOMPATIBLE_TYPE
          stored = int64Bytes(readInt64(current.value)! + add)
        }
      } else if (particleType === PARTICLE_FLOAT) {
        const add = readFloat64(value)
        if (add === null) return ResultCode.ERR_REQUEST_INVALID
        if (current !== null) {
          if (current.particleType !== PARTICLE_FLOAT) return ResultCode.ERR_BIN_INCOMPATIBLE_TYPE
          stored = float64Bytes(readFloat64(current.value)! + add)
        }
      } else {
        return ResultCode.ERR_BIN_INCOMPATIBLE_TYPE
      }
      break
    default:
      // APPEND / PREPEND
      if (particleType !== PARTICLE_STRING && particleType !== PARTICLE_BLOB) {
        return ResultCode.ERR_BIN_INCOMPATIBLE_TYPE
      }
      if (current !== null) {
        if (current.particleType !== particleType) return ResultCode.ERR_BIN_INCOMPATIBLE_TYPE
        stored =
          op.op === AS_MSG_OP_APPEND ? concat(current.value, value) : concat(value, current.value)
      }
      particleType = current?.particleType ?? particleType
  }
  if (stored !== EMPTY || particleType !== PARTICLE_NIL) {
    const bin: Bin = { nameBytes, particleType, value: stored }
    if (at >= 0) bins[at] = bin
    else bins.push(bin)
  }
  if (respondAll) results.push(nilBin(bytes, op))
  return 0
}

function executeWrite(
  store: NamespaceStore,
  key: string,
  command: RecordCommand,
  record: RecordEntry | undefined,
  sink: ReplySink,
  nowMs: number,
): void {
  const { info2, info3, bytes, ops } = command
  if (ops.length === 0) return writeError(sink, ResultCode.ERR_REQUEST_INVALID)
  const exists = record !== undefined
  if (exists && (info2 & INFO2_CREATE_ONLY) !== 0)
    return writeError(sink, ResultCode.ERR_RECORD_EXISTS)
  if (!exists && (info3 & (INFO3_UPDATE_ONLY | INFO3_REPLACE_ONLY)) !== 0) {
    return writeError(sink, ResultCode.ERR_RECORD_NOT_FOUND)
  }
  let touched = false
  for (const op of ops) if (op.op === AS_MSG_OP_TOUCH) touched = true
  if (touched && !exists) return writeError(sink, ResultCode.ERR_RECORD_NOT_FOUND)
  const genFailure = generationCheck(command, record)
  if (genFailure !== 0) return writeError(sink, genFailure)
  if (!exists && !store.admitSet(command.set))
    return writeError(sink, ResultCode.ERR_REQUEST_INVALID)
  if (exists) {
    if (
      command.userKey !== null &&
      record.userKey !== null &&
      !sameBytes(record.userKey, command.userKey)
    ) {
      return writeError(sink, ResultCode.ERR_RECORD_KEY_MISMATCH)
    }
  }
  // The TTL is checked before any op runs, as write_master does.
  // Don't-update on a record that does not exist yet means the namespace default.
  const recordTtl = command.recordTtl === TTL_DONT_UPDATE_U32 && !exists ? 0 : command.recordTtl
  if (recordTtl > MAX_TTL_SECONDS && recordTtl < TTL_DONT_UPDATE_U32) {
    return writeError(sink, ResultCode.ERR_REQUEST_INVALID)
  }
  if (store.ttlDisallowed(recordTtl)) return writeError(sink, ResultCode.ERR_FAIL_FORBIDDEN)
  const replace = (info3 & (INFO3_CREATE_OR_REPLACE | INFO3_REPLACE_ONLY)) !== 0
  // Working copy: values are views (of the old record or the request) until packed below.
  const bins: Bin[] = exists && !replace ? unpackBins(record.packedBins) : []
  const respondAll = (info2 & INFO2_RESPOND_ALL_OPS) !== 0
  const results: Bin[] = []
  for (const op of ops) {
    const failure = applyWriteOp(bins, results, bytes, op, respondAll)
    if (failure !== 0) return writeError(sink, failure)
  }
  let voidTime: number
  try {
    voidTime = voidTimeFromTtl(
      recordTtl,
      exists
        ? { nowMs, currentVoidTime: record.voidTime, defaultTtl: store.config.defaultTtl }
        : { nowMs, defaultTtl: store.config.defaultTtl },
    )
  } catch {
    return writeError(sink, ResultCode.ERR_REQUEST_INVALID)
  }
  if (bins.length === 0) {
    // A write that leaves no bins is a delete: of nothing, it is NOT_FOUND; durable, it is
    // enterprise-only (write.c).
    if (!exists) return writeError(sink, ResultCode.ERR_RECORD_NOT_FOUND)
    if ((info2 & INFO2_DURABLE_DELETE) !== 0)
      return writeError(sink, ResultCode.ERR_ENTERPRISE_ONLY)
    store.records.delete(key)
    return writeReply(sink, 0, 0, 0, results)
  }
  const generation = exists ? nextGeneration(record.generation) : 1
  let userKey: Uint8Array | null = exists ? record.userKey : null
  if (command.userKey !== null && userKey === null) userKey = new Uint8Array(command.userKey)
  if (storedRecordSize(bins, userKey) > store.config.maxRecordSize) {
    return writeError(sink, ResultCode.ERR_RECORD_TOO_BIG)
  }
  const entry: RecordEntry = {
    set: exists ? record.set : command.set,
    generation,
    voidTime,
    lastUpdateMs: nowMs,
    userKey,
    binCount: bins.length,
    packedBins: packBins(bins),
  }
  store.records.set(key, entry)
  return writeReply(sink, 0, generation, voidTime, results)
}
