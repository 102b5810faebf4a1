// Plain AS_MSGs and batch rows turned into RecordCommands.

import {
  DIGEST_SIZE,
  FIELD_DIGEST_RIPE,
  FIELD_FILTER,
  FIELD_KEY,
  FIELD_NAMESPACE,
  FIELD_SETNAME,
  FIELD_UDF_ARGLIST,
  FIELD_UDF_FUNCTION,
  FIELD_UDF_OP,
  FIELD_UDF_PACKAGE_NAME,
  ResultCode,
  type DecodedMessage,
  type FieldRef,
} from '@aerospike-numpy/wire'

import type { RecordCommand } from './execute.js'

const textDecoder = new TextDecoder('utf-8', { fatal: true })

/** MRT bookkeeping fields (record version, txn id, deadline): accepted and ignored. */
const IGNORED_FIELDS = new Set([3, 5, 6])
/** Valid fields this server does not implement: the command gets UNSUPPORTED_FEATURE. */
export const UNSUPPORTED_FIELDS = new Set([
  FIELD_FILTER,
  FIELD_UDF_PACKAGE_NAME,
  FIELD_UDF_FUNCTION,
  FIELD_UDF_ARGLIST,
  FIELD_UDF_OP,
])

function text(bytes: Uint8Array, offset: number, length: number): string | null {
  try {
    return textDecoder.decode(bytes.subarray(offset, offset + length))
  } catch {
    return null
  }
}

/**
 * Namespace and set names repeat from row to row of a batch: remember the last few decoded
 * (keyed by their bytes) instead of decoding each one again.
 */
const recentNames = new Map<string, string>()
const latin1Slice = Buffer.prototype.latin1Slice as (
  this: Uint8Array,
  start: number,
  end: number,
) => string

function name(bytes: Uint8Array, offset: number, length: number): string | null {
  if (length > 63) return text(bytes, offset, length)
  const raw = latin1Slice.call(bytes, offset, offset + length)
  const known = recentNames.get(raw)
  if (known !== undefined) return known
  const decoded = text(bytes, offset, length)
  if (decoded === null) return null
  if (recentNames.size >= 256) recentNames.clear()
  recentNames.set(raw, decoded)
  return decoded
}

/** What the fields of a command say, or the result code for fields that make no sense. */
export interface CommandFields {
  namespace: string
  set: string
  digest: Uint8Array | null
  userKey: Uint8Array | null
  unsupportedField: number
}

export function readCommandFields(
  bytes: Uint8Array,
  fields: readonly FieldRef[],
): CommandFields | number {
  let namespace: string | null = null
  let set = ''
  let digest: Uint8Array | null = null
  let userKey: Uint8Array | null = null
  let unsupportedField = 0
  for (const field of fields) {
    switch (field.type) {
      case FIELD_NAMESPACE:
        namespace = name(bytes, field.offset, field.length)
        if (namespace === null) return ResultCode.ERR_REQUEST_INVALID
        break
      case FIELD_SETNAME: {
        const setName = name(bytes, field.offset, field.length)
        if (setName === null) return ResultCode.ERR_REQUEST_INVALID
        set = setName
        break
      }
      case FIELD_DIGEST_RIPE:
        if (field.length !== DIGEST_SIZE) return ResultCode.ERR_REQUEST_INVALID
        digest = bytes.subarray(field.offset, field.offset + field.length)
        break
      case FIELD_KEY:
        if (field.length < 2) return ResultCode.ERR_REQUEST_INVALID
        userKey = bytes.subarray(field.offset, field.offset + field.length)
        break
      default:
        if (UNSUPPORTED_FIELDS.has(field.type)) unsupportedField = field.type
        else if (!IGNORED_FIELDS.has(field.type)) return ResultCode.ERR_REQUEST_INVALID
    }
  }
  if (namespace === null) return ResultCode.ERR_REQUEST_INVALID
  return { namespace, set, digest, userKey, unsupportedField }
}

/** The command, or the result code to answer when the message is not a valid record command. */
export function commandFromMessage(message: DecodedMessage): RecordCommand | number {
  const fields = readCommandFields(message.bytes, message.fields)
  if (typeof fields === 'number') return fields
  if (fields.digest === null) return ResultCode.ERR_REQUEST_INVALID
  const { header } = message
  return {
    namespace: fields.namespace,
    set: fields.set,
    digest: fields.digest,
    userKey: fields.userKey,
    info1: header.info1,
    info2: header.info2,
    info3: header.info3,
    generation: header.generation,
    recordTtl: header.recordTtl,
    bytes: message.bytes,
    ops: message.ops,
    unsupportedField: fields.unsupportedField,
  }
}
