// Values a hostile or careless user can pass where the API expects something else, and a probe
// that tells whether a call answered with the package's own error. Used by the packages'
// `hostile.test.ts` files: every public entry point, every argument, every value below.

/** What a hostile value's own code throws (a getter, a Proxy trap): the only foreign error allowed, as a cause. */
export class HostileTouch extends Error {
  override readonly name = 'HostileTouch'
}

export interface Hostile {
  readonly label: string
  /** A fresh value for each call (some are consumed or mutated). */
  readonly make: () => unknown
  /** Runs user code when touched (getter, Proxy trap): a refusal may carry its error as `cause`. */
  readonly active: boolean
  /** Carries a key the callee does not know: accepting it silently is a failure too. */
  readonly mustRefuse?: boolean
}

function trapAll(): ProxyHandler<object> {
  const fail = (): never => {
    throw new HostileTouch('a Proxy trap was touched')
  }
  return {
    get: fail,
    has: fail,
    ownKeys: fail,
    getOwnPropertyDescriptor: fail,
    getPrototypeOf: fail,
    set: fail,
    defineProperty: fail,
    deleteProperty: fail,
    apply: fail,
    construct: fail,
  }
}

function revoked(): object {
  const { proxy, revoke } = Proxy.revocable({}, {})
  revoke()
  return proxy
}

function throwingGetter(key: string): object {
  return Object.defineProperty({}, key, {
    enumerable: true,
    get() {
      throw new HostileTouch(`getter ${key} was read`)
    },
  })
}

function sparse(): unknown[] {
  const a: unknown[] = []
  a.length = 2
  a[1] = 'i4'
  return a
}

/** Plain values of every type, edge numbers, and objects that fight back. */
export function hostileValues(): readonly Hostile[] {
  const plain = (label: string, make: () => unknown): Hostile => ({ label, make, active: false })
  const active = (label: string, make: () => unknown): Hostile => ({ label, make, active: true })
  return [
    plain('undefined', () => undefined),
    plain('null', () => null),
    plain('true', () => true),
    plain('0', () => 0),
    plain('-0', () => -0),
    plain('-1', () => -1),
    plain('1.5', () => 1.5),
    plain('NaN', () => NaN),
    plain('Infinity', () => Infinity),
    plain('-Infinity', () => -Infinity),
    plain('2**53+2', () => 2 ** 53 + 2),
    plain('1e308', () => 1e308),
    plain('2**32', () => 2 ** 32),
    plain('1n', () => 1n),
    plain('-(2n**64n)', () => -(2n ** 64n)),
    plain("''", () => ''),
    plain("'x'", () => 'x'),
    plain("'\\ud800'", () => '\ud800'),
    plain('Symbol()', () => Symbol('hostile')),
    plain('a function', () => () => 1),
    plain('[]', () => []),
    plain('[null]', () => [null]),
    plain('[undefined]', () => [undefined]),
    plain('a sparse array', sparse),
    plain('{}', () => ({})),
    plain('Object.create(null)', () => Object.create(null) as unknown),
    plain("JSON '__proto__' key", () => JSON.parse('{"__proto__": {"polluted": 1}}') as unknown),
    plain("'constructor' key", () => ({ constructor: 1 })),
    plain("'toString' key", () => ({ toString: 1, valueOf: 1 })),
    plain("'hasOwnProperty' key", () => ({ hasOwnProperty: 'x' })),
    plain('{ length: 2**32 }', () => ({ length: 2 ** 32 })),
    plain('{ length: -1 }', () => ({ length: -1 })),
    plain('new Date()', () => new Date(0)),
    plain('new Map()', () => new Map()),
    plain('new ArrayBuffer(0)', () => new ArrayBuffer(0)),
    plain('new ArrayBuffer(8)', () => new ArrayBuffer(8)),
    plain('new Uint8Array(3)', () => new Uint8Array(3)),
    plain('new Float64Array(2)', () => new Float64Array(2)),
    plain('Promise.resolve()', () => Promise.resolve()),
    active('a Proxy that throws', () => new Proxy({}, trapAll())),
    active('an array Proxy that throws', () => new Proxy([], trapAll())),
    active('a revoked Proxy', revoked),
    active('a throwing getter', () => throwingGetter('x')),
  ]
}

/**
 * Objects built from a valid `base` that fight back: an own `__proto__` key (as `JSON.parse`
 * makes), `constructor`/`toString` keys, a getter that throws on each key, a Proxy of `base`
 * that throws.
 */
export function hostileOptionObjects(base: Readonly<Record<string, unknown>>): readonly Hostile[] {
  const out: Hostile[] = [
    {
      label: "own '__proto__' key",
      make: () => ({ ...base, ...(JSON.parse('{"__proto__": {"x": 1}}') as object) }),
      active: false,
      mustRefuse: true,
    },
    {
      label: "'constructor' key",
      make: () => ({ ...base, constructor: 1 }),
      active: false,
      mustRefuse: true,
    },
    {
      label: "'toString' key",
      make: () => ({ ...base, toString: 1 }),
      active: false,
      mustRefuse: true,
    },
    {
      label: "'hasOwnProperty' key",
      make: () => ({ ...base, hasOwnProperty: 1 }),
      active: false,
      mustRefuse: true,
    },
    { label: 'a Proxy that throws', make: () => new Proxy({ ...base }, trapAll()), active: true },
  ]
  for (const key of Object.keys(base)) {
    out.push({
      label: `a getter of '${key}' that throws`,
      make: () => withGetter(base, key),
      active: true,
    })
  }
  return out
}

