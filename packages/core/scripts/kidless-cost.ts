/**
 * What a forged token costs the verifier when the issuer publishes many RSA keys: one without a
 * `kid` against one with a `kid` the set has. Both carry valid claims (right `iss`, `aud`,
 * `exp`) and a random signature, so every check before the signature passes.
 *
 * Run: `pnpm --filter @keyward/core exec tsx scripts/kidless-cost.ts [keys] [tokens]`
 * (defaults: 50 keys, 2000 tokens of each kind). Prints the mean time per rejected token.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { createVerifier, isKeywardError } from '../src/index.js'

const KEYS = Number(process.argv[2] ?? 50)
const TOKENS = Number(process.argv[3] ?? 2000)
const ISSUER = 'https://issuer.example'
const AUDIENCE = 'https://api.example'

const keys = Array.from({ length: KEYS }, (_, index) => {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  return { ...publicKey.export({ format: 'jwk' }), kid: `key-${index}`, alg: 'RS256', use: 'sig' }
})
const jwks = JSON.stringify({ keys })

const verifier = createVerifier({
  issuer: ISSUER,
  audience: AUDIENCE,
  jwksUri: `${ISSUER}/jwks.json`,
  algorithms: ['RS256'],
  // Served from memory: the figure is the verifier's CPU, not the network.
  jwks: {
    fetch: () =>
      Promise.resolve(new Response(jwks, { headers: { 'content-type': 'application/json' } })),
  },
})
await verifier.warmup()

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')

function forged(kid: string | undefined): string {
  const header = encode(kid === undefined ? { alg: 'RS256' } : { alg: 'RS256', kid })
  const now = Math.floor(Date.now() / 1000)
  const payload = encode({ iss: ISSUER, aud: AUDIENCE, sub: 'x', iat: now, exp: now + 300 })
  return `${header}.${payload}.${randomBytes(256).toString('base64url')}`
}

async function measure(kid: string | undefined): Promise<{ ms: number; codes: Set<string> }> {
  const tokens = Array.from({ length: TOKENS }, () => forged(kid))
  const codes = new Set<string>()
  // The first forged kid-less token may trigger the one rate-limited refresh: not measured.
  await verifier.verify(forged(kid)).catch(() => undefined)
  const started = performance.now()
  for (const token of tokens) {
    try {
      await verifier.verify(token)
      codes.add('accepted')
    } catch (error) {
      codes.add(isKeywardError(error) ? error.code : 'unexpected')
    }
  }
  return { ms: (performance.now() - started) / TOKENS, codes }
}

const withKid = await measure('key-0')
const withoutKid = await measure(undefined)
verifier.close()
const format = (result: { ms: number; codes: Set<string> }): string =>
  `${result.ms.toFixed(3)} ms per token (${[...result.codes].join(', ')})`
console.log(`${KEYS} published RSA keys, ${TOKENS} forged RS256 tokens of each kind`)
console.log(`  with a kid:    ${format(withKid)}`)
console.log(`  without a kid: ${format(withoutKid)}`)
