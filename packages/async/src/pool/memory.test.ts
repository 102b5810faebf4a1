/**
 * A stream written with `workers` stays in bounded memory: the loop copies each chunk into one
 * of a few reused shared buffers. (It once took a new SharedArrayBuffer per chunk, which the
 * collector frees late: `writeNumpy(openNpy(1 GB), { workers: 2 })` grew to about 1.5 GB.)
 * Memory is measured in a child process of its own, so this process's heap and the devserver's
 * records do not count. About 5 s on a loaded 2-core machine: the file must be several times
 * larger than what the loop may hold for old buffers to show.
 */
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  getTestCluster,
  realClusterHosts,
  uniqueSetName,
  type TestCluster,
} from '@aerospike-numpy/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runScript } from '../test-support/child.js'

// this workspace's dtype, the one the client (ASYNC_DIST) was built with
const dtypeDist = new URL('../../../dtype/dist/index.js', import.meta.url).href

const FILE_MIB = 256
/**
 * What the write may add to the process's peak RSS, once warm (threads started, client loaded):
 * three quarters of the file. Today it adds about 120 MiB whatever the file's size (9 chunk
 * buffers of 4 MiB, the file's 4 MiB reads, the threads' own buffers); a buffer per chunk added
 * about 365 MiB for this file, and more for larger ones.
 */
const MAX_GROWTH_MIB = (FILE_MIB * 3) / 4

/**
 * The child: writes a .npy of FILE_MIB MiB (4 KiB rows, 65,536 keys; the label bytes are zeros, so
 * the records stay small), then `writeNumpy(openNpy(file), { workers: 2 })`; prints its RSS growth.
 * (Keys are never repeated: chunks in flight writing one record at once would fail with 14, key
 * busy.)
 */
const script = `
import { open, rm } from 'node:fs/promises'
const { AsyncClient } = await import(process.env.ASYNC_DIST)
const { dtype, StructuredArray, encodeNpyHeader, openNpy } = await import(process.env.DTYPE_DIST)
const path = process.env.FILE
const dt = dtype([['_key', 'i4'], ['x', 'f8'], ['label', 'S4084']])
const rows = (Number(process.env.FILE_MIB) * 2 ** 20) / dt.itemsize
const perWrite = 1024
const fh = await open(path, 'w')
try {
  await fh.write(encodeNpyHeader(dt, rows))
  const chunk = StructuredArray.zeros(dt, perWrite)
  for (let start = 0; start < rows; start += perWrite) {
    chunk.set('_key', Int32Array.from({ length: perWrite }, (_, i) => start + i))
    chunk.set('x', Float64Array.from({ length: perWrite }, (_, i) => start + i))
    await fh.write(chunk.bytes)
  }
} finally {
  await fh.close()
}
// retry: on a loaded machine a chunk may time out; a re-send is not what this measures
const options = { workers: 2, retry: 5, policy: { totalTimeout: 120000, socketTimeout: 60000 } }
const client = await new AsyncClient({ hosts: process.env.HOSTS, engine: 'wire' }).connect()
try {
  // warm: the threads started and the client loaded before the baseline
  await client.writeNumpy(StructuredArray.zeros(dt, 8), 'test', process.env.SET, dt, options)
  const before = process.memoryUsage().rss
  const r = await client.writeNumpy(openNpy(path), 'test', process.env.SET, dt, options)
  const peak = process.resourceUsage().maxRSS * 1024
  const codes = {}
  for (const f of r.failures) codes[f.result] = (codes[f.result] ?? 0) + 1
  process.stdout.write(JSON.stringify({ rows, written: r.writtenCount, codes, growth: (peak - before) / 2 ** 20 }))
} finally {
  await client.close()
  await rm(path, { force: true })
}
`

// What this guards is this process's memory, whatever the server: it runs once, on the devserver
// (in a process of its own), rather than again in every real-cluster run of the suite.
const skipReason =
  realClusterHosts() === null
    ? null
    : "the client's memory does not depend on the server: runs on the devserver only (several seconds per run)"

describe('writeNumpy(openNpy(file), { workers })', () => {
  let tc: TestCluster
  const file = join(tmpdir(), `${uniqueSetName('memory')}.npy`)
  beforeAll(async () => {
    tc = await getTestCluster()
  })
  afterAll(async () => {
    await rm(file, { force: true })
    await tc?.close()
  })

  it(`adds less than ${MAX_GROWTH_MIB} MiB of RSS for a ${FILE_MIB} MiB file, in a child process`, async (ctx) => {
    if (skipReason !== null) ctx.skip(skipReason)
    const outcome = await runScript(script, {
      DTYPE_DIST: dtypeDist,
      HOSTS: tc.hostsString,
      SET: uniqueSetName('memory'),
      FILE: file,
      FILE_MIB: String(FILE_MIB),
    })
    expect(outcome.code, outcome.stderr).toBe(0)
    const r = JSON.parse(outcome.stdout) as {
      rows: number
      written: number
      codes: Record<string, number>
      growth: number
    }
    expect(r.written, `rows not written, by result code: ${JSON.stringify(r.codes)}`).toBe(r.rows)
    console.info(`RSS growth ${r.growth.toFixed(0)} MiB for a ${FILE_MIB} MiB file`)
    expect(r.growth).toBeLessThan(MAX_GROWTH_MIB)
  }, 120_000)
})
