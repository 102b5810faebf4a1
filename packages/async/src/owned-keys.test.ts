/**
 * Results own their keys: once a write has settled, the caller may reuse its array, and the
 * result still names the keys that were written (or failed).
 */
import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
import { uniqueSetName } from '@aerospike-numpy/test-utils'
import { describe, expect, it } from 'vitest'
import { POLICY_EXISTS_UPDATE, ResultCode, type BatchRecords } from './index.js'
import { TEST_POLICY, testEngines, useConnectedClient } from './test-support/engines.js'

const dt = dtype([
  ['_key', 'S6'],
  ['v', 'f8'],
])

function keyed(n: number, prefix: string): StructuredArray {
  const data = StructuredArray.zeros(dt, n)
  data.set(
    '_key',
    Array.from({ length: n }, (_, i) => new TextEncoder().encode(`${prefix}${i}`)),
  )
  return data
}

/** Every row fails (2, not found: exists UPDATE on keys that are not there), on any server. */
const UPDATE_ONLY = { ...TEST_POLICY, exists: POLICY_EXISTS_UPDATE }

function expectOwnKeys(results: BatchRecords, n: number): void {
  expect(results.failures.map((f) => [f.key.key, f.result])).toEqual(
    Array.from({ length: n }, (_, i) => [`a${i}`, ResultCode.ERR_RECORD_NOT_FOUND]),
  )
  expect(results.batchRecords.map((r) => r.key.key)).toEqual(
    Array.from({ length: n }, (_, i) => `a${i}`),
  )
}

const paths = [
  ...testEngines().map((engine) => [engine, undefined] as const),
  ...(testEngines().includes('wire') ? [['wire', 2] as const] : []),
]

describe.each(paths)('results own their keys, engine %s, workers %s', (engine, workers) => {
  const ctx = useConnectedClient(engine)

  // batchWriteNumpy has no workers
  it.skipIf(workers !== undefined)(
    'batchWriteNumpy: the array refilled after the call does not change the result',
    async () => {
      const data = keyed(5, 'a')
      const results = await ctx.client.batchWriteNumpy(data, 'test', uniqueSetName('own'), dt, {
        policy: UPDATE_ONLY,
      })
      keyed(5, 'b').bytes.forEach((b, i) => (data.bytes[i] = b))
      expectOwnKeys(results, 5)
    },
  )

  it('writeNumpy: the same, for every chunk', async () => {
    const data = keyed(2_500, 'a')
    const results = await ctx.client.writeNumpy(data, 'test', uniqueSetName('own'), dt, {
      chunkSize: 1_000,
      policy: UPDATE_ONLY,
      ...(workers === undefined ? {} : { workers }),
    })
    data.bytes.fill(0x7a)
    expectOwnKeys(results, 2_500)
  })
})
