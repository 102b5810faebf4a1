/** Messages between the Parquet source (main thread) and its reader thread (parquet-worker.ts). */
import type { ErrorData } from '@aerospike-numpy/core/error-data'

export type ToParquetThread =
  | { kind: 'read'; id: number; columns: string[]; batchRows: number }
  /** Grant the read `batches` more decoded batches ahead. */
  | { kind: 'more'; id: number; batches: number }
  | { kind: 'stop'; id: number }

export type FromParquetThread =
  /** The footer checked: its row count and the schema as an Arrow IPC stream. */
  | { kind: 'opened'; rows: number; schema: Uint8Array }
  /** One record batch as an Arrow IPC stream (its buffer transferred). */
  | { kind: 'batch'; id: number; ipc: Uint8Array }
  | { kind: 'end'; id: number }
  /** id 0: opening failed. */
  | { kind: 'error'; id: number; error: ErrorData }
