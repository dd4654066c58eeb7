import { createRequire } from 'node:module'

/**
 * The major version of `packageName` as installed for the module at `fromUrl` (pass
 * `import.meta.url`), so a contract test can prove which framework major it ran against.
 *
 * @example
 * ```ts
 * expect(installedMajor('express4', import.meta.url)).toBe(4)
 * ```
 */
export function installedMajor(packageName: string, fromUrl: string): number {
  const manifest = createRequire(fromUrl)(`${packageName}/package.json`) as { version: string }
  return Number(manifest.version.split('.')[0])
}
