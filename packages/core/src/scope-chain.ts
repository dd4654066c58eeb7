import { combineScopeChecks, type ScopeCheck } from './scope-requirements.js'
import type { VerifiedToken } from './verified-token.js'
import type { ChallengeOptions } from './www-authenticate.js'

/**
 * Where an adapter's scope middleware carries its check, so the first scope middleware of a
 * chain can find the others (a registered symbol: two copies of the package agree).
 */
export const SCOPE_CHECK: unique symbol = Symbol.for('keyward.scope-check') as never

/** A middleware or hook that enforces a {@link ScopeCheck}. */
export type ScopeMiddleware<T extends object> = T & { readonly [SCOPE_CHECK]: ScopeCheck }

/**
 * Marks an adapter's scope middleware with the check it enforces.
 *
 * @example
 * ```ts
 * return scopeMiddleware((req, res, next) => { ... }, check)
 * ```
 */
export function scopeMiddleware<T extends object>(
  middleware: T,
  check: ScopeCheck,
): ScopeMiddleware<T> {
  return Object.assign(middleware, { [SCOPE_CHECK]: check })
}

/** What a request's chain has checked already, and for which token. */
interface Checked {
  readonly auth: VerifiedToken | undefined
  readonly checks: ReadonlySet<ScopeCheck>
}

const CHECKED = new WeakMap<object, Checked>()

/**
 * Runs `check` for `request`, together with every other scope check of `chain` (the handlers
 * of the request's route, when the framework exposes them) not yet run, so that one challenge
 * names every scope the route needs (MCP authorization, "Scope Challenge Handling"). A check
 * already run together with an earlier one, for the same token, passes at once. Without a
 * chain, `check` runs alone.
 *
 * @example
 * ```ts
 * // Express: req.route.stack holds the route's handlers, requireScopes among them
 * checkScopeChain(req, check, req.route?.stack.map((layer) => layer.handle), req.auth, challenge)
 * ```
 */
export function checkScopeChain(
  request: object,
  check: ScopeCheck,
  chain: readonly unknown[] | undefined,
  auth: VerifiedToken | undefined,
  challenge: ChallengeOptions | undefined,
): void {
  const previous = CHECKED.get(request)
  // What ran before counts only for the same token.
  const checked = previous !== undefined && previous.auth === auth ? previous.checks : undefined
  if (checked?.has(check) === true) return
  const pending = new Set<ScopeCheck>([check])
  for (const handler of chain ?? []) {
    const other = scopeCheckOf(handler)
    if (other !== undefined && checked?.has(other) !== true) pending.add(other)
  }
  combineScopeChecks([...pending])(auth, challenge)
  CHECKED.set(request, { auth, checks: new Set([...(checked ?? []), ...pending]) })
}

/** The check a handler enforces, when it is a keyward scope middleware. */
export function scopeCheckOf(handler: unknown): ScopeCheck | undefined {
  return typeof handler === 'function'
    ? ((handler as Partial<Record<typeof SCOPE_CHECK, ScopeCheck>>)[SCOPE_CHECK] ?? undefined)
    : undefined
}
