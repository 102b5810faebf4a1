/**
 * apache-arrow, loaded from its single-file bundle: its ESM build is some 200 modules, which take
 * about a second to load on a busy machine (every Arrow and Parquet ingest pays it at start); the
 * bundle is the same library in one file and loads in a fifth of that. Types still come from the
 * package's own declarations.
 */
import { createRequire } from 'node:module'
import type * as Arrow from 'apache-arrow'

const arrow = createRequire(import.meta.url)('apache-arrow/Arrow.esnext.min') as typeof Arrow

export const { RecordBatchReader, Type, tableFromIPC } = arrow
export type RecordBatchReader = Arrow.RecordBatchReader
export type Type = Arrow.Type
export type { Data, DataType, Field, RecordBatch } from 'apache-arrow'
