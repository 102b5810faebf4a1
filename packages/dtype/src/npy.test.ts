import {
  closeSync,
  mkdtempSync,
  openSync,
  rmSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, describe, expect, it } from 'vitest'

import { dtype } from './dtype.js'
import { DtypeError, NpyFormatError } from './errors.js'
import { encodeNpy, encodeNpyHeader, parseNpy, parseNpyHeader } from './npy.js'
import {
  MAX_WHOLE_FILE_BYTES,
  openNpy,
  readNpy,
  readNpyHeader,
  readNpySync,
  writeNpy,
  writeNpySync,
} from './npy-file.js'
import { StructuredArray } from './structured-array.js'

const dir = mkdtempSync(join(tmpdir(), 'dtype-npy-unit-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** A .npy file with the given header text (padded as numpy pads it) and data bytes. */
function npy(header: string, data: Uint8Array | number = 0, version = 1): Uint8Array {
  const text = new TextEncoder().encode(header)
  const lenSize = version === 1 ? 2 : 4
  const pad = 64 - ((10 + (lenSize - 2) + text.length + 1) % 64)
  const hlen = text.length + pad + 1
  const body = typeof data === 'number' ? new Uint8Array(data) : data
  const out = new Uint8Array(8 + lenSize + hlen + body.length)
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0])
  const v = new DataView(out.buffer)
  if (version === 1) v.setUint16(8, hlen, true)
  else v.setUint32(8, hlen, true)
  out.set(text, 8 + lenSize)
  out.fill(0x20, 8 + lenSize + text.length, 8 + lenSize + hlen - 1)
  out[8 + lenSize + hlen - 1] = 0x0a
  out.set(body, 8 + lenSize + hlen)
  return out
}

function code(f: () => unknown): string {
  try {
    f()
  } catch (err) {
    expect(err).toBeInstanceOf(NpyFormatError)
    return (err as NpyFormatError).code
  }
  return 'no error'
}

