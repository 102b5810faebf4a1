/**
 * Scans into structured arrays, the engine-neutral part: which partitions to read (and where to
 * resume them), and the sink that decodes records straight into preallocated chunks — a
 * structured array of the read dtype, the 20-byte digests and `(gen, ttl)` meta — with the same
 * conversions as batch reads, nothing allocated per record.
 */
import { StructuredArray, type Dtype } from '@aerospike-numpy/dtype'
import { DIGEST_SIZE, N_PARTITIONS, ResultCode } from '@aerospike-numpy/wire'
import type { ScanPartition, ScanSink } from './engine.js'
import { ParamError } from './errors.js'
import { DEFAULT_KEY_FIELD } from './plan.js'
import { describe } from './input.js'
import { RowDecoder, readMetaDtype } from './read.js'

/**
 * Codes after which a scan tries a node's (or query's) partitions again in its next round
 * (as_partition_tracker_should_retry, plus the pool's NO_MORE_CONNECTIONS): the cluster may
 * route them elsewhere by then. Both engines use it.
 */
export const SCAN_RETRYABLE_CODES: ReadonlySet<number> = new Set<number>([
  ResultCode.ERR_CLUSTER,
  ResultCode.ERR_INVALID_NODE,
  ResultCode.ERR_CONNECTION,
  ResultCode.ERR_ASYNC_CONNECTION,
  ResultCode.ERR_NO_MORE_CONNECTIONS,
  ResultCode.ERR_TIMEOUT,
  ResultCode.ERR_INDEX_NOT_FOUND,
  ResultCode.ERR_INDEX_NOT_READABLE,
  ResultCode.ERR_SERVER_FULL,
  ResultCode.ERR_DEVICE_OVERLOAD,
])
/** Rows per chunk `scanNumpy` yields unless told otherwise. */
export const DEFAULT_SCAN_CHUNK_ROWS = 65_536
/** The most rows one chunk may have (a chunk is one allocation of `chunkRows × itemsize`). */
export const MAX_SCAN_CHUNK_ROWS = 2 ** 26

/** What a scan yields: rows in the order the cluster returned them. */
export interface ScanChunk {
  /** One row per record, in the read dtype; bins the record lacks stay zero. */
  readonly records: StructuredArray
  /** Each row's record digest, 20 bytes a row. */
  readonly digests: Uint8Array
  /** `gen` (u4) and `ttl` (u4) per row; ttl 0xFFFFFFFF = never expires. */
  readonly meta: StructuredArray
  readonly length: number
}

/** `partitions` as users give it: a range, a list of ids, or where an earlier scan stopped. */
export type ScanPartitionsInput =
  | { begin: number; count: number }
  | readonly number[]
  | readonly { id: number; digest?: Uint8Array | null }[]

function partitionId(digest: Uint8Array): number {
  return (digest[0]! | (digest[1]! << 8)) & (N_PARTITIONS - 1)
}

function checkId(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= N_PARTITIONS) {
    throw new ParamError(`${where} must be a partition id 0..4095, got ${describe(value)}`)
  }
  return value
}

/** The partitions a scan reads, in ascending id order; all 4096 by default. */
export function resolveScanPartitions(input: unknown): ScanPartition[] {
  if (input === undefined || input === null) {
    return Array.from({ length: N_PARTITIONS }, (_, id) => ({ id, digest: null }))
  }
  const out: ScanPartition[] = []
  if (Array.isArray(input)) {
    const seen = new Uint8Array(N_PARTITIONS)
    for (let i = 0; i < input.length; i++) {
      const item: unknown = input[i]
      const where = `partitions[${i}]`
      let id: number
      let digest: Uint8Array | null = null
      if (typeof item === 'number') id = checkId(item, where)
      else if (typeof item === 'object' && item !== null) {
        const entry = item as { id?: unknown; digest?: unknown }
        id = checkId(entry.id, `${where}.id`)
        if (entry.digest !== undefined && entry.digest !== null) {
          if (!(entry.digest instanceof Uint8Array) || entry.digest.length !== DIGEST_SIZE) {
            throw new ParamError(
              `${where}.digest must be a ${DIGEST_SIZE}-byte Uint8Array, got ${describe(entry.digest)}`,
            )
          }
          if (partitionId(entry.digest) !== id) {
            throw new ParamError(
              `${where}.digest belongs to partition ${partitionId(entry.digest)}, not ${id}`,
            )
          }
          digest = Uint8Array.from(entry.digest)
        }
      } else {
        throw new ParamError(
          `${where} must be a partition id or { id, digest }, got ${describe(item)}`,
        )
      }
      if (seen[id] !== 0) throw new ParamError(`${where}: partition ${id} is listed twice`)
      seen[id] = 1
      out.push({ id, digest })
    }
    if (out.length === 0) throw new ParamError('partitions is an empty list')
    return out.sort((a, b) => a.id - b.id)
  }
  if (typeof input === 'object') {
    const range = input as { begin?: unknown; count?: unknown }
    const begin = checkId(range.begin, 'partitions.begin')
    const count = range.count
    if (
      typeof count !== 'number' ||
      !Number.isInteger(count) ||
      count < 1 ||
      begin + count > N_PARTITIONS
    ) {
      throw new ParamError(
        `partitions.count must be an integer 1..${N_PARTITIONS - begin} (begin ${begin}), got ${describe(count)}`,
      )
    }
    for (let id = begin; id < begin + count; id++) out.push({ id, digest: null })
    return out
  }
  throw new ParamError(
    `partitions must be { begin, count }, a list of partition ids or of { id, digest }, got ${describe(input)}`,
  )
}

