/**
 * The client's option objects and arguments, every hostile value (see test-utils/hostile): a
 * call is accepted or refused with ParamError — never a raw TypeError/RangeError, and never an
 * unknown key silently accepted. The client is never connected (or points at a closed port), so
 * an accepted call ends with NotConnectedError or ConnectionError: nothing is ever sent.
 */
import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
import { hostileFailures, type HostileEntry } from '@aerospike-numpy/test-utils/hostile'
import { describe, expect, it } from 'vitest'
import { AsyncClient } from './client.js'
import { NotConnectedError } from './errors.js'
import { ConnectionError, ParamError } from './index.js'

const dt = dtype([
  ['_key', 'i4'],
  ['x', 'f8'],
])
const data = StructuredArray.fromRows(dt, [
  [1, 0.5],
  [2, 1.5],
])
const readDt = dtype([['x', 'f8']])
const offline = new AsyncClient({ hosts: [['127.0.0.1', 1]] })
const CLOSED_PORT = [['127.0.0.1', 1]]

/** Past validation: the call reached the (absent) connection. */
function accepted(error: unknown): boolean {
  return error instanceof NotConnectedError || error instanceof ConnectionError
}

interface Entry extends HostileEntry {
  readonly call: (...args: unknown[]) => Promise<unknown>
}

const ENTRIES: readonly Entry[] = [
  {
    name: 'new AsyncClient(config).connect() (wire)',
    args: () => [{ hosts: CLOSED_PORT, connTimeoutMs: 500 }],
    call: async (config) => new AsyncClient(config as never).connect(),
    options: { 0: { hosts: CLOSED_PORT, connTimeoutMs: 500 } },
  },
  {
    name: 'new AsyncClient(config) (official)',
    args: () => [{ hosts: CLOSED_PORT, engine: 'official' }],
    call: async (config) => new AsyncClient(config as never),
    options: { 0: { hosts: CLOSED_PORT, engine: 'official' } },
    openKeys: [0], // the official client's own options pass through
  },
  {
    name: 'batchWriteNumpy',
    args: () => [data, 'test', 's', dt, { keyField: '_key', retry: 2, policy: { ttl: 5 } }],
    call: (...a) => offline.batchWriteNumpy(...(a as Parameters<typeof offline.batchWriteNumpy>)),
    options: { 4: { keyField: '_key', retry: 2, policy: { ttl: 5 } } },
  },
  {
    name: 'batchWriteNumpy (policy)',
    args: () => [{ totalTimeout: 100, key: 1 }],
    call: (policy) => offline.batchWriteNumpy(data, 'test', 's', dt, { policy: policy as never }),
    options: { 0: { totalTimeout: 100, key: 1 } },
  },
  {
    name: 'batchWriteNumpy (retry)',
    args: () => [{ attempts: 2 }],
    call: (retry) => offline.batchWriteNumpy(data, 'test', 's', dt, { retry: retry as never }),
    options: { 0: { attempts: 2 } },
  },
  {
    name: 'writeNumpy',
    args: () => [data, 'test', 's', dt, { chunkSize: 1, concurrency: 2, retry: 1 }],
    call: (...a) => offline.writeNumpy(...(a as Parameters<typeof offline.writeNumpy>)),
    options: { 4: { chunkSize: 1, concurrency: 2, retry: 1 } },
  },
  {
    name: 'batchRead',
    args: () => [[['test', 's', 1]], { dtype: readDt, bins: ['x'], policy: { totalTimeout: 5 } }],
    call: (keys, options) => offline.batchRead(keys as never, options as never),
    options: { 1: { dtype: readDt, bins: ['x'], policy: { totalTimeout: 5 } } },
  },
  {
    name: 'batchRead (key object)',
    args: () => [{ ns: 'test', set: 's', key: 1 }],
    call: (key) => offline.batchRead([key], { dtype: readDt }),
    options: { 0: { ns: 'test', set: 's', key: 1 } },
  },
]

/** The call, with an end at the (absent) connection counted as success: it passed validation. */
function reachingTheConnection(entry: Entry): HostileEntry {
  return {
    ...entry,
    call: (...args) =>
      entry.call(...args).catch((error: unknown) => {
        if (!accepted(error)) throw error
      }),
  }
}

describe('hostile input to the client', () => {
  for (const entry of ENTRIES) {
    it(`${entry.name}: accepted or ParamError`, async () => {
      expect(await hostileFailures(reachingTheConnection(entry), ParamError)).toEqual([])
    })
  }
})
