/**
 * `aerospike` is an optional peer dependency: an install without it must load the async client,
 * run the wire engine, and answer `engine: 'official'` with a clear error naming the package.
 * Checked in a real install layout without the package (the built client copied into a fresh
 * node_modules beside its real dependencies), in a child process.
 */
import { spawnSync } from 'node:child_process'
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const asyncRoot = fileURLToPath(new URL('../../', import.meta.url))
const packagesDir = join(asyncRoot, '..')
const dir = mkdtempSync(join(tmpdir(), 'async-without-aerospike-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function installWithoutAerospike(): void {
  const scope = join(dir, 'node_modules', '@aerospike-numpy')
  mkdirSync(join(scope, 'async'), { recursive: true })
  // Copied, not linked: a link would resolve to this workspace, where aerospike is a dev dependency.
  cpSync(join(asyncRoot, 'dist'), join(scope, 'async', 'dist'), { recursive: true })
  cpSync(join(asyncRoot, 'package.json'), join(scope, 'async', 'package.json'))
  for (const dep of ['core', 'cluster', 'dtype', 'wire']) {
    symlinkSync(realpathSync(join(packagesDir, dep)), join(scope, dep), 'dir')
  }
  const piscina = join(asyncRoot, 'node_modules', 'piscina')
  symlinkSync(realpathSync(piscina), join(dir, 'node_modules', 'piscina'), 'dir')
}

const SCRIPT = `
import { AsyncClient, ClientError, ConnectionError } from '@aerospike-numpy/async'
const out = {}
try {
  await import('aerospike')
  out.aerospike = 'installed'
} catch (error) {
  out.aerospike = error.code
}
const official = new AsyncClient({ hosts: [['127.0.0.1', 1]], engine: 'official' })
try {
  await official.connect()
  out.official = 'connected'
} catch (error) {
  out.official = {
    name: error.name,
    code: error.code,
    isClientError: error instanceof ClientError,
    message: error.message,
    cause: error.cause?.code,
  }
}
const wire = new AsyncClient({ hosts: [['127.0.0.1', 1]], engine: 'wire' })
out.wire = await wire.connect().then(() => 'connected', (error) => error instanceof ConnectionError)
console.log(JSON.stringify(out))
`

describe("without the optional peer 'aerospike'", () => {
  it("loads, runs the wire engine, and refuses engine 'official' naming the package", () => {
    installWithoutAerospike()
    writeFileSync(join(dir, 'check.mjs'), SCRIPT)
    const result = spawnSync(process.execPath, ['check.mjs'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
    })
    expect(result.stderr).toBe('')
    const out = JSON.parse(result.stdout.trim()) as Record<string, unknown>
    expect(out.aerospike).toBe('ERR_MODULE_NOT_FOUND') // the layout really lacks it
    expect(out.official).toEqual({
      name: 'ClientError',
      code: -1,
      isClientError: true,
      message: expect.stringMatching(
        /^engine 'official' needs the 'aerospike' package, which is not installed: .*npm install aerospike@\^6\.7\.1.*engine: 'wire'/,
      ),
      cause: 'ERR_MODULE_NOT_FOUND',
    })
    expect(out.wire).toBe(true) // a ConnectionError from port 1: the engine ran
  })

  it('is an optional peer of the async client, and no dependency of it', () => {
    const pkg = JSON.parse(readFileSync(join(asyncRoot, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>
      peerDependencies?: Record<string, string>
      peerDependenciesMeta?: Record<string, { optional?: boolean }>
    }
    expect(pkg.dependencies?.aerospike).toBeUndefined()
    expect(pkg.peerDependencies?.aerospike).toBe('^6.7.1')
    expect(pkg.peerDependenciesMeta?.aerospike?.optional).toBe(true)
  })
})
