/**
 * Shared by the tests that must run in a process of their own (what they guard against would
 * abort or distort this one): an ES module script run by this Node.js, from the package folder,
 * with the built client's entry in ASYNC_DIST.
 */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const packageDir = fileURLToPath(new URL('../..', import.meta.url))
const asyncDist = new URL('../../dist/index.js', import.meta.url).href

export interface ChildOutcome {
  /** The exit code (null when a signal ended it). */
  code: number | null
  signal: string | null
  stdout: string
  stderr: string
}

/** Runs `script`; resolves however it ends. `env` adds to this process's environment. */
export function runScript(script: string, env: Record<string, string>): Promise<ChildOutcome> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', script],
      {
        cwd: packageDir,
        env: { ...process.env, ASYNC_DIST: asyncDist, ...env },
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const e = error as (Error & { code?: number; signal?: string }) | null
        resolve({
          code: e === null ? 0 : typeof e.code === 'number' ? e.code : null,
          signal: e?.signal ?? null,
          stdout,
          stderr,
        })
      },
    )
  })
}
