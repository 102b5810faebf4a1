import { defineConfig } from 'vitest/config'

// `forks`: the calling side of the sync client blocks its thread with Atomics.wait, and the
// integration helpers load the official addon, which must not load in a worker thread.
export default defineConfig({
  test: {
    name: 'sync',
    include: ['src/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
