/**
 * core and the async client's index must load inside a worker thread without reaching the
 * official `aerospike` addon (which aborts the process there). Checked in a child process, so a
 * regression fails this test instead of killing the test runner. Loads the built `dist/`.
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

describe('worker threads', () => {
  it('load @aerospike-numpy/core and @aerospike-numpy/async without the official addon', () => {
    const asyncIndex = new URL('../dist/index.js', import.meta.url).href
    const script = `
      import { Worker } from 'node:worker_threads'
      const code = \`
        import { parentPort } from 'node:worker_threads'
        import { createRequire } from 'node:module'
        const core = await import('@aerospike-numpy/core')
        const async = await import(${JSON.stringify(asyncIndex)})
        const client = new async.AsyncClient({ hosts: [['127.0.0.1', 1]], engine: 'wire' })
        const plan = core.compileWritePlan((await import('@aerospike-numpy/dtype')).dtype([['_key', 'i4'], ['x', 'f8']]))
        const loaded = createRequire(import.meta.url).cache
        const addon = Object.keys(loaded).some((k) => k.includes('aerospike.node') || k.includes('/aerospike/lib/'))
        parentPort.postMessage({ bins: plan.bins.length, engine: client.engineKind, addon })
      \`
      const w = new Worker(code, { eval: true })
      w.once('message', (m) => { console.log(JSON.stringify(m)); w.terminate() })
      w.once('error', (e) => { console.error(e); process.exit(2) })
    `
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      encoding: 'utf8',
      timeout: 30_000,
    })
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    expect(JSON.parse(result.stdout.trim())).toEqual({ bins: 1, engine: 'wire', addon: false })
  })
})
