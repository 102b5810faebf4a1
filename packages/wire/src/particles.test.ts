import { describe, expect, it } from 'vitest'
import {
  PARTICLE_BLOB,
  PARTICLE_BOOL,
  PARTICLE_FLOAT,
  PARTICLE_GEOJSON,
  PARTICLE_HLL,
  PARTICLE_INTEGER,
  PARTICLE_LIST,
  PARTICLE_MAP,
  PARTICLE_NIL,
  PARTICLE_STRING,
} from './constants.js'
import {
  decodeBool,
  decodeFloat,
  decodeGeoJson,
  decodeInteger,
  decodeIntegerExact,
  decodeParticle,
  encodeFloat,
  encodeGeoJson,
  encodeInteger,
  encodeParticle,
  type ParticleValue,
} from './particles.js'
import { hex, toHex, expectWireError } from './test-support/bytes.js'

describe('particle round trips', () => {
  const cases: Array<[ParticleValue, number, string]> = [
    [{ type: 'nil' }, PARTICLE_NIL, ''],
    [{ type: 'integer', value: 1n }, PARTICLE_INTEGER, '0000000000000001'],
    [{ type: 'integer', value: -(2n ** 63n) }, PARTICLE_INTEGER, '8000000000000000'],
    [{ type: 'integer', value: 2n ** 63n - 1n }, PARTICLE_INTEGER, '7fffffffffffffff'],
    [{ type: 'float', value: 1 }, PARTICLE_FLOAT, '3ff0000000000000'],
    [{ type: 'float', value: -0.5 }, PARTICLE_FLOAT, 'bfe0000000000000'],
    [{ type: 'string', value: 'x' }, PARTICLE_STRING, '78'],
    [{ type: 'string', value: 'é€' }, PARTICLE_STRING, 'c3a9e282ac'],
    [{ type: 'blob', value: hex('00ff10') }, PARTICLE_BLOB, '00ff10'],
    [{ type: 'bool', value: true }, PARTICLE_BOOL, '01'],
    [{ type: 'bool', value: false }, PARTICLE_BOOL, '00'],
    [
      { type: 'geojson', value: '{"type":"Point"}', cells: [], flags: 0 },
      PARTICLE_GEOJSON,
      '000000' + Buffer.from('{"type":"Point"}').toString('hex'),
    ],
    [{ type: 'list', msgpack: hex('93010203') }, PARTICLE_LIST, '93010203'],
    [{ type: 'map', msgpack: hex('81a2036101') }, PARTICLE_MAP, '81a2036101'],
    [{ type: 'raw', particleType: PARTICLE_HLL, value: hex('0102') }, PARTICLE_HLL, '0102'],
  ]

  for (const [value, particleType, bytesHex] of cases) {
    it(`${value.type} ${bytesHex || '(empty)'}`, () => {
      const encoded = encodeParticle(value)
      expect(encoded.particleType).toBe(particleType)
      expect(toHex(encoded.bytes)).toBe(bytesHex)
      // decode from inside a larger buffer to check offsets are honoured
      const padded = new Uint8Array(encoded.bytes.length + 4)
      padded.set(encoded.bytes, 2)
      expect(decodeParticle(particleType, padded, 2, encoded.bytes.length)).toEqual(value)
    })
  }

  it('keeps float 1.0 and integer 1 apart', () => {
    expect(decodeParticle(PARTICLE_FLOAT, encodeFloat(1), 0, 8)).toEqual({
      type: 'float',
      value: 1,
    })
    expect(decodeParticle(PARTICLE_INTEGER, encodeInteger(1), 0, 8)).toEqual({
      type: 'integer',
      value: 1n,
    })
  })

  it('returns byte values as views, not copies', () => {
    const bytes = hex('aabbccdd')
    const blob = decodeParticle(PARTICLE_BLOB, bytes, 1, 2)
    expect(blob.type === 'blob' && blob.value.buffer === bytes.buffer).toBe(true)
  })
})

describe('integers', () => {
  it('decodes exactly: numbers while safe, bigints beyond', () => {
    expect(decodeIntegerExact(encodeInteger(Number.MAX_SAFE_INTEGER), 0)).toBe(
      Number.MAX_SAFE_INTEGER,
    )
    expect(decodeIntegerExact(encodeInteger(-5), 0)).toBe(-5)
    expect(decodeIntegerExact(encodeInteger(2n ** 53n + 1n), 0)).toBe(2n ** 53n + 1n)
    expect(decodeIntegerExact(encodeInteger(-(2n ** 63n)), 0)).toBe(-(2n ** 63n))
  })

  it('accepts 0..8 bytes like the C client, sign-extending short values', () => {
    expect(decodeInteger(hex(''), 0, 0)).toBe(0n)
    expect(decodeInteger(hex('7f'), 0, 1)).toBe(127n)
    expect(decodeInteger(hex('ff'), 0, 1)).toBe(-1n)
    expect(decodeInteger(hex('0100'), 0, 2)).toBe(256n)
    expectWireError(() => decodeInteger(new Uint8Array(9), 0, 9), 'BAD_SIZE', 0)
  })

  it('refuses to encode values that do not fit int64 or are not integers', () => {
    expectWireError(() => encodeInteger(2n ** 63n), 'BAD_VALUE')
    expectWireError(() => encodeInteger(0.5), 'BAD_VALUE')
    expectWireError(() => encodeInteger(2 ** 60), 'BAD_VALUE')
  })
})

describe('malformed particle values', () => {
  it('wrong sizes and values name their offset', () => {
    expectWireError(() => decodeFloat(new Uint8Array(10), 3, 4), 'BAD_SIZE', 3)
    expectWireError(() => decodeBool(hex('0001'), 0, 2), 'BAD_SIZE', 0)
    expectWireError(() => decodeBool(hex('0002'), 1, 1), 'BAD_VALUE', 1)
    expectWireError(() => decodeParticle(PARTICLE_STRING, hex('41ff41'), 0, 3), 'BAD_VALUE', 0)
    expectWireError(() => decodeParticle(PARTICLE_BLOB, hex('0102'), 1, 5), 'TRUNCATED', 1)
  })

  it('geojson: cells that run past the value, a value shorter than its header', () => {
    expectWireError(
      () => decodeGeoJson(hex('00 00 02 00 00 00 00 00 00 00 01'), 0, 11),
      'TRUNCATED',
      1,
    )
    expectWireError(() => decodeGeoJson(hex('00 00'), 0, 2), 'TRUNCATED', 0)
  })

  it('geojson with cell ids round-trips', () => {
    const bytes = encodeGeoJson('{}', [1n, 2n ** 64n - 1n], 1)
    expect(toHex(bytes)).toBe('010002' + '0000000000000001' + 'ffffffffffffffff' + '7b7d')
    expect(decodeGeoJson(bytes, 0, bytes.length)).toEqual({
      flags: 1,
      cells: [1n, 2n ** 64n - 1n],
      json: '{}',
    })
  })
})
