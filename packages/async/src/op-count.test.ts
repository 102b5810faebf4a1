/**
 * A record message counts its operations (bins) in 16 bits: 65,537 bins would go out as 1.
 * Both engines refuse more than 65,535 before anything is sent, for writes and reads.
 */
import { dtype, StructuredArray, type Dtype } from '@aerospike-numpy/dtype'
import { uniqueSetName } from '@aerospike-numpy/test-utils'
import { describe, expect, it } from 'vitest'
import { refusal, TEST_POLICY, testEngines, useConnectedClient } from './test-support/engines.js'

const built = new Map<string, Dtype>()
/** `_key` and `bins` bin fields named b0, b1, … (built once: a 65k-field dtype takes seconds). */
function wide(bins: number, format = 'u1'): Dtype {
  const id = `${bins} ${format}`
  let dt = built.get(id)
  if (dt === undefined) {
    const fields: [string, string][] = [['_key', 'i4']]
    for (let i = 0; i < bins; i++) fields.push([`b${i.toString(36)}`, format])
    dt = dtype(fields)
    built.set(id, dt)
  }
  return dt
}

describe.each(testEngines())('more than 65,535 bins, engine %s', (engine) => {
  const env = useConnectedClient(engine)

  it.each([65_536, 65_537])('a write of %i bins is refused naming the count', async (bins) => {
    const set = uniqueSetName('ops')
    const dt = wide(bins)
    const data = StructuredArray.zeros(dt, 1)
    for (const call of [
      () => env.client.batchWriteNumpy(data, 'test', set, dt, { policy: TEST_POLICY }),
      () => env.client.writeNumpy(data, 'test', set, dt, { policy: TEST_POLICY }),
    ]) {
      const error = await refusal(call)
      expect(error.message).toContain(
        `${bins.toLocaleString('en-US')} bins, more than the 65,535 operations`,
      )
    }
    const back = await env.client.batchRead([['test', set, 0]], {
      dtype: dtype([['b0', 'u1']]),
      policy: TEST_POLICY,
    })
    expect(back.resultCodes[0]).toBe(2) // nothing was sent
  })

  it('a read of more than 65,535 bins is refused, by bins or by read dtype', async () => {
    const keys = [['test', uniqueSetName('ops_read'), 1]]
    const names = Array.from({ length: 65_537 }, (_, i) => `b${i.toString(36)}`)
    const byBins = await refusal(() =>
      env.client.batchRead(keys, { dtype: dtype([['b0', 'u1']]), bins: names }),
    )
    expect(byBins.message).toMatch(/^bins: 65,537 bins, more than the 65,535 operations/)
    const byDtype = await refusal(() => env.client.batchRead(keys, { dtype: wide(65_536) }))
    expect(byDtype.message).toContain('65,536 bins')
  })

  it.runIf(engine === 'official')(
    'integers beyond 2^53 count twice on the official engine, and are refused past 65,535',
    async () => {
      const dt = wide(32_768, 'u8')
      const data = StructuredArray.zeros(dt, 2)
      // low bits set: each value goes as a write of its high part plus an add of its low part
      data.setRow(1, [1, ...Array.from({ length: 32_768 }, () => 2n ** 60n + 1n)])
      const error = await refusal(() =>
        env.client.batchWriteNumpy(data, 'test', uniqueSetName('ops_big'), dt, {
          policy: TEST_POLICY,
        }),
      )
      expect(error.message).toMatch(/^row 1: its 32768 bins need 65,536 operations/)
    },
  )
})
