// Partition scans and queries (no secondary index): the commands the official client's
// query/scan foreach and the wire engine send. As a real server's basic query job (query.c): the
// request must ask for partition-done messages and name partitions; each named partition this
// node masters is read in descending digest order (a resumed one from just below its digest),
// records of different partitions interleaved as parallel partition threads interleave them; a
// partition the node does not master (or a fault names) gets PARTITION_DONE with 11; at most
// MAX_RECORDS records; then LAST in a frame of its own.

import {
  FIELD_BVAL_ARRAY,
  FIELD_FILTER,
  FIELD_INDEX_CONTEXT,
  FIELD_INDEX_EXPRESSION,
  FIELD_INDEX_NAME,
  FIELD_INDEX_RANGE,
  FIELD_INDEX_TYPE,
  FIELD_QUERY_BINS,
  FIELD_UDF_ARGLIST,
  FIELD_UDF_FUNCTION,
  FIELD_UDF_OP,
  FIELD_UDF_PACKAGE_NAME,
  INFO3_PARTITION_DONE,
  AS_MSG_OP_READ,
  ResultCode,
  ScanResponseWriter,
  WireError,
  clepochNow,
  decodeScanRequest,
  type DecodedScanRequest,
  type MessageWriter,
} from '@aerospike-numpy/wire'

import type { DevNode } from './cluster.js'
import {
  digestKey,
  isExpired,
  sameBytes,
  unpackBins,
  writePackedBins,
  type RecordEntry,
} from './store.js'

/** Body bytes per response frame: a real server sends ~1 MiB; 16 KiB shows clients many frames (and a cut stream delivers some before it breaks). */
const RESPONSE_FRAME_BYTES = 16 * 1024

/** Fields of secondary-index queries, UDFs and filters: valid requests this server cannot run. */
const UNSUPPORTED_FIELDS = new Set([
  FIELD_FILTER,
  FIELD_INDEX_NAME,
  FIELD_INDEX_RANGE,
  FIELD_INDEX_CONTEXT,
  FIELD_INDEX_EXPRESSION,
  FIELD_INDEX_TYPE,
  FIELD_QUERY_BINS,
  FIELD_BVAL_ARRAY,
  FIELD_UDF_PACKAGE_NAME,
  FIELD_UDF_FUNCTION,
  FIELD_UDF_ARGLIST,
  FIELD_UDF_OP,
])

const utf8 = new TextEncoder()

/** A failed query ends with LAST carrying the code (server as_multi_rec_transaction_error). */
function fin(writer: MessageWriter, resultCode: number): Uint8Array {
  writer.reset()
  return new ScanResponseWriter(writer).last(resultCode)
}

interface Cursor {
  /** Digest keys of the partition's records, in the order they are sent. */
  keys: string[]
  at: number
}

