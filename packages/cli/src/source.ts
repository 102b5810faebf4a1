/**
 * What every file format gives the converter: named columns with a numpy type, and batches of
 * rows read in order, each column readable row by row into a structured array's bytes.
 */
import type { StructuredArray } from '@aerospike-numpy/dtype'

/** A column's values mapped to numpy: a fixed-width format, or text whose width is still open. */
export type ColumnType =
  | { kind: 'fixed'; format: string; shape?: readonly number[] }
  | { kind: 'text' } // UTF-8 → S<n>, n from --max-len or the longest value
  | { kind: 'unsupported'; message: string } // an error if the column is used

export interface SourceColumn {
  readonly name: string
  readonly type: ColumnType
  /** How the file spells the type, e.g. `timestamp[ms, UTC]`, `dictionary<utf8>`, `int64`. */
  readonly sourceType: string
  /** False when the file guarantees no nulls (numpy files, required Parquet columns). */
  readonly nullable: boolean
}

/** What went wrong with one value; OK when it was written. */
export const enum Problem {
  OK = 0,
  NULL = 1,
  OUT_OF_RANGE = 2,
  TOO_LONG = 3,
  INVALID_UTF8 = 4,
  BAD_VALUE = 5,
}

export interface ColumnReader {
  isNull(row: number): boolean
  /** Write row's value (not null) into out at offset, at most `width` bytes; a problem otherwise. */
  write(row: number, out: Uint8Array, view: DataView, offset: number, width: number): Problem
  /** Byte length of a text value (text columns only). */
  textLength?(row: number): number
  /** The raw text of a value that failed to parse (CSV), for messages. */
  text?(row: number): string
}

export interface SourceBatch {
  readonly length: number
  /** Reader of column `index` (of `Source.columns`), or null when that column was not requested. */
  column(index: number): ColumnReader
  /** The batch as a structured array of exactly the write dtype, when it already is one (no copy). */
  readonly structured?: StructuredArray
}

export interface Source {
  readonly format: 'npy' | 'arrow-file' | 'arrow-stream' | 'parquet' | 'csv' | 'dead-letter'
  readonly path: string
  readonly columns: readonly SourceColumn[]
  /** Rows the file holds, when its header says so (checked against its size); null if unknown. */
  readonly rows: number | null
  /** The key field a dead-letter file was written with. */
  readonly keyField?: string
  /**
   * Read every row in order, in batches. `columns`: indices of the columns the converter needs
   * (others may be left unread). Each call reads the file again from its start.
   */
  batches(columns: readonly number[]): AsyncIterable<SourceBatch>
  /**
   * Whether a full read before writing is needed to guarantee that bad values are found before
   * anything is sent. Formats whose types and sizes are fixed by checked metadata return the
   * columns that still need reading (nullable or text columns), or [] for none.
   */
  columnsToCheck(needed: readonly number[], nullsMatter: boolean, widthsKnown: boolean): number[]
  close(): Promise<void>
}

/** Bit i of an Arrow-style validity bitmap (1 = valid). */
export function bitSet(bitmap: Uint8Array, i: number): boolean {
  return ((bitmap[i >> 3]! >> (i & 7)) & 1) === 1
}
