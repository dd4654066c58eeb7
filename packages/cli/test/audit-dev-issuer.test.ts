import { startDevIssuer, type DevIssuer } from '@keyward/dev-issuer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './support/cli.js'

let issuer: DevIssuer

beforeAll(async () => {
  issuer = await startDevIssuer()
})

afterAll(async () => {
  await issuer.close()
})

describe('keyward audit of the dev issuer (oidc-provider)', () => {
  it('finds nothing high or critical, and exits 0', async () => {
    const run = await runCli(['audit', issuer.url, '--json'])
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' })
    const document = JSON.parse(run.stdout)
    expect(document.counts).toMatchObject({ critical: 0, high: 0, medium: 0 })
    // What the dev issuer really lacks: cache headers and validators, a second published key.
    expect(document.findings.map((item: { id: string }) => item.id)).toEqual([
      'jwks.max_age_missing',
      'metadata.issuer_loopback_http',
      'metadata.jwks_uri_loopback_http',
      'metadata.cache_control_missing',
      'jwks.validators_missing',
      'jwks.single_signing_key',
    ])
    expect(document.keys).toMatchObject([
      {
        kid: issuer.keyRing.signingKid,
        kty: 'RSA',
        rsaModulusBits: 2048,
        alg: 'RS256',
        usable: true,
      },
    ])
  })
})
