/**
 * The Parquet reader thread never keeps a process alive: a source opened and read in part, never
 * closed, still lets the process end (in a child process, so a hang shows as a timeout).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, expect, it } from 'vitest'
import { readings, writeParquetReadings } from '../test-support/fixtures.js'

const OPEN = fileURLToPath(new URL('../../dist/sources/open.js', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'cli-parquet-'))
let child: ChildProcess | null = null
afterAll(() => {
  if (child !== null && child.exitCode === null) child.kill('SIGKILL') // it hung: the test failed
  rmSync(dir, { recursive: true, force: true })
})

it('a Parquet source left open, mid-read, does not keep the process alive', async () => {
  const path = join(dir, 'open.parquet')
  writeParquetReadings(path, readings(3000), 500)
  const script = `
    const { openSource } = await import(${JSON.stringify(OPEN)})
    const source = await openSource(${JSON.stringify(path)}, { chunkRows: 100, csvDtypes: new Map(), delimiter: null })
    for await (const batch of source.batches([0])) { console.log(batch.length); break }
    // neither the read's end nor close(): the process must still end on its own
  `
  const proc = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'pipe' })
  child = proc
  let out = ''
  proc.stdout.on('data', (d) => (out += String(d)))
  proc.stderr.on('data', (d) => (out += String(d)))
  const code = await new Promise((resolve) => proc.on('exit', resolve))
  expect(out.trim()).toBe('500')
  expect(code).toBe(0)
})
