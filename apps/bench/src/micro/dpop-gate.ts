import type { BenchRequest, DpopFixture } from '../dpop-fixture.js'
import type { AlgorithmFixture, BadTokens } from '../fixtures.js'
import type { Contender } from './contender.js'
import type { GateVerdict } from './correctness-gate.js'

async function accepts(contender: Contender<BenchRequest>, request: BenchRequest) {
  try {
    await contender.verify(request)
    return true
  } catch {
    return false
  }
}

const bearer = (token: string): BenchRequest => ({
  headers: { authorization: `Bearer ${token}` },
  method: 'GET',
  url: '/',
})

/**
 * The correctness gate of the DPoP comparison's Bearer side: valid tokens accepted, the four
 * bad ones refused, each twice (a cache must not turn a refusal into an acceptance).
 */
export async function checkBearerContender(
  contender: Contender<BenchRequest>,
  fixture: AlgorithmFixture,
): Promise<GateVerdict> {
  for (const token of [fixture.distinct[0] ?? '', fixture.repeated]) {
    if (!(await accepts(contender, bearer(token)))) {
      return { ok: false, detail: 'rejects a valid token' }
    }
  }
  for (const name of ['tampered', 'expired', 'wrongIssuer', 'wrongAudience'] as const) {
    for (let attempt = 0; attempt < 2; attempt++) {
      if (await accepts(contender, bearer(fixture.bad[name]))) {
        return { ok: false, detail: `accepts a ${name} token` }
      }
    }
  }
  return { ok: true, detail: 'valid ✓, 4 bad ✗' }
}

/**
 * The gate of a DPoP contender (RFC 9449 §4.3): bound tokens with fresh proofs accepted; then,
 * each twice, a replayed proof (check 12, `jti` once), a proof for another URL (check 9) or
 * method (check 8), a proof by a key the token is not bound to (§6.1 `cnf.jkt`), the bound
 * token sent as `Bearer` (§7.1), and the four bad tokens with valid proofs, all refused.
 */
export async function checkDpopContender(
  contender: Contender<BenchRequest>,
  dpop: DpopFixture,
): Promise<GateVerdict> {
  const valid = dpop.request(dpop.repeated)
  for (const request of [dpop.request(dpop.distinct[0] ?? ''), valid]) {
    if (!(await accepts(contender, request))) {
      return { ok: false, detail: 'rejects a valid token with a fresh proof' }
    }
  }
  const bad: [string, () => BenchRequest][] = [
    ['replayed proof', () => valid],
    ['proof for another URL', () => dpop.request(dpop.repeated, { htu: `${dpop.htu}other` })],
    ['proof for another method', () => dpop.request(dpop.repeated, { htm: 'POST' })],
    ['proof by another key', () => dpop.request(dpop.otherKey)],
    ['bound token as Bearer', () => bearer(dpop.repeated)],
    ...(['tampered', 'expired', 'wrongIssuer', 'wrongAudience'] as (keyof BadTokens)[]).map(
      (name): [string, () => BenchRequest] => [`${name} token`, () => dpop.request(dpop.bad[name])],
    ),
  ]
  for (const [name, request] of bad) {
    for (let attempt = 0; attempt < 2; attempt++) {
      if (await accepts(contender, request())) return { ok: false, detail: `accepts a ${name}` }
    }
  }
  return {
    ok: true,
    detail: 'valid ✓; replayed, wrong-URL, wrong-method, wrong-key, as-Bearer, 4 bad ✗',
  }
}
