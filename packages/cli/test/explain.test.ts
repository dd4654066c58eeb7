import { startJwksServer, TestIssuer, type JwksServer } from '@keyward/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXPLANATIONS } from '../src/explain-rules.js'
import { runCli } from './support/cli.js'

let issuer: TestIssuer
let server: JwksServer
/** A JWK Set server that answers 503. */
let down: JwksServer

beforeAll(async () => {
  issuer = await TestIssuer.create({ alg: 'ES256' })
  server = await startJwksServer({ issuer })
  down = await startJwksServer({ issuer })
  down.setFault({ kind: 'status', status: 503 })
})

afterAll(async () => {
  await Promise.all([server.close(), down.close()])
})

/** `keyward explain` trusting the test issuer, the token on standard input. */
function explain(token: string, ...flags: string[]) {
  return runCli(
    [
      'explain',
      '--issuer',
      issuer.issuer,
      '--audience',
      issuer.audience,
      '--jwks-uri',
      server.url,
      ...flags,
    ],
    { stdin: `${token}\n` },
  )
}

const now = () => Math.floor(Date.now() / 1000)

describe('keyward explain of an acceptable token', () => {
  it('prints header, claims and ACCEPTED, never the signature, and exits 0', async () => {
    const token = issuer.mint({ sub: 'user-7' })
    const signature = token.split('.')[2]!
    const run = await explain(token)
    expect(run.status).toBe(0)
    expect(run.stderr).toBe('')
    expect(run.stdout).toContain('decision  ACCEPTED\n')
    expect(run.stdout).toContain('"sub": "user-7"')
    expect(run.stdout).toContain(`"kid": "${issuer.signingKey.kid}"`)
    expect(run.stdout).toContain('signature 64 bytes, not shown\n')
    expect(run.stdout).not.toContain(signature)
    expect(run.stdout).not.toContain(token)
  })

  it('prints one JSON document with --json', async () => {
    const token = issuer.mint({ sub: 'user-7', scope: 'read write' })
    const run = await explain(token, '--json')
    expect(run.status).toBe(0)
    const document = JSON.parse(run.stdout)
    expect(document).toEqual({
      tool: 'keyward',
      command: 'explain',
      schemaVersion: 1,
      accepted: true,
      header: { alg: 'ES256', typ: 'at+jwt', kid: issuer.signingKey.kid },
      claims: expect.objectContaining({ sub: 'user-7', iss: issuer.issuer }),
      signatureBytes: 64,
      decision: {
        accepted: true,
        code: null,
        status: null,
        rule: expect.any(String),
        reference: expect.any(String),
        fix: null,
        details: [`signed with kid "${issuer.signingKey.kid}" (ES256)`],
        signatureChecked: true,
        cause: null,
      },
      verified: {
        issuer: issuer.issuer,
        subject: 'user-7',
        clientId: 'client-123',
        audience: [issuer.audience],
        scopes: ['read', 'write'],
        expiresAt: expect.any(Number),
        kid: issuer.signingKey.kid,
      },
    })
    expect(run.stdout).not.toContain(token.split('.')[2])
  })
})

