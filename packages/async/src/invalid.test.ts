/**
 * Every invalid input gets a clear ParamError naming what is wrong, before anything is sent.
 * Most checks run on a client that was never connected: reaching the network would throw
 * NotConnectedError instead, so these tests also prove that nothing was sent.
 */
import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
import { uniqueSetName } from '@aerospike-numpy/test-utils'
import { describe, expect, it } from 'vitest'
import { AsyncClient } from './client.js'
import { NotConnectedError, PartialWriteError } from './errors.js'
import { ConnectionError, ParamError } from './index.js'
import { testEngines, useConnectedClient } from './test-support/engines.js'

const dt = dtype([
  ['_key', 'i4'],
  ['score', 'f8'],
])
const data = StructuredArray.fromRows(dt, [
  [1, 0.5],
  [2, 1.5],
])
const offline = new AsyncClient({ hosts: [['127.0.0.1', 1]], engine: 'official' })

async function expectParamError(call: () => Promise<unknown>, message: RegExp): Promise<void> {
  const error = await call().then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ParamError)
  expect((error as Error).message).toMatch(message)
  expect((error as ParamError).code).toBe(-2)
}

describe('batchWriteNumpy rejects bad input before any network call', () => {
  it.each([
    [
      'data not an array',
      () => offline.batchWriteNumpy([] as never, 'test', 's', dt),
      /data must be a StructuredArray/,
    ],
    [
      'dtype not a Dtype',
      () => offline.batchWriteNumpy(data, 'test', 's', '[("_key","i4")]' as never),
      /dtype must be a Dtype/,
    ],
    [
      'dtype not equal to the data dtype',
      () =>
        offline.batchWriteNumpy(
          data,
          'test',
          's',
          dtype([
            ['_key', 'i4'],
            ['score', 'f4'],
          ]),
        ),
      /data's dtype .* does not equal the dtype argument/,
    ],
    [
      'byte order differs',
      () =>
        offline.batchWriteNumpy(
          data,
          'test',
          's',
          dtype([
            ['_key', '>i4'],
            ['score', 'f8'],
          ]),
        ),
      /does not equal/,
    ],
    [
      'missing key field',
      () => offline.batchWriteNumpy(data, 'test', 's', dt, { keyField: 'id' }),
      /key field 'id' is not in the dtype/,
    ],
    [
      'empty namespace',
      () => offline.batchWriteNumpy(data, '', 's', dt),
      /namespace must be a non-empty string/,
    ],
    [
      'namespace too long',
      () => offline.batchWriteNumpy(data, 'n'.repeat(32), 's', dt),
      /not a valid namespace name/,
    ],
    [
      'set not a string',
      () => offline.batchWriteNumpy(data, 'test', 7 as never, dt),
      /set must be a string/,
    ],
    [
      'set too long',
      () => offline.batchWriteNumpy(data, 'test', 's'.repeat(64), dt),
      /not a valid set name/,
    ],
    [
      'unknown option',
      () => offline.batchWriteNumpy(data, 'test', 's', dt, { key_field: '_key' } as never),
      /unknown batchWriteNumpy options key 'key_field'/,
    ],
    [
      'keyField not a string',
      () => offline.batchWriteNumpy(data, 'test', 's', dt, { keyField: 3 as never }),
      /keyField must be a non-empty field name/,
    ],
    [
      'unknown policy key',
      () => offline.batchWriteNumpy(data, 'test', 's', dt, { policy: { timeout: 5 } as never }),
      /unknown policy key 'timeout'/,
    ],
    [
      'bad policy value',
      () => offline.batchWriteNumpy(data, 'test', 's', dt, { policy: { exists: 7 } }),
      /policy.exists must be one of/,
    ],
    [
      'negative retry',
      () => offline.batchWriteNumpy(data, 'test', 's', dt, { retry: -1 }),
      /retry must be an integer from 0/,
    ],
    [
      'fractional retry',
      () => offline.batchWriteNumpy(data, 'test', 's', dt, { retry: 0.5 }),
      /retry must be an integer/,
    ],
  ])('%s', async (_label, call, message) => {
    await expectParamError(call, message)
  })

  it.each([
    ['U8', /'S<n>'/],
    ['O', /object pointers/],
    ['?', /'u1'/],
    ['M8[ns]', /datetime64.*'i8'/],
    ['m8[s]', /timedelta64.*'i8'/],
  ])('bin field of kind %s is refused, saying what to use', async (kind, hint) => {
    const bad = dtype([
      ['_key', 'i4'],
      ['bad', kind],
    ])
    await expectParamError(
      () => offline.batchWriteNumpy(StructuredArray.zeros(bad, 1), 'test', 's', bad),
      /field 'bad'/,
    )
    await expectParamError(
      () => offline.batchWriteNumpy(StructuredArray.zeros(bad, 1), 'test', 's', bad),
      hint,
    )
  })

  it.each([
    ['f8', /is a float/],
    ['U4', /kind 'U'/],
    ['f4', /is a float/],
  ])('key field of kind %s is refused', async (kind, message) => {
    const bad = dtype([
      ['_key', kind],
      ['x', 'i4'],
    ])
    await expectParamError(
      () => offline.batchWriteNumpy(StructuredArray.zeros(bad, 1), 'test', 's', bad),
      message,
    )
  })

  it('bin names over 15 bytes are refused', async () => {
    const bad = dtype([
      ['_key', 'i4'],
      ['sixteen_chars_xx', 'f8'],
    ])
    await expectParamError(
      () => offline.batchWriteNumpy(StructuredArray.zeros(bad, 1), 'test', 's', bad),
      /field "sixteen_chars_xx": bin names are at most 15 bytes/,
    )
  })

  it('an empty array gives an empty result without a network call', async () => {
    const results = await offline.batchWriteNumpy(StructuredArray.zeros(dt, 0), 'test', 's', dt)
    expect(results.batchRecords).toEqual([])
    expect(results.length).toBe(0)
    const bulk = await offline.writeNumpy(StructuredArray.zeros(dt, 0), 'test', 's', dt)
    expect(bulk.length).toBe(0)
    const read = await offline.batchRead([], { dtype: dtype([['score', 'f8']]) })
    expect(read.length).toBe(0)
  })

  it('a valid call on a client that is not connected says so', async () => {
    await expect(offline.batchWriteNumpy(data, 'test', 's', dt)).rejects.toBeInstanceOf(
      NotConnectedError,
    )
    expect(offline.isConnected()).toBe(false)
    expect(() => offline.raw).toThrow(NotConnectedError)
  })
})

