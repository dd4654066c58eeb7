// Rewrites the example blocks of docs/migrating-from-*.md from apps/migration-examples, so the
// guides show the code the tests run. `pnpm --filter @keyward/migration-examples docs:sync`.
import { readFileSync, writeFileSync } from 'node:fs'
import { guidePath, PEERS, withExamplesSynced } from './doc-examples.js'

for (const peer of PEERS) {
  const path = guidePath(peer)
  const before = readFileSync(path, 'utf8')
  const after = withExamplesSynced(before)
  if (after !== before) {
    writeFileSync(path, after)
    console.log(`updated ${path}`)
  }
}
