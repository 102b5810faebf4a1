// Differential tests: numpy (python3) is the oracle for layouts, descr, str and equality.

import { beforeAll, describe, expect, it } from 'vitest'

import { descrRepr, dtype } from './dtype.js'
import { DtypeError } from './errors.js'
import { halfBitsToDouble, doubleToHalfBits } from './half.js'
import { describeDtype, runOracle } from './test-support/oracle.js'
import type { OracleJob, OracleResult } from './test-support/oracle.js'
import { DtypeGenerator, rng, toPython, toSpec } from './test-support/random-dtype.js'
import type { Gen } from './test-support/random-dtype.js'
import type { DescrEntry, DtypeSpec, Dtype } from './dtype.js'

interface Case {
  label: string
  spec: DtypeSpec
  python: string
  align: boolean
}

const s = (text: string): Gen => ({ t: 'str', s: text })

/** Strings numpy and this package both take as they are. */
const STRING_CORPUS = [
  'i4',
  '<i4',
  '>i4',
  '=i4',
  '|i4',
  'i1',
  '>i1',
  'u1',
  '<u2',
  '>u2',
  'u4',
  '>u8',
  'i8',
  'f2',
  '>f2',
  'f4',
  '>f8',
  'c8',
  '>c16',
  '?',
  'b1',
  'S1',
  '|S16',
  '>S3',
  'a4',
  'V1',
  'V512',
  'U1',
  'U8',
  '>U8',
  '<U3',
  'O',
  'M8',
  'M8[ns]',
  '>M8[us]',
  'M8[10ms]',
  'M8[D]',
  'm8[ps]',
  '>m8[3s]',
  'b',
  'B',
  'h',
  'H',
  'i',
  'I',
  'l',
  'L',
  'q',
  'Q',
  'e',
  'f',
  'd',
  'F',
  'D',
  'int8',
  'uint16',
  'int32',
  'int64',
  'float16',
  'float32',
  'float64',
  'complex64',
  'complex128',
  'bool',
  'datetime64[ns]',
  'timedelta64[us]',
  'i4,f8',
  'i4,',
  '3i4',
  '(2,3)i4',
  '(2,)i4, >f8',
  'i4, (2,)f8 ,S3',
  '2i4',
  '<2i4',
  '2<i4',
  '>(2,2)u2,<(3,)f4,S5',
  'f8,f8,f8',
  'M8[ns],i4',
  '(1,)f4',
  '10V2',
]

