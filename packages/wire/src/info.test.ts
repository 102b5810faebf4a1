import { describe, expect, it } from 'vitest'
import { AS_INFO_MESSAGE_TYPE } from './constants.js'
import { WireError } from './errors.js'
import {
  encodeInfoRequest,
  encodeInfoResponse,
  formatInfoError,
  parseInfoCommand,
  parseInfoError,
  parseInfoRequest,
  parseInfoResponse,
  parseInfoResponseMap,
} from './info.js'
import { ProtoFrameReader } from './proto.js'

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1')

describe('info requests', () => {
  it('encodes the seed lookup exactly as the C client sends it', () => {
    const frame = encodeInfoRequest(['node', 'partition-generation', 'build'])
    expect(Buffer.from(frame.subarray(0, 8)).toString('hex')).toBe('0201000000000020')
    expect(text(frame.subarray(8))).toBe('node\npartition-generation\nbuild\n')
  })

  it('parses request bodies, one chunk or byte by byte', () => {
    const frame = encodeInfoRequest(['node', 'truncate:namespace=test;set=demo'])
    for (const size of [frame.length, 1]) {
      const reader = new ProtoFrameReader()
      const frames = []
      for (let at = 0; at < frame.length; at += size)
        frames.push(...reader.push(frame.subarray(at, at + size)))
      expect(frames).toHaveLength(1)
      expect(frames[0]!.type).toBe(AS_INFO_MESSAGE_TYPE)
      expect(parseInfoRequest(frames[0]!.body)).toEqual([
        'node',
        'truncate:namespace=test;set=demo',
      ])
    }
  })

  it('refuses empty commands and commands with tabs or newlines', () => {
    expect(() => encodeInfoRequest([''])).toThrow(WireError)
    expect(() => encodeInfoRequest(['a\nb'])).toThrow(WireError)
    expect(() => encodeInfoRequest(['a\tb'])).toThrow(WireError)
  })

  it('refuses bodies that are not UTF-8', () => {
    expect(() => parseInfoRequest(Uint8Array.of(0x6e, 0xff, 0x0a))).toThrow(WireError)
  })
})

describe('info responses', () => {
  it('encodes the reference seed reply', () => {
    const frame = encodeInfoResponse([
      ['node', 'BB9000000000001'],
      ['partition-generation', '1'],
      ['build', '8.0.0.0'],
    ])
    expect(frame[1]).toBe(AS_INFO_MESSAGE_TYPE)
    expect(text(frame.subarray(8))).toBe(
      'node\tBB9000000000001\npartition-generation\t1\nbuild\t8.0.0.0\n',
    )
    expect(parseInfoResponse(frame.subarray(8))).toEqual([
      { name: 'node', value: 'BB9000000000001' },
      { name: 'partition-generation', value: '1' },
      { name: 'build', value: '8.0.0.0' },
    ])
  })

  it('accepts entry objects and keeps empty values and tabs inside values', () => {
    const frame = encodeInfoResponse([
      { name: 'service-clear-std', value: '' },
      { name: 'x', value: 'a\tb' },
    ])
    const map = parseInfoResponseMap(frame.subarray(8))
    expect(map.get('service-clear-std')).toBe('')
    expect(map.get('x')).toBe('a\tb')
  })

  it('reads a name line without a tab as an empty value', () => {
    expect(parseInfoResponse(new TextEncoder().encode('node\nbuild\t8\n'))).toEqual([
      { name: 'node', value: '' },
      { name: 'build', value: '8' },
    ])
  })

  it('refuses names or values that would break the framing', () => {
    expect(() => encodeInfoResponse([['a\tb', 'v']])).toThrow(WireError)
    expect(() => encodeInfoResponse([['a', 'v\n']])).toThrow(WireError)
  })
})

describe('info errors', () => {
  it('detects ERROR:, FAIL: and error= values and their codes', () => {
    expect(parseInfoError('ERROR:4:unrecognized command')).toEqual({
      code: 4,
      message: 'unrecognized command',
    })
    expect(parseInfoError(formatInfoError(22, 'forbidden: x'))).toEqual({
      code: 22,
      message: 'forbidden: x',
    })
    expect(parseInfoError('FAIL:11')).toEqual({ code: 11, message: '' })
    expect(parseInfoError('ERROR::no code')).toEqual({ code: 1, message: ':no code' })
    expect(parseInfoError('error=bad')).toEqual({ code: 1, message: 'bad' })
    expect(parseInfoError('ok')).toBeNull()
    expect(parseInfoError('8.0.0.0')).toBeNull()
  })

  it('splits commands into a name and parameters', () => {
    const cmd = parseInfoCommand('truncate:namespace=test;set=demo;lut=123')
    expect(cmd.name).toBe('truncate')
    expect(Object.fromEntries(cmd.params)).toEqual({ namespace: 'test', set: 'demo', lut: '123' })
    expect(parseInfoCommand('node')).toEqual({ name: 'node', params: new Map() })
    expect(Object.fromEntries(parseInfoCommand('sindex-list:').params)).toEqual({})
  })
})
