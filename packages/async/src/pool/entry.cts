/**
 * The file piscina loads in each worker thread. It is CommonJS on purpose: piscina first tries
 * `require()` on its worker file, and on Node 20.19+ `require()` of an ES module instantiates it
 * synchronously (`ModuleWrap::InstantiateSync`), which calls V8's `Module::IsGraphAsync()` even
 * when instantiation was cut short by `worker.terminate()` — a pool closed (or resized) while a
 * thread is still loading then aborts the whole process ("FATAL ERROR: v8::Module::IsGraphAsync
 * must be used on an instantiated module"). A CommonJS file is required without the ES module
 * loader, and it loads the real worker with `import()`, whose asynchronous instantiation a
 * termination cuts short cleanly.
 */
import type { WriteTask, WriteTaskReply } from './messages.js'

type Handler = (task: WriteTask) => Promise<WriteTaskReply>

// Started at once, so a thread is ready before its first task.
const handler: Promise<Handler> = import('./worker.js').then(
  (module: { default: Handler }) => module.default,
)
// A load failure is reported to each task below, not as an unhandled rejection.
handler.catch(() => {})

export = async function writeRows(task: WriteTask): Promise<WriteTaskReply> {
  return (await handler)(task)
}
