import { describe, expect, it } from 'vitest'
import { createWriteOutcome } from './engine.js'
import { resultCodeName } from './codes.js'
import { AerospikeError, ParamError, TimeoutError, errorFromCode } from './errors.js'
import { BatchRecords } from './results.js'

describe('BatchRecords', () => {
  it('builds one BatchRecord per row lazily, in row order', () => {
    const outcome = createWriteOutcome(3)
    outcome.resultCodes.set([0, 14, 0])
    outcome.generations.set([1, 0, 2])
    outcome.ttls.set([4294967295, 0, 60])
    outcome.inDoubt.set([0, 1, 0])
    let keyReads = 0
    const r = new BatchRecords({
      namespace: 'test',
      set: 'demo',
      outcome,
      keys: (i) => (keyReads++, i + 1),
    })
    expect(keyReads).toBe(0)
    expect(r.writtenCount).toBe(2)
    expect(r.failedCount).toBe(1)
    expect(r.batchRecords).toEqual([
      {
        key: { ns: 'test', set: 'demo', key: 1 },
        result: 0,
        inDoubt: false,
        record: { key: { ns: 'test', set: 'demo', key: 1 }, bins: {}, meta: { gen: 1, ttl: -1 } },
      },
      { key: { ns: 'test', set: 'demo', key: 2 }, result: 14, inDoubt: true, record: null },
      {
        key: { ns: 'test', set: 'demo', key: 3 },
        result: 0,
        inDoubt: false,
        record: { key: { ns: 'test', set: 'demo', key: 3 }, bins: {}, meta: { gen: 2, ttl: 60 } },
      },
    ])
    expect(r.batchRecords).toBe(r.batchRecords)
    expect(r.failures).toEqual([
      { row: 1, key: { ns: 'test', set: 'demo', key: 2 }, result: 14, inDoubt: true },
    ])
    expect(r.countByResult()).toEqual(
      new Map([
        [0, 2],
        [14, 1],
      ]),
    )
    expect(String(r)).toBe('BatchRecords(3 rows; OK: 2, ERR_RECORD_BUSY: 1)')
    expect(BatchRecords.empty('test', 'demo').batchRecords).toEqual([])
  })
})

describe('errors', () => {
  it('carry the official numeric code, its name and a class per common code', () => {
    const e = errorFromCode(9, 'slow', { inDoubt: true })
    expect(e).toBeInstanceOf(TimeoutError)
    expect(e).toBeInstanceOf(AerospikeError)
    expect(e).toMatchObject({
      code: 9,
      result: 9,
      codeName: 'ERR_TIMEOUT',
      name: 'TimeoutError',
      inDoubt: true,
    })
    const p = new ParamError('bad', { cause: 'x' })
    expect(p).toMatchObject({ code: -2, codeName: 'ERR_PARAM', name: 'ParamError', cause: 'x' })
    expect(errorFromCode(4242).message).toBe('UNKNOWN_4242 (4242)')
    expect(resultCodeName(2)).toBe('ERR_RECORD_NOT_FOUND')
  })
})
