/**
 * The blocking client runs only the wire engine (the official `aerospike` addon cannot load in
 * its worker thread): it must not depend on `aerospike`, directly or through the async client,
 * whose peer dependency on it is optional.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))
const DEPENDENCY_FIELDS = [
  'dependencies',
  'devDependencies',
  'peerDependencies',
  'optionalDependencies',
  'bundleDependencies',
]

function builtFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return builtFiles(path)
    return entry.name.endsWith('.js') ? [path] : []
  })
}

describe("the sync client and the 'aerospike' package", () => {
  it('is in no dependency field of its package.json', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<
      string,
      Record<string, string> | undefined
    >
    for (const field of DEPENDENCY_FIELDS) expect(pkg[field]?.aerospike).toBeUndefined()
  })

  it("reaches the sync client only as the async client's optional peer", () => {
    const asyncPkg = JSON.parse(
      readFileSync(join(root, '..', 'async', 'package.json'), 'utf8'),
    ) as Record<string, Record<string, unknown> | undefined>
    expect(asyncPkg.dependencies?.aerospike).toBeUndefined()
    expect(asyncPkg.optionalDependencies?.aerospike).toBeUndefined()
    expect(asyncPkg.peerDependenciesMeta?.aerospike).toEqual({ optional: true })
  })

  it('is imported by none of its built files', () => {
    const files = builtFiles(join(root, 'dist'))
    expect(files.map((f) => f.slice(root.length))).toContain('dist/worker.js')
    const importsAerospike =
      /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)['"]aerospike(?:\/[^'"]*)?['"]/
    expect(files.filter((f) => importsAerospike.test(readFileSync(f, 'utf8')))).toEqual([])
  })
})
