import { defineConfig } from 'vitest/config'

export default defineConfig({
  // Like esbuild-based setups (and this package's own tsup build), emit no `design:*` metadata:
  // the tests prove that explicit @Inject tokens are enough.
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: false } },
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 20_000,
    // Checked by test/nest-version.test.ts; vitest.nest12.config.ts sets 12.
    env: { KEYWARD_NEST_MAJOR: '11' },
  },
})
