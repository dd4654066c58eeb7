// Issue 21, point 7: npm shows a package's README from its tarball, so a relative link to a file
// the tarball does not ship (`../../docs/…`, `../core`) is a dead link on npmjs.com and in
// node_modules. Such links must be absolute (https://github.com/keyward/keyward/blob/main/…).
import { posix } from 'node:path'

/** A link's target: scheme-qualified (`https:`, `mailto:`) or a fragment of this document. */
const NOT_A_FILE = /^(?:[a-z][a-z0-9+.-]*:|#)/i

/**
 * The relative link targets of a README (inline links and images, reference definitions, HTML
 * `href`/`src`) that name no file or directory among `files`, the tarball's paths relative to
 * its root (`README.md`, `dist/index.js`). Fenced code and code spans are not links.
 *
 * @example
 * ```ts
 * linksMissingFromTarball('[core](../core)', new Set(['README.md'])) // ['../core']
 * ```
 */
export function linksMissingFromTarball(readme: string, files: ReadonlySet<string>): string[] {
  const prose = readme.replace(/^```[\s\S]*?^```$/gm, '').replace(/`[^`\n]*`/g, '')
  const targets = [
    ...[...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]),
    ...[...prose.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((m) => m[1]),
    ...[...prose.matchAll(/\b(?:href|src)="([^"]+)"/g)].map((m) => m[1]),
  ]
  const missing: string[] = []
  for (const target of targets) {
    if (target === undefined || NOT_A_FILE.test(target)) continue
    const path = posix.normalize(target.replace(/[?#].*$/, '')).replace(/\/$/, '')
    const shipped =
      !path.startsWith('../') &&
      (files.has(path) || [...files].some((file) => file.startsWith(`${path}/`)))
    if (!shipped) missing.push(target)
  }
  return missing
}
