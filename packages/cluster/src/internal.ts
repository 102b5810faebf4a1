// Workspace-only helpers (tests and tools of this repository); not part of the public API and
// free to change without notice.
export { parseReplicas, ownsPartition, type NamespaceReplicas } from './partitions.js'