export interface ScanChunkSinkOptions {
  dtype: Dtype
  /** The field that receives each record's stored user key (when the dtype has it). */
  keyField?: string
  chunkRows: number
  /** At most this many rows in all (0: no limit). */
  maxRecords: number
  namespace: string
  set: string
  /** Each chunk as it fills (and the last, partial one at `flush`). */
  onChunk(chunk: ScanChunk): void
  /** Every `chunkRows` rows while a `reserve`d chunk fills (it is handed over only at its end). */
  onRows?: (() => void) | undefined
}

/**
 * A `ScanSink` that decodes into chunks of `chunkRows` rows, each allocated once and handed to
 * `onChunk` when full. Conversions follow batch reads; an error names the record's digest and
 * the field. The key field gets the stored user key (integer keys into integer fields, string and
 * blob keys into 'S'/'V' fields); records stored without their key leave it zero.
 */
export class ScanChunkSink implements ScanSink {
  readonly #dtype: Dtype
  readonly #keyField: string
  readonly #chunkRows: number
  readonly #maxRecords: number
  readonly #where: string
  readonly #onChunk: (chunk: ScanChunk) => void
  readonly #onRows: (() => void) | undefined
  /** `rows` at which `onRows` is called next (never, unless a chunk was reserved). */
  #nextRows = Infinity
  #records: StructuredArray | null = null
  #digests: Uint8Array = new Uint8Array(0)
  #meta: StructuredArray | null = null
  #metaView: DataView = new DataView(new ArrayBuffer(0))
  #decoder: RowDecoder | null = null
  #keyIndex = -1
  #row = -1
  #filled = 0
  /** Rows the current chunk can hold. */
  #capacity = 0
  #stopped = false
  /** Rows delivered (begun) in all. */
  rows = 0

  constructor(options: ScanChunkSinkOptions) {
    const { dtype, chunkRows, maxRecords } = options
    if (!dtype.isStructured || dtype.fields === null) {
      throw new ParamError(
        `read dtype ${dtype.str} is not structured; give fields, e.g. [['x', 'f8']]`,
      )
    }
    this.#dtype = dtype
    this.#keyField = options.keyField ?? DEFAULT_KEY_FIELD
    this.#chunkRows = chunkRows
    this.#maxRecords = maxRecords
    this.#where = `${options.namespace}/${options.set}`
    this.#onChunk = options.onChunk
    this.#onRows = options.onRows
    // Compiling the writers checks the dtype up front (fields no bin can fill are refused).
    this.#startChunk()
  }

  /** No more records are taken (beginRecord returns false from now on). */
  stop(): void {
    this.#stopped = true
  }

  get stopped(): boolean {
    return this.#stopped
  }

  /**
   * Before the first record: make the first chunk hold `rows` rows (a scan that knows about how
   * many records it will read fills one array instead of chunks it would copy together).
   */
  reserve(rows: number): void {
    if (this.rows > 0 || rows <= this.#chunkRows) return
    this.#startChunk(Math.min(rows, MAX_SCAN_CHUNK_ROWS))
    if (this.#onRows !== undefined) this.#nextRows = this.#chunkRows
  }

  #startChunk(capacity = this.#chunkRows): void {
    const n = capacity
    const records = StructuredArray.zeros(this.#dtype, n)
    const digests = new Uint8Array(n * DIGEST_SIZE)
    const meta = StructuredArray.zeros(readMetaDtype(), n)
    this.#records = records
    this.#digests = digests
    this.#meta = meta
    this.#metaView = new DataView(meta.buffer)
    this.#decoder = new RowDecoder(this.#dtype, records, (row) => {
      const d = Buffer.from(digests.buffer, digests.byteOffset + row * DIGEST_SIZE, DIGEST_SIZE)
      return `record ${this.#where} digest ${d.toString('hex')}`
    })
    this.#keyIndex = this.#decoder.fieldIndex(this.#keyField)
    this.#filled = 0
    this.#capacity = n
  }

