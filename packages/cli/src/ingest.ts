/**
 * `ingest()`: a file into Aerospike, one record per row, with a proof at the end. Every value is
 * read and checked before anything is sent (formats whose metadata fixes types and sizes skip what
 * the metadata already proves); rows are then written through `AsyncClient.writeNumpy` — its
 * hooks pace chunks (`--max-rps`, AIMD) and report each settled chunk, which feeds the
 * dead-letter file and the checkpoint; finally rows are read back and compared (`--verify`).
 */
import { existsSync } from 'node:fs'
import { AsyncClient, type WriteNumpyOptions } from '@aerospike-numpy/async'
import {
  AerospikeError,
  ParamError,
  PARTICLE_STRING,
  RESULT_NOT_SENT,
  type WritePolicy,
} from '@aerospike-numpy/core'
import { descrRepr } from '@aerospike-numpy/dtype'
import { Checkpoint, fileFingerprint, type CheckpointCounts } from './checkpoint.js'
import { chunks, type Chunk, type NullPolicy } from './convert.js'
import { DeadLetterWriter, deadLetterRows } from './dead-letter.js'
import {
  buildMapping,
  describeMapping,
  selectColumns,
  type Mapping,
  type MappingOptions,
} from './mapping.js'
import { Progress } from './progress.js'
import { CoercionReport } from './report.js'
import type { ColumnType, Source } from './source.js'
import { parseCsvDtypes } from './sources/csv.js'
import { openSource } from './sources/open.js'
import { OVERLOAD_CODES, Throttle } from './throttle.js'
import { verify, type VerifyResult } from './verify.js'

/** Per batch call: generous, since a loaded server answering late is not a failed row. */
export const DEFAULT_TIMEOUT_MS = 10_000

export type MaxErrors = { rows: number } | { percent: number }

export interface IngestOptions {
  file: string
  /** `host:port[,host:port]`; needed unless `dryRun`. */
  hosts?: string
  namespace: string
  set: string
  /** The key column. Default: a dead-letter file's key field, else `_key`. */
  key?: string
  bins?: readonly string[] | null
  rename?: Readonly<Record<string, string>>
  /** Width of text columns (S<n>); default the longest value. */
  maxLen?: number | null
  /** CSV column types, `name:format,…`. */
  dtype?: string | null
  delimiter?: string | null
  nulls?: NullPolicy
  dryRun?: boolean
  engine?: 'wire' | 'official'
  workers?: number | null
  chunkSize?: number
  concurrency?: number
  retry?: number
  /** ms, for each batch call (total and socket timeouts). */
  timeout?: number | null
  maxRps?: number | null
  maxErrors?: MaxErrors | null
  deadLetter?: string | null
  checkpoint?: string | null
  resume?: boolean
  verify?: 'sample' | 'all' | null
  /** Where progress goes (stderr in the CLI); null: none. */
  progress?: NodeJS.WriteStream | null
  /** Stops sending; rows in flight settle and the checkpoint is saved. */
  signal?: AbortSignal
}

export interface MappingRow {
  column: string
  sourceType: string
  dtype: string
  bin: string | null
  particle: string | null
  key: boolean
}

export interface IngestSummary {
  file: string
  format: Source['format']
  dryRun: boolean
  mapping: MappingRow[]
  /** Problems found while reading (a dry run reads every column and checks duplicate keys). */
  report: object
  reportLines: string[]
  /** Rows in the file. */
  sourceRows: number
  /** Written (this run, plus chunks settled by earlier runs when resumed). */
  written: number
  failed: number
  inDoubt: number
  /** Not attempted: the run stopped (`--max-errors`, interrupt) before sending them. */
  notAttempted: number
  /** Of `written`/`failed`/`inDoubt`: rows settled by earlier runs (skipped on resume). */
  fromCheckpoint: number
  /** Rows sent by this run. */
  sentThisRun: number
  resumed: boolean
  stoppedBy: 'max-errors' | 'signal' | null
  deadLetter: { path: string; rows: number } | null
  checkpoint: string | null
  throttle: { maxRps: number | null; backoffs: number; lowestRate: number | null }
  verify: VerifyResult | null
  firstFailures: Array<{ row: number; result: number; inDoubt: boolean }>
  seconds: number
  rowsPerSecond: number
  /**
   * 0 everything written (and verified when asked); 1 rows not written or mismatched. A dry run:
   * 0 when the file converts without an error, 1 when it has bad values (the command exits 2).
   */
  exitCode: 0 | 1
}

