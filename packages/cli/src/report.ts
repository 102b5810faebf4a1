/**
 * The coercion report: per column, how many values were null, out of range, too long, invalid
 * UTF-8 or unparsable, with the first offending row numbers; and duplicate keys. A dry run prints
 * it; an ingest refuses to send anything while it has an error.
 */
import { Problem } from './source.js'

const FIRST_ROWS = 5

/** The report's column for rows whose every bin is null (an error with --nulls skip-bin). */
export const EVERY_BIN = '(every bin)'

export type ProblemName = 'null' | 'outOfRange' | 'tooLong' | 'invalidUtf8' | 'badValue'

const NAMES: Record<Exclude<Problem, Problem.OK>, ProblemName> = {
  [Problem.NULL]: 'null',
  [Problem.OUT_OF_RANGE]: 'outOfRange',
  [Problem.TOO_LONG]: 'tooLong',
  [Problem.INVALID_UTF8]: 'invalidUtf8',
  [Problem.BAD_VALUE]: 'badValue',
}

const DESCRIPTIONS: Record<ProblemName, string> = {
  null: 'nulls',
  outOfRange: 'out of range',
  tooLong: 'longer than the field',
  invalidUtf8: 'invalid UTF-8',
  badValue: 'unparsable',
}

export interface ProblemCount {
  count: number
  /** Set for nulls that are errors (always in the key). */
  fatal?: boolean
  /** The first offending rows (0-based source rows), with the value's text where the file has one. */
  firstRows: Array<{ row: number; value?: string }>
}

export interface ColumnReport {
  column: string
  problems: Partial<Record<ProblemName, ProblemCount>>
}

export interface DuplicateKeys {
  count: number
  firstRows: Array<{ row: number; firstSeenAt: number; key: string }>
  /** Keys checked (a dry run checks at most MAX_DUPLICATE_CHECK_KEYS, to stay in bounded memory). */
  checkedRows: number
  complete: boolean
}

export class CoercionReport {
  rows = 0
  readonly columns = new Map<string, ColumnReport>()
  duplicates: DuplicateKeys | null = null
  /** Problems that are errors (nulls are errors only with --nulls error). */
  errors = 0

  constructor(readonly nullsAreErrors: boolean) {}

  /** `isKey`: a null key is always an error (a record needs a key). */
  add(
    column: string,
    problem: Exclude<Problem, Problem.OK>,
    row: number,
    value?: string,
    isKey = false,
  ): void {
    const name = NAMES[problem]
    let report = this.columns.get(column)
    if (report === undefined) {
      report = { column, problems: {} }
      this.columns.set(column, report)
    }
    const entry = (report.problems[name] ??= { count: 0, firstRows: [] })
    entry.count++
    if (entry.firstRows.length < FIRST_ROWS) {
      entry.firstRows.push(value === undefined ? { row } : { row, value: value.slice(0, 80) })
    }
    if (problem !== Problem.NULL || this.nullsAreErrors || isKey) {
      this.errors++
      if (problem === Problem.NULL) entry.fatal = true
    }
  }

  /** One line per problem, for people. */
  lines(): string[] {
    const out: string[] = []
    for (const report of this.columns.values()) {
      for (const [name, entry] of Object.entries(report.problems) as Array<
        [ProblemName, ProblemCount]
      >) {
        const rows = entry.firstRows
          .map((r) =>
            r.value === undefined ? `${r.row}` : `${r.row} (${JSON.stringify(r.value)})`,
          )
          .join(', ')
        const fatal = name !== 'null' || entry.fatal === true
        if (report.column === EVERY_BIN) {
          out.push(
            `  ${entry.count.toLocaleString('en-US')} rows with every bin null (a record needs a bin; --nulls zero writes them); first rows ${rows}`,
          )
          continue
        }
        out.push(
          `  ${report.column}: ${entry.count.toLocaleString('en-US')} ${DESCRIPTIONS[name]}${fatal ? '' : ' (allowed)'}; first rows ${rows}`,
        )
      }
    }
    const d = this.duplicates
    if (d !== null && d.count > 0) {
      const rows = d.firstRows.map((r) => `${r.row} (key ${r.key}, first at ${r.firstSeenAt})`)
      out.push(
        `  key: ${d.count.toLocaleString('en-US')} duplicate keys (a later row overwrites an earlier one); first rows ${rows.join(', ')}`,
      )
    }
    if (d !== null && !d.complete) {
      out.push(
        `  key: duplicates checked in the first ${d.checkedRows.toLocaleString('en-US')} rows only (memory bound)`,
      )
    }
    return out
  }

  toJSON(): object {
    return {
      rows: this.rows,
      errors: this.errors,
      columns: [...this.columns.values()],
      duplicateKeys: this.duplicates,
    }
  }
}
