import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** The repository root, where `docs/` and the paths in markers start. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/** The peers with a guide, `docs/migrating-from-<peer>.md`, and apps in `before/` and `after/`. */
export const PEERS = [
  'express-jwt',
  'express-oauth2-jwt-bearer',
  'koa-jwt',
  'passport-jwt',
] as const

export function guidePath(peer: string): string {
  return `${ROOT}docs/migrating-from-${peer}.md`
}

/** A code block of a guide that must be the text of an example file. */
export interface EmbeddedExample {
  /** The file, relative to the repository root, as the marker names it. */
  readonly file: string
  /** The block's text between its fences. */
  readonly code: string
  /** Where the block's text starts and ends in the guide. */
  readonly start: number
  readonly end: number
}

// A marker comment, then a ```ts fence on a following line: the fence's body is the file.
const MARKED_BLOCK = /<!-- example: (\S+) -->\n\n?```ts\n([\s\S]*?)```\n/g

/** Every marked code block of a guide's text, in order. */
export function embeddedExamples(markdown: string): EmbeddedExample[] {
  return [...markdown.matchAll(MARKED_BLOCK)].map((match) => {
    const [whole, file = '', code = ''] = match
    const end = match.index + whole.length - '```\n'.length
    return { file, code, start: end - code.length, end }
  })
}

/** The guide's text with every marked block replaced by its file's current text. */
export function withExamplesSynced(markdown: string): string {
  let synced = markdown
  // From the last block back, so the offsets of the earlier ones stay valid.
  for (const example of embeddedExamples(markdown).reverse()) {
    const code = readFileSync(ROOT + example.file, 'utf8')
    synced = synced.slice(0, example.start) + code + synced.slice(example.end)
  }
  return synced
}
