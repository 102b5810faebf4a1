// Worker threads load the wire engine and the pool's worker: nothing they import, however
// indirectly, may reach the `aerospike` addon (loading it in a worker thread aborts the process).
import { readFileSync, existsSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const packagesDir = fileURLToPath(new URL('../../../', import.meta.url))

/** Every module file reachable from `entry` through static and dynamic imports of literal specifiers. */
function importGraph(entry: string): { files: Set<string>; bare: Set<string> } {
  const files = new Set<string>()
  const bare = new Set<string>()
  const pending = [entry]
  const specifier = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g
  while (pending.length > 0) {
    const file = pending.pop()!
    if (files.has(file)) continue
    files.add(file)
    const text = readFileSync(file, 'utf8')
    for (const m of text.matchAll(specifier)) {
      const spec = m[1]!
      if (spec.startsWith('.')) pending.push(resolve(dirname(file), spec))
      else if (spec.startsWith('@aerospike-numpy/')) {
        // '@aerospike-numpy/core' → core/dist/index.js; '@aerospike-numpy/core/internal' → core/dist/internal.js
        const [pkg, sub = 'index'] = spec.slice('@aerospike-numpy/'.length).split('/')
        const target = resolve(packagesDir, pkg!, 'dist', `${sub}.js`)
        expect(existsSync(target), `${spec} resolves to a built file`).toBe(true)
        pending.push(target)
      } else bare.add(spec.split('/')[0]!)
    }
  }
  return { files, bare }
}

describe('modules loaded in worker threads', () => {
  for (const entry of ['async/dist/wire/engine.js', 'async/dist/pool/worker.js']) {
    it(`${entry} never imports aerospike`, () => {
      const { files, bare } = importGraph(resolve(packagesDir, entry))
      expect(files.size).toBeGreaterThan(5)
      expect([...bare].filter((b) => !b.startsWith('node:'))).not.toContain('aerospike')
      expect([...files].some((f) => f.includes('/official/'))).toBe(false)
    })
  }
})
