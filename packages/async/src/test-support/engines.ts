/**
 * Shared by the integration tests: which engines to run the suite for, and a connected client.
 * The whole suite runs once per engine: the official client always, the wire engine when its
 * module is present (or as `ASYNC_TEST_ENGINES=official,wire` says).
 */
import { existsSync } from 'node:fs'
import type { TestCluster } from '@aerospike-numpy/test-utils'
import { AsyncClient } from '../client.js'
import type { EngineName } from '../config.js'

export function testEngines(): EngineName[] {
  const env = process.env['ASYNC_TEST_ENGINES']
  if (env !== undefined && env.trim() !== '') {
    return env.split(',').map((e) => e.trim()) as EngineName[]
  }
  const wire = existsSync(new URL('../wire/engine.ts', import.meta.url))
  return wire ? ['official', 'wire'] : ['official']
}

/** Generous timeouts: a loaded 2-core CI machine must not turn into failed rows. */
export const TEST_POLICY = { totalTimeout: 20_000, socketTimeout: 20_000 } as const

export async function connectClient(
  cluster: TestCluster,
  engine: EngineName,
): Promise<AsyncClient> {
  // the official client's own log goes quiet: failures under test are asserted, not printed
  return new AsyncClient({ hosts: cluster.hosts, engine, log: { level: -1 } }).connect()
}
