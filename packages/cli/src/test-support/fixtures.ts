/**
 * The same sensor readings as .npy, Arrow IPC (file and stream), Parquet and CSV, made by
 * writers independent of the readers under test: numpy's layout through dtype's writeNpy (checked
 * against numpy elsewhere), apache-arrow's writer, hyparquet-writer (the reader is parquet-wasm),
 * and plain text.
 */
import { writeFileSync } from 'node:fs'
import { StructuredArray, dtype, writeNpySync } from '@aerospike-numpy/dtype'
import {
  tableFromArrays,
  tableToIPC,
  vectorFromArray,
  Table,
  TimestampMillisecond,
  Dictionary,
  Utf8,
  Int32,
} from 'apache-arrow'
import { parquetWriteBuffer } from 'hyparquet-writer'

export interface Readings {
  n: number
  sensor_id: BigInt64Array
  ts: BigInt64Array
  temperature: Float64Array
  humidity: Float32Array
  status: Uint8Array
  site: string[]
}

const SITES = ['north', 'south', 'east', 'west', 'lab-7']
export const T0 = 1_767_225_600_000n // 2026-01-01T00:00:00Z in ms

/** n readings; keys start at keyBase. Values are exact in f4/f8 and distinct per row. */
export function readings(n: number, keyBase = 0): Readings {
  const r: Readings = {
    n,
    sensor_id: new BigInt64Array(n),
    ts: new BigInt64Array(n),
    temperature: new Float64Array(n),
    humidity: new Float32Array(n),
    status: new Uint8Array(n),
    site: [],
  }
  for (let i = 0; i < n; i++) {
    const k = keyBase + i
    r.sensor_id[i] = BigInt(k)
    r.ts[i] = T0 + BigInt(k) * 1000n
    r.temperature[i] = 15 + (k % 2000) / 100 + k / 1e7
    r.humidity[i] = Math.fround(20 + (k % 800) / 10)
    r.status[i] = k % 4
    r.site.push(SITES[k % SITES.length]!)
  }
  return r
}

export const NPY_DTYPE = dtype([
  ['sensor_id', '<i8'],
  ['ts', '<i8'],
  ['temperature', '<f8'],
  ['humidity', '<f4'],
  ['status', '|u1'],
  ['site', '|S5'],
])

export function writeNpyReadings(path: string, r: Readings): void {
  const a = StructuredArray.zeros(NPY_DTYPE, r.n)
  a.set('sensor_id', r.sensor_id)
  a.set('ts', r.ts)
  a.set('temperature', r.temperature)
  a.set('humidity', r.humidity)
  a.set('status', r.status)
  a.set(
    'site',
    r.site.map((s) => Buffer.from(s)),
  )
  writeNpySync(path, a)
}

export function arrowTable(r: Readings): Table {
  const base = tableFromArrays({
    sensor_id: r.sensor_id,
    temperature: r.temperature,
    humidity: r.humidity,
    status: r.status,
  })
  const ts = vectorFromArray(
    Array.from(r.ts, (t) => Number(t)),
    new TimestampMillisecond(),
  )
  const site = vectorFromArray(r.site, new Dictionary(new Utf8(), new Int32()))
  return new Table({
    sensor_id: base.getChild('sensor_id')!,
    ts,
    temperature: base.getChild('temperature')!,
    humidity: base.getChild('humidity')!,
    status: base.getChild('status')!,
    site,
  })
}

export function writeArrowReadings(path: string, r: Readings, format: 'file' | 'stream'): void {
  writeFileSync(path, tableToIPC(arrowTable(r), format))
}

export function parquetBytes(r: Readings, rowGroupSize = 4096): Uint8Array {
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: 'sensor_id', data: r.sensor_id, type: 'INT64', nullable: false },
      { name: 'ts', data: Array.from(r.ts), type: 'TIMESTAMP', nullable: false },
      { name: 'temperature', data: r.temperature, type: 'DOUBLE', nullable: false },
      { name: 'humidity', data: r.humidity, type: 'FLOAT', nullable: false },
      { name: 'status', data: Int32Array.from(r.status), type: 'INT32', nullable: false },
      { name: 'site', data: r.site, type: 'STRING', nullable: false },
    ],
    rowGroupSize,
  })
  return new Uint8Array(buffer)
}

export function writeParquetReadings(path: string, r: Readings, rowGroupSize?: number): void {
  writeFileSync(path, parquetBytes(r, rowGroupSize))
}

export function csvText(r: Readings): string {
  const lines = ['sensor_id,ts,temperature,humidity,status,site']
  for (let i = 0; i < r.n; i++) {
    // 17 significant digits: the f8 round-trips exactly; f4 values print as their double
    lines.push(
      `${r.sensor_id[i]},${r.ts[i]},${r.temperature[i]!.toPrecision(17)},${r.humidity[i]},${r.status[i]},${r.site[i]}`,
    )
  }
  return `${lines.join('\n')}\n`
}

export function writeCsvReadings(path: string, r: Readings): void {
  writeFileSync(path, csvText(r))
}
