export {
  ingest,
  type IngestOptions,
  type IngestSummary,
  type MappingRow,
  type MaxErrors,
} from './ingest.js'
export { main, parseIngestArgs, INGEST_HELP } from './cli.js'
export type { VerifyResult } from './verify.js'
export type { NullPolicy } from './convert.js'
export { DEAD_LETTER_FORMAT, type DeadLetterEntry, type DeadLetterHeader } from './dead-letter.js'
