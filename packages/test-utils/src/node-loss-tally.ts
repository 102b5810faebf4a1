// What a write cut by a node loss reported, held against what the cluster holds afterwards:
// every row reported written must be there with its values, a row reported failed may be there
// only if it was flagged in doubt, and nothing read back may differ from what was written.

export interface WriteAndReadBack {
  /** Per row: the write's result code (0 written) and its in-doubt flag. */
  writeCodes: Int32Array
  inDoubt: Uint8Array
  /** Per row, read back once the cluster is stable: the read's result code (0 found, 2 not found). */
  readCodes: Int32Array
  /** Per row: 1 when the values read equal the values written. */
  readEqual: Uint8Array
}

export interface NodeLossTally {
  rows: number
  /** Reported written (code 0). */
  written: number
  /** Reported failed (any other code). */
  failed: number
  /** Reported failed and in doubt. */
  inDoubt: number
  /** Found when read back. */
  present: number
  /** Failed rows per code, e.g. `{ '-10': 12 }`. */
  failedCodes: Record<string, number>
  /** Reported written but not found (lost writes). */
  lostWrites: number[]
  /** Found with values other than those written. */
  wrongValues: number[]
  /** Found although reported failed and not in doubt (a wrong in-doubt flag). */
  unflagged: number[]
  /** Read back with a code other than 0 or 2 (the read itself failed). */
  unread: number[]
}

const MAX_LISTED = 20

/** Tallies a write against its read-back; the row lists keep the first 20 rows of each kind. */
export function tallyNodeLoss(r: WriteAndReadBack): NodeLossTally {
  const n = r.writeCodes.length
  const t: NodeLossTally = {
    rows: n,
    written: 0,
    failed: 0,
    inDoubt: 0,
    present: 0,
    failedCodes: {},
    lostWrites: [],
    wrongValues: [],
    unflagged: [],
    unread: [],
  }
  const note = (list: number[], row: number): void => {
    if (list.length < MAX_LISTED) list.push(row)
  }
  for (let i = 0; i < n; i++) {
    const code = r.writeCodes[i]!
    const doubt = r.inDoubt[i] === 1
    const read = r.readCodes[i]!
    if (code === 0) t.written++
    else {
      t.failed++
      if (doubt) t.inDoubt++
      t.failedCodes[code] = (t.failedCodes[code] ?? 0) + 1
    }
    if (read === 0) {
      t.present++
      if (r.readEqual[i] !== 1) note(t.wrongValues, i)
      if (code !== 0 && !doubt) note(t.unflagged, i)
    } else if (read === 2) {
      if (code === 0) note(t.lostWrites, i)
    } else note(t.unread, i)
  }
  return t
}

/** One line for a test's output: `300000 rows: 298713 written, 1287 failed (1287 in doubt; -10: 1287), 299100 present`. */
export function formatTally(t: NodeLossTally): string {
  const codes = Object.entries(t.failedCodes)
    .map(([code, count]) => `${code}: ${count}`)
    .join(', ')
  return (
    `${t.rows} rows: ${t.written} written, ${t.failed} failed ` +
    `(${t.inDoubt} in doubt${codes === '' ? '' : `; ${codes}`}), ${t.present} present afterwards`
  )
}

export interface ReadDuringLoss {
  /** Found with values other than those written. */
  wrongValues: number[]
  /** Reported written, yet "not found" (2): a copy must have answered. */
  notFound: number[]
  /** Reported with another code (a node lost under the read): allowed. */
  reported: number
  read: number
}

/**
 * A read during a node loss: each row must be read with its values or reported with a code;
 * with replication factor 2 a written row is never "not found".
 */
export function tallyReadDuringLoss(
  readCodes: Int32Array,
  readEqual: Uint8Array,
  writeCodes: Int32Array,
): ReadDuringLoss {
  const t: ReadDuringLoss = { wrongValues: [], notFound: [], reported: 0, read: 0 }
  for (let i = 0; i < readCodes.length; i++) {
    const code = readCodes[i]!
    if (code === 0) {
      t.read++
      if (readEqual[i] !== 1 && t.wrongValues.length < MAX_LISTED) t.wrongValues.push(i)
    } else if (code === 2) {
      if (writeCodes[i] === 0 && t.notFound.length < MAX_LISTED) t.notFound.push(i)
    } else t.reported++
  }
  return t
}