const FORM_CORPUS: [string, Gen, boolean][] = [
  [
    'guide dtype',
    {
      t: 'list',
      fields: [
        { name: '_key', format: s('i4') },
        { name: 'score', format: s('f8') },
        { name: 'count', format: s('i4') },
      ],
    },
    false,
  ],
  [
    'embedding',
    {
      t: 'list',
      fields: [
        { name: '_key', format: s('<i8') },
        { name: 'emb', format: s('<f4'), shape: [128] },
      ],
    },
    false,
  ],
  [
    'aligned mixed',
    {
      t: 'list',
      fields: [
        { name: 'a', format: s('i1') },
        { name: 'b', format: s('i4') },
        { name: 'c', format: s('i2') },
        { name: 'd', format: s('f8') },
      ],
    },
    true,
  ],
  ['sub-array nested shape', { t: 'sub', base: s('>f4'), shape: [2, 3, 4] }, false],
  ['sub-array int shape', { t: 'sub', base: s('i2'), shape: 5 }, false],
  [
    'sub-array of sub-array',
    { t: 'sub', base: { t: 'sub', base: s('f4'), shape: [2] }, shape: [3] },
    false,
  ],
  [
    'sub-array of struct',
    {
      t: 'list',
      fields: [
        {
          name: 'p',
          format: {
            t: 'sub',
            base: {
              t: 'list',
              fields: [
                { name: 'x', format: s('u1') },
                { name: 'y', format: s('>f8') },
              ],
            },
            shape: [2],
          },
        },
      ],
    },
    true,
  ],
  [
    'nested structs',
    {
      t: 'list',
      fields: [
        { name: 'a', format: s('u1') },
        {
          name: 'in',
          format: {
            t: 'list',
            fields: [
              { name: 'x', format: s('u1') },
              { name: 'deep', format: { t: 'list', fields: [{ name: 'q', format: s('c16') }] } },
            ],
          },
        },
      ],
    },
    true,
  ],
  [
    'dict with offsets and itemsize',
    { t: 'dict', names: ['a', 'b'], formats: [s('i1'), s('i4')], offsets: [0, 8], itemsize: 16 },
    false,
  ],
  [
    'dict out of order',
    { t: 'dict', names: ['a', 'b'], formats: [s('i4'), s('i4')], offsets: [4, 0] },
    false,
  ],
  [
    'dict aligned',
    { t: 'dict', names: ['a', 'b', 'c'], formats: [s('u1'), s('>i8'), s('f2')] },
    true,
  ],
  [
    'dict aligned itemsize',
    { t: 'dict', names: ['a', 'b'], formats: [s('i1'), s('i4')], itemsize: 12 },
    true,
  ],
  [
    'dict aligned bad itemsize',
    { t: 'dict', names: ['a', 'b'], formats: [s('i1'), s('i4')], itemsize: 10 },
    true,
  ],
  [
    'dict aligned bad offset',
    { t: 'dict', names: ['a', 'b'], formats: [s('i1'), s('i4')], offsets: [0, 2] },
    true,
  ],
  [
    'dict itemsize too small',
    { t: 'dict', names: ['a', 'b'], formats: [s('i1'), s('i4')], offsets: [0, 2], itemsize: 3 },
    false,
  ],
  [
    'empty names in a list',
    {
      t: 'list',
      fields: [
        { name: 'a', format: s('i1') },
        { name: '', format: s('i4') },
      ],
    },
    false,
  ],
  [
    'duplicate names',
    {
      t: 'list',
      fields: [
        { name: 'a', format: s('i1') },
        { name: 'a', format: s('i4') },
      ],
    },
    false,
  ],
  [
    'odd names',
    {
      t: 'list',
      fields: [
        { name: "it's", format: s('i1') },
        { name: 'é"\'\n', format: s('i4') },
        { name: 'ключ', format: s('U2') },
        { name: '\u0001\u007f\u00a0\u2028', format: s('?') },
      ],
    },
    false,
  ],
  [
    'all kinds aligned',
    {
      t: 'list',
      fields: ['>M8[us]', '<U3', 'S2', '?', '>c8', '>f2', 'V3', 'O', 'u8'].map((f, i) => ({
        name: `k${i}`,
        format: s(f),
      })),
    },
    true,
  ],
  ['comma string aligned', s('i1,i4,f8'), true],
  [
    'flexible (type, size) tuples',
    {
      t: 'list',
      fields: [
        { name: 's', format: { t: 'sub', base: s('S'), shape: 10 } },
        { name: 'u', format: { t: 'sub', base: s('>U'), shape: 3 } },
        { name: 'v', format: { t: 'sub', base: s('V'), shape: 2 } },
      ],
    },
    false,
  ],
  ['flexible tuple with a shape', { t: 'sub', base: s('S'), shape: [2] }, false],
]

const DESCR_CORPUS = [
  "[('_key', '<i4'), ('emb', '<f4', (128,))]",
  "[('a', '<i4'), ('', '|V4'), ('b', '<f8')]",
  "[('a', '|i1'), ('', '|V3'), ('b', '<i4'), ('c', [('x', '|i1'), ('', '|V7'), ('y', '<f8')])]",
  "[('a', '>i4', (2, 3)), ('b', [('c', '|u1')], (2,))]",
  "[('x', '<f8'), ('', '|V8')]",
  "[('', '<f4', (3,)), ('k', '<i8')]",
  "[('t', '>M8[us]'), ('u', '<U3'), ('s', '|S2'), ('b', '|b1'), ('c', '>c8'), ('h', '>f2')]",
  "[('n', ('<f4', (2,)), (3,))]",
  "[(\"it's\", '<i2'), ('\\xe9', '<u2')]",
]

