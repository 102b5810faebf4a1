/**
 * Field names that are not well-formed UTF-16 cannot be bin names: UTF-8 has no encoding for a
 * lone surrogate, so 'a\ud800' and 'a\udbff' would both be sent as 'a\uFFFD' — two fields, one
 * bin, a value silently lost, and a read into such a field silently 0. Both engines refuse them
 * before anything is sent, on every path that names bins.
 */
import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
import { uniqueSetName } from '@aerospike-numpy/test-utils'
import { describe, expect, it } from 'vitest'
import { refusal, TEST_POLICY, testEngines, useConnectedClient } from './test-support/engines.js'

const merged = dtype([
  ['_key', 'i4'],
  ['a\ud800', 'f8'],
  ['a\udbff', 'f8'],
])
const plain = dtype([
  ['_key', 'i4'],
  ['x', 'f8'],
])

describe.each(testEngines())('bin names with a lone surrogate, engine %s', (engine) => {
  const env = useConnectedClient(engine)

  it('a write is refused naming the field, and nothing is written', async () => {
    const set = uniqueSetName('surrogate')
    const data = StructuredArray.fromRows(merged, [[1, 1.5, 2.5]])
    const calls = [
      () => env.client.batchWriteNumpy(data, 'test', set, merged, { policy: TEST_POLICY }),
      () => env.client.writeNumpy(data, 'test', set, merged, { policy: TEST_POLICY }),
    ]
    for (const call of calls) {
      const error = await refusal(call)
      expect(error.message).toMatch(/field "a\\ud800": the name has a lone surrogate/)
      expect(error.inDoubt).toBe(false)
    }
    const back = await env.client.batchRead([['test', set, 1]], {
      dtype: dtype([['x', 'f8']]),
      policy: TEST_POLICY,
    })
    expect(back.resultCodes[0]).toBe(2) // not found: nothing was sent
  })

  it('a read into such a field, or of such a bin, is refused instead of reading 0', async () => {
    const set = uniqueSetName('surrogate_read')
    const data = StructuredArray.fromRows(plain, [[1, 0.5]])
    await env.client.batchWriteNumpy(data, 'test', set, plain, { policy: TEST_POLICY })
    const keys = [['test', set, 1]]
    const byDtype = await refusal(() =>
      env.client.batchRead(keys, { dtype: dtype([['a\udbff', 'f8']]), policy: TEST_POLICY }),
    )
    expect(byDtype.message).toMatch(/read dtype field "a\\udbff": the name has a lone surrogate/)
    const byBins = await refusal(() =>
      env.client.batchRead(keys, {
        dtype: dtype([['x', 'f8']]),
        bins: ['x', 'a\ud800'],
        policy: TEST_POLICY,
      }),
    )
    expect(byBins.message).toMatch(/bins\[1\] "a\\ud800": the name has a lone surrogate/)
  })
})
