import { describe, expect, it } from 'vitest'
import { importOptional } from './client.js'
import { EngineUnavailableError } from './errors.js'
import { ParamError } from './index.js'

describe('optional engine modules', () => {
  it('a module that is not there is a clear "not available" ParamError', async () => {
    const error = await importOptional('./no-such-engine/engine.js', "engine: 'x'").then(
      () => null,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(EngineUnavailableError)
    expect(error).toBeInstanceOf(ParamError)
    expect((error as Error).message).toBe(
      "engine: 'x' is not available in this build of @aerospike-numpy/async",
    )
  })

  it('a module that exists is returned', async () => {
    const mod = await importOptional<{ resolveHosts: unknown }>('./config.js', 'config')
    expect(typeof mod.resolveHosts).toBe('function')
  })
})
