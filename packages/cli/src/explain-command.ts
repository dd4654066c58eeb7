import {
  createVerifier,
  decodeUnverified,
  isKeywardError,
  type KeywardError,
  type UnverifiedToken,
  type VerifiedToken,
  type Verifier,
} from '@keyward/core'
import { absoluteUrl, parseCommandLine } from './args.js'
import type { Command } from './command-io.js'
import { formatDuration } from './duration.js'
import { EXPLANATIONS, FETCH_FAILURES } from './explain-rules.js'
import { EXPLAIN_HELP } from './help.js'
import { NETWORK_FLAGS, networkOptions, type NetworkOptions } from './network-flags.js'
import { readToken } from './read-token.js'
import { styleFor, type Style } from './style.js'
import { UsageError } from './usage-error.js'
import { show } from './show.js'

/** Tokens are decoded for display up to this size, beyond the verifier's own limit. */
const DISPLAY_MAX_BYTES = 64 * 1024

/** Codes decided once keys were looked up; every other refusal comes before the signature. */
const SIGNATURE_CODES: ReadonlySet<string> = new Set(['unknown_key', 'invalid_signature'])

/** The decision `keyward explain` reports, also its `--json` document's `decision`. */
interface Decision {
  readonly accepted: boolean
  /** The `KeywardError` code, or `null` when accepted. */
  readonly code: string | null
  /** HTTP status an API would answer with, or `null` when accepted. */
  readonly status: number | null
  readonly rule: string
  readonly reference: string
  readonly fix: string | null
  /** What in this token (or the issuer's answer) the rule looked at. */
  readonly details: readonly string[]
  /**
   * Whether the signature was checked. The verifier checks syntax, header and claims first, so a
   * token refused for its claims may be forged as well.
   */
  readonly signatureChecked: boolean
  /** For `jwks_unavailable` and `jwks_misconfigured`: the core's fetch failure reason and HTTP status. */
  readonly cause: { readonly reason: string; readonly httpStatus: number | null } | null
}

/**
 * `keyward explain --issuer <url> --audience <aud> [--jwks-uri <url>] [--json] [--proxy env|<url>]
 * [--ca-file <pem>]`: reads a token on
 * standard input, runs the real verifier, and says why it is accepted or refused. Exit status 0
 * accepted, 1 refused, 2 usage or network error.
 *
 * @example
 * ```ts
 * process.exitCode = await explain(['--issuer', issuer, '--audience', 'api'], io)
 * ```
 */
export const explain: Command = async (args, io) => {
  const { values } = parseCommandLine('explain', args, {
    issuer: { type: 'string' },
    audience: { type: 'string', multiple: true },
    'jwks-uri': { type: 'string' },
    token: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
    ...NETWORK_FLAGS,
  })
  if (values.help) {
    io.stdout.write(`${EXPLAIN_HELP}\n`)
    return 0
  }
  if (values.issuer === undefined)
    throw new UsageError('--issuer is required; see keyward explain --help')
  const audience = values.audience ?? []
  if (audience.length === 0) {
    throw new UsageError('--audience is required; see keyward explain --help')
  }
  const issuer = absoluteUrl(values.issuer, '--issuer')
  const jwksUri =
    values['jwks-uri'] === undefined ? undefined : absoluteUrl(values['jwks-uri'], '--jwks-uri')
  const verifier = verifierFor(issuer, audience, jwksUri, networkOptions(values))
  try {
    if (values.token !== undefined) {
      io.stderr.write(
        'keyward explain: warning: --token leaves the token in your shell history and the process list; pipe it on standard input instead\n',
      )
    }
    const token = values.token?.trim() ?? (await readToken(io))
    let decoded: UnverifiedToken | undefined
    try {
      decoded = decodeUnverified(token, { maxTokenBytes: DISPLAY_MAX_BYTES })
    } catch {
      decoded = undefined
    }
    let verified: VerifiedToken | undefined
    let refusal: KeywardError | undefined
    try {
      verified = await verifier.verify(token)
    } catch (error) {
      if (!isKeywardError(error)) throw error
      refusal = error
    }
    const decision =
      refusal === undefined
        ? accepted(verified)
        : refused(refusal, { token, decoded, issuer, audience, verifier })
    const now = Date.now()
    io.stdout.write(
      values.json
        ? `${explainJson(decoded, decision, verified)}\n`
        : explainText(decoded, decision, now, styleFor(io.stdout, io.env)),
    )
    if (decision.code === 'jwks_unavailable' || decision.code === 'jwks_misconfigured') {
      io.stderr.write(
        `keyward explain: the keys of ${issuer} could not be fetched: ${decision.details.join('; ')}\n`,
      )
      return 2
    }
    return decision.accepted ? 0 : 1
  } finally {
    verifier.close()
  }
}

