import { DEFAULT_ALGORITHMS, type JwkJudgement, type JwksJudgement } from '@keyward/core'
import { finding, type Finding } from './audit-checks.js'
import { auditCertificateChain, type CertificateSummary } from './x5c.js'
import { show } from './show.js'

/** One published key as the audit reports it. */
export interface KeySummary {
  /** Position in the `keys` array. */
  readonly index: number
  readonly kid: string | null
  readonly kty: string | null
  readonly crv: string | null
  readonly alg: string | null
  readonly use: string | null
  readonly keyOps: readonly string[] | null
  readonly rsaModulusBits: number | null
  /** Decimal, when at most 64 bits long. */
  readonly rsaExponent: string | null
  /** RFC 7638 SHA-256 thumbprint, base64url. */
  readonly thumbprint: string | null
  /** Whether keyward would verify signatures with it. */
  readonly usable: boolean
  /** Why keyward would drop it (a `jwks_key_dropped` reason), or `null`. */
  readonly dropReason: string | null
  readonly certificate: CertificateSummary | null
}

const SUPPORTED_ALGS: ReadonlySet<string> = new Set(DEFAULT_ALGORITHMS)
const EC_CURVES = new Set(['P-256', 'P-384', 'P-521'])
// RFC 7517 §4.3: the operations of a public key that encrypts rather than verifies.
const ENCRYPTION_OPS = new Set(['encrypt', 'wrapKey'])
// RFC 7518 §6.3.1: the exponent nearly every RSA key uses.
const F4 = '65537'
const MIN_RSA_BITS = 2048
const MAX_RSA_BITS = 16384
const MAX_EXPONENT_BITS = 32

/**
 * Checks every key of a JWK Set and the set as a whole: private or symmetric material, RSA
 * sizes and exponents, curves, `use` / `key_ops` / `alg` present and coherent, missing or
 * duplicate `kid`, `x5c`, and how many signing keys are published (rotation overlap).
 *
 * @example
 * ```ts
 * const { keys, findings } = auditKeys(document, await judgeJwks(document), Date.now())
 * ```
 */
export function auditKeys(
  document: unknown,
  judged: JwksJudgement,
  now: number,
): { keys: KeySummary[]; findings: Finding[] } {
  const entries = (document as { keys?: unknown } | null)?.keys
  if (judged.failure === 'invalid_shape' || !Array.isArray(entries)) {
    return { keys: [], findings: [finding('jwks.invalid_shape', 'jwks', 'no "keys" array')] }
  }
  if (judged.failure === 'empty_key_set') {
    return { keys: [], findings: [finding('jwks.empty', 'jwks', '"keys": []')] }
  }
  const findings: Finding[] = []
  const keys: KeySummary[] = []
  const firstIndexOfKid = new Map<string, number>()
  judged.keys.forEach((key, index) => {
    const raw: unknown = entries[index]
    const subject = `key #${String(index)}${key.kid === undefined ? '' : ` kid ${JSON.stringify(key.kid)}`}`
    const own = keyFindings(raw, key, subject, firstIndexOfKid, index, now)
    findings.push(...own.findings)
    keys.push(summary(index, key, own.certificate))
    if (key.kid !== undefined && !firstIndexOfKid.has(key.kid)) firstIndexOfKid.set(key.kid, index)
  })
  const usable = judged.keys.filter((key) => key.kept).length
  const beyond = judged.keys.filter((key) => key.reason === 'too_many_keys').length
  if (beyond > 0) {
    findings.push(
      finding(
        'jwks.too_many_keys',
        'jwks',
        `${String(judged.keys.length)} keys; ${String(beyond)} past the first 100 are dropped`,
      ),
    )
  }
  if (judged.failure === 'no_usable_keys') {
    findings.push(
      finding('jwks.no_usable_keys', 'jwks', `${String(judged.keys.length)} keys, none usable`),
    )
  } else if (usable === 1) {
    findings.push(finding('jwks.single_signing_key', 'jwks', '1 usable signing key'))
  }
  return { keys, findings }
}

