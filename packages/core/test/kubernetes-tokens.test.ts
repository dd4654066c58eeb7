// Kubernetes service-account tokens verified through a loopback stand-in for the API server:
// https with a cluster CA of its own, discovery and JWKS answered only to the pod's own
// service-account token (read from a file), RS256 keys that rotate.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startKubernetesApiServer, type KubernetesApiServer } from '@keyward/test-utils'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  createVerifier,
  serviceAccountCheck,
  type KeywardEvent,
  type KubernetesClusterOptions,
  type Verifier,
} from '../src/index.js'
import { outcome } from './support/jwks-harness.js'

let cluster: KubernetesApiServer
let dir: string
let tokenFile: string
const verifiers: Verifier[] = []

beforeAll(async () => {
  cluster = await startKubernetesApiServer({ audience: 'payments' })
  dir = mkdtempSync(join(tmpdir(), 'keyward-k8s-'))
  tokenFile = join(dir, 'token')
})
afterAll(async () => {
  await cluster.close()
  rmSync(dir, { recursive: true, force: true })
})
beforeEach(() => {
  writeFileSync(tokenFile, cluster.readerToken())
})
afterEach(() => {
  for (const verifier of verifiers.splice(0)) verifier.close()
  cluster.http.reset()
})

function verifierFor(
  options: Partial<KubernetesClusterOptions> = {},
  events: KeywardEvent[] = [],
): Verifier {
  const verifier = createVerifier({
    kubernetes: {
      issuer: cluster.issuer,
      audience: 'payments',
      ca: cluster.ca,
      tokenFile,
      ...options,
    },
    onEvent: (event) => events.push(event),
    logger: false,
  })
  verifiers.push(verifier)
  return verifier
}

const bearers = () => cluster.http.requests.map((request) => request.headers.authorization)

