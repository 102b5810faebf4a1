// Child-process entry of `ControlledCluster.stopNodeWhen`: polls one node's record count of a
// set and stops (or kills) another node through the `server` script once it is reached, then
// prints `watching`, then `{ stoppedAt, objects }`. A process of its own, so it acts while the test's thread is
// blocked in a sync call.

import { execFileSync } from 'node:child_process'
import { pathToFileURL } from 'node:url'

import { infoCommand } from './namespace-info.js'

interface Args {
  script: string
  dir: string
  node: number
  kill: boolean
  host: string
  port: number
  namespace: string
  set: string
  objects: number
  timeoutMs: number
}

const POLL_MS = 5

/** `objects=N` of a `sets/<ns>/<set>` reply (`objects=12:tombstones=0:…`); 0 before the set exists. */
export function setObjects(reply: string): number {
  const match = /(?:^|[:;])objects=(\d+)/.exec(reply)
  return match === null ? 0 : Number(match[1])
}

async function main(args: Args): Promise<void> {
  const deadline = Date.now() + args.timeoutMs
  let watching = false
  let lastError = ''
  for (;;) {
    let objects = 0
    try {
      objects = setObjects(
        await infoCommand(args.host, args.port, `sets/${args.namespace}/${args.set}`, 5_000),
      )
      if (!watching) process.stdout.write('watching\n')
      watching = true
    } catch (error) {
      // A node busy with the very writes being watched may answer late: poll again.
      lastError = `; last poll: ${(error as Error).message}`
    }
    if (objects >= args.objects) {
      const stop = ['stop-node', String(args.node), '--dir', args.dir]
      execFileSync(args.script, args.kill ? [...stop, '--kill'] : stop, {
        stdio: ['ignore', 'ignore', 'inherit'],
      })
      process.stdout.write(`${JSON.stringify({ stoppedAt: Date.now(), objects })}\n`)
      return
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${args.host}:${args.port} held ${objects} records of ${args.namespace}/${args.set} after ${args.timeoutMs} ms, waiting for ${args.objects}${lastError}`,
      )
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
}

// Run as a script only (tests import setObjects).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(JSON.parse(process.argv[2] ?? '') as Args).catch((error: unknown) => {
    process.stderr.write(`${(error as Error).message}\n`)
    process.exit(1)
  })
}
