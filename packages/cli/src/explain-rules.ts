import type { FetchFailureReason, KeywardErrorCode } from '@keyward/core'

/** Why the verifier decided as it did, for a person: the rule, its reference, the likely fix. */
export interface Explanation {
  readonly rule: string
  readonly reference: string
  readonly fix: string
}

/**
 * The decision table of `keyward explain`: each `KeywardError` code the verifier can raise, the
 * rule behind it, its RFC or BCP section, and what usually fixes it.
 */
export const EXPLANATIONS: Readonly<Record<KeywardErrorCode, Explanation>> = {
  missing_token: {
    rule: 'A request must carry an access token.',
    reference: 'RFC 6750 §2 and §3.1',
    fix: 'Send the token in an Authorization: Bearer header.',
  },
  invalid_request: {
    rule: 'Credentials must be sent once, in one way, with valid syntax.',
    reference: 'RFC 6750 §2 and §3.1',
    fix: 'Send one token, in the Authorization header only.',
  },
  malformed_token: {
    rule: 'A JWT access token is a compact JWS: three canonical base64url segments (header, claims, signature), the first two UTF-8 JSON objects without duplicate members.',
    reference: 'RFC 7515 §7.1; RFC 7519 §7.2; RFC 8725 §2.6',
    fix: "Pass the access token itself: not an opaque token (no dots: the issuer does not issue JWTs to this client), not an encrypted JWT (five segments), without quotes, spaces or a 'Bearer' prefix.",
  },
  token_too_large: {
    rule: 'Tokens longer than maxTokenBytes (8 KiB by default) are refused before any decoding.',
    reference: 'RFC 9110 §5.4 (a server refuses fields larger than it processes)',
    fix: 'Keep large claims (groups, permissions) out of access tokens, or raise maxTokenBytes.',
  },
  algorithm_not_allowed: {
    rule: "The header's alg must be on the verifier's allowlist (RS*, PS*, ES*, EdDSA by default); none and HS* are never accepted with a JWK Set.",
    reference: 'RFC 8725 §3.1 and §3.2',
    fix: 'Have the issuer sign access tokens with an asymmetric algorithm. If it does, this token was forged or altered.',
  },
  invalid_type: {
    rule: 'An access token is typed at+jwt (or JWT, or untyped); an ID token, logout token or DPoP proof is not an access token.',
    reference: 'RFC 8725 §3.11; RFC 9068 §2.1',
    fix: 'Send the access token, not the ID token. If your issuer types access tokens its own way, configure typ.',
  },
  unknown_key: {
    rule: "The header's kid must name a key of the issuer's JWK Set (refetched at most once per cooldown when unknown).",
    reference: 'RFC 7515 §4.1.4; RFC 7517 §4.5; OpenID Connect Core 1.0 §10.1.1',
    fix: 'Check that the issuer (and --jwks-uri) is the one that minted the token: a token from another environment names keys this one lacks. A key removed by a rotation takes its tokens with it.',
  },
  invalid_signature: {
    rule: 'The signature must verify with the key the kid names, under the header alg.',
    reference: 'RFC 7515 §5.2; RFC 8725 §3.3',
    fix: 'The token was altered, or signed by a different key published under the same kid (another environment). Get a fresh token from the issuer.',
  },
  invalid_issuer: {
    rule: 'iss must be identical to a configured issuer, character for character: no normalisation, so a trailing slash counts.',
    reference: 'RFC 7519 §4.1.1; RFC 8725 §3.8; RFC 9068 §4',
    fix: "If the token's issuer is the one you trust, configure exactly its iss; otherwise the token comes from another issuer.",
  },
  invalid_audience: {
    rule: 'aud must name an audience this API accepts.',
    reference: 'RFC 7519 §4.1.3; RFC 8725 §3.9; RFC 9068 §4; RFC 8707 §2',
    fix: "Request the token for this API (RFC 8707 resource, or the issuer's audience setting). Accept its aud only if the token is really meant for this API.",
  },
  token_expired: {
    rule: 'exp must be in the future, allowing the clock tolerance (30 s by default).',
    reference: 'RFC 7519 §4.1.4; RFC 9068 §4',
    fix: 'Get a new token. If it was just issued, compare the clocks of the issuer and the API (NTP).',
  },
  token_not_yet_valid: {
    rule: 'nbf, and iat, must not be in the future beyond the clock tolerance.',
    reference: 'RFC 7519 §4.1.5 and §4.1.6',
    fix: 'Compare the clocks of the issuer and the API (NTP); a token with a future nbf is valid only from then.',
  },
  invalid_claim: {
    rule: 'Registered claims must have their types (exp a number and present, iat and nbf numbers, aud a string or strings, sub and client_id strings), and every required claim must be present.',
    reference: 'RFC 7519 §4.1; RFC 9068 §2.2',
    fix: "Fix the issuer's token template: a claim is missing or has the wrong type.",
  },
  invalid_spiffe_id: {
    rule: "A JWT-SVID's sub must be a SPIFFE ID: spiffe://<lower-case trust domain>/<path>, with no port, query, fragment, percent-encoding, empty, '.' or '..' segment, or trailing slash.",
    reference: 'SPIFFE JWT-SVID §3.1; SPIFFE ID §2',
    fix: "Check the workload's registration entry: its SPIFFE ID is not valid, or the token is not a JWT-SVID.",
  },
  untrusted_trust_domain: {
    rule: "A JWT-SVID is verified only with the bundle of its SPIFFE ID's trust domain, and only for the trust domains configured in spiffe.trustDomains.",
    reference: 'SPIFFE Trust Domain and Bundle §3 and §6.4',
    fix: 'Configure the trust domain (with its bundle endpoint) if this workload should be trusted; otherwise the token is from a foreign trust domain.',
  },
  x509_svid_key: {
    rule: "Only keys of the bundle with use jwt-svid verify JWT-SVIDs; an X.509-SVID authority's key never does.",
    reference: 'SPIFFE Trust Domain and Bundle §4.2.2',
    fix: 'Sign JWT-SVIDs with the JWT authority of the trust domain (SPIRE does), not with the X.509 CA key.',
  },
  workload_not_allowed: {
    rule: "The route allows only some workloads (SPIFFE IDs or Kubernetes service accounts), and the token's is not among them.",
    reference: 'RFC 6750 §3.1',
    fix: "Call the route from an allowed workload, or add this workload's identity to the route's guard.",
  },
  insufficient_scope: {
    rule: 'The token must carry the scopes the route requires.',
    reference: 'RFC 6750 §3.1',
    fix: 'Request the token with the required scopes.',
  },
  jwks_unavailable: {
    rule: "The issuer's keys could not be fetched and none are cached, so the verifier cannot decide; an API answers 503, not 401.",
    reference: 'RFC 7517 §5; RFC 6750 §3.1',
    fix: 'See the cause: keyward audit <issuer> shows what is wrong with the metadata and the JWK Set.',
  },
  invalid_dpop_proof: {
    rule: 'A DPoP proof must be one DPoP header holding a dpop+jwt JWS signed with an allowed asymmetric algorithm by the public jwk in its header, for this method and URL (without query), issued within the window, with ath equal to the hash of the access token.',
    reference: 'RFC 9449 §4.2, §4.3 and §7.1',
    fix: "Make a fresh proof per request, with htm and htu of this request and ath of this token; check the API's dpop.publicBaseUrl matches the URL clients call.",
  },
  dpop_proof_replayed: {
    rule: 'A DPoP proof is accepted once: its jti is remembered until the proof would expire.',
    reference: 'RFC 9449 §11.1',
    fix: 'Make a new proof (new jti) for every request, retries included.',
  },
  use_dpop_nonce: {
    rule: "The resource server requires its nonce in DPoP proofs; the answer's DPoP-Nonce header holds a fresh one.",
    reference: 'RFC 9449 §8 and §9',
    fix: 'Retry with a proof whose nonce claim is the DPoP-Nonce value.',
  },
  dpop_binding_mismatch: {
    rule: "With the DPoP scheme, the access token's cnf.jkt must be the RFC 7638 thumbprint of the proof's key.",
    reference: 'RFC 9449 §6.1 and §7.1; RFC 7638',
    fix: 'Sign proofs with the key the token was issued to; request a DPoP-bound token (send a DPoP proof to the token endpoint).',
  },
  dpop_required: {
    rule: "This issuer's tokens must be DPoP-bound and sent with the DPoP scheme and a proof.",
    reference: 'RFC 9449 §7.1',
    fix: 'Obtain a DPoP-bound token and send Authorization: DPoP <token> with a DPoP proof header.',
  },
  dpop_not_accepted: {
    rule: "This issuer's tokens are not accepted with the DPoP scheme (its dpopMode is off).",
    reference: 'RFC 9449 §7.1',
    fix: 'Send the token as Bearer, or set dpopMode for this issuer.',
  },
  sender_constrained_token: {
    rule: 'A sender-constrained token (one with a cnf claim) sent as Bearer would let anyone holding a copy use it: refused.',
    reference: 'RFC 9449 §7.2; RFC 7800',
    fix: 'Send it with the DPoP scheme and a proof made with the key it is bound to.',
  },
  token_replayed: {
    rule: 'With singleUseTokens, an access token (its jti) is accepted once.',
    reference: 'RFC 7519 §4.1.7',
    fix: 'Get a new access token for each request, or turn singleUseTokens off.',
  },
  replay_store_unavailable: {
    rule: 'The replay store (Redis) did not answer, so a proof could not be checked for reuse; the API fails closed with 503.',
    reference: 'RFC 9449 §11.1',
    fix: 'Check the replay store (its connection, the replay_store_unavailable events); requests are refused until it answers.',
  },
  jwks_misconfigured: {
    rule: "The issuer's keys cannot be loaded because the configuration is wrong (a URL answering 404/401/403 or redirecting, a document that is not JSON, a discovered issuer that differs); an API answers 503, as for an outage.",
    reference: 'RFC 8414 §3.3; OpenID Connect Discovery 1.0 §4.3; RFC 7517 §5',
    fix: 'See the cause: it names the URL, the status and the values compared. Configure the issuer exactly as tokens carry it in iss, and let discovery find jwks_uri.',
  },
  token_revoked: {
    rule: "The API's isRevoked hook answered that this token is revoked.",
    reference: 'RFC 6750 §3.1; RFC 7009 §2.2',
    fix: 'Get a new access token; a revoked one stays refused until it expires.',
  },
  revocation_unavailable: {
    rule: "The API's isRevoked hook threw, answered something other than true or false, or did not answer in time; the API fails closed with 503.",
    reference: 'RFC 9110 §15.6.4',
    fix: 'Check the revocation service the hook consults (the token_hook_failed events); retry after Retry-After.',
  },
}