function verifierFor(
  issuer: string,
  audience: string[],
  jwksUri: string | undefined,
  network: NetworkOptions,
): Verifier {
  try {
    return createVerifier({
      issuer,
      audience: audience.length === 1 ? (audience[0] ?? '') : audience,
      ...(jwksUri === undefined ? {} : { jwksUri }),
      // --proxy and --ca-file: metadata and keys fetched as a verifier with these options would.
      jwks: network,
      // The decision (and its cause) is what explain prints; the verifier's own lines would repeat it.
      logger: false,
    })
  } catch (error) {
    // The verifier's own option rules (an http issuer off loopback without --jwks-uri...).
    if (error instanceof TypeError) throw new UsageError(error.message)
    throw error
  }
}

function accepted(verified: VerifiedToken | undefined): Decision {
  return {
    accepted: true,
    code: null,
    status: null,
    rule: 'Every check passed: syntax, alg allowlist, typ, issuer, audience, time claims, claim types, and the signature with a key from the issuer’s JWK Set.',
    reference: 'RFC 9068 §4; RFC 8725 §3',
    fix: null,
    details:
      verified === undefined
        ? []
        : [
            `signed with kid ${verified.kid === undefined ? '(none)' : JSON.stringify(verified.kid)} (${String(verified.header.alg)})`,
          ],
    signatureChecked: true,
    cause: null,
  }
}

interface RefusalContext {
  readonly token: string
  readonly decoded: UnverifiedToken | undefined
  readonly issuer: string
  readonly audience: readonly string[]
  readonly verifier: Verifier
}

function refused(error: KeywardError, context: RefusalContext): Decision {
  const explanation = EXPLANATIONS[error.code]
  const cause = fetchCause(error)
  return {
    accepted: false,
    code: error.code,
    status: error.status,
    rule: explanation.rule,
    reference: explanation.reference,
    fix: explanation.fix,
    details: details(error, context, cause),
    signatureChecked: SIGNATURE_CODES.has(error.code),
    cause,
  }
}

function fetchCause(error: KeywardError): Decision['cause'] {
  if (error.code !== 'jwks_unavailable' && error.code !== 'jwks_misconfigured') return null
  const { reason, httpStatus } = (error.cause ?? {}) as { reason?: unknown; httpStatus?: unknown }
  if (typeof reason !== 'string') return null
  return { reason, httpStatus: typeof httpStatus === 'number' ? httpStatus : null }
}

/** What this token (or the issuer's answer) said about the rule that refused it. */
function details(
  error: KeywardError,
  { token, decoded, issuer, audience, verifier }: RefusalContext,
  cause: Decision['cause'],
): string[] {
  const header = decoded?.header ?? {}
  const claims = decoded?.claims ?? {}
  const now = Date.now()
  switch (error.code) {
    case 'malformed_token': {
      const segments = token.split('.').length
      return [
        segments === 3
          ? 'three segments, but one does not decode to what it must'
          : `${String(segments)} segment${segments === 1 ? '' : 's'}, where a JWS has 3`,
      ]
    }
    case 'token_too_large':
      return [`${String(token.length)} characters`]
    case 'algorithm_not_allowed':
      return [`alg ${show(header.alg)}`]
    case 'invalid_type':
      return [`typ ${show(header.typ)}`]
    case 'unknown_key': {
      const keyIds = verifier.health().issuers[0]?.keyIds ?? []
      return [
        `kid ${show(header.kid)}`,
        `the JWK Set has ${keyIds.length === 0 ? 'no kids' : keyIds.map((kid) => JSON.stringify(kid)).join(', ')}`,
      ]
    }
    case 'invalid_signature':
      return [`kid ${show(header.kid)}, alg ${show(header.alg)}`]
    case 'invalid_issuer':
      return [`iss ${show(claims.iss)}`, `expected ${JSON.stringify(issuer)}`]
    case 'invalid_audience':
      return [
        `aud ${show(claims.aud)}`,
        `accepted ${audience.map((aud) => JSON.stringify(aud)).join(', ')}`,
      ]
    case 'token_expired':
      return [`exp ${timeClaim(claims.exp, now)}`]
    case 'token_not_yet_valid':
      return [`nbf ${timeClaim(claims.nbf, now)}`, `iat ${timeClaim(claims.iat, now)}`]
    case 'invalid_claim':
      return ['exp', 'iat', 'nbf', 'aud', 'sub', 'client_id'].map(
        (name) => `${name} ${show(claims[name])}`,
      )
    case 'jwks_unavailable':
    case 'jwks_misconfigured':
      return cause === null
        ? ['no cause reported']
        : [
            `${cause.reason}${cause.httpStatus === null ? '' : ` (status ${String(cause.httpStatus)})`}: ${FETCH_FAILURES[cause.reason as keyof typeof FETCH_FAILURES]}`,
          ]
    default:
      return []
  }
}

