/**
 * `@aerospike-numpy/core/internal`: helpers that the workspace's own packages (the async and sync
 * clients) share with core, kept out of the public index. No compatibility promise: users import
 * from `@aerospike-numpy/core`, or better from the async or sync client.
 */
export { describe, instanceOf, readOptions, readingInput } from './input.js'
export { checkRowValues } from './plan.js'
export { RESULT_NOT_SENT, sliceWriteOutcome } from './engine.js'
export { resolveReadBins } from './read.js'
export { validateNamespace, validateSetName } from './keys.js'
