/**
 * A mistake on the command line: printed as one line on standard error, exit status 2, never a
 * stack trace.
 *
 * @example
 * ```ts
 * throw new UsageError('--interval: expected a duration such as 30s or 5m, got "soon"')
 * ```
 */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}
