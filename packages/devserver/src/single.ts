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
        namespace = text(bytes, field.offset, field.length)
        if (namespace === null) return ResultCode.PARAMETER
        break
      case FIELD_SETNAME: {
        const name = text(bytes, field.offset, field.length)
        if (name === null) return ResultCode.PARAMETER
        set = name
        break
      }
      case FIELD_DIGEST_RIPE:
        if (field.length !== DIGEST_SIZE) return ResultCode.PARAMETER
        digest = bytes.subarray(field.offset, field.offset + field.length)
        break
      case FIELD_KEY:
        if (field.length < 2) return ResultCode.PARAMETER
        userKey = bytes.subarray(field.offset, field.offset + field.length)
        break
      default:
        if (UNSUPPORTED_FIELDS.has(field.type)) unsupportedField = field.type
        else if (!IGNORED_FIELDS.has(field.type)) return ResultCode.PARAMETER
    }
  }
  if (namespace === null) return ResultCode.PARAMETER
  return { namespace, set, digest, userKey, unsupportedField }
}

/** The command, or the result code to answer when the message is not a valid record command. */
export function commandFromMessage(message: DecodedMessage): RecordCommand | number {
  const fields = readCommandFields(message.bytes, message.fields)
  if (typeof fields === 'number') return fields
  if (fields.digest === null) return ResultCode.PARAMETER
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