/** Why keys could not be fetched, by the core's failure reason. */
export const FETCH_FAILURES: Readonly<Record<FetchFailureReason, string>> = {
  network: 'the JWK Set or metadata host could not be reached (DNS, firewall, proxy, TLS)',
  timeout: 'no complete answer within the timeout (5 s)',
  http_status: 'the server answered with an error status',
  redirect: 'jwks_uri (or the metadata URL) redirects, and keyward does not follow redirects',
  too_large: 'the document is larger than 512 KiB after decompression',
  invalid_json: 'the document is not JSON (a login or error page?)',
  invalid_shape: 'the document is not a JWK Set or metadata object',
  empty_key_set: 'the JWK Set has no keys',
  no_usable_keys: 'no key of the JWK Set can verify signatures (run keyward audit)',
  issuer_mismatch:
    'the metadata names another issuer: --issuer must be identical to its issuer member',
  unsafe_jwks_uri:
    'the discovered jwks_uri is not one keyward fetches: not https, or an internal address named by a public issuer',
  jwks_origin_not_allowed:
    'the metadata moved jwks_uri to another origin, which keyward refuses unless it is in jwksOrigins',
  token_file_unreadable:
    'the Kubernetes service-account token file (kubernetes.tokenFile) is missing, unreadable or holds no token',
}
