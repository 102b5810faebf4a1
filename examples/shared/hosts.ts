// Where the examples connect: AEROSPIKE_HOSTS (`host:port[,host:port]`), else 127.0.0.1:3000 —
// start one with `pnpm devserver` at the repository root.

import { pathToFileURL } from 'node:url'

/** The guide's spelling of a seed list: `[['127.0.0.1', 3000]]`. */
export type Hosts = [string, number][]

export function parseHosts(text: string): Hosts {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const match = /^(.+):(\d+)$/.exec(entry)
      const port = match ? Number(match[2]) : NaN
      if (!match || port < 1 || port > 65535) {
        throw new Error(`AEROSPIKE_HOSTS: "${entry}" is not host:port`)
      }
      return [match[1] as string, port] as [string, number]
    })
}

export function hostsFromEnv(env: NodeJS.ProcessEnv = process.env): Hosts {
  const text = env['AEROSPIKE_HOSTS']?.trim()
  return text ? parseHosts(text) : [['127.0.0.1', 3000]]
}

/** Runs `main` when the file is run directly (`node dist/sync/quick-start.js`), not when imported. */
export function runIfMain(moduleUrl: string, main: (hosts: Hosts) => unknown): void {
  const entry = process.argv[1]
  if (entry === undefined || pathToFileURL(entry).href !== moduleUrl) return
  Promise.resolve()
    .then(() => main(hostsFromEnv()))
    .catch((error: unknown) => {
      console.error(error)
      process.exitCode = 1
    })
}
