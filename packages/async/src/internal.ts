/**
 * `@aerospike-numpy/async/internal`: helpers the workspace's own packages (the CLI, the tools)
 * share with the async client, kept out of the public index. No compatibility promise.
 */
export { runBounded } from './chunks.js'
export { prepareScan } from './scan.js'
export {
  prepareBatchRead,
  prepareBatchReadNumpy,
  readPrepared,
  type PreparedRead,
} from './read-args.js'
export { planFor } from './write-args.js'
