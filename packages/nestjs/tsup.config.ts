import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  target: 'node20',
  sourcemap: true,
  // Every constructor parameter has an explicit @Inject, so no `design:paramtypes` is needed.
  tsconfig: 'tsconfig.build.json',
})
