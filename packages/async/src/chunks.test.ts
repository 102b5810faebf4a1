import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
import { describe, expect, it } from 'vitest'
import {
  ProgressTracker,
  StreamWriteSummary,
  chunkRanges,
  rechunk,
  resolveBulkOptions,
  runBounded,
} from './chunks.js'

const tick = () => new Promise((r) => setTimeout(r, 1))

describe('chunk helpers', () => {
  it('chunkRanges covers every row once', () => {
    expect(chunkRanges(0, 3)).toEqual([])
    expect(chunkRanges(7, 3)).toEqual([
      [0, 3],
      [3, 6],
      [6, 7],
    ])
  })

  it('rechunk slices without copying and skips empty arrays', async () => {
    const dt = dtype([['a', 'i4']])
    const big = StructuredArray.fromRows(dt, [[1], [2], [3], [4], [5]])
    const out: StructuredArray[] = []
    for await (const c of rechunk([big, StructuredArray.zeros(dt, 0), big.slice(0, 1)], 2))
      out.push(c)
    expect(out.map((c) => c.length)).toEqual([2, 2, 1, 1])
    expect(out[1]!.buffer).toBe(big.buffer)
    expect(out.map((c) => [...(c.get('a') as Int32Array)])).toEqual([[1, 2], [3, 4], [5], [1]])
  })

  it('runBounded keeps at most `concurrency` tasks in flight and pulls lazily', async () => {
    let inFlight = 0
    let peak = 0
    let pulled = 0
    function* items() {
      for (let i = 0; i < 20; i++) {
        pulled++
        yield i
      }
    }
    const done: number[] = []
    await runBounded(items(), 3, async (i) => {
      inFlight++
      peak = Math.max(peak, inFlight)
      expect(pulled - done.length).toBeLessThanOrEqual(3)
      await tick()
      inFlight--
      done.push(i)
    })
    expect(peak).toBe(3)
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i))
  })

  it('runBounded stops on abort and hands over the item it pulled but did not start', async () => {
    const controller = new AbortController()
    const started: number[] = []
    const skipped: number[] = []
    const { aborted } = await runBounded(
      [0, 1, 2, 3, 4, 5],
      1,
      async (i) => {
        started.push(i)
        if (i === 1) controller.abort()
        await tick()
      },
      { signal: controller.signal, onSkipped: (i) => skipped.push(i) },
    )
    expect(aborted).toBe(true)
    expect(started).toEqual([0, 1])
    expect(skipped).toEqual([2])
  })

  it('runBounded re-throws the first task error after the others settle', async () => {
    const settled: number[] = []
    await expect(
      runBounded([0, 1, 2, 3], 2, async (i) => {
        await tick()
        if (i === 1) throw new Error('boom')
        settled.push(i)
      }),
    ).rejects.toThrow('boom')
    expect(settled).toContain(0)
  })

  it('runBounded waits for tasks in flight when the source throws', async () => {
    let finished = false
    async function* items() {
      yield 1
      throw new Error('bad source')
    }
    await expect(
      runBounded(items(), 4, async () => {
        await new Promise((r) => setTimeout(r, 20))
        finished = true
      }),
    ).rejects.toThrow('bad source')
    expect(finished).toBe(true)
  })

  it('ProgressTracker counts rows from result codes', () => {
    const seen: unknown[] = []
    const t = new ProgressTracker(5, (p) => seen.push(p))
    t.chunkDone(Int32Array.of(0, 0, 14))
    t.chunkDone(Int32Array.of(0, 5))
    expect(seen).toEqual([
      { rowsDone: 3, rowsWritten: 2, rowsFailed: 1, totalRows: 5, chunksDone: 1 },
      { rowsDone: 5, rowsWritten: 3, rowsFailed: 2, totalRows: 5, chunksDone: 2 },
    ])
  })

  it('StreamWriteSummary keeps counts and failures with stream row numbers', () => {
    const s = new StreamWriteSummary('test', 'x')
    s.addChunk(
      100,
      {
        resultCodes: Int32Array.of(0, 13),
        generations: new Uint32Array(2),
        ttls: new Uint32Array(2),
        inDoubt: Uint8Array.of(0, 0),
      },
      (i) => 100 + i,
    )
    s.addSkipped(0, 1, () => 7)
    s.sortFailures()
    expect(s.rowCount).toBe(3)
    expect(s.writtenCount).toBe(1)
    expect(s.failedCount).toBe(2)
    expect(s.failures).toEqual([
      { row: 0, key: { ns: 'test', set: 'x', key: 7 }, result: -5, inDoubt: false },
      { row: 101, key: { ns: 'test', set: 'x', key: 101 }, result: 13, inDoubt: false },
    ])
    expect(s.countByResult()).toEqual(
      new Map([
        [0, 1],
        [-5, 1],
        [13, 1],
      ]),
    )
  })

  it('resolveBulkOptions fills defaults', () => {
    expect(resolveBulkOptions(undefined)).toMatchObject({ chunkSize: 1000, concurrency: 4 })
  })
})
