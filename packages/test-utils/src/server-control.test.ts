import { afterEach, describe, expect, it } from 'vitest'

import { controlledClusterSkipReason, serverControlEnv } from './server-control.js'
import { setObjects } from './stop-node-when.js'

const NAMES = ['AEROSPIKE_HOSTS', 'AEROSPIKE_SERVER', 'AEROSPIKE_SERVER_DIR'] as const
const saved = Object.fromEntries(NAMES.map((name) => [name, process.env[name]]))

afterEach(() => {
  for (const name of NAMES) {
    if (saved[name] === undefined) delete process.env[name]
    else process.env[name] = saved[name]
  }
})

function setEnv(values: Partial<Record<(typeof NAMES)[number], string>>): void {
  for (const name of NAMES) {
    const value = values[name]
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
}

describe('a controllable cluster from the environment', () => {
  it('says why fault tests cannot run on the devserver or an uncontrolled cluster', () => {
    setEnv({})
    expect(serverControlEnv()).toBeNull()
    expect(controlledClusterSkipReason()).toMatch(
      /needs a real cluster it may stop, kill and restart: the tests run on the devserver; set AEROSPIKE_HOSTS, AEROSPIKE_SERVER .* AEROSPIKE_SERVER_DIR/,
    )
    setEnv({ AEROSPIKE_HOSTS: '127.0.0.1:3000' })
    expect(controlledClusterSkipReason()).toMatch(
      /AEROSPIKE_HOSTS names a real cluster these tests cannot stop/,
    )
    setEnv({ AEROSPIKE_HOSTS: '127.0.0.1:3000', AEROSPIKE_SERVER: '/x/server' })
    expect(controlledClusterSkipReason()).toMatch(/cannot stop/)
  })

  it('needs three nodes', () => {
    setEnv({
      AEROSPIKE_HOSTS: '127.0.0.1:4000',
      AEROSPIKE_SERVER: '/x/server',
      AEROSPIKE_SERVER_DIR: '/tmp/run',
    })
    expect(controlledClusterSkipReason()).toMatch(/needs 3 nodes .*AEROSPIKE_HOSTS has 1/)
    process.env['AEROSPIKE_HOSTS'] = '127.0.0.1:4000,127.0.0.1:4010,127.0.0.1:4020'
    expect(controlledClusterSkipReason()).toBeNull()
    expect(serverControlEnv()).toEqual({
      script: '/x/server',
      dir: '/tmp/run',
      hosts: [
        ['127.0.0.1', 4000],
        ['127.0.0.1', 4010],
        ['127.0.0.1', 4020],
      ],
    })
  })
})

describe('setObjects', () => {
  it("reads a set's record count from a sets/<ns>/<set> reply", () => {
    expect(setObjects('objects=1234:tombstones=0:data_used_bytes=98720:truncate_lut=0')).toBe(1234)
    expect(setObjects('ns=test:set=s:objects=7:tombstones=0;')).toBe(7)
    expect(setObjects('')).toBe(0)
    expect(setObjects('tombstones=3')).toBe(0)
  })
})