function keyFindings(
  raw: unknown,
  key: JwkJudgement,
  subject: string,
  firstIndexOfKid: ReadonlyMap<string, number>,
  index: number,
  now: number,
): { findings: Finding[]; certificate: CertificateSummary | null } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { findings: [finding('key.invalid', subject, 'not a JSON object')], certificate: null }
  }
  const jwk = raw as Readonly<Record<string, unknown>>
  if (key.kty === 'oct') {
    // Nothing else about a published secret matters.
    return { findings: [finding('key.symmetric', subject, 'kty "oct"')], certificate: null }
  }
  const findings: Finding[] = []
  if (key.privateMembers.length > 0) {
    findings.push(
      finding('key.private_material', subject, `private members ${key.privateMembers.join(', ')}`),
    )
  }
  findings.push(...kidFindings(jwk, key, subject, firstIndexOfKid, index))
  if (key.alg === 'none' || (key.alg !== undefined && /^HS\d+$/.test(key.alg))) {
    findings.push(finding('key.alg_symmetric', subject, `alg "${key.alg}"`))
  }
  const purpose = purposeOf(jwk, key, subject, findings)
  if (purpose === 'signing') findings.push(...signingKeyFindings(jwk, key, subject))
  let certificate: CertificateSummary | null = null
  if (jwk.x5c !== undefined) {
    const chain = auditCertificateChain(jwk, subject, now)
    certificate = chain.certificate
    findings.push(...chain.findings)
  }
  // Every dropped signing key is explained; fall back on the key source's own reason.
  const explained = findings.some((item) => item.severity !== 'info' && item.severity !== 'low')
  if (!key.kept && purpose === 'signing' && !explained && key.reason !== 'too_many_keys') {
    findings.push(finding('key.invalid', subject, `dropped by keyward: ${String(key.reason)}`))
  }
  return { findings, certificate }
}

function kidFindings(
  jwk: Readonly<Record<string, unknown>>,
  key: JwkJudgement,
  subject: string,
  firstIndexOfKid: ReadonlyMap<string, number>,
  index: number,
): Finding[] {
  if (!Object.hasOwn(jwk, 'kid')) return [finding('key.kid_missing', subject, 'no kid')]
  if (key.kid === undefined || key.kid === '') {
    return [finding('key.kid_invalid', subject, `kid ${JSON.stringify(jwk.kid)}`)]
  }
  const first = firstIndexOfKid.get(key.kid)
  if (first !== undefined && first !== index) {
    return [finding('key.kid_duplicate', subject, `same kid as key #${String(first)}`)]
  }
  return []
}

/** Whether the key is meant to verify signatures, reporting `use` / `key_ops` problems. */
function purposeOf(
  jwk: Readonly<Record<string, unknown>>,
  key: JwkJudgement,
  subject: string,
  findings: Finding[],
): 'signing' | 'encryption' {
  const use = jwk.use
  const ops = jwk.key_ops
  if (ops !== undefined) {
    if (key.keyOps === undefined) {
      findings.push(
        finding('key.key_ops_incoherent', subject, 'key_ops is not an array of strings'),
      )
      return 'signing'
    }
    const shown = `key_ops ${JSON.stringify(key.keyOps)}${use === undefined ? '' : `, use ${JSON.stringify(use)}`}`
    const verifies = key.keyOps.includes('verify')
    const encrypts = key.keyOps.length > 0 && key.keyOps.every((op) => ENCRYPTION_OPS.has(op))
    if (encrypts && use !== 'sig') {
      findings.push(finding('key.use_enc', subject, shown))
      return 'encryption'
    }
    // RFC 7517 §4.3: "sign" is the private key's operation; use and key_ops must agree.
    if (!verifies || key.keyOps.includes('sign') || (use !== undefined && use !== 'sig')) {
      findings.push(finding('key.key_ops_incoherent', subject, shown))
    }
    return 'signing'
  }
  if (use === undefined) {
    findings.push(finding('key.use_missing', subject, 'no use, no key_ops'))
    return 'signing'
  }
  if (use !== 'sig') {
    findings.push(finding('key.use_enc', subject, `use ${JSON.stringify(use)}`))
    return 'encryption'
  }
  return 'signing'
}

