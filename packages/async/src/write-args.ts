/**
 * Validation shared by every write path (batchWriteNumpy, writeNumpy, the worker pool): checked
 * before anything is sent, with errors naming the argument, field or row.
 */
import {
  DEFAULT_KEY_FIELD,
  POLICY_GEN_IGNORE,
  ParamError,
  checkRowValues,
  compileWritePlan,
  describe,
  resolveRetry,
  resolveWritePolicy,
  type ResolvedWritePolicy,
  type RetryOptions,
  type RetryPolicy,
  type WritePlan,
  type WritePolicy,
} from '@aerospike-numpy/core'
import { validateNamespace, validateSetName } from '@aerospike-numpy/core'
import { Dtype, StructuredArray } from '@aerospike-numpy/dtype'

export interface BatchWriteOptions {
  /** The field holding the record key. Default `'_key'`. */
  keyField?: string
  /**
   * A field (starting with `_`, at least one byte per 8 bins) holding each row's bitmap of its
   * bins, Arrow-style: bit b (byte b >> 3, least significant bit first) set when the b-th bin
   * (bins in dtype order) is written. A clear bit leaves that bin out of that row's record, e.g.
   * for a null value. Default: every row writes every bin.
   */
  validityField?: string
  policy?: WritePolicy
  /** Re-send rows that failed with a transient code this many times (or a retry object). */
  retry?: number | RetryOptions
}

export interface PreparedWrite {
  plan: WritePlan
  policy: ResolvedWritePolicy
  retry: RetryPolicy
  namespace: string
  set: string
}

const planCache = new WeakMap<Dtype, Map<string, WritePlan>>()

/** The plan for (dtype, keyField, validityField), compiled once and cached. */
export function planFor(
  dtype: Dtype,
  keyField: string,
  validityField: string | null = null,
): WritePlan {
  let byKey = planCache.get(dtype)
  if (byKey === undefined) {
    byKey = new Map()
    planCache.set(dtype, byKey)
  }
  const cacheKey = validityField === null ? keyField : `${keyField}\0${validityField}`
  let plan = byKey.get(cacheKey)
  if (plan === undefined) {
    plan = compileWritePlan(dtype, keyField, validityField)
    byKey.set(cacheKey, plan)
  }
  return plan
}

export function checkOptionKeys(
  options: unknown,
  known: readonly string[],
  where: string,
): Record<string, unknown> {
  if (options === undefined || options === null) return {}
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new ParamError(`${where} must be an object, got ${describe(options)}`)
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new ParamError(`unknown ${where} key '${key}' (known: ${known.join(', ')})`)
    }
  }
  return options as Record<string, unknown>
}

export function checkDtype(dtype: unknown): Dtype {
  if (!(dtype instanceof Dtype)) {
    throw new ParamError(`dtype must be a Dtype (from dtype([...])), got ${describe(dtype)}`)
  }
  return dtype
}

/** `data` is a 1-D StructuredArray whose dtype equals `dtype` (numpy equality). */
export function checkData(data: unknown, dtype: Dtype): StructuredArray {
  if (!(data instanceof StructuredArray)) {
    throw new ParamError(`data must be a StructuredArray, got ${describe(data)}`)
  }
  if (!data.dtype.equals(dtype)) {
    throw new ParamError(
      `data's dtype ${String(data.dtype)} does not equal the dtype argument ${String(dtype)}; they must be the same (no silent reinterpretation)`,
    )
  }
  return data
}

/** Everything about a write except the rows: namespace, set, plan, policy, retry. */
export function prepareWrite(
  namespace: unknown,
  set: unknown,
  dtype: Dtype,
  options: Readonly<Record<string, unknown>>,
): PreparedWrite {
  const ns = validateNamespace(namespace)
  const setName = validateSetName(set)
  const keyField = options.keyField ?? DEFAULT_KEY_FIELD
  if (typeof keyField !== 'string' || keyField === '') {
    throw new ParamError(`keyField must be a non-empty field name, got ${describe(keyField)}`)
  }
  const validityField = options.validityField ?? null
  if (validityField !== null && typeof validityField !== 'string') {
    throw new ParamError(`validityField must be a field name, got ${describe(validityField)}`)
  }
  const plan = planFor(dtype, keyField, validityField)
  const policy = resolveWritePolicy(options.policy)
  refuseGenerationCheck(policy)
  const retry = resolveRetry(options.retry as number | RetryOptions | undefined)
  return { plan, policy, retry, namespace: ns, set: setName }
}

/**
 * Neither engine takes `policy.gen`: the official client's batch write sends every record's
 * expected generation as 0 (its batch records carry no generation value), so a generation check
 * cannot be expressed through it, and both engines refuse it alike rather than differ.
 */
export function refuseGenerationCheck(policy: ResolvedWritePolicy): void {
  if (policy.gen !== POLICY_GEN_IGNORE) {
    throw new ParamError(
      "policy.gen: batch writes cannot check an expected generation (the official client's batch write has no per-record generation value); leave policy.gen unset",
    )
  }
}

/** Per-row checks (u8 beyond int64, invalid UTF-8 string keys) over a whole array, before sending. */
export function checkRows(plan: WritePlan, data: StructuredArray, rowBase = 0): void {
  checkRowValues(plan, data, rowBase)
}
