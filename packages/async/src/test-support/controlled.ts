/**
 * Shared by the fault suites: a real cluster they may stop, kill and restart (see test-utils'
 * server-control), and a client of each engine connected to it.
 */
import {
  controlledClusterSkipReason,
  openControlledCluster,
  type ControlledCluster,
} from '@aerospike-numpy/test-utils'
import { afterAll, beforeAll, beforeEach } from 'vitest'
import { AsyncClient } from '../client.js'
import type { EngineName } from '../config.js'

export interface ControlledClients {
  readonly cluster: ControlledCluster
  client(engine: EngineName): AsyncClient
}

/**
 * For a describe block: every test skips, saying why, where no controlled cluster is given;
 * otherwise the cluster is opened and a client of each engine connected before the tests, and
 * all are closed after them.
 */
export function useControlledClients(engines: readonly EngineName[]): ControlledClients {
  const skipReason = controlledClusterSkipReason()
  let cluster: ControlledCluster | undefined
  const clients = new Map<EngineName, AsyncClient>()
  beforeEach((ctx) => {
    if (skipReason !== null) ctx.skip(skipReason)
  })
  beforeAll(async () => {
    if (skipReason !== null) return
    cluster = await openControlledCluster()
    for (const engine of engines) {
      const client = new AsyncClient({ hosts: cluster.hostsString, engine, log: { level: -1 } })
      clients.set(engine, await client.connect())
    }
  }, 20 * 60_000)
  afterAll(async () => {
    for (const client of clients.values()) await client.close()
    await cluster?.close()
  }, 5 * 60_000)
  return {
    get cluster() {
      if (cluster === undefined) throw new Error('used outside the tests of its describe block')
      return cluster
    },
    client(engine) {
      const client = clients.get(engine)
      if (client === undefined) throw new Error(`no ${engine} client in this describe block`)
      return client
    },
  }
}