function mappingOptions(options: IngestOptions, source: Source): MappingOptions {
  const rename = new Map(Object.entries(options.rename ?? {}))
  return {
    key: options.key ?? source.keyField ?? '_key',
    bins: options.bins ?? null,
    rename,
    maxLen: options.maxLen ?? null,
  }
}

/** The longest value of each text column (one read of those columns). */
async function textWidths(
  source: Source,
  columns: readonly number[],
): Promise<Map<number, number>> {
  const widths = new Map<number, number>(columns.map((c) => [c, 0]))
  if (columns.length === 0) return widths
  for await (const batch of source.batches(columns)) {
    for (const c of columns) {
      const reader = batch.column(c)
      let max = widths.get(c)!
      for (let i = 0; i < batch.length; i++) {
        if (!reader.isNull(i)) max = Math.max(max, reader.textLength!(i))
      }
      widths.set(c, max)
    }
  }
  return widths
}

const MAX_DUPLICATE_CHECK_KEYS = 2_000_000

/** Read and convert `fields` of every row into the report; duplicates too when asked. */
async function checkPass(
  source: Source,
  mapping: Mapping,
  fields: readonly number[],
  report: CoercionReport,
  options: { chunkRows: number; nulls: NullPolicy; duplicates: boolean },
): Promise<number> {
  const counter = { rows: 0, skipped: 0 }
  const seen = options.duplicates ? new Map<unknown, number>() : null
  if (seen !== null) report.duplicates = { count: 0, firstRows: [], checkedRows: 0, complete: true }
  const needsRowChecks = keyNeedsChecks(mapping)
  for await (const chunk of chunks(source, mapping, { ...options, report, fields, counter })) {
    if (needsRowChecks) rowChecks(mapping, chunk, report)
    if (seen !== null) duplicates(mapping, chunk, seen, report)
  }
  return counter.rows
}

function keyNeedsChecks(mapping: Mapping): boolean {
  const key = mapping.plan.key.field.dtype
  return (
    mapping.plan.key.particleType === PARTICLE_STRING ||
    (key.kind === 'u' && key.itemsize === 8) ||
    mapping.plan.bins.some((b) => b.field.dtype.kind === 'u' && b.field.dtype.itemsize === 8)
  )
}

/** The write plan's own per-row checks (string keys' UTF-8, u8 beyond int64), row by row. */
function rowChecks(mapping: Mapping, chunk: Chunk, report: CoercionReport): void {
  const { plan } = mapping
  const src = new Uint8Array(chunk.data.buffer)
  const view = new DataView(chunk.data.buffer)
  const scratch = new Uint8Array(plan.key.maxKeyBytes)
  const keyColumn = mapping.fields.find((f) => f.isKey)!.source.name
  for (let i = 0; i < chunk.data.length; i++) {
    const at = chunk.data.byteOffset + i * chunk.data.stride
    try {
      plan.key.writeKeyBytes(src, at, i, scratch, 0)
    } catch (error) {
      report.add(keyColumn, 5, chunk.start + i, (error as Error).message)
    }
    for (const bin of plan.bins) {
      if (bin.field.dtype.kind !== 'u' || bin.field.dtype.itemsize !== 8) continue
      try {
        bin.value(src, view, at, i)
      } catch {
        const f = mapping.fields.find((m) => m.name === bin.name)!
        report.add(f.source.name, 2, chunk.start + i)
      }
    }
  }
}