describe('parseNpy', () => {
  it('reads a hand-made file, versions 1, 2 and 3', () => {
    for (const version of [1, 2, 3]) {
      const data = new Uint8Array(new Int32Array([1, -2, 3]).buffer)
      const a = parseNpy(
        npy("{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }", data, version),
      )
      expect(a.values()).toEqual(new Int32Array([1, -2, 3]))
    }
  })

  it('refuses every malformed file with a clear NpyFormatError', () => {
    const ok = "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }"
    expect(code(() => parseNpy(new Uint8Array([1, 2, 3])))).toBe('NPY_BAD_MAGIC')
    expect(code(() => parseNpy(new TextEncoder().encode('PK\x03\x04 not numpy at all')))).toBe(
      'NPY_BAD_MAGIC',
    )
    expect(code(() => parseNpy(npy(ok, 8).subarray(0, 7)))).toBe('NPY_TRUNCATED')
    expect(code(() => parseNpy(npy(ok, 8).subarray(0, 9)))).toBe('NPY_TRUNCATED')
    expect(code(() => parseNpy(npy(ok, 8).subarray(0, 40)))).toBe('NPY_TRUNCATED')
    const badVersion = npy(ok, 8)
    badVersion[6] = 4
    expect(code(() => parseNpy(badVersion))).toBe('NPY_BAD_VERSION')
    const hugeHeader = npy(ok, 8, 2)
    new DataView(hugeHeader.buffer).setUint32(8, 0xfffffff0, true)
    expect(() => parseNpy(hugeHeader)).toThrow(
      /header length 4294967280 .* beyond the 136-byte file/,
    )
    expect(code(() => parseNpy(npy(ok, 7)))).toBe('NPY_SIZE_MISMATCH')
    expect(code(() => parseNpy(npy(ok, 9)))).toBe('NPY_SIZE_MISMATCH')
    // a cut file: the dtype as numpy prints it (fields, not |V12), the bytes and where the data ends
    const fields =
      "{'descr': [('a', '<i4'), ('v', '<f4', (2,))], 'fortran_order': False, 'shape': (3,), }"
    expect(() => parseNpy(npy(fields, 30))).toThrow(
      "shape (3,) of [('a', '<i4'), ('v', '<f4', (2,))] (12-byte items) needs 36 data bytes, from byte 128 to byte 164, but the file ends at byte 158 (2 whole rows): truncated?",
    )
    expect(() => parseNpy(npy(fields, 40))).toThrow(
      'is 36 data bytes, from byte 128 to byte 164, but the file goes on to byte 168',
    )
    expect(
      code(() => parseNpy(npy("{'descr': '<i4', 'fortran_order': True, 'shape': (2, 2), }", 16))),
    ).toBe('NPY_FORTRAN_ORDER')
    expect(
      code(() => parseNpy(npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", 8))),
    ).toBe('NPY_OBJECT_ARRAY')
    expect(
      code(() =>
        parseNpy(
          npy(
            "{'descr': [('a', '<i4'), ('o', '|O')], 'fortran_order': False, 'shape': (1,), }",
            12,
          ),
        ),
      ),
    ).toBe('NPY_OBJECT_ARRAY')
    // Absurd sizes fail before any allocation: the product is checked against the file as it grows.
    expect(
      code(() =>
        parseNpy(
          npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904,), }", 8),
        ),
      ),
    ).toBe('NPY_BAD_HEADER')
    expect(
      code(() =>
        parseNpy(
          npy(
            "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000, 1000000000000), }",
            8,
          ),
        ),
      ),
    ).toBe('NPY_SIZE_MISMATCH')
    expect(
      code(() =>
        parseNpy(npy("{'descr': 'V2147483647', 'fortran_order': False, 'shape': (3,), }", 8)),
      ),
    ).toBe('NPY_SIZE_MISMATCH')
    expect(
      code(() => parseNpy(npy("{'descr': '<i4', 'fortran_order': False, 'shape': (-1,), }", 8))),
    ).toBe('NPY_BAD_HEADER')
    expect(code(() => parseNpy(npy("{'descr': '<i4', 'fortran_order': False}", 8)))).toBe(
      'NPY_BAD_HEADER',
    )
    expect(
      code(() =>
        parseNpy(npy("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), 'x': 1}", 8)),
      ),
    ).toBe('NPY_BAD_HEADER')
    expect(code(() => parseNpy(npy("['descr', '<i4']", 8)))).toBe('NPY_BAD_HEADER')
    expect(
      code(() => parseNpy(npy("{'descr': '<i3', 'fortran_order': False, 'shape': (2,), }", 8))),
    ).toBe('NPY_BAD_HEADER')
    expect(
      code(() => parseNpy(npy("{'descr': '<i4', 'fortran_order': 0, 'shape': (2,), }", 8))),
    ).toBe('NPY_BAD_HEADER')
    expect(() =>
      parseNpy(npy("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), ", 8)),
    ).toThrow(/at byte \d+/)
  })

  it('decodes version 1 and 2 headers as ISO-8859-1, as Python does', () => {
    const header = "{'descr': [('\u0080\u00e9', '<i4')], 'fortran_order': False, 'shape': (1,), }"
    const bytes = npy('x'.repeat(header.length), new Uint8Array(4))
    bytes.set(
      Uint8Array.from(header, (c) => c.charCodeAt(0)),
      10,
    )
    expect(parseNpy(bytes).dtype.names).toEqual(['\u0080é'])
  })

  it('reads a 0-d array as one row and a (N, 0)-free 3-D array as sub-array rows', () => {
    const a = parseNpy(
      npy("{'descr': '<u2', 'fortran_order': False, 'shape': (), }", new Uint8Array([7, 1])),
    )
    expect(a.length).toBe(1)
    expect(a.row(0)).toBe(263)
    const b = parseNpy(
      npy(
        "{'descr': '>i2', 'fortran_order': False, 'shape': (2, 1, 2), }",
        new Uint8Array([0, 1, 0, 2, 0, 3, 255, 255]),
      ),
    )
    expect(b.dtype.shape).toEqual([1, 2])
    expect(b.values()).toEqual(new Int16Array([1, 2, 3, -1]))
  })

  it('refuses to write object arrays and out-of-order fields', () => {
    expect(code(() => encodeNpy(StructuredArray.zeros('O', 1)))).toBe('NPY_OBJECT_ARRAY')
    const outOfOrder = dtype({ names: ['a', 'b'], formats: ['i4', 'i4'], offsets: [4, 0] })
    expect(code(() => encodeNpyHeader(outOfOrder, 1))).toBe('NPY_BAD_HEADER')
  })
})

