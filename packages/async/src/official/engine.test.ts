// The official engine's own behaviour where it differs from the official client's report: a
// batch write that the official client rejects as a whole while other nodes applied their rows.
import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
import {
  getTestCluster,
  rowColumns,
  skipUnlessDevServer,
  uniqueSetName,
  type TestCluster,
} from '@aerospike-numpy/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AsyncClient } from '../client.js'
import { AerospikeError, type BatchRecords } from '../index.js'
import { TEST_POLICY } from '../test-support/engines.js'

const dt = dtype([
  ['_key', 'i4'],
  ['x', 'f8'],
])

const rows = (n: number): StructuredArray =>
  StructuredArray.fromColumns(dt, rowColumns(n, { _key: (i) => i, x: (i) => i / 2 }))

describe.skipIf(skipUnlessDevServer())(
  'official engine, one node of three refusing a batch write (devserver: stops a node)',
  () => {
    let cluster: TestCluster
    let client: AsyncClient

    beforeAll(async () => {
      // its own devserver (the namespace list keeps it apart): this file stops a node
      cluster = await getTestCluster({ nodes: 3, namespaces: ['test', 'official_doubt'] })
      // No tend between the stop and the write: the client must still route rows to the node.
      client = await new AsyncClient({
        hosts: cluster.hosts,
        engine: 'official',
        tenderInterval: 60_000,
        log: { level: -1 },
      }).connect()
    })
    afterAll(async () => {
      await client?.close()
      await cluster?.close()
    })

    it('reports the whole call in doubt: the other nodes applied their rows', async () => {
      const server = cluster.devserver!
      const set = uniqueSetName('official_doubt')
      await server.stopNode(2)
      // All node commands at once, so the running nodes apply theirs whatever the node order;
      // the stopped node refuses the connection before anything is sent to it.
      const policy = { ...TEST_POLICY, maxRetries: 0, concurrent: true }
      let error: unknown
      let results: BatchRecords | undefined
      try {
        results = await client.batchWriteNumpy(rows(60), 'test', set, dt, { policy })
      } catch (e) {
        error = e
      }
      const stored = await server.recordCount('test', set)
      expect(stored).toBeGreaterThan(0)
      if (results === undefined) {
        expect(error).toBeInstanceOf(AerospikeError)
        expect(error).toMatchObject({ code: -10, inDoubt: true })
        return
      }
      // The official client may notice the closed node before the write (its connections to it
      // close at once), and then never sends it a command: those rows fail per row, not in doubt.
      const codes = Array.from(results.resultCodes)
      const failed = codes.flatMap((code, i) => (code === 0 ? [] : [i]))
      expect(failed.length, 'the stopped node owns some of the 60 rows').toBeGreaterThan(0)
      for (const i of failed) {
        expect({ row: i, code: codes[i], inDoubt: results.inDoubt[i] }).toEqual({
          row: i,
          code: -8,
          inDoubt: 0,
        })
      }
      expect(stored).toBe(codes.length - failed.length)
    })
  },
)
