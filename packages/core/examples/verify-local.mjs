// A self-contained tour of @keyward/core: a local JWKS server on 127.0.0.1, a token signed with
// its key, and keyward verifying it, rejecting a forged one, and surviving a key rotation.
// Run after `pnpm build`: node packages/core/examples/verify-local.mjs
import { createServer } from 'node:http'
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto'
import { createVerifier, isKeywardError } from '../dist/index.js'

const issuer = 'https://issuer.example/'
const audience = 'https://api.example'
const keys = [newKey()]
let fetches = 0

const server = createServer((req, res) => {
  fetches++
  res.setHeader('content-type', 'application/json')
  res.end(JSON.stringify({ keys: keys.map((key) => key.jwk) }))
})
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
const { port } = server.address()

const verifier = createVerifier({
  issuer,
  audience,
  jwksUri: `http://127.0.0.1:${port}/jwks.json`,
  onEvent: (event) => {
    if (event.type.startsWith('jwks_')) console.log(`  event: ${event.type}`)
  },
})

const results = []
async function expect(label, token, expected) {
  let got
  try {
    const auth = await verifier.verify(token)
    got = `ok (client ${auth.clientId}, scopes ${auth.scopes.join(' ')})`
  } catch (error) {
    if (!isKeywardError(error)) throw error
    got = `${error.status} ${error.code}`
  }
  const pass = got.startsWith(expected)
  results.push(pass)
  console.log(`${pass ? 'PASS' : 'FAIL'}  ${label.padEnd(36)} ${got}`)
}

await expect('valid token', mint(keys[0]), 'ok')
await expect('expired token', mint(keys[0], { exp: now() - 120 }), '401 token_expired')
await expect(
  'wrong audience',
  mint(keys[0], { aud: 'https://other.example' }),
  '401 invalid_audience',
)
const forged = mint(keys[0]).split('.')
forged[1] = Buffer.from(JSON.stringify({ ...claims(), scope: 'admin' })).toString('base64url')
await expect('edited claims', forged.join('.'), '401 invalid_signature')
keys.push(newKey())
await expect('rotated key (one refetch)', mint(keys[1]), 'ok')
console.log(`JWKS fetches: ${fetches} (1 at start, 1 for the rotation)`)

verifier.close()
server.close()
process.exitCode = results.every(Boolean) && fetches === 2 ? 0 : 1

function newKey() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const kid = randomUUID()
  return {
    kid,
    privateKey,
    jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' },
  }
}
function now() {
  return Math.floor(Date.now() / 1000)
}
function claims(overrides = {}) {
  return {
    iss: issuer,
    aud: audience,
    sub: 'demo',
    client_id: 'demo-client',
    scope: 'read:things',
    iat: now(),
    exp: now() + 300,
    ...overrides,
  }
}
function mint(key, overrides) {
  const header = Buffer.from(
    JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid: key.kid }),
  ).toString('base64url')
  const payload = Buffer.from(JSON.stringify(claims(overrides))).toString('base64url')
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), key.privateKey).toString(
    'base64url',
  )
  return `${header}.${payload}.${signature}`
}
