import {
  combineScopeChecks,
  type AuthenticateOptions,
  type ClaimCheck as RouteCheck,
  type ScopeCheck,
} from '@keyward/core'
import { OptionalAuth, Public, SCOPES_KEY } from './keyward.decorators.js'

/** What keyward's decorators ask of one route. */
export interface RouteRules {
  /** Every scope and claim check of the method, its class and the class's base classes. */
  readonly checks: readonly RouteCheck[]
  /** The scope checks among them as one, so one challenge names every scope; none without. */
  readonly scopeCheck: ScopeCheck | undefined
  /** The other checks (claim rules), in order. */
  readonly otherChecks: readonly RouteCheck[]
  /** `@Public()` on the method or its own class, and no scope rule anywhere. */
  readonly public: boolean
  /** `@OptionalAuth()` on the method or its own class. */
  readonly optional: boolean
  /** `@Public()` where a scope rule applies to the same routes: refused at start-up. */
  readonly conflict: boolean
  /** What `authenticate` is asked: `optional`, and the scopes the route's 401s name. */
  readonly authenticate: AuthenticateOptions
}

const own = (key: string, target: object): unknown => Reflect.getOwnMetadata(key, target)
const checksOn = (target: object) => (own(SCOPES_KEY, target) as RouteCheck[] | undefined) ?? []

/**
 * The rules of `handler` served by controller `type`. Restrictions accumulate down the class
 * chain; relaxations apply only where written, so a subclass never inherits a base's
 * `@Public()` for routes its author never saw, and a scope rule always implies a token.
 */
export function routeRules(type: object, handler: object): RouteRules {
  const classChecks: RouteCheck[] = []
  // The class, then its base classes: every class constructor's chain ends at Function.prototype.
  for (let t = type; t !== Function.prototype; t = Object.getPrototypeOf(t) as object) {
    classChecks.push(...checksOn(t))
  }
  const checks = [...checksOn(handler), ...classChecks]
  const publicMethod = own(Public.KEY, handler) === true
  const publicClass = own(Public.KEY, type) === true
  const scopeChecks = checks.filter(isScopeCheck)
  const scopeCheck = scopeChecks.length === 0 ? undefined : combineScopeChecks(scopeChecks)
  const optional = own(OptionalAuth.KEY, handler) === true || own(OptionalAuth.KEY, type) === true
  return {
    checks,
    scopeCheck,
    otherChecks: checks.filter((check) => !isScopeCheck(check)),
    public: (publicMethod || publicClass) && checks.length === 0,
    optional,
    // A class's @Public() yields to a method's scope rule (the narrower rule, and the safe one);
    // the other way round, or on one target, a guess either way could be wrong: refused.
    conflict: (publicMethod && checks.length > 0) || (publicClass && classChecks.length > 0),
    authenticate: Object.freeze({
      optional,
      // RFC 6750 §3: the route's 401s name the scopes its @Scopes() / @AnyScope() require.
      ...(scopeCheck === undefined ? {} : { challengeScopes: scopeCheck.scopes }),
    }),
  }
}

/** Rules by handler, then by the controller or resolver class serving it. */
const memo = new WeakMap<object, WeakMap<object, RouteRules>>()

/**
 * {@link routeRules}, read once per route and remembered: decorators write their metadata when
 * the class is defined, so a route's rules are fixed before its first request, and a guard
 * need not walk the class chain and rebuild its checks on every request. Keyed by handler and
 * class both: a subclass serving a base class's method has rules of its own.
 */
export function rulesOfRoute(type: object, handler: object): RouteRules {
  let byType = memo.get(handler)
  if (byType === undefined) {
    byType = new WeakMap()
    memo.set(handler, byType)
  }
  let rules = byType.get(type)
  if (rules === undefined) {
    rules = routeRules(type, handler)
    byType.set(type, rules)
  }
  return rules
}

/** A scope check carries its rules (claim checks do not). */
function isScopeCheck(check: RouteCheck): check is ScopeCheck {
  return Array.isArray((check as Partial<ScopeCheck>).rules)
}
