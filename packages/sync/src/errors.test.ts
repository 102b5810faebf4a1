import { NotConnectedError } from '@aerospike-numpy/async'
import { AerospikeError, toErrorData } from '@aerospike-numpy/core'
import { describe, expect, it } from 'vitest'

import { SyncWorkerExitedError } from './errors.js'
import { rebuildError } from './transfer.js'

/** Through data and a structured clone, as between the threads. */
function cross(error: unknown): Error {
  return rebuildError(structuredClone(toErrorData(error)), new Error('caller').stack)
}

describe("errors from the sync client's worker", () => {
  it("come back as async's and this package's own classes, stack naming the worker", () => {
    const back = cross(new NotConnectedError())
    expect(back).toBeInstanceOf(NotConnectedError)
    expect(back).toBeInstanceOf(AerospikeError)
    expect(back.stack).toContain("in the sync client's worker thread; called from")
    expect(back.stack).toContain('errors.test.ts')
    const exited = cross(new SyncWorkerExitedError('gone', 7))
    expect(exited).toBeInstanceOf(SyncWorkerExitedError)
    expect((exited as SyncWorkerExitedError).exitCode).toBe(7)
  })
})