describe('kubernetes service-account tokens', () => {
  it('accepts a projected token for the audience and names its namespace, account and pod', async () => {
    const verifier = verifierFor()
    const auth = await verifier.verify(
      cluster.mint({ namespace: 'billing', serviceAccount: 'invoicer', pod: 'invoicer-7d9' }),
    )
    expect(auth.issuer).toBe(cluster.issuer)
    expect(auth.subject).toBe('system:serviceaccount:billing:invoicer')
    expect(auth.kubernetes).toMatchObject({
      namespace: 'billing',
      serviceAccount: 'invoicer',
      pod: 'invoicer-7d9',
      node: 'node-1',
    })
    expect(auth.spiffe).toBeUndefined()
    // Discovery, then the JWKS it names, both with the pod's own token.
    expect(cluster.http.requests.map((request) => request.path)).toEqual([
      '/.well-known/openid-configuration',
      '/openid/v1/jwks',
    ])
    expect(new Set(bearers())).toEqual(new Set([expect.stringMatching(/^Bearer ey/)]))
  })

  it('fetches the configured jwksUri directly, with the token', async () => {
    const verifier = verifierFor({ jwksUri: cluster.jwksUri })
    expect(await outcome(verifier, cluster.mint())).toBe('ok')
    expect(cluster.http.requests.map((request) => request.path)).toEqual(['/openid/v1/jwks'])
    expect(bearers()[0]).toMatch(/^Bearer /)
  })

  it.each([
    ['another audience', { audience: 'reporting' }],
    [
      "the API server's own audience (the pod's token for it)",
      { audience: 'https://kubernetes.default.svc' },
    ],
  ])('refuses a token for %s with invalid_audience', async (_, token) => {
    expect(await outcome(verifierFor(), cluster.mint(token))).toBe('invalid_audience')
  })

  it('refuses a token whose kubernetes.io claims contradict its sub with invalid_claim', async () => {
    const token = cluster.mint({ claims: { sub: 'system:serviceaccount:kube-system:admin' } })
    expect(await outcome(verifierFor(), token)).toBe('invalid_claim')
  })

  it('refuses a token without kubernetes.io claims with invalid_claim', async () => {
    const token = cluster.mint({ claims: { 'kubernetes.io': undefined } })
    expect(await outcome(verifierFor(), token)).toBe('invalid_claim')
  })

  it('gets 401 from the JWKS without tokenFile, and says the keys are misconfigured', async () => {
    const verifier = verifierFor({ tokenFile: undefined, jwksUri: cluster.jwksUri })
    expect(await outcome(verifier, cluster.mint())).toBe('jwks_misconfigured')
    expect(new Set(cluster.http.requests.map((request) => request.path))).toEqual(
      new Set(['/openid/v1/jwks']),
    )
    expect(new Set(bearers())).toEqual(new Set([undefined]))
    expect(verifier.health().issuers[0]).toMatchObject({ lastError: 'http_status' })
  })

  it('does not trust the cluster CA without "ca": the default trust store is unchanged', async () => {
    const verifier = verifierFor({ ca: undefined })
    expect(await outcome(verifier, cluster.mint())).toBe('jwks_unavailable')
    expect(verifier.health().issuers[0]).toMatchObject({ lastError: 'network' })
  })

  it('reads caFile once at construction', async () => {
    const caFile = join(dir, 'ca.crt')
    writeFileSync(caFile, cluster.ca)
    expect(await outcome(verifierFor({ ca: undefined, caFile }), cluster.mint())).toBe('ok')
  })

  it('re-reads the token file on every fetch: a rotated token is the one sent', async () => {
    const verifier = verifierFor()
    expect(await outcome(verifier, cluster.mint())).toBe('ok')
    const first = bearers().at(-1)
    // kubelet rewrites the projected token; the API server stops accepting the old one.
    const rotated = cluster.readerToken()
    cluster.revoke(first?.slice('Bearer '.length) ?? '')
    writeFileSync(tokenFile, rotated)
    cluster.http.reset()
    await verifier.refresh(cluster.issuer)
    expect(bearers()).toEqual([`Bearer ${rotated}`, `Bearer ${rotated}`])
    expect(verifier.health().issuers[0]).toMatchObject({ lastError: undefined })
  })

  it('keeps the last good keys when the token file is gone, and reports token_file_unreadable', async () => {
    const verifier = verifierFor()
    expect(await outcome(verifier, cluster.mint())).toBe('ok')
    rmSync(tokenFile)
    cluster.http.reset()
    await verifier.refresh(cluster.issuer)
    expect(cluster.http.requests).toEqual([])
    expect(verifier.health().issuers[0]).toMatchObject({ lastError: 'token_file_unreadable' })
    expect(await outcome(verifier, cluster.mint())).toBe('ok')
  })

  it('follows a rotation of the signing key with one refetch, and drops the retired key', async () => {
    const verifier = verifierFor({ jwksUri: cluster.jwksUri })
    const before = cluster.mint()
    expect(await outcome(verifier, before)).toBe('ok')
    await cluster.rotate({ retireOld: true })
    cluster.http.reset()
    expect(await outcome(verifier, cluster.mint())).toBe('ok')
    expect(cluster.http.jwksRequests).toBe(1)
    expect(bearers()[0]).toMatch(/^Bearer /)
    // The fetch that found the new key was authoritative: the retired key verifies no more.
    expect(await outcome(verifier, before)).toBe('unknown_key')
  })

  it('lets serviceAccountCheck allow by namespace and service account', async () => {
    const verifier = verifierFor()
    const check = serviceAccountCheck(['billing/invoicer', 'ops/*'])
    const verdict = async (namespace: string, serviceAccount: string) => {
      const auth = await verifier.verify(cluster.mint({ namespace, serviceAccount }))
      try {
        check(auth)
        return 'allowed'
      } catch (error) {
        return (error as { code: string }).code
      }
    }
    expect(await verdict('billing', 'invoicer')).toBe('allowed')
    expect(await verdict('ops', 'deployer')).toBe('allowed')
    expect(await verdict('billing', 'reporter')).toBe('workload_not_allowed')
    expect(await verdict('default', 'invoicer')).toBe('workload_not_allowed')
  })
})
