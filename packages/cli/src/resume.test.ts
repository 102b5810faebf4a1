/**
 * Checkpoint and resume: a real child process killed with SIGKILL mid-run, then --resume: every
 * row ends present exactly once and equal, and the resumed run sends less than 60% of the rows.
 * A checkpoint of another file or mapping is refused.
 */
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { uniqueSetName } from '@aerospike-numpy/test-utils'
import { describe, expect, it } from 'vitest'
import { presentKeys, run, useHarness } from './test-support/cluster.js'
import { readings, writeNpyReadings, writeParquetReadings } from './test-support/fixtures.js'

const BIN = fileURLToPath(new URL('../bin/aerospike-numpy.js', import.meta.url))
const N = 8_000
const CHUNK = 200
/** The child's pace: a run of about 2 s, so that a kill lands mid-run whatever the machine. */
const PACE = '4000'

/** Settled rows recorded in a checkpoint file (0 while there is none or it is being replaced). */
function settledRows(path: string): number {
  if (!existsSync(path)) return 0
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { chunks: number }).chunks * CHUNK
  } catch {
    return 0
  }
}

describe('checkpoint and resume', () => {
  const h = useHarness()

  it.each(['npy', 'parquet'])(
    'a .%s run killed with SIGKILL at about half, resumed: every row once and equal, < 60% sent again',
    async (ext) => {
      const path = h.file(`kill.${ext}`)
      const data = readings(N)
      if (ext === 'npy') writeNpyReadings(path, data)
      else writeParquetReadings(path, data, 1_500)
      const checkpoint = h.file(`kill.${ext}.ckpt`)
      const set = uniqueSetName(`kill_${ext}`)
      const args = h.args(
        path,
        set,
        '--key',
        'sensor_id',
        '--chunk-size',
        String(CHUNK),
        '--checkpoint',
        checkpoint,
        '--quiet',
      )
      // paced so that the kill lands mid-run whatever the machine's speed
      const child = spawn(process.execPath, [BIN, ...args, '--max-rps', PACE], { stdio: 'pipe' })
      let stderr = ''
      child.stderr.on('data', (d) => (stderr += String(d)))
      const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
        child.on('exit', (code, signal) => resolve(signal ?? code)),
      )
      let killedAt = 0
      for (;;) {
        const settled = settledRows(checkpoint)
        if (settled >= N * 0.45) {
          child.kill('SIGKILL')
          killedAt = settled
          break
        }
        if (child.exitCode !== null) throw new Error(`the run ended before the kill: ${stderr}`)
        await new Promise((r) => setTimeout(r, 20))
      }
      expect(await exited).toBe('SIGKILL')
      expect(killedAt).toBeLessThan(N * 0.6)
      const partial = await presentKeys(h.client, set, N)
      expect(partial).toBeGreaterThanOrEqual(killedAt)
      expect(partial).toBeLessThan(N)

      const summary = await h.ingest(path, set, {
        key: 'sensor_id',
        chunkSize: CHUNK,
        checkpoint,
        resume: true,
        verify: 'all',
      })
      expect(summary).toMatchObject({
        resumed: true,
        sourceRows: N,
        written: N,
        failed: 0,
        inDoubt: 0,
        notAttempted: 0,
        exitCode: 0,
        verify: { rowsVerified: N, mismatches: 0 },
      })
      expect(summary.fromCheckpoint).toBeGreaterThanOrEqual(killedAt)
      expect(summary.sentThisRun).toBeLessThan(N * 0.6)
      expect(summary.sentThisRun + summary.fromCheckpoint).toBe(N)
      // exactly once: N records under the keys 0..N-1, none beyond
      expect(await presentKeys(h.client, set, N + 1000)).toBe(N)
      if (h.cluster.devserver !== null) {
        expect(await h.cluster.devserver.recordCount('test', set)).toBe(N)
      }
      // a finished run resumed again sends nothing
      const again = await h.ingest(path, set, {
        key: 'sensor_id',
        chunkSize: CHUNK,
        checkpoint,
        resume: true,
      })
      expect(again).toMatchObject({ sentThisRun: 0, written: N, exitCode: 0 })
    },
  )

  it('Ctrl-C (SIGINT): rows in flight settle, the checkpoint is saved, exit 1; --resume finishes', async () => {
    // Parquet: its reader thread must not keep the interrupted process alive
    const path = h.file('int.parquet')
    writeParquetReadings(path, readings(N), 1_500)
    const checkpoint = h.file('int.ckpt')
    const set = uniqueSetName('int')
    const args = h.args(
      path,
      set,
      '--key',
      'sensor_id',
      '--chunk-size',
      String(CHUNK),
      '--checkpoint',
      checkpoint,
      '--quiet',
    )
    const child = spawn(process.execPath, [BIN, ...args, '--max-rps', PACE], { stdio: 'pipe' })
    let stdout = ''
    child.stdout.on('data', (d) => (stdout += String(d)))
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    )
    while (settledRows(checkpoint) < N * 0.2) {
      if (child.exitCode !== null) throw new Error('the run ended before the interrupt')
      await new Promise((r) => setTimeout(r, 20))
    }
    child.kill('SIGINT')
    expect(await exited).toBe(1)
    expect(stdout).toMatch(/stopped by an interrupt; resume with --resume --checkpoint/)
    const settled = settledRows(checkpoint)
    // every row sent before the interrupt settled and is in the checkpoint
    expect(settled).toBe(await presentKeys(h.client, set, N))
    const summary = await h.ingest(path, set, {
      key: 'sensor_id',
      chunkSize: CHUNK,
      checkpoint,
      resume: true,
      verify: 'all',
    })
    expect(summary).toMatchObject({
      written: N,
      fromCheckpoint: settled,
      exitCode: 0,
      verify: { mismatches: 0 },
    })
  })

  it('refuses a checkpoint of another file or mapping, and an existing one without --resume', async () => {
    const a = h.file('a.npy')
    const b = h.file('b.npy')
    writeNpyReadings(a, readings(2000))
    writeNpyReadings(b, readings(2000, 5))
    const checkpoint = h.file('ab.ckpt')
    const set = uniqueSetName('ckpt')
    const args = (file: string, ...more: string[]) =>
      h.args(file, set, '--key', 'sensor_id', '--quiet', '--checkpoint', checkpoint, ...more)
    expect((await run(args(a))).code).toBe(0)
    const exists = await run(args(a))
    expect(exists.code).toBe(2)
    expect(exists.stderr).toMatch(/exists: add --resume/)
    const other = await run(args(b, '--resume'))
    expect(other.code).toBe(2)
    expect(other.stderr).toMatch(/belongs to a different file or mapping \(file:/)
    const mapping = await run(args(a, '--bins', 'temperature', '--resume'))
    expect(mapping.code).toBe(2)
    expect(mapping.stderr).toMatch(/different file or mapping \(dtype:/)
  })
})
