import { isPlainObject, own, type OptionRecord } from './option-readers.js'
import type { IssuerOptions } from './options.js'
import type { ResolvedIssuer } from './resolve-options.js'

/**
 * Many issuers of one pattern, one per tenant (`https://login.microsoftonline.com/{tenant}/v2.0`):
 * the issuer options of every tenant, with `{tenant}` in `issuer` (exactly once) and, when the
 * keys are per tenant too, in `jwksUri`. A token is trusted when its `iss` is the template with
 * one of `tenants` in place of `{tenant}`, compared exactly.
 */
export type TenantIssuers = Omit<IssuerOptions, 'issuer'> & {
  /** The issuer of every tenant, with `{tenant}` where the tenant goes. */
  readonly issuer: string
  /**
   * The tenants you serve: non-empty, each of RFC 3986 unreserved characters
   * (`A-Z a-z 0-9 - . _ ~`), so it cannot change the URL's structure.
   */
  readonly tenants: readonly string[]
}

/**
 * Decides from a token's unverified `iss` whether that issuer is trusted, before any network
 * I/O: issuer options (their `issuer` absent or equal to `iss`) to trust it, `undefined` or
 * `null` not to. Synchronous: keep it a lookup in memory. It is asked when a token names an
 * issuer not among the cached tenant issuers; its answer is kept while the issuer stays cached.
 * A throw, or an answer that is neither nothing nor valid issuer options (a promise included),
 * refuses the token with `invalid_issuer` (401) and reports `issuer_resolver_failed`.
 */
export type IssuerResolver = (
  iss: string,
) => (Omit<IssuerOptions, 'issuer'> & { readonly issuer?: string }) | null | undefined

/** How an `issuers` resolver answered for one `iss`. */
export type TenantAnswer =
  | { readonly trusted: true; readonly config: ResolvedIssuer }
  | { readonly trusted: false; readonly failure?: 'threw' | 'invalid_answer' }

/** Validated form of a resolver: answers for one `iss`, never throws. */
export type TenantResolver = (iss: string) => TenantAnswer

/** Validates one issuer's options (unknown names included); `prefix` names them in errors. */
export type ReadIssuer = (record: OptionRecord, prefix: string) => ResolvedIssuer

const PLACEHOLDER = '{tenant}'
/** RFC 3986 §2.3 unreserved characters: a tenant id cannot add a path segment, query or host. */
const TENANT_ID = /^[A-Za-z0-9._~-]+$/
const NOT_TRUSTED: TenantAnswer = Object.freeze({ trusted: false })

/** Whether `value` is an `issuers` resolver rather than a list of issuers. */
export function isTenantResolverOption(value: unknown): boolean {
  return (
    typeof value === 'function' || (isPlainObject(value) && own(value, 'tenants') !== undefined)
  )
}

/**
 * Validates an `issuers` resolver at construction (a template with every tenant's options
 * checked, or a function) and returns what answers for one `iss`.
 */
export function readTenantIssuers(value: unknown, readIssuer: ReadIssuer): TenantResolver {
  if (typeof value === 'function') return functionResolver(value as IssuerResolver, readIssuer)
  return templateResolver(value as OptionRecord, readIssuer)
}

function templateResolver(record: OptionRecord, readIssuer: ReadIssuer): TenantResolver {
  const { tenants, ...template } = record
  const issuer = own(template, 'issuer')
  if (typeof issuer !== 'string' || issuer.split(PLACEHOLDER).length !== 2) {
    throw new TypeError(`"issuers.issuer" must contain "${PLACEHOLDER}" exactly once`)
  }
  const jwksUri = own(template, 'jwksUri')
  if (typeof jwksUri === 'string' && jwksUri.split(PLACEHOLDER).length > 2) {
    throw new TypeError(`"issuers.jwksUri" may contain "${PLACEHOLDER}" at most once`)
  }
  if (!Array.isArray(tenants) || tenants.length === 0) {
    throw new TypeError('"issuers.tenants" must be a non-empty array of tenant ids')
  }
  const list: readonly unknown[] = tenants
  const byIssuer = new Map<string, string>()
  const optionsOf = (tenant: string): OptionRecord => ({
    ...template,
    issuer: issuer.replace(PLACEHOLDER, tenant),
    ...(typeof jwksUri === 'string' ? { jwksUri: jwksUri.replace(PLACEHOLDER, tenant) } : {}),
  })
  list.forEach((tenant, index) => {
    if (
      typeof tenant !== 'string' ||
      !TENANT_ID.test(tenant) ||
      tenant === '.' ||
      tenant === '..'
    ) {
      throw new TypeError(
        `"issuers.tenants[${index}]" must be a tenant id of letters, digits, "-", ".", "_" or "~"`,
      )
    }
    const options = optionsOf(tenant)
    // Every tenant's options are checked now, so no token can meet a configuration error.
    const { issuer: iss } = readIssuer(options, 'issuers.')
    if (byIssuer.has(iss)) throw new TypeError(`"issuers.tenants" lists ${tenant} twice`)
    byIssuer.set(iss, tenant)
  })
  return (iss) => {
    const tenant = byIssuer.get(iss)
    if (tenant === undefined) return NOT_TRUSTED
    return { trusted: true, config: readIssuer(optionsOf(tenant), 'issuers.') }
  }
}

function functionResolver(resolve: IssuerResolver, readIssuer: ReadIssuer): TenantResolver {
  return (iss) => {
    let answer: unknown
    try {
      answer = resolve(iss)
    } catch {
      // Whatever it threw may hold internals: only the fact is reported.
      return { trusted: false, failure: 'threw' }
    }
    if (answer === undefined || answer === null) return NOT_TRUSTED
    try {
      if (!isPlainObject(answer)) throw new TypeError('not issuer options')
      const named = own(answer, 'issuer')
      // The answer is for this `iss` only: a resolver cannot map one issuer onto another's policy.
      if (named !== undefined && named !== iss) throw new TypeError('another issuer')
      return { trusted: true, config: readIssuer({ ...answer, issuer: iss }, 'issuers(iss).') }
    } catch {
      return { trusted: false, failure: 'invalid_answer' }
    }
  }
}
