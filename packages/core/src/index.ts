// The public API of core: errors and result codes, policies, results, keys, and the seam between
// the async client and its engines (write plans, jobs, outcomes, the retry loop). Helpers only
// the workspace's own packages use are in './internal.js' (`@aerospike-numpy/core/internal`).
export * from './common.js'
export {
  RESULT_CODE_NAMES,
  TRANSIENT_RESULT_CODES,
  isTransientResultCode,
  NODE_LOSS_RESULT_CODES,
  isNodeLossResultCode,
  resultCodeName,
  type ResultCodeName,
} from './codes.js'
export { type AerospikeErrorOptions } from './errors.js'
export {
  PARTICLE_INTEGER,
  PARTICLE_FLOAT,
  PARTICLE_STRING,
  PARTICLE_BLOB,
  DIGEST_SIZE,
} from '@aerospike-numpy/wire'
export {
  DEFAULT_KEY_FIELD,
  MAX_BIN_NAME_BYTES,
  MAX_OPS_PER_RECORD,
  compileWritePlan,
  compileKeyCodec,
  type WritePlan,
  type BinValidity,
  type KeyCodec,
  type BinCodec,
  type KeyValue,
  type BinValue,
} from './plan.js'
export {
  createWriteOutcome,
  createReadOutcome,
  allRows,
  type Engine,
  type EngineKind,
  type WriteJob,
  type WriteOutcome,
  type ReadJob,
  type ReadOutcome,
  type ReadSink,
  type ResolvedKey,
  type UserKey,
  type ScanJob,
  type ScanOutcome,
  type ScanPartition,
  type ScanPartitionStatus,
  type ScanSink,
} from './engine.js'
export {
  POLICY_REPLICA_MASTER,
  POLICY_REPLICA_ANY,
  POLICY_REPLICA_SEQUENCE,
  POLICY_REPLICA_PREFER_RACK,
  POLICY_READ_MODE_AP_ONE,
  POLICY_READ_MODE_AP_ALL,
} from '@aerospike-numpy/wire'
export {
  resolveWritePolicy,
  resolveReadPolicy,
  resolveScanPolicy,
  type BatchPolicyFields,
  type ResolvedWritePolicy,
  type ResolvedReadPolicy,
  type ResolvedScanPolicy,
} from './policy.js'
export {
  DEFAULT_RETRY_BASE_DELAY_MS,
  DEFAULT_RETRY_MAX_DELAY_MS,
  resolveRetry,
  writeWithRetry,
  type RetryPolicy,
  type Clock,
  type WriteWithRetryOptions,
  type WriteWithRetryReport,
} from './retry.js'
export { type BatchRecordsInit, type RecordMeta } from './results.js'
export {
  MAX_NAMESPACE_BYTES,
  MAX_SET_NAME_BYTES,
  computeDigest,
  userKeyDigest,
  resolveKeys,
  KeyBatch,
  type KeyGroup,
} from './keys.js'
export { RowDecoder, createReadSink, type ReadMetaOutcome } from './read.js'
export {
  DEFAULT_SCAN_CHUNK_ROWS,
  SCAN_RETRYABLE_CODES,
  MAX_SCAN_CHUNK_ROWS,
  ScanChunkSink,
  concatScanChunks,
  resolveScanPartitions,
  type ScanChunkSinkOptions,
} from './scan.js'
