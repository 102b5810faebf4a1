import { defineConfig } from 'vitest/config'

// One run over every package, so CI gets one JSON report with the totals.
// `forks`, not threads: the official `aerospike` addon aborts the process when loaded in a worker thread.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'examples'],
    pool: 'forks',
    // Vitest's default on 2 cores is one fork: every file in turn. Most files wait on a server or a
    // timer, so 3 at once keep both cores busy (CI runs the suite 3 times within its budget).
    poolOptions: { forks: { maxForks: 3, minForks: 1 } },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // CI runs several suites at once (the fault files): each names its own report.
    reporters: [
      'default',
      ['json', { outputFile: process.env['VITEST_JSON_REPORT'] ?? '.vitest-report.json' }],
    ],
  },
})
