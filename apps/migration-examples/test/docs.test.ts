import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { embeddedExamples, guidePath, PEERS, ROOT } from '../scripts/doc-examples.js'

// The guides show the example apps the other tests run, byte for byte: a change to either
// without the other fails here (`pnpm --filter @keyward/migration-examples docs:sync` fixes the
// guide from the code).
describe('docs/migrating-from-*.md', () => {
  it('has one guide per peer, and no other', () => {
    const guides = readdirSync(`${ROOT}docs`).filter((name) => name.startsWith('migrating-from-'))
    expect(guides.sort()).toEqual(PEERS.map((peer) => `migrating-from-${peer}.md`).sort())
  })

  for (const peer of PEERS) {
    describe(peer, () => {
      const examples = embeddedExamples(readFileSync(guidePath(peer), 'utf8'))

      it('embeds its before and after apps, once each, then any further after-apps, each tested', () => {
        const files = examples.map((example) => example.file)
        expect(files.slice(0, 2)).toEqual([
          `apps/migration-examples/before/${peer}.ts`,
          `apps/migration-examples/after/${peer}.ts`,
        ])
        // A "beyond the peer" app: after/<peer>-<topic>.ts, run by test/<peer>-<topic>.test.ts.
        for (const file of files.slice(2)) {
          const topic = new RegExp(`^apps/migration-examples/after/(${peer}-[a-z-]+)\\.ts$`).exec(
            file,
          )?.[1]
          expect(topic, file).toBeDefined()
          const test = readFileSync(
            `${ROOT}apps/migration-examples/test/${String(topic)}.test.ts`,
            'utf8',
          )
          expect(test, file).toContain(`from '../after/${String(topic)}.js'`)
        }
        expect(new Set(files).size).toBe(files.length)
      })

      it('shows each app exactly as the tested file has it', () => {
        for (const example of examples) {
          expect(example.code, example.file).toBe(readFileSync(ROOT + example.file, 'utf8'))
        }
      })
    })
  }

  it('is linked from the root README and from the README of the adapter a team moves to', () => {
    const readers: Record<string, readonly string[]> = {
      'README.md': PEERS.map((peer) => `docs/migrating-from-${peer}.md`),
      'packages/express/README.md': [
        'https://github.com/keyward/keyward/blob/main/docs/migrating-from-express-jwt.md',
        'https://github.com/keyward/keyward/blob/main/docs/migrating-from-express-oauth2-jwt-bearer.md',
      ],
      'packages/koa/README.md': [
        'https://github.com/keyward/keyward/blob/main/docs/migrating-from-koa-jwt.md',
      ],
      'packages/nestjs/README.md': [
        'https://github.com/keyward/keyward/blob/main/docs/migrating-from-passport-jwt.md',
      ],
    }
    for (const [readme, links] of Object.entries(readers)) {
      const text = readFileSync(ROOT + readme, 'utf8')
      for (const link of links) expect(text, readme).toContain(`](${link})`)
    }
  })
})