function compare(
  label: string,
  ours: () => Dtype,
  theirs: OracleResult,
  problems: string[],
): Dtype | null {
  let dt: Dtype
  try {
    dt = ours()
  } catch (err) {
    if (!(err instanceof DtypeError))
      problems.push(`${label}: threw a non-DtypeError ${String(err)}`)
    else if (theirs.ok) problems.push(`${label}: we refused (${err.message}), numpy accepts`)
    return null
  }
  if (!theirs.ok) {
    problems.push(`${label}: numpy refuses (${theirs.error}), we accept ${dt.toString()}`)
    return dt
  }
  const mine = describeDtype(dt)
  for (const key of [
    'itemsize',
    'alignment',
    'str',
    'text',
    'kind',
    'isalignedstruct',
    'descr',
    'descr_error',
  ] as const) {
    const a = key === 'descr_error' ? mine[key] !== undefined : mine[key]
    const b = key === 'descr_error' ? theirs[key] !== undefined : theirs[key]
    if (a !== b)
      problems.push(`${label}: ${key} is ${JSON.stringify(a)}, numpy says ${JSON.stringify(b)}`)
  }
  if (JSON.stringify(mine.layout) !== JSON.stringify(theirs.layout)) {
    problems.push(
      `${label}: layout ${JSON.stringify(mine.layout)}, numpy ${JSON.stringify(theirs.layout)}`,
    )
  }
  return dt
}

function randomCases(count: number, seed: number): Case[] {
  const gen = new DtypeGenerator(seed)
  const cases: Case[] = []
  for (let i = 0; i < count; i++) {
    const align = i % 3 === 0
    const g = gen.top(align)
    cases.push({
      label: `random #${i} ${toPython(g)} align=${align}`,
      spec: toSpec(g),
      python: toPython(g),
      align,
    })
  }
  return cases
}

const f64view = new DataView(new ArrayBuffer(8))
const toHex = (x: number): string => {
  f64view.setFloat64(0, x)
  return f64view.getBigUint64(0).toString(16).padStart(16, '0')
}
const fromHex = (h: string): number => {
  f64view.setBigUint64(0, BigInt(`0x${h}`))
  return f64view.getFloat64(0)
}

/** Doubles to round to f2: specials, every (7th) half, the ties between neighbours, random values. */
function halfProbes(): number[] {
  const r = rng(16)
  const doubles: number[] = [
    0,
    -0,
    Infinity,
    -Infinity,
    65504,
    65519.99,
    65520,
    -65520,
    2 ** -24,
    2 ** -25,
    3 * 2 ** -26,
    2 ** -26,
    1e-9,
    6.1e-5,
    2 ** -14,
    1 + 2 ** -11,
    1 + 3 * 2 ** -11,
    2049,
    2051,
    1 / 3,
  ]
  for (let bits = 0; bits < 0x7c00; bits += 7) {
    const x = halfBitsToDouble(bits)
    const next = halfBitsToDouble(bits + 1)
    doubles.push(x, -x, (x + next) / 2, -(x + next) / 2)
  }
  for (let i = 0; i < 5000; i++) doubles.push((r() - 0.5) * 2 ** Math.floor(r() * 40 - 28))
  return doubles
}

function descrOrNull(d: Dtype): DescrEntry[] | null {
  try {
    return d.descr
  } catch {
    return null
  }
}

function tryDtype(spec: DtypeSpec, align: boolean): Dtype | null {
  try {
    return dtype(spec, { align })
  } catch {
    return null
  }
}

