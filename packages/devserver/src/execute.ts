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
  INFO1_GET_ALL,
  INFO1_GET_NOBINDATA,
  INFO2_CREATE_ONLY,
  INFO2_DELETE,
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
import { packBins, unpackBins, type Bin, type NamespaceStore, type RecordEntry } from './store.js'

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

const textDecoder = new TextDecoder()
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
  bins: readonly Bin[] = [],
  rawBins: Uint8Array | null = null,
  rawBinCount = 0,
): void {
  const { writer } = sink
  sink.begin(resultCode, generation, voidTime)
  let count = 0
  if (rawBins !== null) {
    writer.raw(rawBins)
    count += rawBinCount
  }
  for (const bin of bins) {
    writer.op(AS_MSG_OP_READ, bin.particleType, bin.name, bin.value)
    count++
  }
  sink.end(count)
}

export function writeError(sink: ReplySink, resultCode: number): void {
  writeReply(sink, resultCode, 0, 0)
}

function opName(bytes: Uint8Array, op: OpRef): string {
  return textDecoder.decode(bytes.subarray(op.nameOffset, op.nameOffset + op.nameLength))
}

function opValue(bytes: Uint8Array, op: OpRef): Uint8Array {
  return bytes.subarray(op.valueOffset, op.valueOffset + op.valueLength)
}

function isWriteCommand(command: RecordCommand): boolean {
  return (command.info2 & INFO2_WRITE) !== 0
}

/** Runs one command and writes its reply. Never throws for bad requests: they get a result code. */
export function executeRecordCommand(
  ctx: ExecuteContext,
  command: RecordCommand,
  sink: ReplySink,
  nowMs: number,
): void {
  const store = ctx.namespaces.get(command.namespace)
  if (store === undefined) return writeError(sink, ResultCode.NAMESPACE_NOT_FOUND)
  if (command.digest.length !== 20) return writeError(sink, ResultCode.PARAMETER)
  const key = Buffer.from(command.digest.buffer, command.digest.byteOffset, 20).toString('latin1')
  const isWrite = isWriteCommand(command)
  if (isWrite) store.countWriteAttempt(key)
  const injected = ctx.faults.check(command.namespace, command.set, key, isWrite)
  if (injected !== 0) return writeError(sink, injected)
  if (command.unsupportedField !== 0) return writeError(sink, ResultCode.UNSUPPORTED_FEATURE)
  const nowClepoch = clepochNow(nowMs)
  const record = store.get(key, nowClepoch)
  if (!isWrite) return executeRead(command, record, sink)
  if ((command.info2 & INFO2_DELETE) !== 0) return executeDelete(store, key, command, record, sink)
  return executeWrite(store, key, command, record, sink, nowMs)
}

function executeRead(
  command: RecordCommand,
  record: RecordEntry | undefined,
  sink: ReplySink,
): void {
  if (record === undefined) return writeError(sink, ResultCode.RECORD_NOT_FOUND)
  const { bytes, ops } = command
  for (const op of ops) {
    if (op.op === AS_MSG_OP_READ) continue
    return writeError(
      sink,
      UNSUPPORTED_OPS.has(op.op) ? ResultCode.UNSUPPORTED_FEATURE : ResultCode.PARAMETER,
    )
  }
  if ((command.info1 & INFO1_GET_NOBINDATA) !== 0) {
    return writeReply(sink, 0, record.generation, record.voidTime)
  }
  if (
    ops.length === 0 ||
    ((command.info1 & INFO1_GET_ALL) !== 0 && ops.every((op) => op.nameLength === 0))
  ) {
    return writeReply(
      sink,
      0,
      record.generation,
      record.voidTime,
      [],
      record.packedBins,
      record.binCount,
    )
  }
  const bins = unpackBins(record.packedBins)
  const respondAll = (command.info2 & INFO2_RESPOND_ALL_OPS) !== 0
  const out: Bin[] = []
  for (const op of ops) {
    if (op.nameLength === 0) {
      out.push(...bins)
      continue
    }
    const name = opName(bytes, op)
    const bin = bins.find((b) => b.name === name)
    if (bin !== undefined) out.push(bin)
    else if (respondAll) out.push({ name, particleType: PARTICLE_NIL, value: EMPTY })
  }
  return writeReply(sink, 0, record.generation, record.voidTime, out)
}

