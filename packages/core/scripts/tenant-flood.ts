/**
 * What floods of tenant issuers cost a verifier whose `issuers` is a resolver.
 *
 * 1. Attacker flood: 10,000 tokens, each with a distinct invented `iss` under the tenant
 *    template (and the same against a resolver function), valid in every other respect and
 *    signed. Expected: 10,000 × `invalid_issuer`, zero fetches, no tenant cached, and a heap
 *    that does not grow with the number of issuers.
 * 2. Legit-tenant flood: tokens of 1,000 allowed tenants, in turn, with the default
 *    `tenantCacheSize` (100). With the default refresh budget (10 per minute), only 10 first
 *    fetches happen and the rest get `jwks_unavailable` (503 + Retry-After); with an unlimited
 *    budget every tenant is fetched once, yet at most 100 key sources live at once.
 *
 * Keys and JWKS are served from memory by an injected `fetch` that counts its calls: the
 * figures are the verifier's, not the network's.
 *
 * Run: `pnpm --filter @keyward/core tenant-flood` (Node with `--expose-gc`, so heap figures
 * are taken after a full collection).
 */
import { generateKeyPairSync, sign } from 'node:crypto'
import { createVerifier, isKeywardError, type VerifierOptions } from '../src/index.js'

const ATTACKERS = 10_000
const TENANTS = 1_000
const TEMPLATE = 'https://login.tenants.example/{tenant}/v2.0'
const AUDIENCE = 'api://tenant-flood'

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const jwks = JSON.stringify({
  keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256', use: 'sig' }],
})
let fetches = 0
const fetch = (): Promise<Response> => {
  fetches++
  return Promise.resolve(new Response(jwks, { headers: { 'content-type': 'application/json' } }))
}

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')
const now = Math.floor(Date.now() / 1000)
function token(iss: string): string {
  const input = `${encode({ alg: 'ES256', kid: 'k1', typ: 'at+jwt' })}.${encode({ iss, aud: AUDIENCE, sub: 'user', iat: now, exp: now + 600 })}`
  const signature = sign('sha256', Buffer.from(input), {
    key: privateKey,
    dsaEncoding: 'ieee-p1363',
  })
  return `${input}.${signature.toString('base64url')}`
}
const tenantIssuer = (tenant: string): string => TEMPLATE.replace('{tenant}', tenant)

function heapMiB(): number {
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  gc?.()
  return process.memoryUsage().heapUsed / 1024 / 1024
}

async function run(tokens: readonly string[], options: VerifierOptions) {
  fetches = 0
  const verifier = createVerifier({ ...options, jwks: { ...options.jwks, fetch } })
  const codes = new Map<string, number>()
  const before = heapMiB()
  for (const t of tokens) {
    const code = await verifier.verify(t).then(
      () => 'ok',
      (error: unknown) => (isKeywardError(error) ? error.code : 'thrown'),
    )
    codes.set(code, (codes.get(code) ?? 0) + 1)
  }
  const after = heapMiB()
  const health = verifier.health()
  verifier.close()
  return {
    codes: Object.fromEntries(codes),
    fetches,
    tenants: health.tenants,
    issuersInHealth: health.issuers.length,
    heapBeforeMiB: before.toFixed(2),
    heapAfterMiB: after.toFixed(2),
    heapGrowthKiB: ((after - before) * 1024).toFixed(0),
  }
}

const allowlist = Array.from({ length: TENANTS }, (_, i) => `tenant-${i}`)
const template: VerifierOptions = {
  issuers: {
    issuer: TEMPLATE,
    tenants: allowlist,
    audience: AUDIENCE,
    jwksUri: 'https://keys.tenants.example/{tenant}/jwks',
  },
}
const allowed = new Set(allowlist.map(tenantIssuer))
const resolver: VerifierOptions = {
  issuers: (iss) => (allowed.has(iss) ? { audience: AUDIENCE, jwksUri: `${iss}/keys` } : undefined),
}

const attackerTokens = Array.from({ length: ATTACKERS }, (_, i) =>
  token(tenantIssuer(`attacker-${i}`)),
)
const tenantTokens = allowlist.map((tenant) => token(tenantIssuer(tenant)))
if ((globalThis as { gc?: unknown }).gc === undefined) {
  console.warn('run with node --expose-gc for heap figures after a full collection')
}

const results = {
  attackerFloodTemplate: await run(attackerTokens, template),
  attackerFloodFunction: await run(attackerTokens, resolver),
  // A control: the same flood twice as long, so growth that scales with the flood would show.
  attackerFloodTemplateTwice: await run(
    [...attackerTokens, ...attackerTokens.map((t) => t)],
    template,
  ),
  legitFloodDefaultBudget: await run(tenantTokens, template),
  legitFloodUnlimitedBudget: await run(tenantTokens, {
    ...template,
    jwks: { refreshBudget: Number.MAX_SAFE_INTEGER },
  }),
}
console.log(JSON.stringify(results, null, 2))
