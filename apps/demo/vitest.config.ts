import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The tour bounds itself to 110 s.
    testTimeout: 120_000,
  },
})
