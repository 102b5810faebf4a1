import { describe, expect, it } from 'vitest'
import { ParamError } from './errors.js'
import {
  POLICY_COMMIT_LEVEL_MASTER,
  POLICY_EXISTS_CREATE,
  POLICY_GEN_EQ,
  POLICY_KEY_SEND,
} from '@aerospike-numpy/wire'
import { TTL_NEVER_EXPIRE, resolveReadPolicy, resolveWritePolicy } from './policy.js'

describe('write policy', () => {
  it('fills every field with the official client defaults', () => {
    expect(resolveWritePolicy(undefined)).toMatchObject({
      totalTimeout: 1000,
      socketTimeout: 30000,
      maxRetries: 2,
      ttl: 0,
      sendKey: false,
      exists: 0,
      gen: 0,
      generation: 0,
      commitLevel: 0,
      durableDelete: false,
      compress: false,
      resendInDoubt: true,
    })
  })

  it('takes batch and batch-write fields in one object', () => {
    const p = resolveWritePolicy({
      totalTimeout: 5000,
      socketTimeout: 100,
      maxRetries: 0,
      ttl: TTL_NEVER_EXPIRE,
      key: POLICY_KEY_SEND,
      exists: POLICY_EXISTS_CREATE,
      gen: POLICY_GEN_EQ,
      generation: 3,
      commitLevel: POLICY_COMMIT_LEVEL_MASTER,
      durableDelete: true,
      compress: true,
      resendInDoubt: false,
    })
    expect(p).toMatchObject({
      totalTimeout: 5000,
      socketTimeout: 100,
      maxRetries: 0,
      ttl: -1,
      sendKey: true,
      exists: 1,
      gen: 1,
      generation: 3,
      commitLevel: 1,
      durableDelete: true,
      compress: true,
      resendInDoubt: false,
    })
  })

  it.each([
    [{ timeout: 5 }, /unknown policy key 'timeout'/],
    [{ totalTimeout: -1 }, /policy.totalTimeout must be a non-negative integer, got -1/],
    [{ totalTimeout: '5' }, /got "5"/],
    [{ key: 2 }, /policy.key must be one of 0 \(DIGEST\), 1 \(SEND\), got 2/],
    [{ exists: 9 }, /policy.exists/],
    [{ ttl: 1.5 }, /policy.ttl/],
    [{ ttl: -4 }, /policy.ttl/],
    [{ durableDelete: 1 }, /policy.durableDelete must be a boolean/],
    [{ resendInDoubt: 'no' }, /policy.resendInDoubt must be a boolean/],
    [{ gen: POLICY_GEN_EQ }, /policy.generation, which is missing/],
    [{ generation: 70000 }, /at most 65535/],
    ['fast', /policy must be an object/],
    [[1], /policy must be an object/],
  ])('rejects %j', (input, message) => {
    expect(() => resolveWritePolicy(input)).toThrow(ParamError)
    expect(() => resolveWritePolicy(input)).toThrow(message)
  })
})

describe('read policy', () => {
  it('accepts the guide key: SEND and batch fields, rejects write-only fields', () => {
    expect(resolveReadPolicy({ key: POLICY_KEY_SEND, totalTimeout: 10 })).toMatchObject({
      sendKey: true,
      totalTimeout: 10,
    })
    expect(() => resolveReadPolicy({ ttl: 5 })).toThrow(/unknown policy key 'ttl'/)
  })
})
