// The real request host (the async client with the wire engine), plus a way for a test to make
// the worker die: a write to a set named `exit-during-*` or `crash-during-*` ends the thread
// while that (real) call is in flight; `exit-after-*` ends it just after answering. A write to
// `held-*` is held back 10 s before it runs (a long call on any cluster, for callTimeout). A write
// to, or a read of keys in, a set named `oom-during-*` fills the heap until the worker's heap
// limit (a test sets one) ends the thread: a death that runs no exit hook.
import { setImmediate, setTimeout } from 'node:timers'
import { setTimeout as sleep } from 'node:timers/promises'

import { handleRequest as handleReal } from '../../dist/host.js'

function setOf(request) {
  if (typeof request.set === 'string') return request.set
  // A read carries its keys resolved: the set of its first group.
  const group = request.keys?.groups?.[0]
  return typeof group?.set === 'string' ? group.set : ''
}

export async function handleRequest(request) {
  const set = setOf(request)
  if (set.startsWith('oom-during')) {
    const hog = []
    for (;;) hog.push(new Array(100_000).fill(hog.length + 0.5))
  }
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
