import { defineConfig } from 'vitest/config'

export default defineConfig({
  // Nest's decorators are the legacy kind; like esbuild-based builds, emit no `design:*`
  // metadata: the examples inject with explicit @Inject tokens.
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: false } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
  },
})