function duplicates(
  mapping: Mapping,
  chunk: Chunk,
  seen: Map<unknown, number>,
  report: CoercionReport,
): void {
  const d = report.duplicates!
  const src = new Uint8Array(chunk.data.buffer)
  for (let i = 0; i < chunk.data.length; i++) {
    if (seen.size >= MAX_DUPLICATE_CHECK_KEYS) {
      d.complete = false
      return
    }
    let key: unknown
    try {
      key = mapping.plan.key.value(src, chunk.data.byteOffset + i * chunk.data.stride, i)
    } catch {
      continue // reported by rowChecks
    }
    if (key instanceof Uint8Array) key = `0x${Buffer.from(key).toString('hex')}`
    if (typeof key === 'bigint' && key >= -(2n ** 53n) && key <= 2n ** 53n) key = Number(key)
    const row = chunk.start + i
    d.checkedRows++
    const first = seen.get(key)
    if (first === undefined) {
      seen.set(key, row)
      continue
    }
    d.count++
    if (d.firstRows.length < 5) d.firstRows.push({ row, firstSeenAt: first, key: String(key) })
  }
}

function emptySummary(
  source: Source,
  mapping: Mapping,
  report: CoercionReport,
  dryRun: boolean,
): IngestSummary {
  return {
    file: source.path,
    format: source.format,
    dryRun,
    mapping: describeMapping(mapping),
    report: report.toJSON(),
    reportLines: report.lines(),
    sourceRows: report.rows,
    written: 0,
    failed: 0,
    inDoubt: 0,
    notAttempted: 0,
    fromCheckpoint: 0,
    sentThisRun: 0,
    resumed: false,
    stoppedBy: null,
    deadLetter: null,
    checkpoint: null,
    throttle: { maxRps: null, backoffs: 0, lowestRate: null },
    verify: null,
    firstFailures: [],
    seconds: 0,
    rowsPerSecond: 0,
    exitCode: 0,
  }
}

function positive(
  name: string,
  value: number | null | undefined,
  fallback: number,
  max: number,
): number {
  if (value === undefined || value === null) return fallback
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new ParamError(`${name} must be an integer from 1 to ${max}, got ${String(value)}`)
  }
  return value
}

/**
 * Ingest a file. Throws `ParamError` for bad input or usage (nothing was sent, unless the message
 * says how many rows were), and the client's errors (`ConnectionError`, …) when the cluster cannot
 * be reached; otherwise resolves with the summary, whose `exitCode` says whether every row was
 * written (and verified).
 */
export async function ingest(options: IngestOptions): Promise<IngestSummary> {
  const started = performance.now()
  const chunkRows = positive('chunkSize', options.chunkSize, 1000, 1_000_000)
  const nulls = options.nulls ?? 'error'
  if (nulls !== 'error' && nulls !== 'zero' && nulls !== 'skip-bin') {
    throw new ParamError(`--nulls must be error, skip-bin or zero, got ${String(nulls)}`)
  }
  if (options.resume === true && (options.checkpoint ?? null) === null) {
    throw new ParamError('--resume needs --checkpoint FILE')
  }
  if (options.maxLen !== undefined && options.maxLen !== null)
    positive('--max-len', options.maxLen, 1, 1 << 20)
  const csvDtypes: Map<string, ColumnType> =
    options.dtype === undefined || options.dtype === null
      ? new Map()
      : parseCsvDtypes(options.dtype)
  const source = await openSource(options.file, {
    chunkRows,
    csvDtypes,
    delimiter: options.delimiter ?? null,
  })
  try {
    return await run(source, options, { chunkRows, nulls, started })
  } finally {
    await source.close()
  }
}

