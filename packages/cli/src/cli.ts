/**
 * The `aerospike-numpy` command: argument parsing, help, the printed summary and exit codes
 * (0 everything written and verified, 1 rows not written or mismatched, 2 bad input or usage —
 * nothing sent, 3 cluster unreachable).
 */
import { parseArgs } from 'node:util'
import { AerospikeError, ParamError } from '@aerospike-numpy/core'
import { DtypeError } from '@aerospike-numpy/dtype'
import { ingest, type IngestOptions, type IngestSummary, type MaxErrors } from './ingest.js'

export const INGEST_HELP = `usage: aerospike-numpy ingest FILE --hosts H --namespace NS --set SET [--key FIELD] [options]

Writes every row of FILE as one record (key from --key, the other columns as bins), then proves
it: source rows = written + failed (+ in doubt), and with --verify, rows read back and compared.

FILE  .npy, Arrow IPC (file or stream), Parquet, CSV with a header (.csv/.tsv), or a dead-letter
      file written by --dead-letter. Read in bounded memory whatever its size.

Where:
  --hosts H              host:port[,host:port]         --hosts 127.0.0.1:3000
  --namespace NS, -n     namespace                      --namespace test
  --set SET, -s          set                            --set sensors
  --key FIELD            key column (default _key)      --key sensor_id

What is written:
  --bins a,b             columns written as bins (default all; names starting with _ never are)
                                                        --bins temperature,humidity
  --rename a=b,c=d       bin names for columns          --rename temperature=temp
  --max-len N            width of text columns as S<N>; longer values are errors (default: the
                         longest value in the file)     --max-len 32
  --dtype name:fmt,...   CSV column types (numpy formats, bool, text; default inferred from the
                         first 1000 rows and printed)   --dtype sensor_id:i8,temperature:f4
  --delimiter C          CSV field delimiter (default , or tab for .tsv)   --delimiter ';'
  --nulls MODE           error: a null is bad input (default); skip-bin: a null leaves that
                         bin out of that record; zero: a null is written as 0 / empty
                                                        --nulls skip-bin

How:
  --dry-run              read and convert everything, write nothing: print the mapping
                         (column → dtype → bin/particle) and the coercion report
  --engine E             wire | official (default wire)            --engine official
  --workers N            write from N worker threads (wire engine)  --workers 2
  --chunk-size N         rows per batch call and per checkpoint chunk (default 1000)
                                                        --chunk-size 2000
  --concurrency N        batch calls in flight (default 4)          --concurrency 8
  --retry N              re-sends of rows failing with a transient code (default 3)
                                                        --retry 5
  --timeout MS           total and socket timeout of each batch call (default 10000)
                                                        --timeout 30000
  --max-rps N            at most N rows/s; on 8/14/18 from the server the rate halves and
                         recovers gradually (also without --max-rps)   --max-rps 50000
  --max-errors N|P%      stop cleanly after more than N failed rows (or P% of the rows): rows
                         in flight settle, the checkpoint is saved     --max-errors 1%
  --dead-letter FILE     every row not written, with its source row, key, result code and
                         in-doubt flag; ingest FILE retries exactly those rows
                                                        --dead-letter failed.jsonl
  --checkpoint FILE      record settled chunks as they settle      --checkpoint run.ckpt
  --resume               continue the run of --checkpoint: settled chunks are skipped
                                                        --resume --checkpoint run.ckpt
  --verify [MODE]        after writing, read back and compare: sample (default) | all
                                                        --verify all
  --json                 print the summary as JSON on stdout
  --quiet                no progress on stderr

Exit codes: 0 every row written (and verified), 1 rows not written or mismatched,
2 bad input or usage (nothing sent), 3 cluster unreachable.

Example:
  aerospike-numpy ingest sensors.parquet --hosts 127.0.0.1:3000 -n test -s sensors \\
    --key sensor_id --checkpoint sensors.ckpt --dead-letter sensors.failed.jsonl --verify all`

const USAGE = `usage: aerospike-numpy ingest FILE --hosts H --namespace NS --set SET [options]
       aerospike-numpy ingest --help`

export interface ParsedArgs {
  options: IngestOptions
  json: boolean
  quiet: boolean
}

function integer(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  if (!/^\d+$/.test(text))
    throw new ParamError(`--${name} must be a whole number, got ${JSON.stringify(text)}`)
  return Number(text)
}

function parseMaxErrors(text: string | undefined): MaxErrors | null {
  if (text === undefined) return null
  const percent = /^(\d+(\.\d+)?)%$/.exec(text)
  if (percent !== null) return { percent: Number(percent[1]) }
  if (/^\d+$/.test(text)) return { rows: Number(text) }
  throw new ParamError(
    `--max-errors must be a number of rows or a percentage (100, 0.5%), got ${JSON.stringify(text)}`,
  )
}

