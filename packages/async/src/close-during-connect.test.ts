/**
 * `p = c.connect(); await c.close(); await p` must leave a closed client and no open connection,
 * whatever point of connect() close() lands on. Counted on the server side: a dedicated devserver
 * (its own configuration, so no other client of this process shares it) reports the client
 * connections it holds open.
 */
import { dtype } from '@aerospike-numpy/dtype'
import { getTestCluster, skipUnlessDevServer, type TestCluster } from '@aerospike-numpy/test-utils'
import { setImmediate } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AsyncClient } from './client.js'
import { NotConnectedError } from './errors.js'
import { testEngines } from './test-support/engines.js'

const readDt = dtype([['x', 'f8']])

/** Wait until `check` holds; the server notices a closed socket a moment after the client. */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`still not true after 10 s: ${what}`)
}

/** Ways to let connect() get somewhere before close(): nothing, a turn, a few, some time. */
const PAUSES: [string, () => Promise<unknown>][] = [
  ['at once', async () => {}],
  ['after one turn of the event loop', () => setImmediate()],
  [
    'after ten turns',
    async () => {
      for (let i = 0; i < 10; i++) await setImmediate()
    },
  ],
  ['after 20 ms', () => new Promise((resolve) => setTimeout(resolve, 20))],
]

describe.each(testEngines())('close() during connect(), engine %s', (engine) => {
  describe.skipIf(skipUnlessDevServer())(
    'on a devserver of its own (it counts the connections left open; a real server is shared)',
    () => {
      let cluster: TestCluster
      beforeAll(async () => {
        cluster = await getTestCluster({ namespaces: ['test', 'bar', 'close_connect'] })
      })
      afterAll(async () => {
        await cluster?.close()
      })

      it.each(PAUSES)('%s: a closed client, no connection left', async (_when, pause) => {
        const c = new AsyncClient({ hosts: cluster.hosts, engine, log: { level: -1 } })
        const p = c.connect()
        await pause()
        await c.close()
        // connect() either finished first (then close() closed it) or was cut short.
        const outcome = await p.then(
          () => 'connected',
          (e: unknown) => e,
        )
        if (outcome !== 'connected') expect(outcome).toBeInstanceOf(NotConnectedError)
        expect(c.isConnected()).toBe(false)
        await expect(c.batchRead([['test', 's', 1]], { dtype: readDt })).rejects.toThrow(
          NotConnectedError,
        )
        await eventually(
          async () => (await cluster.devserver!.connectionCount()) === 0,
          'the devserver holds no client connection',
        )
        await c.close() // releases a leaked connection, so a failure does not spill over
      })

      it('connects normally again after a close() that cut connect() short', async () => {
        const c = new AsyncClient({ hosts: cluster.hosts, engine, log: { level: -1 } })
        const p = c.connect()
        await c.close()
        await p.catch(() => {})
        await c.connect()
        expect(c.isConnected()).toBe(true)
        expect(await cluster.devserver!.connectionCount()).toBeGreaterThan(0)
        await c.close()
        await eventually(
          async () => (await cluster.devserver!.connectionCount()) === 0,
          'the devserver holds no client connection',
        )
      })
    },
  )
})
