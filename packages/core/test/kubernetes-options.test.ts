import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTestCa } from '@keyward/test-utils'
import { afterAll, describe, expect, it } from 'vitest'
import { resolveOptions } from '../src/resolve-options.js'

const dir = mkdtempSync(join(tmpdir(), 'keyward-k8s-options-'))
const tokenFile = join(dir, 'token')
writeFileSync(tokenFile, 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln')
const ca = createTestCa().cert
const issuer = 'https://kubernetes.default.svc.cluster.local'
const caFile = join(dir, 'ca.crt')
writeFileSync(caFile, ca)
const cluster = { issuer, audience: 'payments', ca, tokenFile }

afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe('the kubernetes option', () => {
  it('resolves a cluster to an issuer with the service-account token policy', () => {
    const [resolved] = resolveOptions({ kubernetes: cluster }).issuers
    expect({
      issuer: resolved?.issuer,
      jwksUri: resolved?.jwksUri,
      workload: resolved?.workload,
      audiences: [...(resolved?.claims.audiences ?? [])],
      algorithms: [...(resolved?.header.algorithms ?? [])],
      dpopMode: resolved?.dpopMode,
      ownFetch: typeof resolved?.fetch,
      closes: typeof resolved?.closeFetch,
    }).toEqual({
      issuer,
      jwksUri: undefined,
      workload: { kind: 'kubernetes' },
      audiences: ['payments'],
      algorithms: ['RS256', 'ES256', 'ES384', 'ES512'],
      dpopMode: 'off',
      ownFetch: 'function',
      closes: 'function',
    })
  })

  it('accepts a list of clusters beside an issuer', () => {
    const resolved = resolveOptions({
      issuer: 'https://issuer.test/',
      audience: 'api',
      jwksUri: 'https://issuer.test/jwks',
      kubernetes: [
        cluster,
        { issuer: 'https://oidc.eks.eu-west-1.amazonaws.com/id/X', audience: 'api' },
      ],
    })
    expect(resolved.issuers.map((entry) => entry.issuer)).toEqual([
      'https://issuer.test/',
      issuer,
      'https://oidc.eks.eu-west-1.amazonaws.com/id/X',
    ])
  })

  it('reads caFile at construction', () => {
    expect(() =>
      resolveOptions({ kubernetes: { ...cluster, ca: undefined, caFile } }),
    ).not.toThrow()
  })

  it.each([
    ['no audience', { audience: undefined }, /"kubernetes.audience" is required/],
    ['a null audience', { audience: null }, /"kubernetes.audience"/],
    [
      'an http: issuer',
      { issuer: 'http://kubernetes.default.svc' },
      /"kubernetes.issuer" must be an https: URL/,
    ],
    ['an http: jwksUri', { jwksUri: 'http://10.0.0.1/openid/v1/jwks' }, /"kubernetes.jwksUri"/],
    ['ca and caFile', { caFile }, /"kubernetes.ca" or "kubernetes.caFile"/],
    ['a ca that is no certificate', { ca: 'not pem' }, /"kubernetes.ca"/],
    [
      'a caFile that does not exist',
      { ca: undefined, caFile: join(dir, 'none') },
      /"kubernetes.caFile" cannot be read/,
    ],
    [
      'a tokenFile that does not exist',
      { tokenFile: join(dir, 'none') },
      /"kubernetes.tokenFile" cannot be read/,
    ],
    ['a misspelt option', { tokenfile: tokenFile }, /unknown option "kubernetes.tokenfile"/],
    ['extraCaCerts in the cluster', { extraCaCerts: ca }, /"kubernetes.extraCaCerts".*"ca"/],
    ['the HS256 algorithm', { algorithms: ['HS256'] }, /"kubernetes.algorithms"/],
  ])('refuses %s with a TypeError naming the option', (_, change, message) => {
    expect(() => resolveOptions({ kubernetes: { ...cluster, ...change } })).toThrow(message)
  })

  it('refuses the same cluster twice, and a cluster that is also the issuer', () => {
    expect(() => resolveOptions({ kubernetes: [cluster, cluster] })).toThrow(/twice/)
    expect(() =>
      resolveOptions({ issuer, audience: 'api', jwksUri: `${issuer}/jwks`, kubernetes: cluster }),
    ).toThrow(/configured twice/)
    expect(() => resolveOptions({ kubernetes: [] })).toThrow(/"kubernetes"/)
  })

  it('refuses a cluster CA beside a jwks.fetch of your own, which would not use it', () => {
    expect(() =>
      resolveOptions({ kubernetes: cluster, jwks: { fetch: globalThis.fetch } }),
    ).toThrow(/"jwks.fetch" or "kubernetes.ca"/)
  })

  it('refuses per-issuer options at the top level when only clusters are configured', () => {
    expect(() => resolveOptions({ kubernetes: cluster, audience: 'payments' })).toThrow(
      /"audience" is an option of "issuer"/,
    )
  })
})