/** The whole answer (all its frames) to a scan request body. */
export function executeScan(
  node: DevNode,
  body: Uint8Array,
  writer: MessageWriter,
  nowMs: number,
): Uint8Array {
  const cluster = node.cluster
  let request: DecodedScanRequest
  try {
    request = decodeScanRequest(body, 0, body.length)
  } catch (error) {
    if (!(error instanceof WireError)) throw error
    return fin(writer, ResultCode.ERR_REQUEST_INVALID)
  }
  const store = cluster.namespaces.get(request.namespace)
  // An unknown namespace is refused before the query starts: a plain error reply, no LAST.
  if (store === undefined) {
    writer.reset()
    const mark = writer.beginProto()
    writer.msgHeader({ resultCode: ResultCode.ERR_NAMESPACE_NOT_FOUND })
    writer.endProto(mark)
    return writer.finish()
  }
  if ((request.header.info3 & INFO3_PARTITION_DONE) === 0) {
    return fin(writer, ResultCode.ERR_UNSUPPORTED_FEATURE)
  }
  if (request.partitions.length === 0 && request.digests.length === 0) {
    return fin(writer, ResultCode.ERR_UNSUPPORTED_FEATURE)
  }
  if (request.otherFields.some((field) => UNSUPPORTED_FIELDS.has(field.type))) {
    return fin(writer, ResultCode.ERR_UNSUPPORTED_FEATURE)
  }
  for (const bin of request.bins ?? []) {
    if (bin.length === 0) return fin(writer, ResultCode.ERR_REQUEST_INVALID)
  }

  // Which partitions to read, and from where (a resumed one: records below its digest key).
  const resumeAt = new Map<number, string | null>()
  for (const pid of request.partitions) resumeAt.set(pid, null)
  for (let i = 0; i < request.digests.length; i += 20) {
    const digest = request.digests.subarray(i, i + 20)
    resumeAt.set((digest[0]! | (digest[1]! << 8)) & 4095, digestKey(digest))
  }
  const out = new ScanResponseWriter(writer.reset(), { frameSize: RESPONSE_FRAME_BYTES })
  const buckets = new Map<number, string[]>()
  for (const [pid] of resumeAt) {
    const code = cluster.ownerOf(pid) === node.index ? cluster.takeScanFault(node.index, pid) : 11
    if (code !== 0) out.partitionDone(pid, code)
    else buckets.set(pid, [])
  }
  const now = clepochNow(nowMs)
  for (const [key, record] of store.records) {
    const pid = (key.charCodeAt(0) | (key.charCodeAt(1) << 8)) & 4095
    const bucket = buckets.get(pid)
    if (bucket === undefined) continue
    if (request.set !== '' && record.set !== request.set) continue
    if (isExpired(record, now)) continue
    const boundary = resumeAt.get(pid) ?? null
    // latin1 strings compare byte by byte: descending digest order, and "below the boundary".
    if (boundary !== null && !(key < boundary)) continue
    bucket.push(key)
  }
  const cursors: Cursor[] = []
  for (const keys of buckets.values()) {
    if (keys.length === 0) continue
    keys.sort((a, b) => (a < b ? 1 : a > b ? -1 : 0))
    cursors.push({ keys, at: 0 })
  }

  const namespace = utf8.encode(request.namespace)
  const selected =
    request.bins === null || request.noBinData ? null : request.bins.map((b) => utf8.encode(b))
  const max = request.maxRecords
  let sent = 0n
  // Round robin over the partitions, one record each turn.
  for (let live = cursors.length; live > 0 && (max === 0n || sent < max);) {
    live = 0
    for (const cursor of cursors) {
      if (cursor.at >= cursor.keys.length) continue
      if (max !== 0n && sent >= max) break
      live++
      const key = cursor.keys[cursor.at++]!
      const record = store.records.get(key)
      if (record === undefined) continue
      if (writeRecord(out, namespace, key, record, request.noBinData, selected)) sent++
    }
  }
  return out.last(0)
}

/** One record message; false when it is not sent (none of the selected bins, as a server skips it). */
function writeRecord(
  out: ScanResponseWriter,
  namespace: Uint8Array,
  key: string,
  record: RecordEntry,
  noBinData: boolean,
  selected: Uint8Array[] | null,
): boolean {
  const digest = Buffer.from(key, 'latin1')
  const set = record.set === '' ? null : utf8.encode(record.set)
  if (selected === null) {
    out.beginRecord(
      namespace,
      digest,
      set,
      record.userKey,
      record.generation,
      record.voidTime,
      noBinData,
    )
    if (noBinData) {
      out.endRecord(0)
    } else {
      writePackedBins(out.writer, record.packedBins)
      out.endRecord(record.binCount)
    }
    return true
  }
  const bins = unpackBins(record.packedBins)
  const chosen = []
  for (const name of selected) {
    const bin = bins.find((b) => sameBytes(b.nameBytes, name))
    if (bin !== undefined) chosen.push(bin)
  }
  // "Don't return an empty record" (proto.c as_msg_make_response_bufbuilder).
  if (chosen.length === 0) return false
  out.beginRecord(namespace, digest, set, record.userKey, record.generation, record.voidTime)
  for (const bin of chosen)
    out.writer.op(AS_MSG_OP_READ, bin.particleType, bin.nameBytes, bin.value)
  out.endRecord(chosen.length)
  return true
}
