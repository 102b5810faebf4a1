import { execFile } from 'node:child_process'
import { readFile } from 'node:fs'
import { promisify } from 'node:util'

import { afterEach, describe, expect, it } from 'vitest'

import { BlockingWorker, type CallOutcome } from './channel.js'
import type { RequestBody } from './messages.js'

// The channel on its own, with a scripted host module in the worker; the client's tests
// (client.test.ts) cover the same points through the real host and a cluster.
const workerUrl = new URL('../dist/worker.js', import.meta.url)
const scriptedHost = new URL('./test-fixtures/scripted-host.mjs', import.meta.url).href
const brokenHost = new URL('./test-fixtures/broken-host.mjs', import.meta.url).href

const started: BlockingWorker[] = []
function startWorker(
  hostModule = scriptedHost,
  resourceLimits?: { maxOldGenerationSizeMb: number },
): BlockingWorker {
  const worker = new BlockingWorker({
    workerUrl,
    hostModule,
    ...(resourceLimits === undefined ? {} : { resourceLimits }),
  })
  started.push(worker)
  return worker
}
afterEach(() => {
  for (const worker of started.splice(0)) worker.stop()
})

/** Scripted requests are not part of the client's message union. */
function scripted(body: Record<string, unknown>): RequestBody {
  return body as unknown as RequestBody
}

function expectExited(outcome: CallOutcome): {
  exitCode: number
  message: string | undefined
  received: boolean
} {
  if (outcome.kind !== 'exited') throw new Error(`expected exited, got ${outcome.kind}`)
  return { exitCode: outcome.exitCode, message: outcome.error?.message, received: outcome.received }
}

