// What users and the async client need; everything else (connections, pools, info, partition
// parsing, request buffers) is internal and tested from src/.
export { Cluster, type ClusterConfig, type HostSpec } from './cluster.js'
export type { Node, NodeInfo } from './node.js'
export type { PartitionMap } from './partitions.js'
export { batchWrite, batchRead, type BatchSummary, type NodeBatchResult } from './batch.js'
export { scanPartitions } from './scan.js'
