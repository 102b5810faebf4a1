// The native C client's numbers: Aerospike's `asbench`, run as a child process on rows of the
// sensor shape (3 doubles and a 1-byte int) in its own set — the ceiling a client on this
// machine is held against. Its `tps` counts batch calls: rows/s = calls × batch size / seconds.

import { spawn, spawnSync } from 'node:child_process'

export interface NativeRun {
  rows: number
  seconds: number
}

/** `asbench` if `given` is null and it is on PATH; `given` as is otherwise; null if none. */
export function findAsbench(given: string | null): string | null {
  if (given !== null) return given
  const found = spawnSync('sh', ['-c', 'command -v asbench'], { encoding: 'utf8' })
  return found.status === 0 && found.stdout.trim() !== '' ? found.stdout.trim() : null
}

function run(path: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr.on('data', (d: Buffer) => (output += d.toString()))
    child.once('error', reject)
    child.once('exit', (code) => {
      if (code === 0) resolve(output)
      else reject(new Error(`asbench exited with code ${code}: ${output.trim().split('\n').pop()}`))
    })
  })
}

const STAMP = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) /

function stampMs(line: string): number {
  const match = STAMP.exec(line)
  return match === null ? NaN : Date.parse(match[1]!.replace(' ', 'T') + 'Z')
}

/**
 * Batch calls and seconds of an asbench log: from "Start N transaction threads" to its last
 * per-second line, summing the `tps=` of the `kind` lines.
 */
export function parseAsbench(
  output: string,
  kind: 'read' | 'write',
): { calls: number; seconds: number } {
  const lines = output.split('\n')
  const start = lines.find((l) => / Start \d+ transaction threads/.test(l))
  const ticks = lines.filter((l) => l.includes(` ${kind}(tps=`))
  if (start === undefined || ticks.length === 0) {
    throw new Error(`no asbench ${kind} numbers in its output: ${output.trim().slice(-200)}`)
  }
  let calls = 0
  for (const line of ticks) calls += Number(/ (?:read|write)\(tps=(\d+)/.exec(line)![1])
  const seconds = (stampMs(ticks[ticks.length - 1]!) - stampMs(start)) / 1000
  if (!(seconds > 0)) throw new Error(`asbench ${kind}: cannot tell how long it ran`)
  return { calls, seconds }
}

/** Where and what asbench works on: the first host of `hosts`, rows of the sensor shape. */
export interface AsbenchTarget {
  path: string
  hosts: string
  namespace: string
  set: string
  rows: number
  chunkSize: number
  concurrency: number
}

function commonArgs(t: AsbenchTarget): string[] {
  const first = t.hosts.split(',')[0]!
  const colon = first.lastIndexOf(':')
  return [
    ...['-h', first.slice(0, colon), '-p', first.slice(colon + 1)],
    ...['-n', t.namespace, '-s', t.set, '-k', String(t.rows)],
    ...['-o', 'D,D,D,I1', '-z', String(t.concurrency)],
  ]
}

/** Inserts every one of `rows` keys once, in batches of `chunkSize` (`concurrency` threads). */
export async function asbenchWrite(t: AsbenchTarget): Promise<NativeRun> {
  const args = [...commonArgs(t), '-w', 'I', '--batch-write-size', String(t.chunkSize)]
  const written = parseAsbench(await run(t.path, args), 'write')
  return { rows: t.rows, seconds: written.seconds }
}

/** Batch-reads the rows `asbenchWrite` wrote, for `seconds`, in batches of `chunkSize`. */
export async function asbenchRead(t: AsbenchTarget, seconds: number): Promise<NativeRun> {
  const args = [
    ...commonArgs(t),
    ...['-w', 'RU,100', '--batch-read-size', String(t.chunkSize)],
    ...['-t', String(Math.max(1, Math.round(seconds)))],
  ]
  const read = parseAsbench(await run(t.path, args), 'read')
  return { rows: read.calls * t.chunkSize, seconds: read.seconds }
}
