import { defineConfig } from 'tsup'

// An executable, not a library: one ESM bundle of the CLI's own code, `@keyward/core` imported
// at run time, no type declarations.
export default defineConfig({
  entry: ['src/main.ts'],
  format: ['esm'],
  clean: true,
  target: 'node20',
  sourcemap: true,
  removeNodeProtocol: false,
})