async function run(
  source: Source,
  options: IngestOptions,
  ctx: { chunkRows: number; nulls: NullPolicy; started: number },
): Promise<IngestSummary> {
  const { chunkRows, nulls } = ctx
  const mopts = mappingOptions(options, source)
  const selected = selectColumns(source.columns, mopts)
  const text = selected.filter((i) => source.columns[i]!.type.kind === 'text')
  const widths = mopts.maxLen === null ? await textWidths(source, text) : new Map<number, number>()
  const mapping = buildMapping(source.columns, selected, mopts, widths, nulls === 'skip-bin')
  const report = new CoercionReport(nulls === 'error')
  const dryRun = options.dryRun === true

  // Every value that could be bad is read before anything is sent.
  const allFields = mapping.fields.map((_, k) => k)
  const checkColumns = new Set(
    dryRun ? selected : source.columnsToCheck(selected, nulls === 'error', mopts.maxLen === null),
  )
  // skip-bin: when every bin can be null, a row may have none left, which cannot be written
  const emptyRowsPossible =
    mapping.validityField !== null && mapping.fields.every((f) => !f.isBin || f.source.nullable)
  const checkFields = allFields.filter(
    (k) =>
      checkColumns.has(mapping.fields[k]!.column) ||
      (keyNeedsChecks(mapping) && mapping.fields[k]!.isKey) ||
      (emptyRowsPossible && mapping.fields[k]!.isBin),
  )
  let sourceRows = source.rows
  if (checkFields.length > 0 || sourceRows === null) {
    const counted = await checkPass(source, mapping, checkFields, report, {
      chunkRows,
      nulls,
      duplicates: dryRun,
    })
    sourceRows = counted
  }
  report.rows = sourceRows
  if (dryRun) {
    const summary = emptySummary(source, mapping, report, true)
    summary.sourceRows = sourceRows
    summary.seconds = (performance.now() - ctx.started) / 1000
    summary.exitCode = report.errors > 0 ? 1 : 0
    return summary
  }
  if (report.errors > 0) {
    throw new ParamError(
      `${source.path}: ${report.errors.toLocaleString('en-US')} bad values; nothing was sent:\n${report.lines().join('\n')}`,
    )
  }
  if (options.hosts === undefined || options.hosts === '')
    throw new ParamError('--hosts is needed (or --dry-run)')

  // checkpoint: bound to this file and mapping
  let checkpoint: Checkpoint | null = null
  if (options.checkpoint !== undefined && options.checkpoint !== null) {
    const fingerprint = {
      ...fileFingerprint(source.path),
      dtype: descrRepr(mapping.writeDtype.descr),
      keyField: mapping.keyField,
      namespace: options.namespace,
      set: options.set,
      chunkRows,
      nulls,
    }
    if (options.resume !== true && existsSync(options.checkpoint)) {
      throw new ParamError(
        `--checkpoint ${options.checkpoint} exists: add --resume to continue that run, or remove it to start over`,
      )
    }
    checkpoint = Checkpoint.load(options.checkpoint, fingerprint)
  }
  const previous: CheckpointCounts = {
    written: checkpoint?.written ?? 0,
    failed: checkpoint?.failed ?? 0,
    inDoubt: checkpoint?.inDoubt ?? 0,
  }
  const earlierDeadRows =
    options.resume === true &&
    options.deadLetter &&
    (await import('node:fs')).existsSync(options.deadLetter)
      ? await deadLetterRows(options.deadLetter)
      : new Set<number>()

  const engine = options.engine ?? 'wire'
  const client = new AsyncClient({
    hosts: options.hosts,
    engine,
    ...(engine === 'official' ? { log: { level: -1 } } : {}),
  })
  await client.connect()
  try {
    return await write(client, source, mapping, report, options, {
      ...ctx,
      sourceRows,
      checkpoint,
      previous,
      earlierDeadRows,
    })
  } finally {
    await client.close()
  }
}

