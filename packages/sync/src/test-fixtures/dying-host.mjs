// The real request host (the async client with the wire engine), plus a way for a test to make
// the worker die: a write to a set named `exit-during-*` or `crash-during-*` ends the thread
// while that (real) call is in flight; `exit-after-*` ends it just after answering. A write to
// `held-*` is held back 10 s before it runs (a long call on any cluster, for callTimeout).
import { setImmediate, setTimeout } from 'node:timers'
import { setTimeout as sleep } from 'node:timers/promises'

import { handleRequest as handleReal } from '../../dist/host.js'

export async function handleRequest(request) {
  const set = typeof request.set === 'string' ? request.set : ''
  if (set.startsWith('exit-during')) setImmediate(() => process.exit(7))
  if (set.startsWith('crash-during')) {
    setImmediate(() => {
      throw new Error('the host crashed')
    })
  }
  if (set.startsWith('held')) await sleep(10_000)
  const reply = await handleReal(request)
  if (set.startsWith('exit-after')) setTimeout(() => process.exit(8), 5)
  return reply
}
