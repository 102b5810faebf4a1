// A real cluster that tests may stop, kill and restart, node by node, through the `server` script
// that started it (../shared/aerospike/server). `.ci/run` passes it in its fault phase:
//   AEROSPIKE_HOSTS        every node, in node order (as `server start` prints them)
//   AEROSPIKE_SERVER       the `server` script
//   AEROSPIKE_SERVER_DIR   the run folder it was started with (`--dir`)
// Fault tests destroy cluster state, so they hold a lock in the run folder while they run: two
// test files (or processes) never fault the same cluster at once.

import { execFile, spawn } from 'node:child_process'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

import { TestUtilsError } from './errors.js'
import { formatHosts, parseHosts } from './hosts.js'
import { infoCommand } from './namespace-info.js'

const run = promisify(execFile)

/** Nodes a fault test needs: one can be lost and every partition still has a copy (RF 2). */
export const FAULT_TEST_NODES = 3

export interface ServerControlEnv {
  script: string
  dir: string
  hosts: [string, number][]
}

/** The controllable cluster named by the environment, or null when one of its variables is unset. */
export function serverControlEnv(): ServerControlEnv | null {
  const script = process.env['AEROSPIKE_SERVER']?.trim()
  const dir = process.env['AEROSPIKE_SERVER_DIR']?.trim()
  const hosts = process.env['AEROSPIKE_HOSTS']?.trim()
  if (!script || !dir || !hosts) return null
  return { script, dir, hosts: parseHosts(hosts) }
}

/**
 * Why fault tests cannot run here, or null when they can: for
 * `beforeEach((ctx) => ctx.skip(reason !== null, reason ?? ''))` or `it.skipIf(...)`.
 */
export function controlledClusterSkipReason(): string | null {
  const how =
    'set AEROSPIKE_HOSTS, AEROSPIKE_SERVER (the ../shared/aerospike/server script) and ' +
    'AEROSPIKE_SERVER_DIR (its run folder) for a 3-node cluster no other test uses, as .ci/run does in its fault phase'
  const env = serverControlEnv()
  if (env === null) {
    const where = process.env['AEROSPIKE_HOSTS']?.trim()
      ? 'AEROSPIKE_HOSTS names a real cluster these tests cannot stop and restart'
      : 'the tests run on the devserver'
    return `needs a real cluster it may stop, kill and restart: ${where}; ${how}`
  }
  if (env.hosts.length < FAULT_TEST_NODES) {
    return `needs ${FAULT_TEST_NODES} nodes (replication factor 2), AEROSPIKE_HOSTS has ${env.hosts.length}; ${how}`
  }
  return null
}

export interface StopWatchOptions {
  namespace: string
  set: string
  /** Stop the node once `watchNode` holds at least this many records of the set. */
  objects: number
  /** The node whose record count is watched (not the one to stop). Default 0. */
  watchNode?: number
  /** SIGKILL (no clean shutdown). Default false: a clean stop. */
  kill?: boolean
  /** Give up after this long. Default 120 s. */
  timeoutMs?: number
}

export interface StopWatch {
  /** Resolves once the watcher polls (start the write after it, so a fast write cannot slip by). */
  readonly ready: Promise<void>
  /** Resolves once the node is stopped, with the time (Date.now()) it was. */
  readonly done: Promise<{ stoppedAt: number; objects: number }>
  cancel(): void
}

export interface ControlledCluster {
  /** Every node, node i at index i. */
  readonly hosts: [string, number][]
  readonly hostsString: string
  readonly nodeCount: number
  /** Stops node i (SIGTERM, or SIGKILL with `kill`); resolves once its process is gone. */
  stopNode(i: number, options?: { kill?: boolean }): Promise<void>
  /** Starts node i again; resolves once it serves. */
  startNode(i: number): Promise<void>
  /** Resolves once the running nodes agree on one cluster and migrations are done. */
  waitStable(): Promise<void>
  /** The running nodes, as `server hosts` lists them. */
  runningHosts(): Promise<[string, number][]>
  /** Starts every stopped node and waits until the cluster is stable. */
  restore(): Promise<void>
  /**
   * Stops node i from another process once the watched node holds `objects` records of the set:
   * works while this thread is blocked (the sync client) and never waits for this event loop.
   */
  stopNodeWhen(i: number, options: StopWatchOptions): StopWatch
  /**
   * Deletes every record of the set (keeps later migrations short). Works with a node down: it
   * waits until the running nodes agree on their cluster (not for migrations), as a truncate sent
   * while they still re-form times out.
   */
  truncate(namespace: string, set: string): Promise<void>
  /** Restores the cluster and releases the lock. */
  close(): Promise<void>
}