describe('writeNumpy rejects bad options and sources', () => {
  it.each([
    ['chunkSize 0', { chunkSize: 0 }, /chunkSize must be an integer from 1/],
    ['chunkSize fractional', { chunkSize: 1.5 }, /chunkSize must be an integer/],
    ['concurrency -1', { concurrency: -1 }, /concurrency must be an integer from 1/],
    ['onProgress not a function', { onProgress: 5 }, /onProgress must be a function/],
    ['signal not an AbortSignal', { signal: {} }, /signal must be an AbortSignal/],
    ['unknown option', { chunk_size: 5 }, /unknown writeNumpy options key 'chunk_size'/],
  ])('%s', async (_label, options, message) => {
    await expectParamError(
      () => offline.writeNumpy(data, 'test', 's', dt, options as never),
      message,
    )
  })

  it('refuses a source that is neither an array nor a stream of arrays', async () => {
    await expectParamError(
      () => offline.writeNumpy(42 as never, 'test', 's', dt),
      /StructuredArray or an \(async\) iterable/,
    )
  })
})

describe('batchRead rejects bad input', () => {
  it.each([
    ['no dtype', () => offline.batchRead([['test', 's', 1]], {} as never), /needs options.dtype/],
    [
      'keys not an array',
      () => offline.batchRead('k' as never, { dtype: dtype([['x', 'f8']]) }),
      /keys must be an array/,
    ],
    [
      'a malformed key',
      () => offline.batchRead([['test', 's']], { dtype: dtype([['x', 'f8']]) }),
      /keys\[0\] must be \[namespace, set, key\]/,
    ],
    [
      'a float key',
      () => offline.batchRead([['test', 's', 1.5]], { dtype: dtype([['x', 'f8']]) }),
      /keys\[0\] key 1.5 is not an integer key/,
    ],
    [
      'a read dtype field no bin can fill',
      () => offline.batchRead([['test', 's', 1]], { dtype: dtype([['t', 'U4']]) }),
      /read dtype field 't'/,
    ],
    [
      'bins not an array of names',
      () =>
        offline.batchRead([['test', 's', 1]], { dtype: dtype([['x', 'f8']]), bins: 'x' as never }),
      /bins must be an array of bin names/,
    ],
    [
      'an unknown option',
      () =>
        offline.batchRead([['test', 's', 1]], { dtype: dtype([['x', 'f8']]), bin: ['x'] } as never),
      /unknown batchRead options key 'bin'/,
    ],
    [
      'a write-only policy key',
      () =>
        offline.batchRead([['test', 's', 1]], {
          dtype: dtype([['x', 'f8']]),
          policy: { ttl: 1 } as never,
        }),
      /unknown policy key 'ttl'/,
    ],
  ])('%s', async (_label, call, message) => {
    await expectParamError(call, message)
  })
})

