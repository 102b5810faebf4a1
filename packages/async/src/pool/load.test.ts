/**
 * Pools of 1 to 64 workers, one after the other in one process, each closed while most of its
 * threads are still loading the worker: the process must never abort. It runs in a child process
 * of its own because what it guards against is a V8 abort of the whole process ("FATAL ERROR:
 * v8::Module::IsGraphAsync must be used on an instantiated module", from `require()` of an ES
 * module in a thread being terminated), which no assertion inside the process could catch.
 */
import {
  getTestCluster,
  realClusterHosts,
  uniqueSetName,
  type TestCluster,
} from '@aerospike-numpy/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runScript } from '../test-support/child.js'

/**
 * The child: one client; for `workers` 1, 2, …, 64, a write in chunks of one row, so each chunk
 * may start a thread; the next call's pool replaces it (the last one is closed by `close()`)
 * while threads may still be loading. Up to 8 rows per call (64 for `workers: 64`, every thread
 * at once): each thread start loads the client and connects to the cluster, and 2,080 of them
 * would make this test take many minutes on a loaded machine.
 */
const script = `
const { AsyncClient } = await import(process.env.ASYNC_DIST)
const { dtype, StructuredArray } = await import('@aerospike-numpy/dtype')
const client = await new AsyncClient({ hosts: process.env.HOSTS, connTimeoutMs: 60000 }).connect()
const dt = dtype([['_key', 'i4'], ['x', 'f8']])
const policy = { totalTimeout: 120000, socketTimeout: 120000 }
for (let workers = 1; workers <= 64; workers++) {
  const n = workers === 64 ? 64 : Math.min(workers, 8)
  const rows = StructuredArray.zeros(dt, n)
  rows.set('_key', Int32Array.from({ length: n }, (_, i) => i))
  const options = { workers, chunkSize: 1, concurrency: 1, policy }
  const r = await client.writeNumpy(rows, 'test', process.env.SET, dt, options)
  if (r.writtenCount !== n) throw new Error('workers ' + workers + ': ' + r.toString())
}
await client.close()
process.stdout.write('64 pools done')
`

// What this guards is thread start-up in this process, whatever the server: it runs once, on the
// devserver, rather than again in every real-cluster run of the suite (about a minute each).
const skipReason =
  realClusterHosts() === null
    ? null
    : 'thread start-up does not depend on the server: runs on the devserver only (a minute per run)'

describe('worker pools of 1 to 64 threads', () => {
  let tc: TestCluster
  beforeAll(async () => {
    tc = await getTestCluster()
  })
  afterAll(async () => {
    await tc?.close()
  })

  it('never abort the process, in a child process of their own', async (ctx) => {
    if (skipReason !== null) ctx.skip(skipReason)
    const outcome = await runScript(script, {
      HOSTS: tc.hostsString,
      SET: uniqueSetName('pools'),
    })
    const out = `${outcome.stdout}\n${outcome.stderr}`
    expect(out).not.toMatch(/FATAL ERROR/)
    expect({ code: outcome.code, signal: outcome.signal }).toEqual({ code: 0, signal: null })
    expect(out).toMatch(/64 pools done/)
  }, 1_200_000)
})
