// What users of the Promise API need. Internals (argument checks, the chunking and concurrency
// helpers, config resolution) stay in their modules; tests import them from src/, the workspace
// from `@aerospike-numpy/async/internal`.
export {
  AsyncClient,
  type BatchReadOptions,
  type BatchReadNumpyOptions,
  type BatchWriteNumpyOptions,
  type WriteNumpyResult,
  type StructuredArrayStream,
} from './client.js'
export {
  type AsyncClientConfig,
  type ResolvedClientConfig,
  type EngineName,
  type HostAddress,
  type HostsInput,
} from './config.js'
export {
  DEFAULT_CHUNK_SIZE,
  DEFAULT_CONCURRENCY,
  StreamWriteSummary,
  type ChunkSettledEvent,
  type WriteNumpyOptions,
  type WriteProgress,
} from './chunks.js'
export { type BatchWriteOptions } from './write-args.js'
export { NotConnectedError, PartialWriteError } from './errors.js'
export { type ScanNumpyOptions, type ScanProgress } from './scan.js'
// What users need without importing core or the official client: core's one list.
export * from '@aerospike-numpy/core/common'
