/**
 * Hostile files end with exit code 2, a message naming what is wrong, and nothing sent:
 * truncated Parquet/Arrow/CSV, wrong types, and headers claiming 10^12 rows.
 */
import { readFileSync } from 'node:fs'
import { uniqueSetName } from '@aerospike-numpy/test-utils'
import { describe, expect, it } from 'vitest'
import { presentKeys, run, useHarness } from './test-support/cluster.js'
import {
  csvText,
  parquetBytes,
  readings,
  writeArrowReadings,
  writeNpyReadings,
} from './test-support/fixtures.js'

const N = 3000
const TRILLION = 10n ** 12n

/** Zigzag varint of a thrift compact i64. */
function varint(value: bigint): number[] {
  let v = (value << 1n) ^ (value >> 63n)
  const out: number[] = []
  do {
    let byte = Number(v & 0x7fn)
    v >>= 7n
    if (v !== 0n) byte |= 0x80
    out.push(byte)
  } while (v !== 0n)
  return out
}

function indexOfBytes(haystack: Uint8Array, needle: number[], from = 0): number {
  outer: for (let i = from; i <= haystack.length - needle.length; i++) {
    for (let k = 0; k < needle.length; k++) if (haystack[i + k] !== needle[k]) continue outer
    return i
  }
  return -1
}

/** A Parquet file whose footer claims `rows` rows (FileMetaData.num_rows, thrift field 3). */
function parquetClaimingRows(bytes: Uint8Array, actual: number, rows: bigint): Uint8Array {
  const footerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(
    bytes.length - 8,
    true,
  )
  const footerStart = bytes.length - 8 - footerLength
  const footer = bytes.subarray(footerStart, bytes.length - 8)
  // field 3 (i64, compact type 6) right after the schema list (field 2): header byte 0x16
  const old = [0x16, ...varint(BigInt(actual))]
  const at = indexOfBytes(footer, old)
  if (at < 0) throw new Error('num_rows not found in the footer')
  const patched = [
    ...footer.subarray(0, at),
    0x16,
    ...varint(rows),
    ...footer.subarray(at + old.length),
  ]
  const out = new Uint8Array(footerStart + patched.length + 8)
  out.set(bytes.subarray(0, footerStart))
  out.set(patched, footerStart)
  new DataView(out.buffer).setUint32(footerStart + patched.length, patched.length, true)
  out.set([0x50, 0x41, 0x52, 0x31], footerStart + patched.length + 4)
  return out
}

