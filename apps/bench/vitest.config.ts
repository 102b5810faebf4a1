import { defineProject } from 'vitest/config'

// Own config so `vitest run` works from this directory; the root config lists it as a project.
// `forks`: the bench's integration test loads the official addon, which aborts in a worker thread.
export default defineProject({
  test: {
    name: 'bench',
    include: ['src/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
})