async function write(
  client: AsyncClient,
  source: Source,
  mapping: Mapping,
  report: CoercionReport,
  options: IngestOptions,
  ctx: {
    chunkRows: number
    nulls: NullPolicy
    started: number
    sourceRows: number
    checkpoint: Checkpoint | null
    previous: CheckpointCounts
    earlierDeadRows: Set<number>
  },
): Promise<IngestSummary> {
  const { chunkRows, nulls, checkpoint } = ctx
  const timeout = options.timeout ?? DEFAULT_TIMEOUT_MS
  const policy: WritePolicy = { totalTimeout: timeout, socketTimeout: timeout }
  const readPolicy = { totalTimeout: timeout, socketTimeout: timeout }
  // a namespace the cluster does not have is bad input: find out before writing (a read sends nothing)
  await client.batchRead([[options.namespace, options.set, 0]], {
    dtype: mapping.writeDtype,
    bins: [],
    policy: readPolicy,
  })

  const summary = emptySummary(source, mapping, report, false)
  summary.sourceRows = ctx.sourceRows
  summary.checkpoint = checkpoint?.path ?? null
  summary.resumed = options.resume === true
  const deadLetter =
    options.deadLetter === undefined || options.deadLetter === null
      ? null
      : new DeadLetterWriter(
          options.deadLetter,
          {
            dtype: descrRepr(mapping.writeDtype.descr),
            keyField: mapping.keyField,
            ...(mapping.validityField === null ? {} : { validityField: mapping.validityField }),
            source: source.path,
            namespace: options.namespace,
            set: options.set,
          },
          options.resume === true,
        )
  const throttle = new Throttle(options.maxRps ?? null)
  const controller = new AbortController()
  const onOuterAbort = () => {
    summary.stoppedBy ??= 'signal'
    controller.abort()
  }
  if (options.signal?.aborted === true) onOuterAbort()
  options.signal?.addEventListener('abort', onOuterAbort)
  const progress = options.progress ? new Progress(options.progress) : null
  const notWritten = new Set<number>()
  const run = { written: 0, failed: 0, inDoubt: 0, notSent: 0, sent: 0 }
  const counter = { rows: 0, skipped: 0 }
  const pending = new Map<number, Chunk>()
  let streamRow = 0
  const maxErrors = options.maxErrors ?? null
  const exceeded = (): boolean => {
    if (maxErrors === null) return false
    const errors = run.failed + run.inDoubt + ctx.previous.failed + ctx.previous.inDoubt
    if ('rows' in maxErrors) return errors > maxErrors.rows
    return errors > (maxErrors.percent / 100) * ctx.sourceRows
  }
  const keyAt = (chunk: Chunk) => {
    const src = new Uint8Array(chunk.data.buffer)
    return (i: number) =>
      mapping.plan.key.value(src, chunk.data.byteOffset + i * chunk.data.stride, i)
  }
  async function* stream() {
    for await (const chunk of chunks(source, mapping, {
      chunkRows,
      nulls,
      counter,
      ...(checkpoint === null ? {} : { isDone: (i: number) => checkpoint.isDone(i) }),
    })) {
      pending.set(streamRow, chunk)
      streamRow += chunk.data.length
      yield chunk.data
    }
  }
  const writeOptions: WriteNumpyOptions = {
    keyField: mapping.keyField,
    ...(mapping.validityField === null ? {} : { validityField: mapping.validityField }),
    chunkSize: chunkRows,
    concurrency: options.concurrency ?? 4,
    retry: options.retry ?? 3,
    policy,
    signal: controller.signal,
    beforeChunk: (rows) => throttle.acquire(rows),
    onRetry: () => throttle.overloaded(),
    onChunkSettled: ({ rowBase, outcome }) => {
      const chunk = pending.get(rowBase)!
      pending.delete(rowBase)
      const codes = outcome.resultCodes
      const dead: number[] = []
      const counts = { written: 0, failed: 0, inDoubt: 0 }
      let notSent = 0
      let overload = false
      for (let i = 0; i < codes.length; i++) {
        const code = codes[i]!
        if (code === 0) {
          counts.written++
          continue
        }
        const row = chunk.start + i
        const doubt = outcome.inDoubt[i] === 1
        if (code === RESULT_NOT_SENT && !doubt) {
          notSent++
          notWritten.add(row)
          continue
        }
        if (OVERLOAD_CODES.has(code)) overload = true
        if (doubt) counts.inDoubt++
        else counts.failed++
        notWritten.add(row)
        dead.push(i)
        if (summary.firstFailures.length < 10)
          summary.firstFailures.push({ row, result: code, inDoubt: doubt })
      }
      if (overload) throttle.overloaded()
      run.written += counts.written
      run.failed += counts.failed
      run.inDoubt += counts.inDoubt
      run.notSent += notSent
      run.sent += codes.length - notSent
      deadLetter?.add(chunk.data, chunk.start, dead, codes, outcome.inDoubt, keyAt(chunk))
      // settled: every row written, or logged where a later run can retry it
      if (checkpoint !== null && notSent === 0 && (dead.length === 0 || deadLetter !== null)) {
        checkpoint.markDone(chunk.index, counts)
        checkpoint.save(250)
      }
      if (exceeded() && !controller.signal.aborted) {
        summary.stoppedBy = 'max-errors'
        controller.abort()
      }
      progress?.update({
        rowsDone: run.sent,
        failed: run.failed + run.inDoubt,
        total: ctx.sourceRows,
        skipped: counter.skipped,
      })
    },
  }
  if (options.workers !== undefined && options.workers !== null)
    writeOptions.workers = options.workers
  try {
    await client.writeNumpy(
      stream(),
      options.namespace,
      options.set,
      mapping.writeDtype,
      writeOptions,
    )
  } catch (error) {
    checkpoint?.save()
    progress?.done()
    if (error instanceof AerospikeError) {
      error.message = `${error.message} (${run.written.toLocaleString('en-US')} rows were written before this${checkpoint ? '; the checkpoint is saved' : ''})`
    }
    throw error
  } finally {
    options.signal?.removeEventListener('abort', onOuterAbort)
    deadLetter?.close()
  }
  checkpoint?.save()
  progress?.update(
    {
      rowsDone: run.sent,
      failed: run.failed + run.inDoubt,
      total: ctx.sourceRows,
      skipped: counter.skipped,
    },
    true,
  )
  progress?.done()

  summary.fromCheckpoint = counter.skipped
  summary.written = ctx.previous.written + run.written
  summary.failed = ctx.previous.failed + run.failed
  summary.inDoubt = ctx.previous.inDoubt + run.inDoubt
  summary.sentThisRun = run.sent
  summary.notAttempted = ctx.sourceRows - summary.written - summary.failed - summary.inDoubt
  summary.deadLetter =
    deadLetter === null
      ? null
      : { path: deadLetter.path, rows: deadLetter.rows + ctx.earlierDeadRows.size }
  summary.throttle = {
    maxRps: options.maxRps ?? null,
    backoffs: throttle.backoffs,
    lowestRate: throttle.lowestRate,
  }

  if (options.verify && summary.stoppedBy === null) {
    summary.verify = await verify(client, source, mapping, {
      namespace: options.namespace,
      set: options.set,
      chunkRows,
      nulls,
      mode: options.verify,
      concurrency: options.concurrency ?? 4,
      skip: (row) => notWritten.has(row) || ctx.earlierDeadRows.has(row),
      policy: readPolicy,
    })
  }
  summary.seconds = (performance.now() - ctx.started) / 1000
  summary.rowsPerSecond = run.sent / Math.max(summary.seconds, 1e-3)
  const allWritten = summary.written === ctx.sourceRows
  summary.exitCode =
    allWritten && (summary.verify === null || summary.verify.mismatches === 0) ? 0 : 1
  return summary
}
