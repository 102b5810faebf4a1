/**
 * The checks and key resolution of every batch read, in one order: the async client runs them
 * before its engine reads, the blocking client on its calling thread (so mistakes throw where the
 * call was made and only resolved keys cross to its worker).
 */
import {
  ParamError,
  resolveKeys,
  resolveReadPolicy,
  type KeyBatch,
  type NumpyBatchRecords,
  type ResolvedReadPolicy,
} from '@aerospike-numpy/core'
import { resolveReadBins } from '@aerospike-numpy/core/internal'
import type { Dtype } from '@aerospike-numpy/dtype'

import { resolveNumpyKeys } from './read-numpy.js'
import { checkDtype, checkOptionKeys } from './write-args.js'

/** A batch read ready for an engine: every argument checked and resolved (plain data but `keys`). */
export interface PreparedRead {
  readonly keys: KeyBatch
  readonly dtype: Dtype
  /** The bins to ask for; null: every bin. */
  readonly bins: readonly string[] | null
  readonly policy: ResolvedReadPolicy
}

export function prepareBatchRead(keys: unknown, options: unknown): PreparedRead {
  const o = checkOptionKeys(options, ['dtype', 'bins', 'policy'], 'batchRead options')
  const dtype = readDtype(o, 'batchRead')
  return prepared(resolveKeys(keys), dtype, o)
}

export function prepareBatchReadNumpy(
  keys: unknown,
  namespace: unknown,
  set: unknown,
  options: unknown,
): PreparedRead {
  const o = checkOptionKeys(
    options,
    ['dtype', 'bins', 'policy', 'keyField'],
    'batchReadNumpy options',
  )
  const dtype = readDtype(o, 'batchReadNumpy')
  return prepared(resolveNumpyKeys(keys, namespace, set, o.keyField), dtype, o)
}

function prepared(
  keys: KeyBatch,
  dtype: Dtype,
  o: Readonly<Record<string, unknown>>,
): PreparedRead {
  return {
    keys,
    dtype,
    bins: resolveReadBins(dtype, o.bins),
    policy: resolveReadPolicy(o.policy),
  }
}

function readDtype(o: Readonly<Record<string, unknown>>, call: string): Dtype {
  if (o.dtype === undefined) {
    throw new ParamError(`${call} needs options.dtype, the structured dtype to read into`)
  }
  return checkDtype(o.dtype)
}

/** The async client's method that reads a `PreparedRead` (kept off its public surface). */
export const READ_PREPARED = Symbol('aerospike-numpy read prepared')

/** Reads a prepared batch read with `client` (for the blocking client's worker). */
export function readPrepared(
  client: { [READ_PREPARED](read: PreparedRead): Promise<NumpyBatchRecords> },
  read: PreparedRead,
): Promise<NumpyBatchRecords> {
  return client[READ_PREPARED](read)
}
