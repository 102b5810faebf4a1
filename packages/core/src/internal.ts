/**
 * `@aerospike-numpy/core/internal`: helpers that the workspace's own packages (the clients, the
 * CLI, the tools) share with core, kept out of the public index. No compatibility promise: users
 * import from `@aerospike-numpy/core`, or better from the async or sync client.
 */
export { describe, instanceOf, integerIn, readOptions, readingInput } from './input.js'
export { binPresent, checkRowValues } from './plan.js'
export { RESULT_NOT_SENT, sliceWriteOutcome } from './engine.js'
export { resolveReadBins } from './read.js'
export { validateNamespace, validateSetName } from './keys.js'
export { invalidUtf8At } from './scalars.js'
// The one serializer for errors across threads. Its sending half is also its own subpath,
// `@aerospike-numpy/core/error-data`, which imports nothing: a worker's exit hook loads it first.
export { toErrorData, type ErrorData } from './error-data.js'
export { fromErrorData, type FromErrorDataOptions } from './error-rebuild.js'
export { KeyColumn, type RowSource } from './key-column.js'
export { KeyBatchBuilder, batchKeyLabel, keyLabel } from './keys.js'
export { userKeyBytes } from './keys.js'
export { binsForReadDtype, readMetaDtype } from './read.js'
export { sleepUnlessAborted } from './sleep.js'
