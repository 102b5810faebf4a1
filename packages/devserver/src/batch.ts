import {
  AS_MESSAGE_TYPE,
  INFO3_LAST,
  ResultCode,
  type DecodedMessage,
  type MessageWriter,
} from '@aerospike-numpy/wire'

import type { DevCluster } from './cluster.js'

export function executeBatch(
  _cluster: DevCluster,
  _message: DecodedMessage,
  writer: MessageWriter,
  _nowMs: number,
): Uint8Array {
  const mark = writer.beginProto(AS_MESSAGE_TYPE)
  writer.msgHeader({ info3: INFO3_LAST, resultCode: ResultCode.UNSUPPORTED_FEATURE })
  writer.endProto(mark)
  return writer.finish()
}
