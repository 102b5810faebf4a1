// Batch-index requests: every row runs with single-record semantics and answers one AS_MSG
// (transaction_ttl = the row's index), in request order, over frames of bounded size, then LAST.

import {
  BatchResponseWriter,
  ResultCode,
  WireError,
  decodeBatchRequest,
  type BatchRequestRow,
  type DecodedBatchRequest,
  type MessageWriter,
} from '@aerospike-numpy/wire'

import type { DevCluster } from './cluster.js'
import { executeRecordCommand, writeError, type RecordCommand, type ReplySink } from './execute.js'
import { UNSUPPORTED_FIELDS, readCommandFields, type CommandFields } from './single.js'

/** Body bytes per response frame: the client reads frames of any size, tests want several. */
const RESPONSE_FRAME_BYTES = 128 * 1024
const EMPTY = new Uint8Array(0)

class BatchRowSink implements ReplySink {
  readonly writer: MessageWriter
  index = 0

  constructor(readonly batch: BatchResponseWriter) {
    this.writer = batch.writer
  }

  begin(resultCode: number, generation: number, voidTime: number): void {
    this.batch.beginRow(this.index, resultCode, generation, voidTime)
  }

  end(binCount: number): void {
    this.batch.endRow(binCount)
  }
}

/** The whole reply (one or more frames) to a batch-index request body. */
export function executeBatch(
  cluster: DevCluster,
  body: Uint8Array,
  writer: MessageWriter,
  nowMs: number,
): Uint8Array {
  let request: DecodedBatchRequest
  try {
    request = decodeBatchRequest(body, 0, body.length)
  } catch (error) {
    if (!(error instanceof WireError)) throw error
    // Parent-level failure: a single LAST message carrying the code (server as_batch_send_error).
    return new BatchResponseWriter(writer).last(ResultCode.ERR_REQUEST_INVALID)
  }
  const batch = new BatchResponseWriter(writer, { frameSize: RESPONSE_FRAME_BYTES })
  if (request.rows.length === 0) return batch.last(ResultCode.ERR_REQUEST_INVALID)
  const parentUnsupported = request.parentFields.some((field) => UNSUPPORTED_FIELDS.has(field.type))
  const sink = new BatchRowSink(batch)
  // REPEAT rows share their template's fields: parse those once per full row.
  let templateFields: BatchRequestRow['fields'] | null = null
  let parsed: CommandFields | number = ResultCode.ERR_REQUEST_INVALID
  const command: RecordCommand = {
    namespace: '',
    set: '',
    digest: EMPTY,
    userKey: null,
    info1: 0,
    info2: 0,
    info3: 0,
    generation: 0,
    recordTtl: 0,
    bytes: EMPTY,
    ops: [],
    unsupportedField: 0,
  }
  for (const row of request.rows) {
    sink.index = row.index
    if (row.fields !== templateFields) {
      templateFields = row.fields
      parsed = readCommandFields(row.bytes, row.fields)
    }
    if (typeof parsed === 'number') {
      writeError(sink, parsed)
      continue
    }
    // One command object for the whole batch: rows are executed one after the other.
    command.namespace = parsed.namespace
    command.set = parsed.set
    command.digest = row.digest
    command.userKey = row.repeat ? null : parsed.userKey
    command.info1 = row.header.info1
    command.info2 = row.header.info2
    command.info3 = row.header.info3
    command.generation = row.header.generation
    command.recordTtl = row.header.recordTtl
    command.bytes = row.bytes
    command.ops = row.ops
    command.unsupportedField = parentUnsupported ? -1 : parsed.unsupportedField
    executeRecordCommand(cluster, command, sink, nowMs)
  }
  return batch.last(0)
}