const LOCK_NAME = 'fault-tests.lock'
/** How long the running nodes may take to agree on a cluster after a node left or came back. */
const FORM_LIMIT_MS = 120_000

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Takes the run folder's lock (a directory: mkdir is atomic), waiting for its holder to finish. */
async function lock(dir: string, waitMs: number): Promise<() => Promise<void>> {
  const path = join(dir, LOCK_NAME)
  const deadline = Date.now() + waitMs
  for (;;) {
    try {
      await mkdir(path)
      await writeFile(join(path, 'pid'), String(process.pid))
      return () => rm(path, { recursive: true, force: true })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const holder = Number(await readFile(join(path, 'pid'), 'utf8').catch(() => ''))
    // A holder that died without releasing (or is between mkdir and writing its pid).
    if (Number.isInteger(holder) && holder > 0 && !isAlive(holder)) {
      await rm(path, { recursive: true, force: true })
      continue
    }
    if (Date.now() > deadline) {
      throw new TestUtilsError(
        'TEST_UTILS_SERVER_FAILED',
        `the fault-test lock ${path} is held by pid ${holder} for more than ${waitMs} ms`,
      )
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

const WATCHER = fileURLToPath(new URL('./stop-node-when.js', import.meta.url))

/**
 * The cluster of `serverControlEnv()`, checked (its running nodes are AEROSPIKE_HOSTS), locked
 * for this caller and stable. Close it when done: that restores it and releases the lock.
 */
export async function openControlledCluster(
  options: { lockWaitMs?: number } = {},
): Promise<ControlledCluster> {
  const env = serverControlEnv()
  const reason = controlledClusterSkipReason()
  if (env === null || reason !== null) {
    throw new TestUtilsError('TEST_UTILS_BAD_OPTION', reason ?? 'no controllable cluster')
  }
  const { script, dir, hosts } = env
  const server = async (...args: string[]): Promise<string> => {
    try {
      const { stdout } = await run(script, [...args, '--dir', dir], { timeout: 300_000 })
      return stdout
    } catch (error) {
      const e = error as { stderr?: string; message: string }
      throw new TestUtilsError(
        'TEST_UTILS_SERVER_FAILED',
        `server ${args.join(' ')} --dir ${dir} failed: ${(e.stderr ?? '').trim() || e.message}`,
        { cause: error },
      )
    }
  }
  const nodeIndex = (i: number): string => {
    if (!Number.isInteger(i) || i < 0 || i >= hosts.length) {
      throw new TestUtilsError(
        'TEST_UTILS_BAD_OPTION',
        `node ${String(i)}: the cluster has nodes 0..${hosts.length - 1}`,
      )
    }
    return String(i)
  }
  const runningHosts = async (): Promise<[string, number][]> => {
    const text = (await server('hosts')).trim()
    return text === '' ? [] : parseHosts(text)
  }
  const release = await lock(dir, options.lockWaitMs ?? 15 * 60_000)
  // Whether this handle changed the cluster since it last saw it stable: a restore of a cluster
  // that is already whole and stable then costs one `server hosts`, not a wait-stable.
  let changed = true
  const waitStable = async (): Promise<void> => {
    await server('wait-stable')
    changed = false
  }
  // The running nodes agree on one cluster of their number; migrations may still run.
  const waitFormed = async (): Promise<void> => {
    const live = await runningHosts()
    const command = `cluster-stable:size=${live.length};ignore-migrations=true`
    const deadline = Date.now() + FORM_LIMIT_MS
    for (;;) {
      const keys = await Promise.all(
        live.map(([host, port]) =>
          infoCommand(host, port, command).catch((error: Error) => `error: ${error.message}`),
        ),
      )
      const key = keys[0] ?? ''
      if (key !== '' && !/^error/i.test(key) && keys.every((k) => k === key)) return
      if (Date.now() > deadline) {
        throw new TestUtilsError(
          'TEST_UTILS_SERVER_FAILED',
          `the ${live.length} running nodes of ${dir} did not agree on a cluster in ${FORM_LIMIT_MS / 1000} s: ${keys.join('; ')}`,
        )
      }
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
  }
  const restore = async (): Promise<void> => {
    const running = new Set((await runningHosts()).map(([host, port]) => `${host}:${port}`))
    for (let i = 0; i < hosts.length; i++) {
      const [host, port] = hosts[i]!
      if (!running.has(`${host}:${port}`)) {
        changed = true
        await server('start-node', String(i))
      }
    }
    if (changed) await waitStable()
  }
  try {
    await restore()
    const running = formatHosts(await runningHosts())
    if (running !== formatHosts(hosts)) {
      throw new TestUtilsError(
        'TEST_UTILS_BAD_OPTION',
        `AEROSPIKE_HOSTS (${formatHosts(hosts)}) is not the cluster in ${dir} (${running})`,
      )
    }
  } catch (error) {
    await release()
    throw error
  }
  let closed = false
  return {
    hosts,
    hostsString: formatHosts(hosts),
    nodeCount: hosts.length,
    async stopNode(i, stopOptions = {}) {
      changed = true
      await server('stop-node', nodeIndex(i), ...(stopOptions.kill === true ? ['--kill'] : []))
    },
    async startNode(i) {
      changed = true
      await server('start-node', nodeIndex(i))
    },
    waitStable,
    runningHosts,
    restore,
    stopNodeWhen(i, watch) {
      changed = true
      const [host, port] = hosts[watch.watchNode ?? 0]!
      const args = {
        script,
        dir,
        node: Number(nodeIndex(i)),
        kill: watch.kill ?? false,
        host,
        port,
        namespace: watch.namespace,
        set: watch.set,
        objects: watch.objects,
        timeoutMs: watch.timeoutMs ?? 120_000,
      }
      const child = spawn(process.execPath, [WATCHER, JSON.stringify(args)], {
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let stdout = ''
      let stderr = ''
      let watching: () => void = () => {}
      const ready = new Promise<void>((resolve) => (watching = resolve))
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString()
        if (stdout.startsWith('watching\n')) watching()
      })
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
      const done = new Promise<{ stoppedAt: number; objects: number }>((resolve, reject) => {
        child.on('error', reject)
        child.on('close', (code, signal) => {
          const last = stdout.trim().split('\n').at(-1) ?? ''
          if (code === 0 && last.startsWith('{'))
            resolve(JSON.parse(last) as { stoppedAt: number; objects: number })
          else
            reject(
              new TestUtilsError(
                'TEST_UTILS_SERVER_FAILED',
                `stopping node ${i} when ${watch.set} has ${watch.objects} records: ` +
                  (stderr.trim() || `watcher exited with ${code ?? signal}`),
              ),
            )
        })
      })
      const readyOrFailed = Promise.race([ready, done.then(() => {})])
      // The caller may never await them (a test that failed first).
      done.catch(() => {})
      readyOrFailed.catch(() => {})
      return { ready: readyOrFailed, done, cancel: () => child.kill() }
    },
    async truncate(namespace, set) {
      await waitFormed()
      for (const [host, port] of await runningHosts()) {
        const reply = await infoCommand(host, port, `truncate:namespace=${namespace};set=${set}`)
        if (reply.trim() !== 'ok') {
          throw new TestUtilsError(
            'TEST_UTILS_INFO_FAILED',
            `truncate ${namespace}/${set} on ${host}:${port}: ${reply}`,
          )
        }
        return
      }
      throw new TestUtilsError('TEST_UTILS_SERVER_FAILED', `no node of ${dir} is running`)
    },
    async close() {
      if (closed) return
      closed = true
      try {
        await restore()
      } finally {
        await release()
      }
    },
  }
}
