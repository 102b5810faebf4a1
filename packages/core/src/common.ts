/**
 * `@aerospike-numpy/core/common`: what users of any client need — the error classes, result
 * codes, policy and TTL constants and helpers, and the types of keys, policies and results. One
 * list: core's index, the async client (`@aerospike-numpy/async`) and the blocking client
 * (`@aerospike-numpy/sync`) all export it as it is.
 */
export { ResultCode } from './codes.js'
export {
  AerospikeError,
  ParamError,
  ConversionError,
  ClientError,
  ConnectionError,
  NoResponseError,
  AbortError,
  ServerError,
  RecordNotFoundError,
  GenerationError,
  RequestInvalidError,
  RecordExistsError,
  ServerFullError,
  TimeoutError,
  PartitionUnavailableError,
  RecordTooBigError,
  KeyBusyError,
  DeviceOverloadError,
  NamespaceNotFoundError,
  BinNameError,
  ScanIncompleteError,
  errorFromCode,
  isAerospikeError,
  type UnfinishedPartition,
} from './errors.js'
export {
  POLICY_KEY_DIGEST,
  POLICY_KEY_SEND,
  POLICY_EXISTS_IGNORE,
  POLICY_EXISTS_CREATE,
  POLICY_EXISTS_UPDATE,
  POLICY_EXISTS_REPLACE,
  POLICY_EXISTS_CREATE_OR_REPLACE,
  POLICY_GEN_IGNORE,
  POLICY_GEN_EQ,
  POLICY_GEN_GT,
  POLICY_COMMIT_LEVEL_ALL,
  POLICY_COMMIT_LEVEL_MASTER,
  policy,
} from '@aerospike-numpy/wire'
export {
  TTL_NAMESPACE_DEFAULT,
  TTL_NEVER_EXPIRE,
  TTL_DONT_UPDATE,
  TTL_CLIENT_DEFAULT,
  ttl,
  type WritePolicy,
  type ReadPolicy,
  type ScanPolicy,
} from './policy.js'
export { type RetryOptions, type RetryEvent } from './retry.js'
export {
  BatchRecords,
  type BatchRecord,
  type Key,
  type WriteFailure,
  type WriteSummary,
} from './results.js'
export { type KeyInput } from './keys.js'
export { NumpyBatchRecords } from './read.js'
export { type ScanChunk, type ScanPartitionsInput } from './scan.js'
