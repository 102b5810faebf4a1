import { describe, expect, it } from 'vitest'

import { formatTally, tallyNodeLoss, tallyReadDuringLoss } from './node-loss-tally.js'

describe('tallyNodeLoss', () => {
  it('counts and flags each kind of row', () => {
    // rows: written+found, written+lost, failed in doubt+found, failed in doubt+absent,
    // failed not in doubt+found (wrong flag), written+found with other values, read failed
    const t = tallyNodeLoss({
      writeCodes: Int32Array.from([0, 0, -10, -10, -8, 0, 0]),
      inDoubt: Uint8Array.from([0, 0, 1, 1, 0, 0, 0]),
      readCodes: Int32Array.from([0, 2, 0, 2, 0, 0, 9]),
      readEqual: Uint8Array.from([1, 0, 1, 0, 1, 0, 0]),
    })
    expect(t).toEqual({
      rows: 7,
      written: 4,
      failed: 3,
      inDoubt: 2,
      present: 4,
      failedCodes: { '-10': 2, '-8': 1 },
      lostWrites: [1],
      wrongValues: [5],
      unflagged: [4],
      unread: [6],
    })
    expect(formatTally(t)).toBe(
      '7 rows: 4 written, 3 failed (2 in doubt; -10: 2, -8: 1), 4 present afterwards',
    )
  })
})

describe('tallyReadDuringLoss', () => {
  it('accepts rows read or reported; flags other values and written rows not found', () => {
    const t = tallyReadDuringLoss(
      Int32Array.from([0, -10, 2, 2, 0]),
      Uint8Array.from([1, 0, 0, 0, 0]),
      Int32Array.from([0, 0, -10, 0, 0]),
    )
    expect(t).toEqual({ wrongValues: [4], notFound: [3], reported: 1, read: 2 })
  })
})
