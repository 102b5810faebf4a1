/**
 * The client's option objects and arguments, every hostile value (see test-utils/hostile): a
 * call is accepted or refused with ParamError — never a raw TypeError/RangeError, and never an
 * unknown key silently accepted. The client is never connected (or points at a closed port), so
 * an accepted call ends with NotConnectedError or ConnectionError: nothing is ever sent.
 */
import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
import {
  hostileFailure,
  hostileOptionObjects,
  hostileValues,
  probe,
  type Hostile,
} from '@aerospike-numpy/test-utils/hostile'
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

interface Entry {
  readonly name: string
  readonly args: () => unknown[]
  readonly call: (...args: unknown[]) => Promise<unknown>
  readonly options?: Readonly<Record<number, Readonly<Record<string, unknown>>>>
  /** Positions whose objects may carry any key (the official client's config). */
  readonly openKeys?: readonly number[]
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

async function failuresOf(entry: Entry): Promise<string[]> {
  const failures: string[] = []
  const tryOne = async (pos: number, hostile: Hostile): Promise<void> => {
    const args = entry.args()
    args[pos] = hostile.make()
    const result = await probe(
      () =>
        entry.call(...args).catch((error: unknown) => {
          if (!accepted(error)) throw error
        }),
      ParamError,
    )
    const open = entry.openKeys?.includes(pos) === true
    const failure = hostileFailure(
      `${entry.name} arg ${pos}`,
      open ? { ...hostile, mustRefuse: false } : hostile,
      result,
    )
    if (failure !== null) failures.push(failure)
  }
  const base = entry.args()
  for (let pos = 0; pos < base.length; pos++) {
    for (const hostile of hostileValues()) await tryOne(pos, hostile)
    const optionBase = entry.options?.[pos]
    if (optionBase !== undefined) {
      for (const hostile of hostileOptionObjects(optionBase)) await tryOne(pos, hostile)
    }
  }
  return failures
}

describe('hostile input to the client', () => {
  for (const entry of ENTRIES) {
    it(`${entry.name}: accepted or ParamError`, async () => {
      expect(await failuresOf(entry)).toEqual([])
    })
  }
})
