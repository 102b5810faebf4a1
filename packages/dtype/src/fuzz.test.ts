// Seeded fuzzing: random and mutated dtype text and .npy bytes. Every input either parses or
// throws this package's DtypeError; nothing hangs, overflows the stack, or allocates a buffer
// beyond the input (parseNpy returns views over the input; streamed chunks add up to the file).

import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { afterAll, describe, expect, it } from 'vitest'

import { Dtype, descrRepr, dtype } from './dtype.js'
import { DtypeError } from './errors.js'
import { encodeNpy, parseNpy } from './npy.js'
import { openNpy } from './npy-file.js'
import { StructuredArray } from './structured-array.js'
import { DtypeGenerator, rng, toSpec } from './test-support/random-dtype.js'

const dir = mkdtempSync(join(tmpdir(), 'dtype-fuzz-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

type Outcome = 'parsed' | 'refused'

function outcome(f: () => unknown): Outcome {
  try {
    f()
    return 'parsed'
  } catch (err) {
    if (err instanceof DtypeError) return 'refused'
    throw new Error(`not a DtypeError: ${String(err)}`, { cause: err })
  }
}

const ALPHABET = '<>=|?bBhHiIlLqQeEfdFDgSUVOMmac0123456789,()[] \'"sμnu:{}xTrueFals-_.\\'

function mutate(r: () => number, s: string): string {
  const pick = (): string => ALPHABET[Math.floor(r() * ALPHABET.length)] as string
  let out = s
  const edits = 1 + Math.floor(r() * 4)
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(r() * (out.length + 1))
    const roll = r()
    if (roll < 0.35) out = out.slice(0, at) + pick() + out.slice(at)
    else if (roll < 0.7) out = out.slice(0, at) + out.slice(at + 1)
    else if (roll < 0.9) out = out.slice(0, at) + pick() + out.slice(at + 1)
    else out = out.slice(0, at) + out.slice(at).repeat(2)
  }
  return out
}

describe('fuzz: dtype text', () => {
  it('random strings, mutated specs and mutated descr text parse or throw DtypeError', () => {
    const r = rng(42)
    const gen = new DtypeGenerator(43)
    const seeds: string[] = ['i4', '>f8', 'S16', 'M8[ns]', 'i4, (2,3)f8, S5', '3i4', '(2,)>u2']
    for (let i = 0; i < 150; i++) {
      const dt = dtype(toSpec(gen.top(i % 2 === 0)))
      if (dt.isStructured) {
        try {
          seeds.push(descrRepr(dt.descr))
        } catch {
          // out of order: no descr
        }
      } else seeds.push(dt.str)
    }
    const counts = { parsed: 0, refused: 0 }
    for (let i = 0; i < 6000; i++) {
      let text: string
      if (i % 3 === 0) {
        const len = Math.floor(r() * 24)
        text = Array.from({ length: len }, () => ALPHABET[Math.floor(r() * ALPHABET.length)]).join(
          '',
        )
      } else {
        text = mutate(r, seeds[Math.floor(r() * seeds.length)] as string)
      }
      const o = outcome(() => {
        const dt = dtype(text)
        // Whatever parses must be a usable layout.
        expect(dt).toBeInstanceOf(Dtype)
        expect(dt.itemsize).toBeGreaterThan(0)
        void dt.toString()
      })
      counts[o]++
    }
    expect(counts.parsed).toBeGreaterThan(500)
    expect(counts.refused).toBeGreaterThan(500)
  })

  it('pathological nesting and sizes are refused, not a stack overflow or a huge allocation', () => {
    expect(outcome(() => dtype('['.repeat(100_000)))).toBe('refused')
    expect(outcome(() => dtype(`${'[("a", '.repeat(5000)}'<i4'${')]'.repeat(5000)}`))).toBe(
      'refused',
    )
    let spec: unknown = 'i4'
    for (let i = 0; i < 5000; i++) spec = [['a', spec]]
    expect(outcome(() => dtype(spec as never))).toBe('refused')
    expect(outcome(() => dtype('(65536,65536)f8'))).toBe('refused')
    expect(outcome(() => dtype('S99999999999'))).toBe('refused')
    expect(outcome(() => dtype({ names: ['a'], formats: ['i4'], offsets: [2 ** 40] }))).toBe(
      'refused',
    )
    expect(outcome(() => dtype('i4,'.repeat(200_000)))).toBe('refused')
  })
})

const goldenDir = fileURLToPath(new URL('./golden/', import.meta.url))

describe('fuzz: .npy bytes', () => {
  const samples: Uint8Array[] = readdirSync(goldenDir)
    .filter((f) => f.endsWith('.npy'))
    .map((f) => new Uint8Array(readFileSync(join(goldenDir, f))))
  const gen = new DtypeGenerator(5)
  for (let i = 0; samples.length < 60; i++) {
    const dt = dtype(toSpec(gen.top(i % 2 === 0)))
    try {
      samples.push(encodeNpy(StructuredArray.zeros(dt, i % 4)))
    } catch {
      // out-of-order fields cannot be written
    }
  }

  function mutateBytes(r: () => number, src: Uint8Array): Uint8Array {
    const roll = r()
    if (roll < 0.15) return src.subarray(0, Math.floor(r() * src.length)) // truncated
    const out = new Uint8Array(roll < 0.25 ? src.length + Math.floor(r() * 64) : src.length)
    out.set(src.subarray(0, out.length))
    const headerEnd = Math.min(out.length, 10 + ((src[8] ?? 0) | ((src[9] ?? 0) << 8)))
    const edits = 1 + Math.floor(r() * 6)
    for (let e = 0; e < edits; e++) {
      // Mostly the header, where the structure is; sometimes the length field or version byte.
      const kind = r()
      if (kind < 0.1) out[6] = Math.floor(r() * 5)
      else if (kind < 0.25) out[8 + Math.floor(r() * 4)] = Math.floor(r() * 256)
      else if (kind < 0.6)
        out[10 + Math.floor(r() * Math.max(1, headerEnd - 10))] = ALPHABET.charCodeAt(
          Math.floor(r() * ALPHABET.length),
        )
      else out[Math.floor(r() * out.length)] = Math.floor(r() * 256)
    }
    return out
  }

  it('mutated and random files parse to views over the input or throw DtypeError', () => {
    const r = rng(7)
    const counts = { parsed: 0, refused: 0 }
    for (let i = 0; i < 8000; i++) {
      const src = samples[i % samples.length] as Uint8Array
      const bytes =
        i % 10 === 9
          ? Uint8Array.from({ length: Math.floor(r() * 200) }, () => Math.floor(r() * 256))
          : mutateBytes(r, src)
      const o = outcome(() => {
        const a = parseNpy(bytes)
        // No data copy: the rows are a view over the input, inside it.
        expect(a.buffer).toBe(bytes.buffer)
        expect(a.byteOffset + a.bytes.length).toBeLessThanOrEqual(bytes.byteOffset + bytes.length)
        for (const row of a.slice(0, 3)) void row
      })
      counts[o]++
    }
    expect(counts.parsed).toBeGreaterThan(100)
    expect(counts.refused).toBeGreaterThan(3000)
  })

  it('mutated files streamed with openNpy yield at most the file size in chunks, or throw DtypeError', async () => {
    const r = rng(8)
    const path = join(dir, 'fuzz.npy')
    for (let i = 0; i < 300; i++) {
      const bytes = mutateBytes(r, samples[i % samples.length] as Uint8Array)
      writeFileSync(path, bytes)
      let total = 0
      try {
        for await (const chunk of openNpy(path, { chunkRows: 1 + (i % 4) })) {
          total += chunk.buffer.byteLength
          void chunk.row(0)
        }
      } catch (err) {
        if (!(err instanceof DtypeError)) throw err
      }
      expect(total).toBeLessThanOrEqual(bytes.length)
    }
  })
})
