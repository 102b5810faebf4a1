import { describe, expect, it } from 'vitest'
import { parseAsbench } from './asbench.js'
import { SCAN_ROWS_CLUSTER, SCAN_ROWS_DEVSERVER, parseArgs, scanRows } from './args.js'

// The shape of asbench 2.2.9's log (batch reads of 1000, 4 threads, -t 3).
const READS = `2026-12-01 18:54:02.760 INFO Add node A7500 127.0.0.1:7500
2026-12-01 18:54:02.778 INFO Start 4 transaction threads
Stage 1: default config (specify your own with --workload-stages)
2026-12-01 18:54:03.782 INFO read(tps=391 (hit=391 miss=0) timeouts=0 errors=0) total(tps=391 (hit=391 miss=0) timeouts=0 errors=0)
2026-12-01 18:54:04.780 INFO read(tps=521 (hit=521 miss=0) timeouts=0 errors=0) total(tps=521 (hit=521 miss=0) timeouts=0 errors=0)
2026-12-01 18:54:05.778 INFO read(tps=272 (hit=272 miss=0) timeouts=0 errors=0) total(tps=272 (hit=272 miss=0) timeouts=0 errors=0)
`

describe('asbench', () => {
  it('counts batch calls and seconds from its log', () => {
    expect(parseAsbench(READS, 'read')).toEqual({ calls: 391 + 521 + 272, seconds: 3 })
  })

  it('says so when the log has no numbers of that kind', () => {
    expect(() => parseAsbench(READS, 'write')).toThrow(/no asbench write numbers/)
    expect(() => parseAsbench('connection refused', 'read')).toThrow(/no asbench read numbers/)
  })

  it('flags: --asbench, --rounds (or --read-rounds), --no-reads', () => {
    const o = parseArgs(['--asbench', '/opt/asbench', '--read-rounds', '5', '--no-reads'])
    expect(o).toMatchObject({ asbench: '/opt/asbench', rounds: 5, reads: false })
    expect(parseArgs(['--rounds=4']).rounds).toBe(4)
    expect(() => parseArgs(['--read-rounds', '0'])).toThrow(/between 1 and 100/)
    expect(() => parseArgs(['--rounds', '101'])).toThrow(/between 1 and 100/)
  })

  it('--scan-rows: the million on a cluster and little on the devserver by default, 0 = none', () => {
    expect(scanRows(parseArgs([]), true)).toBe(SCAN_ROWS_CLUSTER)
    expect(scanRows(parseArgs([]), false)).toBe(SCAN_ROWS_DEVSERVER)
    expect(SCAN_ROWS_CLUSTER).toBe(1_000_000)
    expect(scanRows(parseArgs(['--scan-rows', '5000']), true)).toBe(5000)
    expect(scanRows(parseArgs(['--scan-rows', '0']), true)).toBe(0)
    // scans are reads: --no-reads skips them too
    expect(scanRows(parseArgs(['--scan-rows', '5000', '--no-reads']), true)).toBe(0)
    expect(() => parseArgs(['--scan-rows', '-1'])).toThrow(/whole number/)
    expect(() => parseArgs(['--scan-rows', '1e6'])).toThrow(/whole number/)
  })
})
