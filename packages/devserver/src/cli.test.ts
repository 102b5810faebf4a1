import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

import Aerospike from 'aerospike'
import { describe, expect, it } from 'vitest'

import { OFFICIAL_TEST_POLICIES } from '../../test-utils/src/index.js'

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url))

function run(args: string[]): {
  done: Promise<{ code: number | null; stdout: string; stderr: string }>
  child: ReturnType<typeof spawn>
  firstLine: Promise<string>
} {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  let resolveLine: (line: string) => void = () => {}
  const firstLine = new Promise<string>((resolve) => (resolveLine = resolve))
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
    const newline = stdout.indexOf('\n')
    if (newline >= 0) resolveLine(stdout.slice(0, newline))
  })
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => {
      resolveLine('')
      resolve({ code, stdout, stderr })
    }),
  )
  return { done, child, firstLine }
}

describe('aerospike-devserver CLI', () => {
  it('prints the hosts, serves the official client, and stops on SIGTERM', async () => {
    const cli = run(['--port', '0', '--nodes', '2', '--namespaces', 'test,other'])
    const line = await cli.firstLine
    const match = /^aerospike-devserver listening: (\S+)$/.exec(line)
    expect(match).not.toBeNull()
    const hosts = match![1]!
    expect(hosts.split(',')).toHaveLength(2)
    const client = await Aerospike.connect({
      hosts,
      log: { level: Aerospike.log.OFF },
      policies: OFFICIAL_TEST_POLICIES,
    })
    try {
      const key = new Aerospike.Key('other', 's', 1) as Aerospike.Key & Aerospike.KeyOptions
      await client.put(key, { v: 1 })
      expect((await client.get(key)).bins).toEqual({ v: 1 })
    } finally {
      await client.close()
    }
    cli.child.kill('SIGTERM')
    const result = await cli.done
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('aerospike-devserver stopped')
  })

  it('--nsup-period 0 serves a namespace that refuses TTLs with 22, like a packaged server', async () => {
    const cli = run(['--port', '0', '--nsup-period', '0'])
    const hosts = /^aerospike-devserver listening: (\S+)$/.exec(await cli.firstLine)![1]!
    const client = await Aerospike.connect({
      hosts,
      log: { level: Aerospike.log.OFF },
      policies: OFFICIAL_TEST_POLICIES,
    })
    try {
      const key = new Aerospike.Key('test', 's', 1) as Aerospike.Key & Aerospike.KeyOptions
      const refused = await client.put(key, { v: 1 }, { ttl: 60 }).then(
        () => 0,
        (error: { code: number }) => error.code,
      )
      expect(refused).toBe(Aerospike.status.ERR_FAIL_FORBIDDEN)
      await client.put(key, { v: 1 })
      expect(await client.infoAny('namespace/test')).toMatch(/nsup-period=0;/)
    } finally {
      await client.close()
    }
    cli.child.kill('SIGTERM')
    expect((await cli.done).code).toBe(0)
  })

  it('refuses bad arguments with a message and a non-zero exit code', async () => {
    const badNodes = await run(['--nodes', 'three']).done
    expect(badNodes.code).toBe(1)
    expect(badNodes.stderr).toContain('--nodes must be a non-negative integer')
    const badTtl = await run(['--nsup-period', '0', '--default-ttl', '60']).done
    expect(badTtl.code).toBe(1)
    expect(badTtl.stderr).toContain('defaultTtl must be 0 when nsupPeriod is 0')
    const unknown = await run(['--frobnicate']).done
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('usage: aerospike-devserver')
    const help = await run(['--help']).done
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('usage: aerospike-devserver')
  })
})
