import { ResultCode } from '@aerospike-numpy/wire'

/** String codes of the errors this package throws. */
export type ClusterErrorCode =
  | 'CONFIG' // a bad or unsupported Cluster.connect() option
  | 'CONNECTION' // a socket could not be opened, or closed under a request
  | 'TIMEOUT' // socket idle timeout or total deadline passed
  | 'PROTOCOL' // the server sent bytes this client cannot accept
  | 'SERVER' // the server answered with an error (info ERROR:, batch parent result)
  | 'INVALID_NODE' // no node serves the partition, or a node left the cluster
  | 'NAMESPACE_NOT_FOUND' // the namespace is not in the partition map
  | 'NO_MORE_CONNECTIONS' // the node's pool stayed full until the deadline
  | 'CLOSED' // the cluster was closed

/**
 * Every error of `@aerospike-numpy/cluster`. `result` is the Aerospike result code the official
 * client would report for the same failure (negative for client-side failures).
 */
export class ClusterError extends Error {
  override readonly name: string = 'ClusterError'
  readonly code: ClusterErrorCode
  readonly result: number

  constructor(
    code: ClusterErrorCode,
    result: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.code = code
    this.result = result
  }
}

/** A Cluster.connect() option is wrong or asks for a feature this engine does not have. */
export class ClusterConfigError extends ClusterError {
  override readonly name = 'ClusterConfigError'
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFIG', ResultCode.ERR_PARAM, message, options)
  }
}

/** A socket could not be opened, or it closed or failed while a request was outstanding. */
export class ConnectionError extends ClusterError {
  override readonly name = 'ConnectionError'
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONNECTION', ResultCode.ERR_CONNECTION, message, options)
  }
}

/** The socket timeout (no bytes for that long) or the total deadline passed. */
export class TimeoutError extends ClusterError {
  override readonly name = 'TimeoutError'
  constructor(message: string, options?: { cause?: unknown }) {
    super('TIMEOUT', ResultCode.ERR_TIMEOUT, message, options)
  }
}

/** The server sent bytes that break the protocol (bad frame, truncated message, unknown row). */
export class ProtocolError extends ClusterError {
  override readonly name = 'ProtocolError'
  constructor(message: string, options?: { cause?: unknown }) {
    super('PROTOCOL', ResultCode.ERR_CLIENT, message, options)
  }
}

/** The server answered with an error: an info `ERROR:<code>:…` value or a failed batch parent. */
export class ServerError extends ClusterError {
  override readonly name = 'ServerError'
  constructor(result: number, message: string, options?: { cause?: unknown }) {
    super('SERVER', result, message, options)
  }
}

/** No active node serves a partition, or the node a request was for has left the cluster. */
export class InvalidNodeError extends ClusterError {
  override readonly name = 'InvalidNodeError'
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_NODE', ResultCode.ERR_INVALID_NODE, message, options)
  }
}

/** The namespace is not in any node's `replicas` map. */
export class NamespaceNotFoundError extends ClusterError {
  override readonly name = 'NamespaceNotFoundError'
  constructor(namespace: string, options?: { cause?: unknown }) {
    super(
      'NAMESPACE_NOT_FOUND',
      ResultCode.ERR_NAMESPACE_NOT_FOUND,
      `namespace "${namespace}" is not served by the cluster`,
      options,
    )
  }
}

/** The node's connection pool stayed at its limit until the deadline. */
export class NoMoreConnectionsError extends ClusterError {
  override readonly name = 'NoMoreConnectionsError'
  constructor(message: string, options?: { cause?: unknown }) {
    super('NO_MORE_CONNECTIONS', ResultCode.ERR_NO_MORE_CONNECTIONS, message, options)
  }
}

/** The cluster was closed before or during the call. */
export class ClusterClosedError extends ClusterError {
  override readonly name = 'ClusterClosedError'
  constructor(message = 'the cluster is closed', options?: { cause?: unknown }) {
    super('CLOSED', ResultCode.ERR_CLIENT, message, options)
  }
}
