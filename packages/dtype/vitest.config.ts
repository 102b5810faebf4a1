import { defineProject } from 'vitest/config'

// Own config so `vitest run` works from this directory; the root config lists it as a project.
export default defineProject({
  test: {
    name: 'dtype',
    include: ['src/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
