// `pnpm start`: the bench's default tuning run. See USAGE in args.ts for the flags.

import { parseArgs, USAGE, UsageError } from './args.js'
import { runBench } from './bench.js'
import { defaultOutDir, writeOutputs } from './output.js'
import { Progress } from './progress.js'
import { renderReport } from './table.js'

async function main(): Promise<number> {
  let options
  try {
    options = parseArgs(process.argv.slice(2), process.env)
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n\n${USAGE}`)
      return 2
    }
    throw error
  }
  if (options.help) {
    process.stdout.write(USAGE)
    return 0
  }
  const report = await runBench(options, new Progress(process.stderr, 0))
  process.stdout.write('\n' + renderReport(report) + '\n')
  const written = await writeOutputs(report, options.outDir ?? defaultOutDir(), options.jsonPath)
  process.stdout.write(`\nWrote ${written.join(', ')} (${report.durationSeconds.toFixed(1)} s).\n`)
  // Rows that failed or read back wrong are shown above; the exit code says so too.
  const wrong = report.results.some((r) => r.failures > 0 || (r.verified?.mismatches ?? 0) > 0)
  return wrong ? 1 : 0
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error)
    process.stderr.write(`bench failed: ${text}\n`)
    process.exitCode = 1
  },
)
