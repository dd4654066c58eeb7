import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url))

/**
 * The tests run the built executable. Build it when `dist/main.js` is missing or older than a
 * source file, so `vitest run` right after an edit tests the edit (turbo builds before `test`).
 */
export default function setup(): void {
  const built = `${PACKAGE_DIR}dist/main.js`
  const sources = readdirSync(`${PACKAGE_DIR}src`).map((name) => `${PACKAGE_DIR}src/${name}`)
  const newest = Math.max(...sources.map((file) => statSync(file).mtimeMs))
  if (existsSync(built) && statSync(built).mtimeMs >= newest) return
  const manifest = createRequire(import.meta.url).resolve('tsup/package.json')
  const tsup = join(dirname(manifest), 'dist/cli-default.js')
  execFileSync(process.execPath, [tsup, '--silent'], {
    cwd: PACKAGE_DIR,
    stdio: 'inherit',
  })
}
