// A plain (non-batch) AS_MSG turned into a RecordCommand.

import {
  DIGEST_SIZE,
  FIELD_DIGEST_RIPE,
  FIELD_FILTER,
  FIELD_KEY,
  FIELD_NAMESPACE,
  FIELD_SETNAME,
  FIELD_UDF_ARGLIST,
  FIELD_UDF_FUNCTION,
  FIELD_UDF_PACKAGE_NAME,
  ResultCode,
  type DecodedMessage,
} from '@aerospike-numpy/wire'

import type { RecordCommand } from './execute.js'

const textDecoder = new TextDecoder('utf-8', { fatal: true })

/** Field types a record command may carry that this server accepts and ignores (MRT bookkeeping). */
const IGNORED_FIELDS = new Set([3, 5, 6])
const UNSUPPORTED_FIELDS = new Set([
  FIELD_FILTER,
  FIELD_UDF_PACKAGE_NAME,
  FIELD_UDF_FUNCTION,
  FIELD_UDF_ARGLIST,
])

function text(bytes: Uint8Array, offset: number, length: number): string | null {
  try {
    return textDecoder.decode(bytes.subarray(offset, offset + length))
  } catch {
    return null
  }
}

/** The command, or the result code to answer when the message is not a valid record command. */
export function commandFromMessage(message: DecodedMessage): RecordCommand | number {
  const { bytes, header } = message
  let namespace: string | null = null
  let set = ''
  let digest: Uint8Array | null = null
  let userKey: Uint8Array | null = null
  let unsupportedField = 0
  for (const field of message.fields) {
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
  if (namespace === null || digest === null) return ResultCode.PARAMETER
  return {
    namespace,
    set,
    digest,
    userKey,
    info1: header.info1,
    info2: header.info2,
    info3: header.info3,
    generation: header.generation,
    recordTtl: header.recordTtl,
    bytes,
    ops: message.ops,
    unsupportedField,
  }
}
