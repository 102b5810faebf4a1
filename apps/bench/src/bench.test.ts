// The bench end to end, small: against the devserver by default, or AEROSPIKE_HOSTS unchanged.
// Speed is never asserted — only that every row is accounted for and the report says so.

import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startDevServer } from '@aerospike-numpy/devserver'
import { afterAll, describe, expect, it } from 'vitest'
import { parseArgs } from './args.js'
import { BASELINE_ROUNDS, rowsForRun, runBench } from './bench.js'
import { writeOutputs } from './output.js'
import { READ_CONTENDERS } from './reads.js'
import { Progress } from './progress.js'
import { DEVSERVER_NOTE } from './report.js'
import { renderReport } from './table.js'

const usesDevServer = !process.env['AEROSPIKE_HOSTS']?.trim()

function quietProgress(): { progress: Progress; lines: string[] } {
  const lines: string[] = []
  const progress = new Progress({ isTTY: false, write: (t: string) => (lines.push(t), true) }, 0)
  return { progress, lines }
}

function setPrefix(): string {
  return `bench_test_${randomBytes(4).toString('hex')}`
}

const dirs: string[] = []
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

describe('a small bench run', () => {
  it('measures every contender, checks every row, recommends, and writes JSON and SVG', async () => {
    const options = parseArgs(
      [
        ...['--rows', '600', '--chunk-sizes', '100,250', '--concurrency', '1,2'],
        ...['--run-seconds', '0', '--workers', '2', '--set-prefix', setPrefix()],
        ...['--scan-rows', '300'],
      ],
      process.env,
    )
    const { progress, lines } = quietProgress()
    const report = await runBench(options, progress)

    const skippedWhat = report.skipped.map((s) => s.what)
    const engines = (['wire', 'official'] as const).filter(
      (e) => !skippedWhat.includes(`${e} engine`),
    )
    expect(engines).toContain('official')
    const matrix = report.results.filter((r) => r.group === 'matrix')
    expect(matrix).toHaveLength(2 * engines.length * 2 * 2)
    for (const r of matrix) {
      expect(r.rows).toBe(rowsForRun(600, r.chunkSize!, r.concurrency))
      expect(r.calls).toBe(Math.ceil(r.rows / r.chunkSize!))
    }
    // each round: the two baselines and batchWriteNumpy of each engine, at one setting
    expect(report.results.filter((r) => r.group === 'baseline')).toHaveLength(
      2 * BASELINE_ROUNDS * 2,
    )
    const paired = report.results.filter((r) => r.group === 'paired')
    expect(paired).toHaveLength(2 * BASELINE_ROUNDS * engines.length)
    for (const dataset of ['sensor', 'embeddings']) {
      const settings = report.results
        .filter((r) => (r.group === 'paired' || r.group === 'baseline') && r.dataset === dataset)
        .map((r) => `${r.chunkSize ?? 'put'}/${r.concurrency}`)
      expect(new Set(settings.map((s) => s.split('/')[1])).size).toBe(1)
    }
    // chunk 100 is the only one of 100/1000/5000 in this run: sync and async beside it, in
    // alternated rounds
    const sync = report.results.filter((r) => r.group === 'sync')
    if (!skippedWhat.includes('sync client')) {
      expect(sync.map((r) => `${r.mode} ${r.chunkSize}`)).toEqual(
        ['async', 'sync', 'sync', 'async', 'async', 'sync'].map((m) => `${m} 100`),
      )
    }
    // The reads and scans: every contender of the registry that could run, each in 3 rounds;
    // the scans read every row of their 300 exactly once.
    const readCells = report.cells.filter((c) => ['read', 'read-sync', 'scan'].includes(c.group))
    expect(readCells.length + report.skipped.filter((s) => s.what.includes('(')).length).toBe(
      READ_CONTENDERS.length,
    )
    for (const c of readCells) expect(c.runs, c.name).toBe(3)
    for (const r of report.results.filter((r) => r.group === 'scan')) {
      expect(r).toMatchObject({ rows: 300, calls: 1, failures: 0 })
      expect(r.verified).toEqual({ rows: 300, mismatches: 0 })
    }
    const ratioNames = report.ratios.map((r) => `${r.numerator} / ${r.denominator}`)
    for (const name of [
      'batchReadNumpy (wire, async) / official batchRead (objects)',
      'sync batchReadNumpy (wire) / batchReadNumpy (wire, async)',
      'sync batchRead (wire) / batchRead (wire, async)',
      'sync scanNumpyAll (wire) / scanNumpyAll (wire, async)',
      'scanNumpyAll (wire, async) / official query.foreach (objects)',
      'scanNumpyAll (official, async) / official query.foreach (objects)',
    ]) {
      if (engines.length === 2) expect(ratioNames).toContain(name)
    }
    const workers = report.results.filter((r) => r.group === 'workers')
    expect(workers.length + (skippedWhat.some((w) => w.startsWith('writeNumpy')) ? 2 : 0)).toBe(2)

    // Every row of every run ended written, and a sample of each run read back identical.
    for (const r of report.results) {
      expect(r.failures, `${r.contender} ${r.dataset} ${r.engine}`).toBe(0)
      expect(r.verified?.rows).toBeGreaterThan(0)
      expect(r.verified?.mismatches).toBe(0)
      expect(r.bytes).toBe(r.rows * (r.dataset === 'sensor' ? 21 : 520))
      expect(r.clientCpuUsPerRow).toBeGreaterThan(0) // the devserver ran in its own process
    }
    expect(report.recommendations.map((r) => `${r.dataset}/${r.engine}`).sort()).toEqual(
      engines.flatMap((e) => [`embeddings/${e}`, `sensor/${e}`]).sort(),
    )
    expect(report.ratios.some((r) => r.denominator === 'official put loop')).toBe(true)
    expect(report.ratios.some((r) => r.denominator.startsWith('official batchWrite'))).toBe(true)
    expect(report.server.kind).toBe(usesDevServer ? 'devserver' : 'cluster')
    expect(report.commit).toMatch(/^[0-9a-f]{40}$/)
    if (usesDevServer) expect(lines[0]).toBe(DEVSERVER_NOTE + '\n')

    const text = renderReport(report)
    expect(text).toContain('0 failed')
    expect(text).toContain('Recommended')

    const dir = mkdtempSync(path.join(tmpdir(), 'bench-out-'))
    dirs.push(dir)
    const [jsonPath, svgPath] = await writeOutputs(report, dir, null)
    expect(JSON.parse(readFileSync(jsonPath!, 'utf8'))).toEqual(JSON.parse(JSON.stringify(report)))
    const svg = readFileSync(svgPath!, 'utf8')
    const parsed = spawnSync(
      'python3',
      ['-c', 'import sys, xml.etree.ElementTree as E; print(len(E.fromstring(sys.stdin.read())))'],
      { input: svg, encoding: 'utf8' },
    )
    expect(parsed.status).toBe(0)
    expect((svg.match(/<polyline/g) ?? []).length).toBe(2 * engines.length * 2)
  })
})