describe('.npy files', () => {
  const dt = dtype([
    ['_key', '<i8'],
    ['emb', '>f4', [3]],
  ])
  const rows = Array.from({ length: 1000 }, (_, i) => [BigInt(i), [i, -i, i / 2]])

  it('writes and reads whole files, async and blocking, strided arrays packed', async () => {
    const a = StructuredArray.fromRows(dt, rows)
    const path = join(dir, 'whole.npy')
    await writeNpy(path, a.slice(10, 20))
    expect([...(await readNpy(path))]).toEqual([...a.slice(10, 20)])
    const strided = StructuredArray.fromBuffer(dt, a.buffer, { stride: dt.itemsize * 3 })
    await writeNpy(path, strided)
    const back = readNpySync(path)
    expect(back.length).toBe(334)
    expect(back.get('_key')).toEqual(strided.get('_key'))
    writeNpySync(path, strided)
    expect(Buffer.from(encodeNpy(readNpySync(path))).equals(Buffer.from(encodeNpy(strided)))).toBe(
      true,
    )
  })

  it('streams in chunks of at most chunkRows, each in its own buffer, and closes on break', async () => {
    const a = StructuredArray.fromRows(dt, rows)
    const path = join(dir, 'stream.npy')
    await writeNpy(path, a)
    const lengths: number[] = []
    let total = 0
    const keys: bigint[] = []
    for await (const chunk of openNpy(path, { chunkRows: 300 })) {
      lengths.push(chunk.length)
      total += chunk.buffer.byteLength
      keys.push(...(chunk.get('_key') as BigInt64Array))
    }
    expect(lengths).toEqual([300, 300, 300, 100])
    expect(total).toBe(1000 * dt.itemsize)
    expect(keys).toEqual(rows.map((r) => r[0]))
    for await (const chunk of openNpy(path, { chunkRows: 7 })) {
      expect(chunk.length).toBe(7)
      break
    }
    expect(() => openNpy(path, { chunkRows: 0 })).toThrow(DtypeError)
    expect(() => openNpy(path, { chunkRows: 0 })).toThrow(/chunkRows must be a positive integer/)
  })

  it('reports missing, truncated and non-.npy files as NpyFormatError', async () => {
    await expect(readNpy(join(dir, 'missing.npy'))).rejects.toMatchObject({ code: 'NPY_IO' })
    const bad = join(dir, 'bad.npy')
    writeFileSync(bad, encodeNpy(StructuredArray.fromRows(dt, rows.slice(0, 5))).subarray(0, 150))
    await expect(readNpy(bad)).rejects.toMatchObject({ code: 'NPY_SIZE_MISMATCH' })
    await expect(async () => {
      for await (const chunk of openNpy(bad)) void chunk
    }).rejects.toMatchObject({ code: 'NPY_SIZE_MISMATCH' })
    writeFileSync(bad, 'hello')
    await expect(async () => {
      for await (const chunk of openNpy(bad)) void chunk
    }).rejects.toMatchObject({ code: 'NPY_BAD_MAGIC' })
    expect(parseNpyHeader(encodeNpy(StructuredArray.fromRows(dt, rows.slice(0, 2)))).rows).toBe(2)
  })

  it('takes bytes as any buffer or view, and refuses anything else with a DtypeError', () => {
    const bytes = encodeNpy(StructuredArray.fromRows(dt, rows.slice(0, 3)))
    const copy = bytes.slice().buffer
    expect(parseNpy(copy).length).toBe(3)
    expect(parseNpy(new DataView(copy)).length).toBe(3)
    expect(code(() => parseNpy(new ArrayBuffer(8)))).toBe('NPY_BAD_MAGIC')
    for (const bad of ['x', null, 8, {}]) {
      expect(() => parseNpy(bad as never)).toThrow(DtypeError)
      expect(() => parseNpy(bad as never)).toThrow(/parseNpy: bytes must be a Uint8Array/)
      expect(() => parseNpyHeader(bad as never)).toThrow(DtypeError)
    }
    expect(() => parseNpyHeader(bytes, -1)).toThrow(/fileSize must be a non-negative integer/)
  })

  it('refuses bad paths and options at the call, before touching the file system', () => {
    const path = join(dir, 'args.npy')
    writeNpySync(path, StructuredArray.fromRows(dt, rows.slice(0, 2)))
    expect(() => openNpy(path, null as never)).toThrow(DtypeError)
    expect(() => openNpy(path, null as never)).toThrow(/openNpy options must be an object/)
    expect(() => openNpy(path, { chunk: 5 } as never)).toThrow(/unknown openNpy options key/)
    // A number is a file descriptor to fs: 0 would read stdin, 1 write to stdout.
    for (const bad of [0, 1, '', null, undefined]) {
      expect(() => openNpy(bad as never)).toThrow(/openNpy: path must be a non-empty string/)
      expect(() => readNpySync(bad as never)).toThrow(DtypeError)
      expect(() => writeNpySync(bad as never, StructuredArray.zeros(dt, 1))).toThrow(DtypeError)
    }
    expect(() => writeNpySync(path, 'rows' as never)).toThrow(/array must be a StructuredArray/)
    expect(() => encodeNpyHeader('i4' as never, 1)).toThrow(/dt must be a Dtype/)
  })

  it('refuses a directory or a device as a .npy file with NpyFormatError naming the path', async () => {
    await expect(async () => {
      for await (const chunk of openNpy(dir)) void chunk
    }).rejects.toThrow(new RegExp(`${dir}: not a regular file`))
    await expect(readNpy(dir)).rejects.toMatchObject({ name: 'NpyFormatError', code: 'NPY_IO' })
    await expect(readNpyHeader(dir)).rejects.toMatchObject({ code: 'NPY_IO' })
    expect(() => readNpySync(dir)).toThrow(NpyFormatError)
    // /dev/zero never ends: a whole-file read of it must be refused, not run out of memory.
    await expect(readNpy('/dev/zero')).rejects.toMatchObject({ code: 'NPY_IO' })
  })

  it('refuses a whole-file read over 2 GiB and points to openNpy (sparse file, valid header)', async () => {
    const path = join(dir, 'huge.npy')
    const size = MAX_WHOLE_FILE_BYTES + 1 + 4096
    const rowBytes = 4096
    // A header whose shape matches the file exactly, then a hole: nothing is written to disk.
    let header = encodeNpyHeader(dtype('V4096'), 1)
    header = encodeNpyHeader(dtype('V4096'), Math.floor((size - header.length) / rowBytes))
    const total = header.length + Math.floor((size - header.length) / rowBytes) * rowBytes
    const fd = openSync(path, 'w')
    writeSync(fd, header)
    closeSync(fd)
    truncateSync(path, total)
    expect(total).toBeGreaterThan(MAX_WHOLE_FILE_BYTES)
    const header2 = await readNpyHeader(path)
    expect(header2.dataOffset + header2.dataBytes).toBe(total)
    const expected = { name: 'NpyFormatError', code: 'NPY_TOO_LARGE' }
    await expect(readNpy(path)).rejects.toMatchObject(expected)
    await expect(readNpy(path)).rejects.toThrow(/stream it in chunks of rows with openNpy\(path\)/)
    expect(() => readNpySync(path)).toThrow(/openNpy/)
    // openNpy streams it: the first chunk comes from the hole, all zeros.
    for await (const chunk of openNpy(path, { chunkRows: 2 })) {
      expect(chunk.length).toBe(2)
      break
    }
    rmSync(path)
  })
})
