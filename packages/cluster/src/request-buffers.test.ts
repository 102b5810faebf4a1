// The request buffers batch calls reuse: always zeroed when taken, never handed out twice.
import { describe, expect, it } from 'vitest'
import { releaseRequestBuffer, takeRequestBuffer } from './batch.js'

describe('request buffer reuse', () => {
  it('gives a released buffer back zeroed, from offset 0, at the size asked', () => {
    const first = takeRequestBuffer(4096)
    first.fill(0xab)
    const request = first.subarray(0, 1000) // what a build returns: a prefix of the buffer
    releaseRequestBuffer(request)
    const again = takeRequestBuffer(2048)
    expect(again.buffer).toBe(first.buffer)
    expect(again.byteOffset).toBe(0)
    expect(again.length).toBe(2048)
    expect(again.every((b) => b === 0)).toBe(true)
  })

  it('never hands the same buffer to two takers, even when released twice', () => {
    const a = takeRequestBuffer(512)
    releaseRequestBuffer(a)
    releaseRequestBuffer(a)
    const x = takeRequestBuffer(512)
    const y = takeRequestBuffer(512)
    expect(x.buffer).not.toBe(y.buffer)
  })

  it('allocates when no pooled buffer is large enough, and keeps no huge buffers', () => {
    const small = takeRequestBuffer(64)
    releaseRequestBuffer(small)
    const big = takeRequestBuffer(1 << 20)
    expect(big.buffer).not.toBe(small.buffer)
    expect(big.length).toBe(1 << 20)
    const huge = takeRequestBuffer(32 * 1024 * 1024)
    releaseRequestBuffer(huge)
    const next = takeRequestBuffer(32 * 1024 * 1024)
    expect(next.buffer).not.toBe(huge.buffer)
  })
})
