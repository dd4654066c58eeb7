import { fileURLToPath } from 'node:url'
import { configDefaults, defineConfig, mergeConfig } from 'vitest/config'
import base from './vitest.config.js'

// Nest 12 lives in a private fixture package beside the Nest 11 devDependencies. Aliasing the
// bare specifiers works because tests and `src` are transformed by Vite: every `@nestjs/*`
// import they make, subpaths included, lands in the fixture's copy, and that copy's own imports
// (core → common, platform → core) resolve inside its pnpm tree, so no Nest 11 module loads.
const nest12 = fileURLToPath(new URL('./fixtures/nest12/node_modules/@nestjs/', import.meta.url))

export default mergeConfig(
  base,
  defineConfig({
    resolve: {
      alias: [
        {
          find: /^@nestjs\/(common|core|platform-express|platform-fastify)(\/.*)?$/,
          replacement: `${nest12}$1$2`,
        },
      ],
    },
    test: {
      env: { KEYWARD_NEST_MAJOR: '12' },
      // @nestjs/graphql 13 (the devDependency) peers on Nest 11 and would load it beside the
      // fixture's Nest 12; the GraphQL recipe is tested on Nest 11.
      exclude: [...configDefaults.exclude, 'test/graphql.test.ts'],
    },
  }),
)