function signingKeyFindings(
  jwk: Readonly<Record<string, unknown>>,
  key: JwkJudgement,
  subject: string,
): Finding[] {
  const findings: Finding[] = []
  if (key.kty === 'RSA') {
    findings.push(...rsaFindings(key, subject))
  } else if (key.kty === 'EC' || key.kty === 'OKP') {
    const supported =
      key.kty === 'EC' ? key.crv !== undefined && EC_CURVES.has(key.crv) : key.crv === 'Ed25519'
    if (!supported) {
      findings.push(
        finding('key.curve_unsupported', subject, `kty ${key.kty}, crv ${show(jwk.crv)}`),
      )
    } else if (key.reason === 'small_order_key') {
      findings.push(finding('key.small_order', subject, 'x is a small-order Ed25519 point'))
    } else if (key.reason === 'invalid_key') {
      findings.push(finding('key.invalid', subject, 'the point cannot be imported'))
    }
  } else {
    // Without a known type, whether alg fits it cannot be judged.
    return [finding('key.kty_unsupported', subject, `kty ${show(jwk.kty)}`)]
  }
  if (key.alg === undefined) {
    findings.push(finding('key.alg_missing', subject, 'no alg'))
  } else if (key.alg !== 'none' && !/^HS\d+$/.test(key.alg)) {
    if (!SUPPORTED_ALGS.has(key.alg)) {
      findings.push(finding('key.alg_unsupported', subject, `alg "${key.alg}"`))
    } else if (key.reason === 'unsupported_algorithm') {
      findings.push(
        finding(
          'key.alg_mismatch',
          subject,
          `alg "${key.alg}" on kty ${key.kty}${key.crv === undefined ? '' : ` ${key.crv}`}`,
        ),
      )
    }
  }
  return findings
}

function rsaFindings(key: JwkJudgement, subject: string): Finding[] {
  const bits = key.rsaModulusBits
  const exponentBits = key.rsaExponentBits
  if (bits === undefined || exponentBits === undefined || bits === 0 || exponentBits === 0) {
    return [finding('key.invalid', subject, 'RSA key without a usable n and e')]
  }
  const findings: Finding[] = []
  if (bits < MIN_RSA_BITS) {
    findings.push(finding('key.rsa_modulus_small', subject, `${String(bits)}-bit modulus`))
  } else if (bits > MAX_RSA_BITS) {
    findings.push(finding('key.rsa_modulus_large', subject, `${String(bits)}-bit modulus`))
  }
  const exponent = key.rsaExponent === undefined ? undefined : BigInt(key.rsaExponent)
  if (exponentBits > MAX_EXPONENT_BITS) {
    findings.push(
      finding('key.rsa_exponent_large', subject, `${String(exponentBits)}-bit exponent`),
    )
  } else if (exponent !== undefined && (exponent < 3n || exponent % 2n === 0n)) {
    findings.push(finding('key.rsa_exponent_weak', subject, `e = ${String(exponent)}`))
  } else if (key.rsaExponent !== F4) {
    findings.push(finding('key.rsa_exponent_unusual', subject, `e = ${String(key.rsaExponent)}`))
  }
  if (findings.length === 0 && key.reason === 'invalid_key') {
    findings.push(finding('key.invalid', subject, 'the RSA key cannot be imported'))
  }
  return findings
}

function summary(
  index: number,
  key: JwkJudgement,
  certificate: CertificateSummary | null,
): KeySummary {
  return {
    index,
    kid: key.kid ?? null,
    kty: key.kty ?? null,
    crv: key.crv ?? null,
    alg: key.alg ?? null,
    use: key.use ?? null,
    keyOps: key.keyOps ?? null,
    rsaModulusBits: key.rsaModulusBits ?? null,
    rsaExponent: key.rsaExponent ?? null,
    thumbprint: key.thumbprint ?? null,
    usable: key.kept,
    dropReason: key.reason ?? null,
    certificate,
  }
}
