import { defineProject } from 'vitest/config'

// Own config so `vitest run` works from this directory; the root config lists it as a project.
// `forks`: the official addon, which these tests drive, aborts the process in a worker thread.
export default defineProject({
  test: {
    name: 'devserver',
    include: ['src/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
