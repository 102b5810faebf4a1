// Every public entry point that takes user input (policies, retry, keys, dtypes, key fields),
// every argument, every hostile value (see test-utils/hostile): it succeeds or throws ParamError
// — never a raw TypeError/RangeError, and never a silently accepted unknown key.
import { dtype } from '@aerospike-numpy/dtype'
import { hostileFailures, type HostileEntry } from '@aerospike-numpy/test-utils/hostile'
import { describe, expect, it } from 'vitest'

import { ParamError } from './errors.js'
import { computeDigest, resolveKeys, userKeyDigest } from './keys.js'
import { compileWritePlan } from './plan.js'
import { resolveReadPolicy, resolveWritePolicy } from './policy.js'
import { createReadSink, resolveReadBins } from './read.js'
import { resolveRetry } from './retry.js'

const dt = dtype([
  ['_key', 'i4'],
  ['x', 'f8'],
])
const keys = resolveKeys([['test', 's', 1]])

const f = <T extends (...a: never[]) => unknown>(fn: T) => fn as unknown as HostileEntry['call']

const ENTRIES: readonly HostileEntry[] = [
  {
    name: 'resolveWritePolicy',
    args: () => [{ totalTimeout: 100, ttl: 5, key: 1 }],
    call: f(resolveWritePolicy),
    options: { 0: { totalTimeout: 100, ttl: 5, key: 1 } },
  },
  {
    name: 'resolveReadPolicy',
    args: () => [{ totalTimeout: 100, readTouchTtlPercent: 5 }],
    call: f(resolveReadPolicy),
    options: { 0: { totalTimeout: 100, readTouchTtlPercent: 5 } },
  },
  {
    name: 'resolveRetry',
    args: () => [{ attempts: 2, baseDelayMs: 1 }],
    call: f(resolveRetry),
    options: { 0: { attempts: 2, baseDelayMs: 1 } },
  },
  { name: 'resolveRetry (a count)', args: () => [3], call: f(resolveRetry) },
  { name: 'resolveKeys', args: () => [[['test', 's', 1]]], call: f(resolveKeys) },
  {
    name: 'resolveKeys (key objects)',
    args: () => [[{ ns: 'test', set: 's', key: 1 }]],
    call: (k) => resolveKeys([k]),
    options: { 0: { ns: 'test', set: 's', key: 1 } },
  },
  { name: 'compileWritePlan', args: () => [dt, '_key'], call: f(compileWritePlan) },
  { name: 'createReadSink', args: () => [dt, keys], call: f(createReadSink) },
  { name: 'resolveReadBins', args: () => [dt, ['x']], call: f(resolveReadBins) },
  {
    name: 'computeDigest',
    args: () => ['s', 1, new Uint8Array(8)],
    call: f(computeDigest),
  },
  { name: 'userKeyDigest', args: () => ['s', 1], call: f(userKeyDigest) },
]

describe('hostile input to every public entry point', () => {
  for (const entry of ENTRIES) {
    it(`${entry.name}: succeeds or throws ParamError`, async () => {
      expect(await hostileFailures(entry, ParamError)).toEqual([])
    })
  }
})
