// A request host for the channel's own tests: answers scripted requests so the blocking,
// exit and timeout paths of `channel.ts` can be exercised without a cluster. The client's tests
// use the real host (`host.ts`, the async client with the wire engine).
import { setTimeout } from 'node:timers'
import { setTimeout as sleep } from 'node:timers/promises'

export async function handleRequest(request) {
  switch (request.op) {
    case 'echo':
      return { value: { kind: 'echo', value: request.value }, transfer: [] }
    case 'sleep':
      await sleep(request.ms)
      return { value: { kind: 'none' }, transfer: [] }
    case 'spin': {
      const end = Date.now() + request.ms
      while (Date.now() < end) {
        // busy: the worker's own event loop is blocked too
      }
      return { value: { kind: 'none' }, transfer: [] }
    }
    case 'fail': {
      const error = new Error(request.message)
      error.name = 'ScriptedError'
      error.code = request.code
      error.row = 7
      throw error
    }
    case 'exitSoon':
      setTimeout(() => process.exit(request.code), request.ms)
      return { value: { kind: 'none' }, transfer: [] }
    case 'exitDuring':
      setTimeout(() => process.exit(request.code), request.ms)
      await sleep(60_000)
      return { value: { kind: 'none' }, transfer: [] }
    case 'crashDuring':
      setTimeout(() => {
        throw new Error('scripted crash')
      }, request.ms)
      await sleep(60_000)
      return { value: { kind: 'none' }, transfer: [] }
    case 'rejectDuring':
      setTimeout(() => {
        void Promise.reject(new RangeError('scripted rejection'))
      }, request.ms)
      await sleep(60_000)
      return { value: { kind: 'none' }, transfer: [] }
    case 'oomDuring': {
      // Fill the heap until the worker's heap limit ends the thread: no exit hook runs then.
      const hog = []
      for (;;) hog.push(new Array(100_000).fill(hog.length + 0.5))
    }
    case 'transferBack': {
      const bytes = new Uint8Array(request.length).fill(request.fill)
      return { value: { kind: 'bytes', bytes }, transfer: [bytes.buffer] }
    }
    default:
      throw new TypeError(`unknown scripted op ${String(request.op)}`)
  }
}
