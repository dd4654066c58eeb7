import type { AlgorithmFixture, BadTokens } from '../fixtures.js'
import type { Contender } from './contender.js'

/** The verdict on one contender: counted only when `ok`. */
export interface GateVerdict {
  readonly ok: boolean
  /** What went wrong, or what was checked. */
  readonly detail: string
}

async function accepts(contender: Contender, token: string): Promise<boolean> {
  try {
    await contender.verify(token)
    return true
  } catch {
    return false
  }
}

/**
 * Nothing fast-but-wrong is counted: a contender must accept valid tokens and reject a
 * tampered, an expired, a wrong-issuer and a wrong-audience one. The floor checks signatures
 * only, so it is held to the first two.
 */
export async function checkContender(
  contender: Contender,
  fixture: AlgorithmFixture,
  signatureOnly: boolean,
): Promise<GateVerdict> {
  for (const token of [fixture.distinct[0] ?? '', fixture.repeated]) {
    if (!(await accepts(contender, token))) return { ok: false, detail: 'rejects a valid token' }
  }
  const cases: (keyof BadTokens)[] = signatureOnly
    ? ['tampered']
    : ['tampered', 'expired', 'wrongIssuer', 'wrongAudience']
  for (const name of cases) {
    // Twice: a cache must not turn a rejection into an acceptance.
    for (let attempt = 0; attempt < 2; attempt++) {
      if (await accepts(contender, fixture.bad[name])) {
        return { ok: false, detail: `accepts a ${name} token` }
      }
    }
  }
  return { ok: true, detail: signatureOnly ? 'signature only' : 'valid ✓, 4 bad ✗' }
}
