import { defineConfig } from 'vitest/config'

// One run over every package, so CI gets one JSON report with the totals.
// `forks`, not threads: the official `aerospike` addon aborts the process when loaded in a worker thread.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'examples'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', ['json', { outputFile: '.vitest-report.json' }]],
  },
})