describe('config', () => {
  it.each([
    [{}, /hosts must be a non-empty array/],
    [{ hosts: [] }, /hosts must be a non-empty array/],
    [{ hosts: [['127.0.0.1', 70000]] }, /port must be an integer from 1 to 65535/],
    [{ hosts: [['', 3000]] }, /host address must be a non-empty string/],
    [{ hosts: 'a:b' }, /port must be an integer/],
    [
      { hosts: [['127.0.0.1', 3000]], engine: 'fast' },
      /config.engine must be 'official' or 'wire'/,
    ],
    [null, /config must be an object/],
  ])('rejects %j', (config, message) => {
    expect(() => new AsyncClient(config as never)).toThrow(ParamError)
    expect(() => new AsyncClient(config as never)).toThrow(message)
  })
})

describe.each(testEngines())('without a server, engine %s', (engine) => {
  it('connect() to a port nobody listens on fails with ConnectionError (-10), no hang', async () => {
    const client = new AsyncClient({ hosts: [['127.0.0.1', 1]], engine, log: { level: -1 } })
    const error = await client.connect().then(
      () => null,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(ConnectionError)
    expect((error as ConnectionError).code).toBe(-10)
    expect(client.isConnected()).toBe(false)
    await client.close()
  })
})

describe.each(testEngines())('with a server, engine %s', (engine) => {
  const env = useConnectedClient(engine)

  it('a stream chunk with another dtype stops the write: PartialWriteError caused by a ParamError naming the row', async () => {
    const set = uniqueSetName('invalid')
    const other = dtype([
      ['_key', 'i4'],
      ['score', 'f4'],
    ])
    async function* source() {
      yield data
      yield StructuredArray.zeros(other, 3)
    }
    // The first chunk's rows were sent: the write reports them with the reason it stopped.
    const error = await env.client.writeNumpy(source(), 'test', set, dt).then(
      () => null,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(PartialWriteError)
    const partial = error as PartialWriteError
    expect(partial.cause).toBeInstanceOf(ParamError)
    expect((partial.cause as Error).message).toMatch(/array at row 2 has dtype/)
    expect(partial.results.rowCount).toBe(data.length)
  })

  it('the official client stays usable through raw (official engine only)', async () => {
    if (engine === 'official') {
      expect(typeof env.client.raw.get).toBe('function')
    } else {
      expect(() => env.client.raw).toThrow(ParamError)
    }
  })
})
