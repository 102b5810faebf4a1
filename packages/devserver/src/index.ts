export { startDevServer } from './server.js'
export type { DevServer, DevServerOptions } from './server.js'
export { DevServerError } from './errors.js'
export type { DevServerErrorCode } from './errors.js'
export type {
  DropResponsesRule,
  FaultRule,
  KeyRef,
  Latency,
  MemoryStats,
  NodeDescription,
  OpKind,
  ScanFaultRule,
  StoredBin,
  StoredRecord,
} from './messages.js'
