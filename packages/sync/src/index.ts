export { Client, client, type SyncClientConfig, type SyncWriteNumpyOptions } from './client.js'
export type { SyncScanNumpyOptions } from './scan.js'
export { SyncCallTimeoutError, SyncWorkerExitedError, SyncWorkerStartError } from './errors.js'
// What scripts need without importing the async client or core: the same classes and constants.
export * from '@aerospike-numpy/core/common'
export {
  NotConnectedError,
  PartialWriteError,
  type AsyncClientConfig,
  type BatchReadOptions,
  type BatchReadNumpyOptions,
  type ScanProgress,
  type BatchWriteNumpyOptions,
  type WriteNumpyOptions,
  type WriteProgress,
} from '@aerospike-numpy/async'
