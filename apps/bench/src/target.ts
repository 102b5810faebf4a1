// Where the bench writes: the cluster named by --hosts / AEROSPIKE_HOSTS, or the embedded
// devserver. The devserver runs as a child process (its own CLI), not in a thread of the bench:
// then process.cpuUsage() of the bench counts the client's work only.

import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { CLUSTER_NOTE, DEVSERVER_NOTE } from './report.js'

export interface Target {
  kind: 'devserver' | 'cluster'
  hosts: string
  note: string
  /** The server shares this process (a devserver in a worker thread): client CPU is not measurable. */
  serverInProcess: boolean
  close(): Promise<void>
}

const START_TIMEOUT_MS = 30_000

/** Starts `aerospike-devserver --port 0` and resolves once it prints the hosts it listens on. */
export async function startDevServerProcess(namespace: string): Promise<Target> {
  // The dependency's CLI, found from src/ and dist/ alike (import.meta.resolve is not in vitest).
  const cli = fileURLToPath(
    new URL('../node_modules/@aerospike-numpy/devserver/dist/cli.js', import.meta.url),
  )
  const child: ChildProcess = spawn(
    process.execPath,
    [cli, '--port', '0', '--namespaces', namespace],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  // Whatever happens to the bench, its devserver goes with it.
  const killChild = (): void => {
    child.kill()
  }
  process.once('exit', killChild)
  let output = ''
  const hosts = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill()
      reject(new Error(`the devserver did not start within ${START_TIMEOUT_MS} ms: ${output}`))
    }, START_TIMEOUT_MS)
    const onData = (data: Buffer): void => {
      output += data.toString()
      const match = /listening: (\S+)/.exec(output)
      if (match !== null) {
        clearTimeout(timer)
        resolve(match[1] as string)
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`the devserver exited with code ${code}: ${output}`))
    })
  })
  child.stdout?.removeAllListeners('data').resume()
  child.stderr?.removeAllListeners('data').resume()
  return {
    kind: 'devserver',
    hosts,
    note: DEVSERVER_NOTE,
    serverInProcess: false,
    close: async () => {
      process.off('exit', killChild)
      if (child.exitCode !== null) return
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
      child.kill('SIGTERM')
      await exited
    },
  }
}

export async function openTarget(hosts: string | null, namespace: string): Promise<Target> {
  if (hosts !== null) {
    return {
      kind: 'cluster',
      hosts,
      note: CLUSTER_NOTE,
      serverInProcess: false,
      close: async () => {},
    }
  }
  return startDevServerProcess(namespace)
}