describe.skipIf(!usesDevServer)('failures are counted, shown, and never recommended', () => {
  it('rows the server refuses show up row by row with their code', async () => {
    const server = await startDevServer({ namespaces: ['test'] })
    try {
      const prefix = setPrefix()
      await server.injectFault({
        namespace: 'test',
        set: `${prefix}_sensor`,
        keys: [3, 77, 150],
        resultCode: 14, // key busy, on every attempt
        ops: 'write',
      })
      const options = parseArgs(
        [
          ...['--rows', '400', '--chunk-sizes', '100', '--concurrency', '2', '--dtype', 'sensor'],
          ...['--run-seconds', '0', '--workers', '0', '--no-sync', '--set-prefix', prefix],
          '--no-reads', // the write failures are what this checks
        ],
        {},
      )
      const { progress } = quietProgress()
      const report = await runBench(options, progress, {
        kind: 'devserver',
        hosts: server.hosts,
        note: DEVSERVER_NOTE,
        serverInProcess: true,
        close: async () => {},
      })
      const matrix = report.results.filter((r) => r.group === 'matrix')
      expect(matrix.length).toBeGreaterThan(0)
      for (const r of matrix) {
        expect(r.clientCpuUsPerRow).toBeNull() // the server shared the process
        expect(r.failures).toBe(3)
        expect(r.failureCodes).toEqual({ '14': 3 })
        // only rows reported written are sampled, and those read back right
        expect(r.verified?.mismatches).toBe(0)
      }
      expect(report.recommendations).toEqual([])
      expect(report.skipped).toContainEqual({
        what: 'baselines for sensor',
        why: 'no setting of the matrix finished without failures',
      })
      const text = renderReport(report)
      expect(text).toContain('3 (code 14: 3)')
      expect(text).toContain('No recommendation')
      expect(text).toMatch(/rows written, \d+ failed \(shown per run above\)/)
    } finally {
      await server.stop()
    }
  })
})
