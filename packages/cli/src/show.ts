/**
 * A JSON value for a one-line message: `"k1"`, `42`, `["a","b"]`, or `absent` for `undefined`
 * (which `JSON.stringify` turns into `undefined`, not a string).
 *
 * @example
 * ```ts
 * `kid ${show(jwk.kid)}` // 'kid "k1"' or 'kid absent'
 * ```
 */
export function show(value: unknown): string {
  return value === undefined ? 'absent' : JSON.stringify(value)
}