/** The generation check of a write to an existing record: 0 when it passes, else 3. */
function generationCheck(command: RecordCommand, record: RecordEntry): number {
  if ((command.info2 & INFO2_GENERATION) !== 0 && command.generation !== record.generation) {
    return ResultCode.RECORD_GENERATION
  }
  if ((command.info2 & INFO2_GENERATION_GT) !== 0 && !(command.generation > record.generation)) {
    return ResultCode.RECORD_GENERATION
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
  if (record === undefined) return writeError(sink, ResultCode.RECORD_NOT_FOUND)
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

class OpFailure {
  constructor(readonly resultCode: number) {}
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
  const exists = record !== undefined
  if (exists && (info2 & INFO2_CREATE_ONLY) !== 0) return writeError(sink, ResultCode.RECORD_EXISTS)
  if (!exists && (info3 & (INFO3_UPDATE_ONLY | INFO3_REPLACE_ONLY)) !== 0) {
    return writeError(sink, ResultCode.RECORD_NOT_FOUND)
  }
  if (exists) {
    const genFailure = generationCheck(command, record)
    if (genFailure !== 0) return writeError(sink, genFailure)
    if (
      command.userKey !== null &&
      record.userKey !== null &&
      !Buffer.from(record.userKey).equals(command.userKey)
    ) {
      return writeError(sink, ResultCode.RECORD_KEY_MISMATCH)
    }
  }
  const replace = (info3 & (INFO3_CREATE_OR_REPLACE | INFO3_REPLACE_ONLY)) !== 0
  // Working copy of the bins; values are views until packed into the new record.
  const bins: Bin[] = exists && !replace ? unpackBins(record.packedBins) : []
  const respondAll = (info2 & INFO2_RESPOND_ALL_OPS) !== 0
  const results: Bin[] = []
  let touched = false
  if (ops.length === 0) return writeError(sink, ResultCode.PARAMETER)
  try {
    for (const op of ops) {
      applyOp(op)
    }
  } catch (failure) {
    if (failure instanceof OpFailure) return writeError(sink, failure.resultCode)
    throw failure
  }

  function find(name: string): number {
    for (let i = 0; i < bins.length; i++) if (bins[i]!.name === name) return i
    return -1
  }

  function checkedName(op: OpRef): string {
    if (op.nameLength === 0) throw new OpFailure(ResultCode.PARAMETER)
    if (op.nameLength > AS_BIN_NAME_MAX_LEN) throw new OpFailure(ResultCode.BIN_NAME)
    return opName(bytes, op)
  }

  function setBin(name: string, particleType: number, value: Uint8Array): void {
    const at = find(name)
    if (at >= 0) bins[at] = { name, particleType, value }
    else bins.push({ name, particleType, value })
  }

  function applyOp(op: OpRef): void {
    switch (op.op) {
      case AS_MSG_OP_READ: {
        if (op.nameLength === 0) {
          results.push(...bins.map((bin) => ({ ...bin })))
          return
        }
        const name = opName(bytes, op)
        const at = find(name)
        if (at >= 0) results.push({ ...bins[at]! })
        else if (respondAll) results.push({ name, particleType: PARTICLE_NIL, value: EMPTY })
        return
      }
      case AS_MSG_OP_WRITE: {
        const name = checkedName(op)
        if (op.particleType === PARTICLE_NIL) {
          const at = find(name)
          if (at >= 0) bins.splice(at, 1)
        } else {
          setBin(name, op.particleType, opValue(bytes, op))
        }
        break
      }
      case AS_MSG_OP_INCR: {
        const name = checkedName(op)
        const delta = opValue(bytes, op)
        const at = find(name)
        const current = at >= 0 ? bins[at]! : null
        if (op.particleType === PARTICLE_INTEGER) {
          const add = readInt64(delta)
          if (add === null) throw new OpFailure(ResultCode.PARAMETER)
          if (current === null) setBin(name, PARTICLE_INTEGER, int64Bytes(add))
          else if (current.particleType !== PARTICLE_INTEGER)
            throw new OpFailure(ResultCode.BIN_INCOMPATIBLE_TYPE)
          else setBin(name, PARTICLE_INTEGER, int64Bytes(readInt64(current.value)! + add))
        } else if (op.particleType === PARTICLE_FLOAT) {
          const add = readFloat64(delta)
          if (add === null) throw new OpFailure(ResultCode.PARAMETER)
          if (current === null) setBin(name, PARTICLE_FLOAT, float64Bytes(add))
          else if (current.particleType !== PARTICLE_FLOAT)
            throw new OpFailure(ResultCode.BIN_INCOMPATIBLE_TYPE)
          else setBin(name, PARTICLE_FLOAT, float64Bytes(readFloat64(current.value)! + add))
        } else {
          throw new OpFailure(ResultCode.BIN_INCOMPATIBLE_TYPE)
        }
        break
      }
      case AS_MSG_OP_APPEND:
      case AS_MSG_OP_PREPEND: {
        const name = checkedName(op)
        if (op.particleType !== PARTICLE_STRING && op.particleType !== PARTICLE_BLOB) {
          throw new OpFailure(ResultCode.BIN_INCOMPATIBLE_TYPE)
        }
        const value = opValue(bytes, op)
        const at = find(name)
        const current = at >= 0 ? bins[at]! : null
        if (current === null) setBin(name, op.particleType, value)
        else if (current.particleType !== op.particleType)
          throw new OpFailure(ResultCode.BIN_INCOMPATIBLE_TYPE)
        else
          setBin(
            name,
            op.particleType,
            op.op === AS_MSG_OP_APPEND
              ? concat(current.value, value)
              : concat(value, current.value),
          )
        break
      }
      case AS_MSG_OP_TOUCH:
        touched = true
        break
      case AS_MSG_OP_DELETE_ALL:
        bins.length = 0
        break
      default:
        throw new OpFailure(
          UNSUPPORTED_OPS.has(op.op) ? ResultCode.UNSUPPORTED_FEATURE : ResultCode.PARAMETER,
        )
    }
    // Write-type ops answer a nil bin of their name when every op must answer.
    if (respondAll) {
      results.push({ name: opName(bytes, op), particleType: PARTICLE_NIL, value: EMPTY })
    }
  }

  if (touched && !exists) return writeError(sink, ResultCode.RECORD_NOT_FOUND)
  let voidTime: number
  try {
    voidTime = voidTimeFromTtl(command.recordTtl, {
      nowMs,
      ...(exists ? { currentVoidTime: record.voidTime } : {}),
    })
  } catch {
    return writeError(sink, ResultCode.PARAMETER)
  }
  if (bins.length === 0) {
    // A write that leaves no bins deletes the record (or creates nothing).
    if (exists) store.records.delete(key)
    return writeReply(sink, 0, 0, 0, results)
  }
  const generation = exists ? nextGeneration(record.generation) : 1
  let userKey: Uint8Array | null = exists ? record.userKey : null
  if (command.userKey !== null && userKey === null) userKey = new Uint8Array(command.userKey)
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
