// Every public entry point of the package, every argument, every hostile value (see
// test-utils/hostile): the call succeeds or throws this package's DtypeError with a string code —
// never a raw TypeError/RangeError, and never a broken result.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { hostileFailures, type HostileEntry } from '@aerospike-numpy/test-utils/hostile'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import type { Dtype } from './dtype.js'
import { dtype } from './dtype.js'
import { DtypeError } from './errors.js'
import { doubleToHalfBits, halfBitsToDouble } from './half.js'
import { encodeNpy, encodeNpyHeader, parseNpy, parseNpyHeader } from './npy.js'
import { openNpy, readNpy, readNpyHeader, readNpySync, writeNpy, writeNpySync } from './npy-file.js'
import { StructuredArray } from './structured-array.js'

const dir = mkdtempSync(join(tmpdir(), 'dtype-hostile-'))
// Hostile strings ('x', '\ud800') are valid relative paths: let the writers create them here.
const cwd = process.cwd()
beforeAll(() => process.chdir(dir))
afterAll(() => {
  process.chdir(cwd)
  rmSync(dir, { recursive: true, force: true })
})

const dt = dtype([
  ['a', 'i4'],
  ['b', 'f8'],
])
const arr = (): StructuredArray =>
  StructuredArray.fromRows(dt, [
    [1, 0.5],
    [2, 0.25],
  ])
const npyPath = join(dir, 'ok.npy')
writeFileSync(npyPath, encodeNpy(arr()))
const npyBytes = (): Uint8Array => encodeNpy(arr())

const f = <T extends (...a: never[]) => unknown>(fn: T) => fn as unknown as HostileEntry['call']

const ENTRIES: readonly HostileEntry[] = [
  { name: 'dtype', args: () => ['i4', {}], call: f(dtype), options: { 1: { align: true } } },
  {
    name: 'dtype (dict spec)',
    args: () => [{ names: ['a', 'b'], formats: ['i4', 'f8'] }],
    call: f(dtype),
    options: { 0: { names: ['a', 'b'], formats: ['i4', 'f8'], offsets: [0, 8], itemsize: 16 } },
  },
  { name: 'dtype (field list)', args: () => [[['a', 'i4']]], call: f(dtype) },
  { name: 'dtype (sub-array)', args: () => [['f4', [2]]], call: f(dtype) },
  { name: 'Dtype.equals', args: () => [dt], call: (o) => dt.equals(o as Dtype) },
  { name: 'Dtype.field', args: () => ['a'], call: (n) => dt.field(n as string) },
  { name: 'doubleToHalfBits', args: () => [1.5], call: f(doubleToHalfBits) },
  { name: 'halfBitsToDouble', args: () => [0x3c00], call: f(halfBitsToDouble) },
  {
    name: 'StructuredArray.zeros',
    args: () => [dt, 2, {}],
    call: f(StructuredArray.zeros),
    options: { 2: { shared: true } },
  },
  {
    name: 'StructuredArray.fromRows',
    args: () => [dt, [[1, 2]], {}],
    call: f(StructuredArray.fromRows),
  },
  {
    name: 'StructuredArray.fromColumns',
    args: () => [dt, { a: [1], b: [2] }, {}],
    call: f(StructuredArray.fromColumns),
    options: { 1: { a: [1], b: [2] } },
  },
  {
    name: 'StructuredArray.fromBuffer',
    args: () => [dt, new Uint8Array(24), { byteOffset: 0, length: 1, stride: 12 }],
    call: f(StructuredArray.fromBuffer),
    options: { 2: { byteOffset: 0, length: 1, stride: 12 } },
  },
  { name: 'StructuredArray#get', args: () => ['a'], call: (n) => arr().get(n as string) },
  {
    name: 'StructuredArray#set',
    args: () => ['a', [3, 4]],
    call: (n, v) => arr().set(n as string, v as never),
  },
  {
    name: 'StructuredArray#setValues',
    args: () => [[1, 2]],
    call: (v) => StructuredArray.zeros('i4', 2).setValues(v as never),
  },
  { name: 'StructuredArray#row', args: () => [0], call: (i) => arr().row(i as number) },
  {
    name: 'StructuredArray#setRow',
    args: () => [0, [1, 2]],
    call: (i, v) => arr().setRow(i as number, v),
  },
  {
    name: 'StructuredArray#setRow (object row)',
    args: () => [0, { a: 1, b: 2 }],
    call: (i, v) => arr().setRow(i as number, v),
    options: { 1: { a: 1, b: 2 } },
  },
  {
    name: 'StructuredArray#slice',
    args: () => [0, 1],
    call: (a, b) => arr().slice(a as number, b as number),
  },
  { name: 'StructuredArray#copy', args: () => [{}], call: (o) => arr().copy(o as never) },
  { name: 'parseNpy', args: () => [npyBytes()], call: f(parseNpy) },
  { name: 'parseNpyHeader', args: () => [npyBytes(), undefined], call: f(parseNpyHeader) },
  { name: 'encodeNpy', args: () => [arr()], call: f(encodeNpy) },
  { name: 'encodeNpyHeader', args: () => [dt, 2], call: f(encodeNpyHeader) },
  { name: 'readNpy', args: () => [npyPath], call: f(readNpy) },
  { name: 'readNpySync', args: () => [npyPath], call: f(readNpySync) },
  { name: 'readNpyHeader', args: () => [npyPath], call: f(readNpyHeader) },
  {
    name: 'openNpy',
    args: () => [npyPath, { chunkRows: 1 }],
    call: f(openNpy),
    options: { 1: { chunkRows: 1 } },
  },
  { name: 'writeNpy', args: () => [join(dir, 'w.npy'), arr()], call: f(writeNpy) },
  { name: 'writeNpySync', args: () => [join(dir, 'ws.npy'), arr()], call: f(writeNpySync) },
]

/** This package's errors carry a string code. */
const stringCode = (error: Error): string | null =>
  typeof (error as DtypeError).code === 'string' ? null : 'no string code'

describe('hostile input to every public entry point', () => {
  for (const entry of ENTRIES) {
    it(`${entry.name}: succeeds or throws DtypeError`, async () => {
      expect(await hostileFailures(entry, DtypeError, stringCode)).toEqual([])
    })
  }
})
