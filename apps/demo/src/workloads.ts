import { writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import {
  bearerAuth,
  createVerifier,
  keywardErrorHandler,
  requireServiceAccount,
  requireSpiffeId,
} from '@keyward/express'
import { startJwksServer, startKubernetesApiServer, TestTrustDomain } from '@keyward/test-utils'
import express from 'express'
import { call, type Answer } from './http.js'
import type { Row } from './report.js'

const API = 'workload-api'
const AUDIENCE = 'urn:keyward:demo:workload-api'
const TRUST_DOMAIN = 'demo.example'
// SPIRE's default `spiffe_refresh_hint` is a few minutes; the rotation below is picked up by the
// unknown-kid refetch, not by waiting for it.
const REFRESH_HINT_SECONDS = 300
// keyward's fixed error description of the 403 a workload guard answers.
const NOT_ALLOWED = 'workload not allowed'

/**
 * Workload identities, without OAuth: an Express API (`workload-api`) that accepts SPIFFE
 * JWT-SVIDs of `demo.example`, from a bundle endpoint standing in for SPIRE's, and Kubernetes
 * service-account tokens, from a stand-in API server (its own CA, a JWKS that requires the
 * API's own service-account token, read from a file). `POST /charges` allows the SPIFFE IDs
 * under `ns/shop`, `POST /invoices` the service account `billing/invoicer`.
 *
 * @example
 * ```ts
 * rows.push(...(await runWorkloadChecks(logDir)))
 * ```
 */
export async function runWorkloadChecks(logDir: string): Promise<Row[]> {
  const domain = await TestTrustDomain.create({
    trustDomain: TRUST_DOMAIN,
    audience: AUDIENCE,
    refreshHintSeconds: REFRESH_HINT_SECONDS,
  })
  const bundle = await startJwksServer({ jwks: () => domain.bundle(), jwksPath: '/bundle' })
  const cluster = await startKubernetesApiServer({ audience: AUDIENCE })
  const tokenFile = join(logDir, `${API}.serviceaccount-token`)
  writeFileSync(tokenFile, cluster.readerToken())
  const sequences: (number | undefined)[] = []
  const verifier = createVerifier({
    spiffe: {
      trustDomains: [{ trustDomain: TRUST_DOMAIN, bundleEndpoint: bundle.url, audience: AUDIENCE }],
    },
    kubernetes: { issuer: cluster.issuer, audience: AUDIENCE, ca: cluster.ca, tokenFile },
    logger: false,
    onEvent: (event) => {
      if (event.type === 'spiffe_bundle_updated') sequences.push(event.sequence)
    },
  })
  const app = express()
  app.use(bearerAuth(verifier))
  app.post('/charges', requireSpiffeId(`spiffe://${TRUST_DOMAIN}/ns/shop/*`), (req, res) => {
    res.status(201).json({ caller: req.auth?.spiffe?.id })
  })
  app.post('/invoices', requireServiceAccount('billing/invoicer'), (req, res) => {
    const k8s = req.auth?.kubernetes
    res.status(201).json({ caller: `${k8s?.namespace ?? ''}/${k8s?.serviceAccount ?? ''}` })
  })
  app.use(keywardErrorHandler())
  const server = app.listen(0, '127.0.0.1')
  await new Promise<void>((resolve) => server.once('listening', resolve))
  const url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`
  const post = (path: string, token: string) => call(`${url}${path}`, { method: 'POST', token })
  const caller = (answer: Answer) => (answer.body as { caller?: string } | undefined)?.caller
  const rows: Row[] = []
  const check = (scenario: string, expected: string, answer: Answer, got: string | undefined) => {
    rows.push({ scenario, api: API, expected, got: got ?? describe(answer), ok: got !== undefined })
  }
  try {
    const web = `spiffe://${TRUST_DOMAIN}/ns/shop/sa/web`
    const first = await post('/charges', domain.mint('/ns/shop/sa/web'))
    check(
      'JWT-SVID from the bundle endpoint',
      `201 ${web}`,
      first,
      first.status === 201 && caller(first) === web ? `201 ${web}` : undefined,
    )

    const fetchesBefore = bundle.jwksRequests
    await domain.rotate({ retireOld: true })
    const rotated = await post('/charges', domain.mint('/ns/shop/sa/web'))
    const fetched = bundle.jwksRequests - fetchesBefore
    check(
      'bundle rotation (new JWT-SVID key)',
      '201 after 1 bundle fetch, spiffe_sequence 1 → 2',
      rotated,
      rotated.status === 201 && fetched === 1 && sequences.join(',') === '1,2'
        ? `201 after ${String(fetched)} bundle fetch, spiffe_sequence 1 → 2`
        : undefined,
    )

    const batch = await post('/charges', domain.mint('/ns/batch/sa/report'))
    check(
      'workload not allowed (ns/batch)',
      `403 insufficient_scope (${NOT_ALLOWED})`,
      batch,
      batch.status === 403 &&
        batch.error === 'insufficient_scope' &&
        batch.description === NOT_ALLOWED
        ? `403 ${batch.error} (${batch.description})`
        : undefined,
    )

    const invoicer = await post(
      '/invoices',
      cluster.mint({ namespace: 'billing', serviceAccount: 'invoicer' }),
    )
    const withToken = cluster.http.requests.every((request) =>
      request.headers.authorization?.startsWith('Bearer '),
    )
    check(
      'Kubernetes service-account token',
      '201 billing/invoicer, keys fetched with the pod token',
      invoicer,
      invoicer.status === 201 && caller(invoicer) === 'billing/invoicer' && withToken
        ? '201 billing/invoicer, keys fetched with the pod token'
        : undefined,
    )
    return rows
  } finally {
    verifier.close()
    server.closeAllConnections()
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve()
      }),
    )
    await Promise.all([bundle.close(), cluster.close()])
  }
}

function describe(answer: Answer): string {
  return [String(answer.status), answer.error, answer.description && `(${answer.description})`]
    .filter(Boolean)
    .join(' ')
}
