export { Cluster, resolveClusterConfig, type ClusterConfig, type HostSpec } from './cluster.js'
export { Connection, type ExchangeTimeouts, type ResponseConsumer } from './connection.js'
export { ConnectionPool, type PoolOptions } from './pool.js'
export { Node, lookupNode, parseBuild, type NodeInfo } from './node.js'
export { parsePeers, type HostAddress, type PeerEntry, type PeersReply } from './peers.js'
export { parseReplicas, ownsPartition, PartitionMap, type NamespaceReplicas } from './partitions.js'
export { infoRequest, infoValueError, infoValuesByName } from './info.js'
export {
  ClusterError,
  ClusterConfigError,
  ConnectionError,
  TimeoutError,
  ProtocolError,
  ServerError,
  InvalidNodeError,
  NamespaceNotFoundError,
  NoMoreConnectionsError,
  ClusterClosedError,
  type ClusterErrorCode,
} from './errors.js'
export { batchWrite, batchRead, type BatchSummary, type NodeBatchResult } from './batch.js'
export { scanPartitions } from './scan.js'