  beginRecord(digest: Uint8Array, digestOffset: number, generation: number, ttl: number): boolean {
    if (this.#stopped) return false
    if (this.#maxRecords > 0 && this.rows >= this.#maxRecords) {
      this.#stopped = true
      return false
    }
    if (this.#filled === this.#capacity) this.#emit()
    const row = this.#filled++
    this.#row = row
    if (++this.rows === this.#nextRows) {
      this.#nextRows += this.#chunkRows
      this.#onRows!()
    }
    const out = this.#digests
    const at = row * DIGEST_SIZE
    for (let i = 0; i < DIGEST_SIZE; i++) out[at + i] = digest[digestOffset + i]!
    const p = row * 8
    this.#metaView.setUint32(p, generation, true)
    this.#metaView.setUint32(p + 4, ttl, true)
    return true
  }

  keyParticle(bytes: Uint8Array, view: DataView, offset: number, length: number): void {
    if (this.#keyIndex < 0 || length < 1) return
    const particleType = bytes[offset]!
    this.#decoder!.particleAt(
      this.#row,
      this.#keyIndex,
      particleType,
      bytes,
      view,
      offset + 1,
      length - 1,
    )
  }

  keyValue(value: unknown): void {
    if (this.#keyIndex >= 0) this.#decoder!.valueAt(this.#row, this.#keyIndex, value)
  }

  binParticle(
    bytes: Uint8Array,
    view: DataView,
    nameOffset: number,
    nameLength: number,
    particleType: number,
    valueOffset: number,
    valueLength: number,
  ): void {
    const decoder = this.#decoder!
    const index = decoder.fieldIndexOfBytes(bytes, nameOffset, nameLength)
    if (index < 0 || index === this.#keyIndex) {
      // The key field holds the stored key; a bin of the same name is read only when the field is
      // not '_'-prefixed (then it was written as a bin too, with the same value).
      if (index < 0 || this.#keyField.startsWith('_')) return
    }
    decoder.particleAt(this.#row, index, particleType, bytes, view, valueOffset, valueLength)
  }

  binValue(name: string, value: unknown): void {
    const decoder = this.#decoder!
    const index = decoder.fieldIndex(name)
    if (index < 0 || (index === this.#keyIndex && this.#keyField.startsWith('_'))) return
    decoder.valueAt(this.#row, index, value)
  }

  endRecord(): void {
    if (this.#maxRecords > 0 && this.rows >= this.#maxRecords) this.#stopped = true
  }

  /** Hands over the partly filled chunk, if it has rows. */
  flush(): void {
    if (this.#filled > 0) this.#emit()
  }

  #emit(): void {
    // Chunks after a reserved one are of chunkRows rows: onChunk reports them.
    this.#nextRows = Infinity
    const n = this.#filled
    const full = n === this.#capacity
    this.#onChunk({
      records: full ? this.#records! : this.#records!.slice(0, n),
      digests: full ? this.#digests : this.#digests.subarray(0, n * DIGEST_SIZE),
      meta: full ? this.#meta! : this.#meta!.slice(0, n),
      length: n,
    })
    this.#startChunk()
  }
}

/** One chunk holding the rows of `chunks` in order (the only chunk itself, not a copy). */
export function concatScanChunks(dtype: Dtype, chunks: readonly ScanChunk[]): ScanChunk {
  if (chunks.length === 1) return chunks[0]!
  let total = 0
  for (const chunk of chunks) total += chunk.length
  const records = StructuredArray.zeros(dtype, total)
  const digests = new Uint8Array(total * DIGEST_SIZE)
  const meta = StructuredArray.zeros(readMetaDtype(), total)
  const recordBytes = records.bytes
  const metaBytes = meta.bytes
  let row = 0
  for (const chunk of chunks) {
    recordBytes.set(chunk.records.bytes, row * records.stride)
    digests.set(chunk.digests, row * DIGEST_SIZE)
    metaBytes.set(chunk.meta.bytes, row * meta.stride)
    row += chunk.length
  }
  return { records, digests, meta, length: total }
}
