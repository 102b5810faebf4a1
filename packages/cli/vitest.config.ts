import { defineConfig } from 'vitest/config'

// `forks`: the tests start child processes of the CLI and load the official addon through
// test-utils, which must not load in a worker thread.
export default defineConfig({
  test: {
    name: 'cli',
    include: ['src/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
