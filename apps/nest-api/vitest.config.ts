import { defineConfig } from 'vitest/config'

export default defineConfig({
  // Nest's legacy decorators, without design:* metadata (like tsx at run time).
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: false } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
  },
})