describe('keyward explain of a refused token', () => {
  let hidden: Awaited<ReturnType<TestIssuer['addKey']>>

  beforeAll(async () => {
    hidden = await issuer.addKey({ publish: false })
  })

  const cases: [string, () => string, string[]][] = [
    ['malformed_token', () => 'not-a-jwt', ['1 segment, where a JWS has 3']],
    ['token_too_large', () => `${'a'.repeat(9000)}.b.c`, ['9004 characters']],
    [
      'algorithm_not_allowed',
      () => issuer.mint({}, { alg: 'HS256', hmacSecret: 'secret' }),
      ['alg "HS256"'],
    ],
    ['invalid_type', () => issuer.mint({}, { typ: 'dpop+jwt' }), ['typ "dpop+jwt"']],
    [
      'unknown_key',
      () => issuer.mint({}, { key: hidden }),
      ['kid "HIDDEN"', 'the JWK Set has "PUBLISHED"'],
    ],
    [
      'invalid_signature',
      () => issuer.mint({}, { key: hidden, kid: issuer.signingKey.kid }),
      ['kid "PUBLISHED", alg "ES256"'],
    ],
    [
      'invalid_issuer',
      () => issuer.mint({ iss: 'https://issuer.test' }),
      ['iss "https://issuer.test"', 'expected "https://issuer.test/"'],
    ],
    [
      'invalid_audience',
      () => issuer.mint({ aud: 'https://other.api' }),
      ['aud "https://other.api"', 'accepted "https://api.test"'],
    ],
    ['token_expired', () => issuer.mint({ iat: now() - 7200, exp: now() - 3600 }), ['exp ']],
    ['token_not_yet_valid', () => issuer.mint({ nbf: now() + 3600 }), ['nbf ', 'iat ']],
    ['invalid_claim', () => issuer.mint({ exp: 'tomorrow' }), ['exp "tomorrow"']],
  ]

  it.each(cases)(
    'reports %s with its rule, reference and fix, and exits 1',
    async (code, mint, seen) => {
      const run = await explain(mint(), '--json')
      expect(run.status).toBe(1)
      const { accepted, decision, verified } = JSON.parse(run.stdout)
      const explanation = EXPLANATIONS[code as keyof typeof EXPLANATIONS]
      expect({
        accepted,
        verified,
        code: decision.code,
        rule: decision.rule,
        reference: decision.reference,
        fix: decision.fix,
      }).toEqual({
        accepted: false,
        verified: null,
        code,
        rule: explanation.rule,
        reference: explanation.reference,
        fix: explanation.fix,
      })
      const expected = seen.map((line) =>
        line.replace('HIDDEN', hidden.kid).replace('PUBLISHED', issuer.signingKey.kid),
      )
      expected.forEach((start, i) => {
        expect(decision.details[i]).toMatch(
          new RegExp(`^${start.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
        )
      })
      expect(decision.signatureChecked).toBe(code === 'unknown_key' || code === 'invalid_signature')
    },
  )

  it('prints the decision as a readable block', async () => {
    const run = await explain(issuer.mint({ iat: now() - 7200, exp: now() - 3600 }))
    expect(run.status).toBe(1)
    const decision = run.stdout.slice(run.stdout.indexOf('decision'))
    expect(decision).toMatch(
      new RegExp(
        [
          '^decision  REFUSED token_expired \\(HTTP 401\\)',
          `rule      ${EXPLANATIONS.token_expired.rule.replace(/[().]/g, '\\$&')}`,
          'seen      exp \\d+ \\(\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z, 1 h ago\\)',
          `reference ${EXPLANATIONS.token_expired.reference.replace(/[().]/g, '\\$&')}`,
          `fix       ${EXPLANATIONS.token_expired.fix.replace(/[().]/g, '\\$&')}`,
          'note      decided before the signature was checked: the token may be forged as well',
          '$',
        ].join('\n'),
      ),
    )
  })
})

describe('keyward explain when the keys cannot be fetched', () => {
  it('names the fetch failure, says so on standard error and exits 2', async () => {
    const run = await runCli(
      [
        'explain',
        '--issuer',
        issuer.issuer,
        '--audience',
        issuer.audience,
        '--jwks-uri',
        down.url,
        '--json',
      ],
      { stdin: issuer.mint() },
    )
    expect(run.status).toBe(2)
    const { decision } = JSON.parse(run.stdout)
    expect(decision).toMatchObject({
      code: 'jwks_unavailable',
      status: 503,
      cause: { reason: 'http_status', httpStatus: 503 },
    })
    expect(run.stderr).toBe(
      `keyward explain: the keys of ${issuer.issuer} could not be fetched: http_status (status 503): the server answered with an error status\n`,
    )
  })
})

describe('how keyward explain reads the token', () => {
  it('accepts --token with a warning on standard error', async () => {
    const run = await runCli([
      'explain',
      '--issuer',
      issuer.issuer,
      '--audience',
      issuer.audience,
      '--jwks-uri',
      server.url,
      '--token',
      issuer.mint(),
    ])
    expect(run.status).toBe(0)
    expect(run.stderr).toBe(
      'keyward explain: warning: --token leaves the token in your shell history and the process list; pipe it on standard input instead\n',
    )
  })

  it('removes a leading "Bearer " with a note', async () => {
    const run = await explain(`Bearer ${issuer.mint()}`)
    expect(run.status).toBe(0)
    expect(run.stderr).toBe('keyward explain: note: removed a leading "Bearer "\n')
  })

  it('exits 2 with one line when standard input is empty', async () => {
    const run = await explain('')
    expect({ status: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({
      status: 2,
      stdout: '',
      stderr: 'keyward explain: no token on standard input; see keyward explain --help\n',
    })
  })
})