function parseRename(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  if (text === undefined) return out
  for (const pair of text.split(',')) {
    const [from, to, ...rest] = pair.split('=')
    if (!from || !to || rest.length > 0)
      throw new ParamError(`--rename: '${pair}' is not column=bin`)
    out[from.trim()] = to.trim()
  }
  return out
}

/** `ingest`'s arguments (after the word `ingest`). */
export function parseIngestArgs(argv: readonly string[]): ParsedArgs | 'help' {
  // --verify takes an optional mode: give it one when none follows
  const args = [...argv]
  for (let i = 0; i < args.length; i++) {
    if (
      args[i] === '--verify' &&
      (args[i + 1] === undefined || !/^(sample|all)$/.test(args[i + 1]!))
    ) {
      args[i] = '--verify=sample'
    }
  }
  let parsed
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        hosts: { type: 'string' },
        namespace: { type: 'string', short: 'n' },
        set: { type: 'string', short: 's' },
        key: { type: 'string' },
        bins: { type: 'string' },
        rename: { type: 'string' },
        'max-len': { type: 'string' },
        dtype: { type: 'string' },
        delimiter: { type: 'string' },
        nulls: { type: 'string' },
        'dry-run': { type: 'boolean' },
        engine: { type: 'string' },
        workers: { type: 'string' },
        'chunk-size': { type: 'string' },
        concurrency: { type: 'string' },
        retry: { type: 'string' },
        timeout: { type: 'string' },
        'max-rps': { type: 'string' },
        'max-errors': { type: 'string' },
        'dead-letter': { type: 'string' },
        checkpoint: { type: 'string' },
        resume: { type: 'boolean' },
        verify: { type: 'string' },
        json: { type: 'boolean' },
        quiet: { type: 'boolean' },
      },
    })
  } catch (error) {
    throw new ParamError((error as Error).message)
  }
  const v = parsed.values
  if (v.help === true) return 'help'
  if (parsed.positionals.length !== 1) {
    throw new ParamError(
      parsed.positionals.length === 0
        ? 'FILE is missing'
        : `one FILE, got ${parsed.positionals.join(' ')}`,
    )
  }
  const dryRun = v['dry-run'] === true
  if (v.namespace === undefined) throw new ParamError('--namespace is needed')
  if (v.set === undefined) throw new ParamError('--set is needed')
  if (!dryRun && v.hosts === undefined) throw new ParamError('--hosts is needed (or --dry-run)')
  if (v.engine !== undefined && v.engine !== 'wire' && v.engine !== 'official') {
    throw new ParamError(`--engine must be wire or official, got ${JSON.stringify(v.engine)}`)
  }
  if (v.verify !== undefined && v.verify !== 'sample' && v.verify !== 'all') {
    throw new ParamError(`--verify must be sample or all, got ${JSON.stringify(v.verify)}`)
  }
  const options: IngestOptions = {
    file: parsed.positionals[0]!,
    namespace: v.namespace,
    set: v.set,
    dryRun,
    bins: v.bins === undefined ? null : v.bins.split(',').map((b) => b.trim()),
    rename: parseRename(v.rename),
    maxLen: integer('max-len', v['max-len']) ?? null,
    dtype: v.dtype ?? null,
    delimiter: v.delimiter ?? null,
    nulls: (v.nulls ?? 'error') as IngestOptions['nulls'] & string,
    engine: (v.engine ?? 'wire') as 'wire' | 'official',
    workers: integer('workers', v.workers) ?? null,
    maxRps: integer('max-rps', v['max-rps']) ?? null,
    maxErrors: parseMaxErrors(v['max-errors']),
    deadLetter: v['dead-letter'] ?? null,
    checkpoint: v.checkpoint ?? null,
    resume: v.resume === true,
    verify: (v.verify as 'sample' | 'all' | undefined) ?? null,
    timeout: integer('timeout', v.timeout) ?? null,
  }
  if (v.hosts !== undefined) options.hosts = v.hosts
  if (v.key !== undefined) options.key = v.key
  const chunkSize = integer('chunk-size', v['chunk-size'])
  if (chunkSize !== undefined) options.chunkSize = chunkSize
  const concurrency = integer('concurrency', v.concurrency)
  if (concurrency !== undefined) options.concurrency = concurrency
  const retry = integer('retry', v.retry)
  if (retry !== undefined) options.retry = retry
  return { options, json: v.json === true, quiet: v.quiet === true }
}

function n(value: number): string {
  return value.toLocaleString('en-US')
}

