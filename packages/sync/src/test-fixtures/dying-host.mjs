// The real request host (the async client with the wire engine), plus a way for a test to make
// the worker die: a write to a set named `exit-during-*` or `crash-during-*` ends the thread
// while that (real) call is in flight; `exit-after-*` ends it just after answering.
import { setImmediate, setTimeout } from 'node:timers'

import { handleRequest as handleReal } from '../../dist/host.js'

export async function handleRequest(request) {
  const set = typeof request.set === 'string' ? request.set : ''
  if (set.startsWith('exit-during')) setImmediate(() => process.exit(7))
  if (set.startsWith('crash-during')) {
    setImmediate(() => {
      throw new Error('the host crashed')
    })
  }
  const reply = await handleReal(request)
  if (set.startsWith('exit-after')) setTimeout(() => process.exit(8), 5)
  return reply
}
