import { defineProject } from 'vitest/config'

// Own config so `vitest run` works from this directory; the root config lists it as a project.
// `forks`: the async examples load the official addon, which aborts in a worker thread.
export default defineProject({
  test: {
    name: 'examples',
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
})
