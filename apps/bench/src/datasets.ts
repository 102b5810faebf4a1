// The two datasets of the bench: the guide's sensor readings and 128-dimension embeddings.
// Values come from a seeded generator, so every run writes the same bytes.

import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
import type { Dtype } from '@aerospike-numpy/dtype'
import type { DatasetName } from './args.js'

export const EMBEDDING_DIM = 128

export const SENSOR_SPEC: [string, string][] = [
  ['_key', 'i4'],
  ['temperature', 'f8'],
  ['humidity', 'f4'],
  ['pressure', 'f4'],
  ['status', 'u1'],
]

export interface Dataset {
  name: DatasetName
  dtype: Dtype
  /** The bins, for reading rows back (`_key` is not a bin). */
  readDtype: Dtype
  set: string
  data: StructuredArray
  /** The bin that carries the run's stamp, so read-back proves this run wrote the row. */
  stampField: 'status' | 'label'
  /**
   * Writes the run's stamp into every row. Rows are rewritten by every run (same keys, same set),
   * so without it a row that failed silently would still read back "right".
   */
  stamp(runIndex: number): number
}

/** mulberry32: small, fast, and the same sequence on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function normal(random: () => number, mean: number, sd: number): number {
  // Box–Muller; 1 - u keeps log() away from 0.
  const u = 1 - random()
  const v = random()
  return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
}

export function sensorDataset(rows: number, set = 'bench_sensor', seed = 1): Dataset {
  const dt = dtype(SENSOR_SPEC)
  const random = seededRandom(seed)
  const key = new Int32Array(rows)
  const temperature = new Float64Array(rows)
  const humidity = new Float32Array(rows)
  const pressure = new Float32Array(rows)
  for (let i = 0; i < rows; i++) {
    key[i] = i
    temperature[i] = normal(random, 25, 5)
    humidity[i] = 30 + 60 * random()
    pressure[i] = normal(random, 1013.25, 10)
  }
  const data = StructuredArray.fromColumns(dt, {
    _key: key,
    temperature,
    humidity,
    pressure,
    status: new Uint8Array(rows).fill(1),
  })
  const status = new Uint8Array(rows)
  return {
    name: 'sensor',
    dtype: dt,
    readDtype: dtype(SENSOR_SPEC.filter(([name]) => name !== '_key')),
    set,
    data,
    stampField: 'status',
    stamp(runIndex) {
      const value = (runIndex % 255) + 1
      data.set('status', status.fill(value))
      return value
    },
  }
}

export function embeddingsDataset(rows: number, set = 'bench_embeddings', seed = 2): Dataset {
  const dt = dtype([
    ['_key', 'i4'],
    ['emb', 'f4', [EMBEDDING_DIM]],
    ['label', 'i4'],
  ])
  const random = seededRandom(seed)
  const key = new Int32Array(rows)
  const emb = new Float32Array(rows * EMBEDDING_DIM)
  const label = new Int32Array(rows)
  for (let i = 0; i < rows; i++) key[i] = i
  for (let i = 0; i < emb.length; i++) emb[i] = normal(random, 0, 1)
  const data = StructuredArray.fromColumns(dt, { _key: key, emb, label })
  return {
    name: 'embeddings',
    dtype: dt,
    readDtype: dtype([
      ['emb', 'f4', [EMBEDDING_DIM]],
      ['label', 'i4'],
    ]),
    set,
    data,
    stampField: 'label',
    stamp(runIndex) {
      const value = runIndex + 1
      data.set('label', label.fill(value))
      return value
    },
  }
}

/** The dataset `name` with `rows` rows, written to the set `<setPrefix>_<name>`. */
export function makeDataset(name: DatasetName, rows: number, setPrefix = 'bench'): Dataset {
  return name === 'sensor'
    ? sensorDataset(rows, `${setPrefix}_sensor`)
    : embeddingsDataset(rows, `${setPrefix}_embeddings`)
}
