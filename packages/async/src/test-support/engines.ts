/**
 * Shared by the integration tests: which engines to run the suite for, and a connected client.
 * The whole suite runs once per engine (both, unless `ASYNC_TEST_ENGINES=official` or `=wire`).
 */
import { getTestCluster, type TestCluster } from '@aerospike-numpy/test-utils'
import { afterAll, beforeAll } from 'vitest'
import { AsyncClient } from '../client.js'
import type { EngineName } from '../config.js'

export function testEngines(): EngineName[] {
  const env = process.env['ASYNC_TEST_ENGINES']
  if (env !== undefined && env.trim() !== '') {
    return env.split(',').map((e) => e.trim()) as EngineName[]
  }
  return ['official', 'wire']
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

export interface ConnectedClient {
  readonly cluster: TestCluster
  readonly client: AsyncClient
}

/**
 * For a describe block: a test cluster and a client of `engine` connected to it before the
 * block's tests, both closed after them.
 */
export function useConnectedClient(engine: EngineName): ConnectedClient {
  let cluster: TestCluster | undefined
  let client: AsyncClient | undefined
  beforeAll(async () => {
    cluster = await getTestCluster()
    client = await connectClient(cluster, engine)
  })
  afterAll(async () => {
    await client?.close()
    await cluster?.close()
  })
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('used outside the tests of its describe block')
    return value
  }
  return {
    get cluster() {
      return ready(cluster)
    },
    get client() {
      return ready(client)
    },
  }
}

/**
 * The bin names a record holds, as the official client's `get` sees them (any cluster); null
 * when there is no record. Tells an absent bin from one holding zero, which a read into a
 * structured array cannot.
 */
export async function storedBinNames(
  cluster: TestCluster,
  namespace: string,
  set: string,
  key: number | string,
): Promise<string[] | null> {
  const client = await connectClient(cluster, 'official')
  try {
    const record = await client.raw.get({ ns: namespace, set, key } as never, TEST_POLICY as never)
    return Object.keys((record as { bins: object }).bins).sort()
  } catch (error) {
    if ((error as { code?: number }).code === 2) return null
    throw error
  } finally {
    await client.close()
  }
}