describe('dtype against numpy', () => {
  const cases: Case[] = [
    ...STRING_CORPUS.map((text) => ({
      label: JSON.stringify(text),
      spec: text,
      python: JSON.stringify(text),
      align: false,
    })),
    ...STRING_CORPUS.filter((t) => t.includes(',')).map((text) => ({
      label: `${JSON.stringify(text)} align`,
      spec: text,
      python: JSON.stringify(text),
      align: true,
    })),
    ...FORM_CORPUS.map(([label, g, align]) => ({
      label,
      spec: toSpec(g),
      python: toPython(g),
      align,
    })),
    ...randomCases(600, 20261125),
  ]
  const ours = cases.map((c) => tryDtype(c.spec, c.align))
  const flipped = cases.map((c) => tryDtype(c.spec, !c.align))
  // .npy descr text: a fixed corpus, plus the descr we produce for every structured dtype.
  const descrTexts: { label: string; text: string; from: number }[] = DESCR_CORPUS.map((text) => ({
    label: text,
    text,
    from: -1,
  }))
  ours.forEach((dt, i) => {
    if (!dt?.isStructured) return
    try {
      descrTexts.push({ label: `descr of ${cases[i]?.label}`, text: descrRepr(dt.descr), from: i })
    } catch {
      // out-of-order fields have no descr, in numpy too
    }
  })
  const fromDescr = descrTexts.map((d) => tryDtype(d.text, false))

  // All of it in one python3 run: specs, specs with align flipped, descr_to_dtype, then equality pairs.
  const jobs: OracleJob[] = [
    ...cases.map((c): OracleJob => ({ op: 'dtype', spec: c.python, align: c.align })),
    ...cases.map((c): OracleJob => ({ op: 'dtype', spec: c.python, align: !c.align })),
    ...descrTexts.map((d): OracleJob => ({ op: 'descr_dtype', descr: d.text })),
  ]
  const all: (Dtype | null)[] = [...ours, ...flipped, ...fromDescr]
  const n = cases.length
  const pairs: [number, number][] = []
  for (let i = 0; i + 1 < n; i++) pairs.push([i, i + 1])
  for (let i = 0; i < n; i++) pairs.push([i, n + i])
  descrTexts.forEach((d, k) => {
    if (d.from >= 0) pairs.push([d.from, 2 * n + k])
  })
  const pairsAt = jobs.length
  for (const [a, b] of pairs) jobs.push({ op: 'equal', a, b })
  const halfAt = jobs.length
  jobs.push({ op: 'half', doubles: halfProbes().map(toHex) })
  let results: OracleResult[] = []
  const halfResult = (): OracleResult | undefined => results[halfAt]

  beforeAll(() => {
    results = runOracle(jobs)
  })

  it('agrees on itemsize, alignment, every field offset, descr and str for the corpus and 600 random dtypes', () => {
    const problems: string[] = []
    cases.forEach((c, i) =>
      compare(
        c.label,
        () => dtype(c.spec, { align: c.align }),
        results[i] as OracleResult,
        problems,
      ),
    )
    cases.forEach((c, i) =>
      compare(
        `${c.label} (align flipped)`,
        () => dtype(c.spec, { align: !c.align }),
        results[n + i] as OracleResult,
        problems,
      ),
    )
    expect(problems.slice(0, 10)).toEqual([])
    // The random set covers what it claims to: nesting, align, padding, sub-arrays, both byte orders.
    const random = ours.slice(n - 600).filter((d): d is Dtype => d !== null)
    const walk = (d: Dtype, f: (x: Dtype) => boolean): boolean =>
      f(d) || (d.fields ?? []).some((x) => walk(x.dtype, f)) || (d.isSubarray && walk(d.base, f))
    const coverage = {
      nested: random.filter((d) =>
        (d.fields ?? []).some((f) => walk(f.dtype, (x) => x.isStructured)),
      ).length,
      aligned: random.filter((d) => d.isAlignedStruct).length,
      padded: random.filter((d) => d.isStructured && descrOrNull(d)?.some((e) => e[0] === ''))
        .length,
      outOfOrder: random.filter((d) => d.isStructured && descrOrNull(d) === null).length,
      subarrays: random.filter((d) => walk(d, (x) => x.isSubarray)).length,
      bigEndian: random.filter((d) => walk(d, (x) => x.byteOrder === '>')).length,
      littleEndian: random.filter((d) => walk(d, (x) => x.byteOrder === '<')).length,
    }
    for (const [what, count] of Object.entries(coverage))
      expect([what, count > 40]).toEqual([what, true])
    // The generator must mostly produce dtypes numpy accepts, or this proves little.
    expect(results.slice(0, n).filter((r) => r.ok).length).toBeGreaterThan(n * 0.9)
  })

  it('reads .npy descr text as numpy.lib.format.descr_to_dtype does', () => {
    const problems: string[] = []
    descrTexts.forEach((d, k) =>
      compare(d.label, () => dtype(d.text), results[2 * n + k] as OracleResult, problems),
    )
    expect(problems.slice(0, 10)).toEqual([])
    expect(descrTexts.length).toBeGreaterThan(400)
  })

  it('toSpec() and JSON round-trip every dtype to an equal one', () => {
    const problems: string[] = []
    for (const dt of all) {
      if (!dt) continue
      const back = dtype(dt.toSpec())
      const viaJson = dtype(JSON.parse(JSON.stringify(dt)) as DtypeSpec)
      const cloned = dtype(structuredClone(dt.toSpec()))
      if (
        !back.equals(dt) ||
        !viaJson.equals(dt) ||
        !cloned.equals(dt) ||
        back.itemsize !== dt.itemsize
      ) {
        problems.push(`${dt.toString()} came back as ${back.toString()}`)
      }
    }
    expect(problems.slice(0, 10)).toEqual([])
  })

  it('equals() agrees with numpy ==', () => {
    const problems: string[] = []
    let equalPairs = 0
    let compared = 0
    pairs.forEach(([a, b], k) => {
      const r = results[pairsAt + k] as OracleResult
      const x = all[a]
      const y = all[b]
      if (!r.ok || !x || !y) return
      compared++
      if (r.equal) equalPairs++
      if (x.equals(y) !== r.equal || y.equals(x) !== r.equal) {
        problems.push(`equals(${x.toString()}, ${y.toString()}) should be ${r.equal}`)
      }
    })
    expect(problems.slice(0, 10)).toEqual([])
    expect(equalPairs).toBeGreaterThan(300)
    expect(compared - equalPairs).toBeGreaterThan(300)
  })

  describe('f2 (binary16) against numpy', () => {
    it('decodes all 65536 bit patterns and rounds doubles exactly as numpy casts them', () => {
      const doubles = halfProbes()
      const res = halfResult()
      const bits = res?.bits ?? []
      const decoded = res?.decoded ?? []
      const wrongEncode = doubles.filter((x, i) => doubleToHalfBits(x) !== bits[i]).slice(0, 5)
      expect(wrongEncode.map((x) => [x, doubleToHalfBits(x), bits[doubles.indexOf(x)]])).toEqual([])
      expect(decoded.length).toBe(65536)
      const wrongDecode: number[] = []
      for (let b = 0; b < 65536; b++) {
        const ours = halfBitsToDouble(b)
        const theirs = fromHex(decoded[b] as string)
        if (!(Object.is(ours, theirs) || (Number.isNaN(ours) && Number.isNaN(theirs))))
          wrongDecode.push(b)
      }
      expect(wrongDecode.slice(0, 5)).toEqual([])
      expect(doubleToHalfBits(NaN) & 0x7c00).toBe(0x7c00)
      expect(doubleToHalfBits(NaN) & 0x3ff).not.toBe(0)
    })
  })
})