describe('BlockingWorker', () => {
  it('answers calls in order', () => {
    const worker = startWorker()
    for (let i = 0; i < 50; i++) {
      const outcome = worker.call(scripted({ op: 'echo', value: i }))
      expect(outcome).toEqual({ kind: 'result', value: { kind: 'echo', value: i } })
    }
  })

  it('blocks the calling thread: no timer, immediate, promise or I/O callback runs during a call', async () => {
    const worker = startWorker()
    worker.call(scripted({ op: 'echo', value: 0 })) // worker loaded
    const ran: string[] = []
    setTimeout(() => ran.push('timeout'), 0)
    const interval = setInterval(() => ran.push('interval'), 1)
    setImmediate(() => ran.push('immediate'))
    void Promise.resolve().then(() => ran.push('promise'))
    readFile(new URL(import.meta.url), () => ran.push('io'))
    const started = performance.now()
    const outcome = worker.call(scripted({ op: 'sleep', ms: 150 }))
    const elapsed = performance.now() - started
    const ranDuringCall = [...ran]
    for (let i = 0; i < 200 && !ran.includes('io'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    clearInterval(interval)

    expect(outcome.kind).toBe('result')
    expect(elapsed).toBeGreaterThanOrEqual(140)
    expect(ranDuringCall).toEqual([])
    expect(ran).toEqual(
      expect.arrayContaining(['timeout', 'interval', 'immediate', 'promise', 'io']),
    )
  })

  it('hands back a thrown error as data with its name, code and fields', () => {
    const worker = startWorker()
    const outcome = worker.call(scripted({ op: 'fail', message: 'no such thing', code: 2 }))
    expect(outcome.kind).toBe('error')
    if (outcome.kind !== 'error') return
    expect(outcome.error).toMatchObject({
      name: 'ScriptedError',
      message: 'no such thing',
      code: 2,
      extra: { row: 7 },
    })
    expect(worker.call(scripted({ op: 'echo', value: 'still fine' })).kind).toBe('result')
  })

  it('moves transferred buffers back', () => {
    const worker = startWorker()
    const outcome = worker.call(scripted({ op: 'transferBack', length: 1 << 20, fill: 9 }))
    expect(outcome.kind).toBe('result')
    if (outcome.kind !== 'result') return
    const bytes = (outcome.value as unknown as { bytes: Uint8Array }).bytes
    expect(bytes.length).toBe(1 << 20)
    expect(bytes[12345]).toBe(9)
  })

  it.each([
    ['process.exit', 'exitDuring', 3, undefined],
    ['an uncaught exception', 'crashDuring', 1, 'scripted crash'],
    ['an unhandled rejection', 'rejectDuring', 1, 'scripted rejection'],
  ])('wakes the caller when the worker dies mid-call through %s', (_how, op, exitCode, message) => {
    const worker = startWorker()
    const started = performance.now()
    const exited = expectExited(worker.call(scripted({ op, ms: 50, code: exitCode })))
    expect(performance.now() - started).toBeLessThan(10_000)
    expect(exited.exitCode).toBe(exitCode)
    expect(exited.message).toBe(message)
    expect(exited.received).toBe(true)
    expect(worker.exited).toBe(true)
    // Every later call reports the same, at once.
    expect(expectExited(worker.call(scripted({ op: 'echo', value: 1 }))).exitCode).toBe(exitCode)
  })

  it('wakes the caller when the worker runs out of heap mid-call, where no exit hook runs', () => {
    const worker = startWorker(scriptedHost, { maxOldGenerationSizeMb: 48 })
    expect(worker.call(scripted({ op: 'echo', value: 1 })).kind).toBe('result')
    // A generous timeout only so that, were the caller not woken, this fails instead of hanging.
    const outcome = worker.call(scripted({ op: 'oomDuring' }), [], 60_000)
    const exited = expectExited(outcome)
    expect(exited.message).toMatch(/memory limit/)
    expect(exited.received).toBe(true)
    expect(worker.exited).toBe(true)
    // A call after the death was never taken by the worker: nothing of it was done.
    const next = expectExited(worker.call(scripted({ op: 'echo', value: 2 })))
    expect(next.received).toBe(false)
    expect(next.message).toMatch(/memory limit/)
  })

  it('reports a worker that died between calls', async () => {
    const worker = startWorker()
    expect(worker.call(scripted({ op: 'exitSoon', ms: 10, code: 4 })).kind).toBe('result')
    await new Promise((resolve) => setTimeout(resolve, 200))
    const exited = expectExited(worker.call(scripted({ op: 'echo', value: 1 })))
    expect(exited.exitCode).toBe(4)
    expect(exited.received).toBe(false)
  })

  it('reports a host module that fails to load instead of hanging', () => {
    const worker = startWorker(brokenHost)
    const exited = expectExited(worker.call(scripted({ op: 'echo', value: 1 })))
    expect(exited.exitCode).toBe(1)
    expect(exited.message).toBe('host failed to load')
  })

  it('says so when the worker entry is not built', () => {
    expect(
      () =>
        new BlockingWorker({
          workerUrl: new URL('./no-such-worker.js', workerUrl),
          hostModule: scriptedHost,
        }),
    ).toThrow(
      /worker entry .*no-such-worker\.js does not exist: build @aerospike-numpy\/sync first/,
    )
  })

  it('honours a timeout and stops the worker, even one whose event loop is stuck', () => {
    for (const op of ['sleep', 'spin']) {
      const worker = startWorker()
      const started = performance.now()
      const outcome = worker.call(scripted({ op, ms: 30_000 }), [], 100)
      const elapsed = performance.now() - started
      expect(outcome).toEqual({ kind: 'timeout', timeoutMs: 100, received: true })
      expect(elapsed).toBeGreaterThanOrEqual(99)
      expect(elapsed).toBeLessThan(10_000)
      expect(worker.exited).toBe(true)
      expect(worker.call(scripted({ op: 'echo', value: 1 })).kind).toBe('exited')
    }
  })

  it('waits for a long call when no timeout is set', () => {
    const worker = startWorker()
    expect(worker.call(scripted({ op: 'sleep', ms: 1500 })).kind).toBe('result')
  })

  it('keeps several workers independent', () => {
    const first = startWorker()
    const second = startWorker()
    expect(first.threadId).not.toBe(second.threadId)
    expect(expectExited(first.call(scripted({ op: 'exitDuring', ms: 10, code: 5 }))).exitCode).toBe(
      5,
    )
    for (let i = 0; i < 5; i++) {
      expect(second.call(scripted({ op: 'echo', value: i }))).toEqual({
        kind: 'result',
        value: { kind: 'echo', value: i },
      })
    }
  })

  it('refuses a request that cannot be cloned, without sending anything', () => {
    const worker = startWorker()
    const outcome = worker.call(scripted({ op: 'echo', value: () => 1 }))
    expect(outcome.kind).toBe('notCloneable')
    expect(worker.call(scripted({ op: 'echo', value: 2 })).kind).toBe('result')
  })

  it('lets a script that never stops its worker exit by itself', async () => {
    const script = `
      import { BlockingWorker } from ${JSON.stringify(new URL('../dist/channel.js', import.meta.url).href)}
      const worker = new BlockingWorker({ workerUrl: new URL(${JSON.stringify(workerUrl.href)}), hostModule: ${JSON.stringify(scriptedHost)} })
      const outcome = worker.call({ op: 'echo', value: 'done' })
      console.log(outcome.value.value)
    `
    const started = performance.now()
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--input-type=module', '-e', script],
      { timeout: 20_000 },
    )
    expect(stdout.trim()).toBe('done')
    expect(performance.now() - started).toBeLessThan(20_000)
  })
})