describe('hostile files: exit 2, a clear message, nothing sent', () => {
  const h = useHarness()
  const data = readings(N)

  async function expectRefused(path: string, message: RegExp, extra: string[] = []): Promise<void> {
    const set = uniqueSetName('hostile')
    const out = await run(h.args(path, set, '--key', 'sensor_id', '--quiet', ...extra))
    if (process.env['SHOW_MESSAGES']) console.log(out.stderr)
    expect(out.stderr).toMatch(message)
    expect(out.code).toBe(2)
    expect(await presentKeys(h.client, set, N)).toBe(0)
    if (h.cluster.devserver !== null)
      expect(await h.cluster.devserver.recordCount('test', set)).toBe(0)
  }

  it('a truncated Parquet file (no footer)', async () => {
    const bytes = parquetBytes(data, 1000)
    const path = h.write('cut.parquet', bytes.subarray(0, Math.floor(bytes.length * 0.7)))
    await expectRefused(path, /cut\.parquet: not a readable Parquet file/)
  })

  it('a Parquet file with a corrupt data page: the reader thread says where, nothing sent', async () => {
    // a trap inside parquet-wasm (thrown from a callback, not from the read) on the reader thread
    const bytes = parquetBytes(data, 1000)
    const at = Math.floor(bytes.length * 0.1)
    bytes.fill(0xff, at, at + 200)
    const path = h.write('page.parquet', bytes)
    await expectRefused(
      path,
      /page\.parquet: not a readable Parquet file \(decoding the rows from row \d+ on: /,
    )
  })

  it('a Parquet footer claiming 10^12 rows', async () => {
    const path = h.write(
      'trillion.parquet',
      parquetClaimingRows(parquetBytes(data, 1000), N, TRILLION),
    )
    await expectRefused(path, /footer claims 1000000000000 rows but its row groups hold 3000/)
  })

  it('a truncated Arrow IPC file and a truncated Arrow stream', async () => {
    for (const format of ['file', 'stream'] as const) {
      const full = h.file(`full.${format}.arrow`)
      writeArrowReadings(full, data, format)
      const bytes = readFileSync(full)
      const path = h.write(`cut.${format}.arrow`, bytes.subarray(0, Math.floor(bytes.length * 0.6)))
      await expectRefused(
        path,
        format === 'file'
          ? /does not end with its footer and ARROW1 magic/
          : /end-of-stream marker/,
      )
    }
  })

  it('an Arrow record batch claiming 10^12 rows', async () => {
    const full = h.file('batch.arrow')
    writeArrowReadings(full, data, 'stream')
    const bytes = new Uint8Array(readFileSync(full))
    // the record batch's length (int64 LE) in its flatbuffer message
    const le = [...new Uint8Array(new BigInt64Array([BigInt(N)]).buffer)]
    const at = indexOfBytes(bytes, le, 8)
    expect(at).toBeGreaterThan(0)
    new DataView(bytes.buffer).setBigInt64(at, TRILLION, true)
    const path = h.write('trillion.arrow', bytes)
    await expectRefused(path, /1000000000000|trillion\.arrow/)
  })

  it('a .npy header claiming 10^12 rows', async () => {
    const full = h.file('full.npy')
    writeNpyReadings(full, data)
    const text = readFileSync(full, 'latin1')
    const header = text.slice(0, text.indexOf('\n') + 1)
    const grow = String(TRILLION).length - String(N).length
    // same header length: the shape grows into the padding spaces before the newline
    const newHeader = header
      .replace(`(${N},)`, `(${TRILLION},)`)
      .replace(new RegExp(` {${grow}}\n$`), '\n')
    expect(newHeader.length).toBe(header.length)
    const path = h.write(
      'trillion.npy',
      Buffer.from(newHeader + text.slice(header.length), 'latin1'),
    )
    await expectRefused(path, /trillion\.npy.*(beyond|needs|bytes)/)
  })

  it('a cut .npy file: its dtype as numpy prints it and where the data should end', async () => {
    const full = h.file('whole.npy')
    writeNpyReadings(full, data)
    const bytes = readFileSync(full)
    const path = h.write('cut.npy', bytes.subarray(0, bytes.length - 1000))
    const dataStart = bytes.length - N * 34
    const message = `cut.npy: .npy: shape (${N},) of [('sensor_id', '<i8'), ('ts', '<i8'), ('temperature', '<f8'), ('humidity', '<f4'), ('status', 'u1'), ('site', 'S5')] (34-byte items) needs ${N * 34} data bytes, from byte ${dataStart} to byte ${bytes.length}, but the file ends at byte ${bytes.length - 1000} (${N - 30} whole rows)`
    await expectRefused(path, new RegExp(message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
  })

  it('a CSV cut in the middle of a row, and one cut inside a quoted field', async () => {
    const text = csvText(data)
    const cut = h.write('cut.csv', text.slice(0, text.lastIndexOf(',', text.length - 200)))
    await expectRefused(cut, /cut\.csv, line \d+: .*(record|field|column)/i)
    const quoted = h.write('quoted.csv', `${text}1,2,3,4,5,"north`)
    await expectRefused(quoted, /quoted\.csv.*quote/i)
  })

  it('CSV values of the wrong type: every one reported, with its row', async () => {
    const lines = csvText(data).split('\n')
    lines[2500] = lines[2500]!.replace(/,(\d+),(\w|-)+$/, ',hot,$2')
    lines[2900] = lines[2900]!.replace(/^(\d+),(\d+),/, '$1,yesterday,')
    const path = h.write('types.csv', lines.join('\n'))
    await expectRefused(path, /ts: 1 unparsable; first rows 2899 \("yesterday"\)/, [
      '--dtype',
      'sensor_id:i8,ts:i8,temperature:f8,humidity:f4,status:u1,site:S8',
    ])
    await expectRefused(path, /status: 1 unparsable; first rows 2499 \("hot"\)/, [
      '--dtype',
      'status:u1,ts:i8',
    ])
  })
})
