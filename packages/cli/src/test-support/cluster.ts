/** A test cluster, a client to read back with, and a temp folder, for a describe block. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { AsyncClient } from '@aerospike-numpy/async'
import { dtype } from '@aerospike-numpy/dtype'
import { getTestCluster, type TestCluster } from '@aerospike-numpy/test-utils'
import { afterAll, beforeAll } from 'vitest'
import { main } from '../cli.js'
import { ingest, type IngestOptions, type IngestSummary } from '../ingest.js'

/** Generous: a loaded CI machine answering late is not a missing record. */
export const READ_POLICY = { totalTimeout: 20_000, socketTimeout: 20_000 } as const

export interface Harness {
  cluster: TestCluster
  client: AsyncClient
  dir: string
  file(name: string): string
  /** Writes `name` in the temp folder; its path. */
  write(name: string, content: Uint8Array | string): string
  /** `ingest FILE --hosts <cluster> -n test -s SET` and `more`: arguments for `run` or a child. */
  args(file: string, set: string, ...more: string[]): string[]
  /** `ingest()` of `file` into namespace test, `set`, on the test cluster. */
  ingest(
    file: string,
    set: string,
    options?: Omit<IngestOptions, 'file' | 'hosts' | 'namespace' | 'set'>,
  ): Promise<IngestSummary>
}

export function useHarness(): Harness {
  const h = {} as Harness
  beforeAll(async () => {
    h.cluster = await getTestCluster()
    h.client = await new AsyncClient({ hosts: h.cluster.hosts }).connect()
    h.dir = mkdtempSync(join(tmpdir(), 'cli-test-'))
    h.file = (name) => join(h.dir, name)
    h.write = (name, content) => {
      const path = h.file(name)
      writeFileSync(path, content)
      return path
    }
    h.args = (file, set, ...more) => [
      'ingest',
      file,
      '--hosts',
      h.cluster.hostsString,
      '-n',
      'test',
      '-s',
      set,
      ...more,
    ]
    h.ingest = (file, set, options = {}) =>
      ingest({ ...options, file, hosts: h.cluster.hostsString, namespace: 'test', set })
  })
  afterAll(async () => {
    await h.client?.close()
    await h.cluster?.close()
    if (h.dir) rmSync(h.dir, { recursive: true, force: true })
  })
  return h
}

/** `ingest FILE -n test -s x --dry-run` and `more`: a dry run needs no cluster. */
export function dryRunArgs(file: string, ...more: string[]): string[] {
  return ['ingest', file, '-n', 'test', '-s', 'x', '--dry-run', ...more]
}

/** Run the command in this process; its output captured. */
export async function run(
  argv: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const sink = (write: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, cb) {
        write(String(chunk))
        cb()
      },
    })
  const err = sink((s) => (stderr += s)) as unknown as NodeJS.WriteStream
  const code = await main(argv, { stdout: sink((s) => (stdout += s)), stderr: err })
  return { code, stdout, stderr }
}

/** How many of keys first..first+n-1 exist in the set (works on the devserver and a real server). */
export async function presentKeys(
  client: AsyncClient,
  set: string,
  n: number,
  first = 0,
): Promise<number> {
  let found = 0
  for (let at = 0; at < n; at += 5000) {
    const keys = Array.from({ length: Math.min(5000, n - at) }, (_, i) => [
      'test',
      set,
      first + at + i,
    ])
    const back = await client.batchRead(keys, {
      dtype: dtype([['status', 'i8']]),
      bins: [],
      policy: READ_POLICY,
    })
    found += back.foundCount()
  }
  return found
}