/** The summary for people. */
export function formatSummary(s: IngestSummary): string {
  const lines: string[] = []
  lines.push(`${s.file} (${s.format}): ${n(s.sourceRows)} rows`)
  lines.push('mapping (column: file type → dtype → bin / particle):')
  for (const m of s.mapping) {
    const target =
      m.bin === null ? (m.key ? 'key only' : 'not written') : `bin '${m.bin}' (${m.particle})`
    lines.push(
      `  ${m.column}: ${m.sourceType} → ${m.dtype} → ${m.key ? (m.bin === null ? 'key' : `key and ${target}`) : target}`,
    )
  }
  if (s.reportLines.length > 0) {
    lines.push('coercion report:')
    lines.push(...s.reportLines)
  } else {
    lines.push('coercion report: no problems')
  }
  if (s.dryRun) {
    lines.push(
      s.exitCode === 0
        ? 'dry run: nothing written'
        : 'dry run: nothing written; the file has bad values',
    )
    return lines.join('\n')
  }
  if (s.resumed)
    lines.push(
      `resumed: ${n(s.fromCheckpoint)} rows settled by earlier runs were skipped; ${n(s.sentThisRun)} sent now`,
    )
  lines.push(
    `source rows ${n(s.sourceRows)} = written ${n(s.written)} + failed ${n(s.failed)} + in doubt ${n(s.inDoubt)}${s.notAttempted > 0 ? ` + not attempted ${n(s.notAttempted)}` : ''}`,
  )
  if (s.stoppedBy !== null) {
    lines.push(
      `stopped by ${s.stoppedBy === 'max-errors' ? '--max-errors' : 'an interrupt'}${s.checkpoint ? `; resume with --resume --checkpoint ${s.checkpoint}` : ''}`,
    )
  }
  for (const f of s.firstFailures)
    lines.push(`  row ${f.row}: result ${f.result}${f.inDoubt ? ' (in doubt)' : ''}`)
  if (s.deadLetter !== null)
    lines.push(`dead letters: ${n(s.deadLetter.rows)} rows in ${s.deadLetter.path}`)
  if (s.throttle.backoffs > 0) {
    lines.push(
      `throttle: backed off ${s.throttle.backoffs} times (lowest ${n(s.throttle.lowestRate ?? 0)} rows/s)`,
    )
  }
  if (s.verify !== null) {
    const v = s.verify
    lines.push(
      `verified (${v.mode}): ${n(v.rowsVerified)} rows read back, ${n(v.mismatches)} mismatches${v.missing > 0 ? ` (${n(v.missing)} missing)` : ''}`,
    )
    for (const m of v.firstMismatches) {
      lines.push(
        `  row ${m.row} (key ${m.key}): ${m.bins === 'missing' ? 'not found' : `bins ${m.bins.join(', ')} differ`}`,
      )
    }
  }
  lines.push(`${s.seconds.toFixed(1)} s, ${n(Math.round(s.rowsPerSecond))} rows/s sent`)
  lines.push(
    s.exitCode === 0
      ? 'OK: every row written'
      : 'NOT OK: some rows were not written or do not match',
  )
  return lines.join('\n')
}

/** Exit code for an error thrown by ingest(): 2 bad input, 3 cluster unreachable. */
export function exitCodeFor(error: unknown): 2 | 3 {
  if (error instanceof ParamError || error instanceof DtypeError) return 2
  if (error instanceof AerospikeError) {
    // namespace unknown (20) is bad input; anything else before writing is the cluster
    return error.code === 20 ? 2 : 3
  }
  return 2
}

export interface Io {
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WriteStream
}

/** Run the command; resolves with the exit code. */
export async function main(
  argv: readonly string[],
  io: Io = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const [command, ...rest] = argv
  if (command === '--help' || command === '-h' || command === 'help' || command === undefined) {
    io.stdout.write(`${INGEST_HELP}\n`)
    return command === undefined ? 2 : 0
  }
  if (command !== 'ingest') {
    io.stderr.write(`unknown command ${JSON.stringify(command)}\n${USAGE}\n`)
    return 2
  }
  let parsed: ParsedArgs | 'help'
  try {
    parsed = parseIngestArgs(rest)
  } catch (error) {
    io.stderr.write(`error: ${(error as Error).message}\n${USAGE}\n`)
    return 2
  }
  if (parsed === 'help') {
    io.stdout.write(`${INGEST_HELP}\n`)
    return 0
  }
  const controller = new AbortController()
  let interrupts = 0
  const onSignal = () => {
    interrupts++
    if (interrupts > 1) process.exit(1)
    io.stderr.write(
      '\ninterrupted: letting rows in flight settle and saving the checkpoint (again to quit now)\n',
    )
    controller.abort()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  try {
    const summary = await ingest({
      ...parsed.options,
      signal: controller.signal,
      progress: parsed.quiet ? null : io.stderr,
    })
    io.stdout.write(
      parsed.json ? `${JSON.stringify(summary, null, 2)}\n` : `${formatSummary(summary)}\n`,
    )
    return summary.dryRun && summary.exitCode !== 0 ? 2 : summary.exitCode
  } catch (error) {
    const code = exitCodeFor(error)
    const message = error instanceof Error ? error.message : String(error)
    if (parsed.json) io.stdout.write(`${JSON.stringify({ error: message, exitCode: code })}\n`)
    io.stderr.write(`error: ${message}\n`)
    return code
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}