function withGetter(base: Readonly<Record<string, unknown>>, key: string): object {
  const o: Record<string, unknown> = { ...base }
  delete o[key]
  return Object.defineProperty(o, key, {
    enumerable: true,
    get() {
      throw new HostileTouch(`getter ${key} was read`)
    },
  })
}

/** How a call ended. `foreign`: it threw (or rejected with) something other than the expected class. */
export type ProbeResult =
  | { readonly kind: 'ok' }
  | { readonly kind: 'refused'; readonly error: Error }
  | { readonly kind: 'foreign'; readonly error: unknown }

function judge(error: unknown, expected: abstract new (...args: never[]) => Error): ProbeResult {
  return error instanceof expected ? { kind: 'refused', error } : { kind: 'foreign', error }
}

/** Run `call` (sync or async) and say whether it succeeded, refused with `expected`, or threw something else. */
export async function probe(
  call: () => unknown,
  expected: abstract new (...args: never[]) => Error,
): Promise<ProbeResult> {
  let value: unknown
  try {
    value = call()
  } catch (error) {
    return judge(error, expected)
  }
  if (value instanceof Promise) {
    try {
      await value
    } catch (error) {
      return judge(error, expected)
    }
  } else if (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AsyncIterator<unknown>).next === 'function' &&
    Symbol.asyncIterator in value
  ) {
    // An async generator checks its arguments on the first next().
    try {
      await (value as AsyncGenerator<unknown>).next()
      await (value as AsyncGenerator<unknown>).return?.(undefined)
    } catch (error) {
      return judge(error, expected)
    }
  }
  return { kind: 'ok' }
}

/**
 * A refusal is clean when its `cause` chain holds no foreign error other than the hostile
 * value's own `HostileTouch` (so a wrapped TypeError from our own code is still a failure).
 */
export function cleanRefusal(result: ProbeResult, hostile: Pick<Hostile, 'active'>): boolean {
  if (result.kind === 'ok') return true
  if (result.kind === 'foreign') return false
  let cause: unknown = result.error.cause
  while (cause !== undefined && cause !== null) {
    if (cause instanceof HostileTouch) return hostile.active
    if (!(cause instanceof Error)) return true
    // A TypeError inside a refusal of a plain value is our own code failing, wrapped; a
    // RangeError (an allocation the machine refused) is a legitimate cause.
    if (cause instanceof TypeError) return hostile.active
    cause = (cause as Error).cause
  }
  return true
}

/**
 * What is wrong with how a call answered a hostile value, or null when nothing is: a foreign
 * error, a wrapped TypeError of our own, or a key that had to be refused and was accepted.
 */
export function hostileFailure(
  where: string,
  hostile: Hostile,
  result: ProbeResult,
): string | null {
  if (hostile.mustRefuse === true && result.kind === 'ok') {
    return `${where} ← ${hostile.label}: accepted an unknown key`
  }
  return cleanRefusal(result, hostile) ? null : describeFailure(where, hostile.label, result)
}

/** A line for a failure report: which call, which value, what came out. */
export function describeFailure(where: string, label: string, result: ProbeResult): string {
  if (result.kind === 'ok') return `${where} ← ${label}: ok`
  const e = result.error as { name?: unknown; message?: unknown } | null
  const shown =
    typeof e === 'object' && e !== null ? `${String(e.name)}: ${String(e.message)}` : String(e)
  return `${where} ← ${label}: ${result.kind} ${shown.slice(0, 160)}`
}

/** One entry point under test: valid arguments and how to call it. */
export interface HostileEntry {
  readonly name: string
  /** Valid arguments; each position is replaced by each hostile value in turn. */
  readonly args: () => unknown[]
  readonly call: (...args: unknown[]) => unknown
  /** Option-object positions: also tried with hostile objects built from this valid base. */
  readonly options?: Readonly<Record<number, Readonly<Record<string, unknown>>>>
  /** Positions whose objects may carry any key (they pass through to another library). */
  readonly openKeys?: readonly number[]
}

/**
 * Every argument of `entry` replaced by every hostile value (and every option object by every
 * hostile object): what went wrong, one line each (empty when the call always succeeded or
 * refused cleanly with `expected`). `check` adds the package's own test of a refusal.
 */
export async function hostileFailures(
  entry: HostileEntry,
  expected: abstract new (...args: never[]) => Error,
  check?: (error: Error) => string | null,
): Promise<string[]> {
  const failures: string[] = []
  const tryOne = async (pos: number, hostile: Hostile): Promise<void> => {
    const args = entry.args()
    args[pos] = hostile.make()
    const result = await probe(() => entry.call(...args), expected)
    const where = `${entry.name} arg ${pos}`
    const open = entry.openKeys?.includes(pos) === true
    const failure = hostileFailure(
      where,
      open ? { ...hostile, mustRefuse: false } : hostile,
      result,
    )
    const own = failure === null && result.kind === 'refused' ? check?.(result.error) : null
    if (failure !== null) failures.push(failure)
    else if (own !== null && own !== undefined) failures.push(`${where} ← ${hostile.label}: ${own}`)
  }
  const count = entry.args().length
  for (let pos = 0; pos < count; pos++) {
    for (const hostile of hostileValues()) await tryOne(pos, hostile)
    const optionBase = entry.options?.[pos]
    if (optionBase !== undefined) {
      for (const hostile of hostileOptionObjects(optionBase)) await tryOne(pos, hostile)
    }
  }
  return failures
}