function timeClaim(value: unknown, now: number): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return show(value)
  const at = value * 1000
  const when = at <= now ? `${formatDuration(now - at)} ago` : `in ${formatDuration(at - now)}`
  return `${String(value)} (${new Date(at).toISOString()}, ${when})`
}

function explainJson(
  decoded: UnverifiedToken | undefined,
  decision: Decision,
  verified: VerifiedToken | undefined,
): string {
  return JSON.stringify(
    {
      tool: 'keyward',
      command: 'explain',
      schemaVersion: 1,
      accepted: decision.accepted,
      header: decoded?.header ?? null,
      claims: decoded?.claims ?? null,
      signatureBytes: decoded?.signatureBytes ?? null,
      decision,
      verified:
        verified === undefined
          ? null
          : {
              issuer: verified.issuer,
              subject: verified.subject,
              clientId: verified.clientId,
              audience: verified.audience,
              scopes: verified.scopes,
              expiresAt: verified.expiresAt,
              kid: verified.kid ?? null,
            },
    },
    null,
    2,
  )
}

const LABEL_WIDTH = 10

function explainText(
  decoded: UnverifiedToken | undefined,
  decision: Decision,
  now: number,
  paint: Style,
): string {
  const label = (name: string) => paint.bold(name.padEnd(LABEL_WIDTH))
  const indent = ' '.repeat(LABEL_WIDTH)
  const block = (name: string, value: unknown) =>
    JSON.stringify(value, null, 2)
      .split('\n')
      .map((line, i) => (i === 0 ? `${label(name)}${line}` : `${indent}${line}`))
  const lines: string[] = []
  if (decoded === undefined) {
    lines.push(`${label('token')}${paint.dim('cannot be decoded (see below)')}`)
  } else {
    lines.push(...block('header', decoded.header), ...block('claims', decoded.claims))
    const times = (['iat', 'nbf', 'exp'] as const)
      .filter((name) => decoded.claims[name] !== undefined)
      .map((name) => `${name} ${timeClaim(decoded.claims[name], now)}`)
    for (const [i, line] of times.entries()) {
      lines.push(`${i === 0 ? label('times') : indent}${line}`)
    }
    lines.push(
      `${label('signature')}${paint.dim(`${String(decoded.signatureBytes)} bytes, not shown`)}`,
    )
  }
  lines.push('')
  lines.push(
    decision.accepted
      ? `${label('decision')}${paint.green(paint.bold('ACCEPTED'))}`
      : `${label('decision')}${paint.red(paint.bold('REFUSED'))} ${String(decision.code)} (HTTP ${String(decision.status)})`,
  )
  lines.push(`${label('rule')}${decision.rule}`)
  for (const [i, detail] of decision.details.entries()) {
    lines.push(`${i === 0 ? label('seen') : indent}${detail}`)
  }
  lines.push(`${label('reference')}${decision.reference}`)
  if (decision.fix !== null) lines.push(`${label('fix')}${decision.fix}`)
  if (
    !decision.signatureChecked &&
    decision.code !== 'jwks_unavailable' &&
    decision.code !== 'jwks_misconfigured'
  ) {
    lines.push(
      `${label('note')}${paint.dim('decided before the signature was checked: the token may be forged as well')}`,
    )
  }
  return `${lines.join('\n')}\n`
}
