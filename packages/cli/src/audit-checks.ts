/**
 * How bad a finding is. `critical`: tokens can be forged or keys are compromised. `high`:
 * verifiers reject valid tokens or rely on weak keys. `medium`: a weakness or an interoperability
 * trap. `low`: a deviation from best practice. `info`: worth knowing, never a failure.
 */
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info'

/** Most severe first. */
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info']

/** What one audit check is about; the same for every finding it produces. */
export interface CheckSpec {
  readonly severity: Severity
  /** One line: what is wrong. */
  readonly title: string
  /** Why it matters. */
  readonly why: string
  /** The RFC or BCP section behind it. */
  readonly reference: string
  /** How to fix it. */
  readonly fix: string
}

/**
 * Every audit check, by stable id. Ids and severities are part of the CLI's contract (`--json`
 * consumers and `--fail-on` depend on them); the README lists them.
 */
export const CHECKS = {
  // The issuer and its metadata.
  'metadata.issuer_not_https': {
    severity: 'critical',
    title: 'the issuer URL is not https',
    why: 'Metadata and keys fetched over plain HTTP can be replaced in transit, and with them every key that verifies tokens. keyward fetches nothing from it.',
    reference: 'RFC 8414 §2; OpenID Connect Discovery 1.0 §3',
    fix: 'Serve the issuer over https. Plain http is accepted only on loopback hosts, for development.',
  },
  'metadata.issuer_loopback_http': {
    severity: 'info',
    title: 'the issuer is plain http on a loopback host',
    why: 'Fine for local development and tests; no production issuer may use http.',
    reference: 'RFC 8414 §2',
    fix: 'Nothing for a development issuer. In production, serve the issuer over https.',
  },
  'metadata.discovery_fallback': {
    severity: 'info',
    title: 'metadata found at the RFC 8414 URL, not the OpenID Connect one',
    why: 'Verifiers try OpenID Connect Discovery first; every discovery then costs an extra request that fails.',
    reference: 'OpenID Connect Discovery 1.0 §4; RFC 8414 §3.1',
    fix: 'Nothing required. Serving /.well-known/openid-configuration too saves a request per discovery.',
  },
  'metadata.issuer_mismatch': {
    severity: 'critical',
    title: 'the metadata names another issuer',
    why: 'The issuer in the metadata must be identical to the URL it was fetched for, or a document could speak for an issuer it does not belong to (mix-up attacks). Verifiers that check it (keyward does) refuse the metadata and every token.',
    reference: 'RFC 8414 §3.3; OpenID Connect Discovery 1.0 §4.3',
    fix: "Configure verifiers with the exact issuer string the metadata and the tokens' iss use (a trailing slash counts), or correct the issuer's metadata.",
  },
  'metadata.jwks_uri_missing': {
    severity: 'critical',
    title: 'the metadata has no jwks_uri',
    why: 'Without jwks_uri no verifier can find the keys that sign tokens, so no token can be verified.',
    reference: 'RFC 8414 §2; OpenID Connect Discovery 1.0 §3',
    fix: "Publish the JWK Set and put its https URL in the metadata's jwks_uri.",
  },
  'metadata.jwks_uri_not_https': {
    severity: 'critical',
    title: 'jwks_uri is not an https URL',
    why: 'Keys fetched over plain HTTP (or from a URL with credentials, or no URL at all) can be replaced in transit: whoever does it signs tokens every verifier accepts. keyward refuses it (unsafe_jwks_uri); plain http is accepted only on loopback, for an issuer that is itself http on loopback.',
    reference: 'RFC 8414 §2; RFC 7517 §9.1',
    fix: 'Serve the JWK Set over https and publish that URL, without credentials.',
  },
  'metadata.jwks_uri_internal': {
    severity: 'high',
    title: 'a public issuer names a jwks_uri on an internal address',
    why: "A loopback, private or link-local address (or a localhost name) in a public issuer's metadata would turn every verifier into a client of its own network (SSRF, cloud metadata endpoints). keyward refuses it (unsafe_jwks_uri) unless the origin is listed in jwksOrigins, so verifiers get no keys.",
    reference: 'RFC 8414 §2; keyward SECURITY.md, "Where keys may come from"',
    fix: 'Publish a jwks_uri on a public https host. If the keys really live on an internal host, configure verifiers with an explicit jwksUri (or jwksOrigins) instead of discovery.',
  },
  'metadata.jwks_uri_loopback_http': {
    severity: 'info',
    title: 'jwks_uri is plain http on a loopback host',
    why: 'Fine for local development and tests; no production issuer may publish keys over http.',
    reference: 'RFC 8414 §2',
    fix: 'Nothing for a development issuer. In production, serve the JWK Set over https.',
  },
  'metadata.jwks_uri_cross_origin': {
    severity: 'low',
    title: 'jwks_uri is on another origin than the issuer',
    why: 'Whoever controls that origin controls which tokens verify. It is allowed, but it widens the trust anchor, and verifiers that pin the key origin refuse a later move.',
    reference: 'RFC 8414 §2; RFC 7517 §9.1',
    fix: "Serve the JWK Set under the issuer's origin when you can; otherwise make sure the other origin is operated as carefully as the issuer.",
  },
  'metadata.access_token_alg_none': {
    severity: 'critical',
    title: "the issuer advertises 'none' for access tokens",
    why: 'An unsigned access token proves nothing: anyone can write one. A verifier that trusts this list accepts forged tokens.',
    reference: 'RFC 9068 §2.1; RFC 8725 §3.2',
    fix: "Remove 'none' from access_token_signing_alg_values_supported and never issue unsigned access tokens.",
  },
  'metadata.access_token_alg_symmetric': {
    severity: 'critical',
    title: 'the issuer advertises HMAC (HS*) for access tokens',
    why: 'An HMAC-signed access token is verified with the secret that signs it: every API that can verify one can mint them, and a verifier that treats a published public key as an HMAC secret accepts forgeries (algorithm confusion).',
    reference: 'RFC 8725 §2.1, §3.1 and §3.2; RFC 9068 §4',
    fix: 'Sign access tokens with an asymmetric algorithm (RS256, PS256, ES256, EdDSA) and drop HS* from access_token_signing_alg_values_supported.',
  },
  'metadata.id_token_alg_none': {
    severity: 'high',
    title: "the issuer advertises 'none' for ID tokens",
    why: 'Unsigned ID tokens are only acceptable in narrow flows; a relying party that follows this list may accept forged identities, and such issuers often mishandle algorithms elsewhere.',
    reference: 'OpenID Connect Discovery 1.0 §3; RFC 8725 §3.2',
    fix: "Remove 'none' from id_token_signing_alg_values_supported unless a flow truly needs it.",
  },
  'metadata.id_token_alg_symmetric': {
    severity: 'low',
    title: 'the issuer advertises HMAC (HS*) for ID tokens',
    why: 'HMAC ID tokens are keyed with client secrets, so they cannot be checked against the JWK Set, and a weak client secret makes them forgeable.',
    reference: 'OpenID Connect Core 1.0 §10.1; RFC 8725 §3.5',
    fix: 'Prefer asymmetric ID token signatures; keep HS* only for clients that need it, with long random secrets.',
  },
  'metadata.cache_control_missing': {
    severity: 'info',
    title: 'the metadata response has no Cache-Control max-age',
    why: 'Each client then picks its own metadata cache lifetime, so a change of jwks_uri reaches them at unpredictable times.',
    reference: 'RFC 9111 §5.2.2.1',
    fix: 'Send Cache-Control: public, max-age=3600 (or whatever lifetime you can commit to) with the metadata.',
  },

  // The JWK Set response.
  'jwks.unreachable': {
    severity: 'high',
    title: 'the JWK Set could not be fetched',
    why: 'Without keys, verifiers reject every token (or keep serving old keys until they expire).',
    reference: 'RFC 7517 §5; RFC 8414 §2',
    fix: 'Make jwks_uri reachable from where your APIs run: DNS, firewall, a valid TLS certificate.',
  },
  'jwks.timeout': {
    severity: 'high',
    title: 'the JWK Set did not arrive within the timeout',
    why: 'Verifiers give up on slow key fetches; a slow endpoint becomes an outage of every API that needs a key.',
    reference: 'RFC 7517 §5',
    fix: 'Serve the JWK Set as a small static document, from a CDN if needed; answer within a second.',
  },
  'jwks.http_status': {
    severity: 'high',
    title: 'the JWK Set answered with an error status',
    why: 'Only a 200 answer carries keys; verifiers treat anything else as a failed fetch.',
    reference: 'RFC 9110 §15; RFC 7517 §5',
    fix: 'Serve the JWK Set with status 200 at jwks_uri.',
  },
  'jwks.redirect': {
    severity: 'high',
    title: 'jwks_uri redirects',
    why: 'A redirect hands the choice of keys to another URL; strict verifiers (keyward among them) do not follow it, so they get no keys.',
    reference: 'RFC 9110 §15.4; RFC 8414 §2',
    fix: 'Serve the JWK Set directly at jwks_uri, or publish the final URL as jwks_uri.',
  },
  'jwks.too_large': {
    severity: 'high',
    title: 'the JWK Set is larger than verifiers accept',
    why: 'Verifiers cap the size of a key set (keyward at 512 KiB after decompression) so a hostile or broken endpoint cannot exhaust their memory; over the cap there are no keys.',
    reference: 'RFC 7517 §5',
    fix: 'Publish only the keys in use: the current signing key, the next one and the one being retired.',
  },
  'jwks.invalid_json': {
    severity: 'high',
    title: 'the JWK Set is not JSON',
    why: 'Verifiers cannot read keys from it, often an HTML login or error page served with status 200.',
    reference: 'RFC 7517 §5',
    fix: 'Serve the JWK Set as JSON, without anything in front of jwks_uri that rewrites the answer.',
  },
  'jwks.invalid_shape': {
    severity: 'high',
    title: 'the document is not a JWK Set',
    why: 'A JWK Set is a JSON object with a "keys" array; verifiers find no keys in anything else.',
    reference: 'RFC 7517 §5',
    fix: 'Serve {"keys": [ ...public JWKs... ]} at jwks_uri.',
  },
  'jwks.empty': {
    severity: 'high',
    title: 'the JWK Set has no keys',
    why: 'No token can be verified. keyward keeps its previous keys rather than adopt an empty set, but a fresh verifier has none.',
    reference: 'RFC 7517 §5',
    fix: 'Publish the public key of every key that signs tokens.',
  },
  'jwks.no_usable_keys': {
    severity: 'high',
    title: 'no key in the JWK Set can verify signatures',
    why: 'Every key is one a careful verifier drops (see the key findings), so no token can be verified.',
    reference: 'RFC 7517 §4 and §5; RFC 8725 §3.1',
    fix: 'Publish at least one public RSA (2048 bits or more), EC (P-256, P-384, P-521) or Ed25519 signing key.',
  },
  'jwks.content_type': {
    severity: 'low',
    title: 'the JWK Set is served with an unexpected content type',
    why: 'Some clients refuse a key set that is not application/json or application/jwk-set+json; others may render it.',
    reference: 'RFC 7517 §8.5.1',
    fix: 'Serve the JWK Set as application/jwk-set+json or application/json.',
  },
  'jwks.large': {
    severity: 'low',
    title: 'the JWK Set is large',
    why: 'Every verifier downloads it at each refresh; large sets also approach the size caps of verifiers (keyward: 512 KiB).',
    reference: 'RFC 7517 §5',
    fix: 'Publish only the keys in use, and drop x5c chains verifiers do not need.',
  },
  'jwks.slow': {
    severity: 'low',
    title: 'the JWK Set took more than a second',
    why: 'Requests that meet a new kid wait for this fetch; a slow endpoint is close to timing out (keyward: 5 s).',
    reference: 'RFC 7517 §5',
    fix: 'Serve the JWK Set as a static document, cached close to the verifiers.',
  },
  'jwks.max_age_missing': {
    severity: 'low',
    title: 'the JWK Set response has no Cache-Control max-age',
    why: 'Each verifier then picks its own refresh interval (from minutes to a day), so how fast a new or removed key reaches it is unknown.',
    reference: 'RFC 9111 §5.2.2.1; OpenID Connect Core 1.0 §10.1.1',
    fix: 'Send Cache-Control: public, max-age=N, with N shorter than the time between publishing a new key and signing with it (5 to 60 minutes is common).',
  },
  'jwks.max_age_short': {
    severity: 'low',
    title: 'the JWK Set may be cached for less than a minute',
    why: 'Verifiers that honour it refetch the keys constantly: load on the issuer, and an issuer outage is felt at once.',
    reference: 'RFC 9111 §5.2.2.1, §5.2.2.4 and §5.2.2.5',
    fix: 'Send Cache-Control: public, max-age=300 or more, and rotate keys with an overlap instead.',
  },
  'jwks.max_age_long': {
    severity: 'medium',
    title: 'the JWK Set may be cached for more than a day',
    why: 'Verifiers that honour it keep a removed (perhaps compromised) key that long, and see a new key that late.',
    reference: 'RFC 9111 §5.2.2.1; OpenID Connect Core 1.0 §10.1.1',
    fix: 'Send a max-age of an hour or less; keyward caps it at 1 hour (jwks.cacheCeilingMs).',
  },
  'jwks.validators_missing': {
    severity: 'info',
    title: 'the JWK Set response has no ETag or Last-Modified',
    why: 'Without validators every refresh downloads the whole set instead of a 304.',
    reference: 'RFC 9110 §8.8 and §13.1',
    fix: 'Send an ETag (or Last-Modified) and answer If-None-Match with 304 Not Modified.',
  },
  'jwks.not_compressed': {
    severity: 'info',
    title: 'a large JWK Set is sent uncompressed',
    why: 'The request accepted gzip; compressing would shrink every refresh of every verifier.',
    reference: 'RFC 9110 §8.4',
    fix: 'Enable gzip or br for the JWK Set (verifiers count the size after decompression).',
  },
  'jwks.single_signing_key': {
    severity: 'info',
    title: 'only one signing key is published',
    why: 'With no key published ahead of its use, every rotation reaches verifiers as an unknown kid: each refetches on demand, and tokens signed in the first seconds can fail where refetches are rate-limited.',
    reference: 'OpenID Connect Core 1.0 §10.1.1',
    fix: 'Publish the next key some time (more than the JWK Set max-age) before signing with it, and keep the previous key until its tokens have expired.',
  },
  'jwks.too_many_keys': {
    severity: 'medium',
    title: 'the JWK Set has more keys than verifiers read',
    why: 'keyward reads the first 100 keys and drops the rest; other libraries cap lower. A token signed with a dropped key fails.',
    reference: 'RFC 7517 §5',
    fix: 'Publish only the keys in use.',
  },

  // Each key.
  'key.private_material': {
    severity: 'critical',
    title: 'a private key is published',
    why: 'Anyone who fetches the JWK Set can sign tokens with this key, and every verifier that trusts the issuer accepts them. The key is compromised.',
    reference: 'RFC 7517 §9.2; RFC 7518 §6.2.2 and §6.3.2',
    fix: 'Remove the private members (d, p, q, dp, dq, qi, oth) now, stop signing with this key and rotate to a new one: publishing it was a disclosure.',
  },
  'key.symmetric': {
    severity: 'critical',
    title: 'a symmetric (oct) key is published',
    why: 'An HMAC secret in a public document lets anyone sign HS* tokens; verifiers that accept HS* with a JWK Set accept forgeries.',
    reference: 'RFC 7517 §9.2; RFC 8725 §2.1 and §3.2',
    fix: 'Remove the key, treat the secret as disclosed (rotate it), and sign access tokens with an asymmetric key.',
  },
  'key.alg_symmetric': {
    severity: 'critical',
    title: "a key is marked for 'none' or an HMAC algorithm",
    why: 'A public key marked HS* invites algorithm confusion (the public key used as an HMAC secret); none means unsigned tokens.',
    reference: 'RFC 8725 §2.1 and §3.1',
    fix: 'Set alg to the asymmetric algorithm this key signs with (RS256, PS256, ES256, EdDSA...).',
  },
  'key.rsa_exponent_weak': {
    severity: 'critical',
    title: 'an RSA key has an even public exponent or one below 3',
    why: 'With e = 1 any "signature" equal to the padded hash verifies: tokens can be forged by anyone. Even exponents are not valid RSA keys.',
    reference: 'RFC 8017 §3.1',
    fix: 'Replace the key with a freshly generated one (e = 65537).',
  },
  'key.small_order': {
    severity: 'critical',
    title: 'an Ed25519 key is a small-order point',
    why: 'Signatures from such a key verify for many messages, so anyone can forge tokens for it.',
    reference: 'RFC 8032 §5.1.7; RFC 8037 §2',
    fix: 'Remove the key and publish a properly generated Ed25519 key.',
  },
  'key.rsa_modulus_small': {
    severity: 'high',
    title: 'an RSA key is shorter than 2048 bits',
    why: 'Keys under 2048 bits are within reach of factoring; careful verifiers (keyward included) drop them, so tokens signed with this key fail.',
    reference: 'RFC 7518 §3.3; NIST SP 800-57 Part 1 Rev. 5 §5.6.1',
    fix: 'Rotate to an RSA key of 2048 bits or more (3072 for long-lived keys), or to P-256 / Ed25519.',
  },
  'key.invalid': {
    severity: 'high',
    title: 'a key cannot be read',
    why: 'Members are missing or malformed, or the point is not on its curve; verifiers drop the key, and tokens signed with it fail.',
    reference: 'RFC 7517 §4; RFC 7518 §6',
    fix: 'Republish the key as exported by a JOSE library: the public members of its type, base64url-encoded.',
  },
  'key.alg_mismatch': {
    severity: 'high',
    title: "a key's alg does not fit its type or curve",
    why: 'The alg names an algorithm this key cannot perform (an RSA key marked ES256, a P-384 key marked ES256); verifiers drop it, and tokens signed with it fail.',
    reference: 'RFC 7517 §4.4; RFC 7518 §3.1; RFC 8725 §3.1',
    fix: 'Set alg to the algorithm the key actually signs with, matching kty and crv.',
  },
  'key.kid_duplicate': {
    severity: 'high',
    title: 'two keys share a kid',
    why: 'A token names its key by kid: with two candidates, verifiers pick one (keyward the first) and tokens signed with the other fail, or they try both.',
    reference: 'RFC 7517 §4.5; RFC 7515 §4.1.4',
    fix: 'Give every key its own kid, for example its RFC 7638 thumbprint.',
  },
  'key.kid_invalid': {
    severity: 'high',
    title: 'a kid is not a non-empty string',
    why: 'kid is a string; verifiers drop keys with anything else, and tokens signed with them fail.',
    reference: 'RFC 7517 §4.5',
    fix: 'Use a non-empty string kid, for example the RFC 7638 thumbprint.',
  },
  'key.x5c_mismatch': {
    severity: 'high',
    title: "a key's x5c certificate holds another key",
    why: 'The first certificate must carry the same public key as the JWK; verifiers that use the certificate and those that use the JWK disagree on which tokens are valid.',
    reference: 'RFC 7517 §4.7',
    fix: 'Republish the key with its own certificate first in x5c, or drop x5c.',
  },
  'key.rsa_modulus_large': {
    severity: 'medium',
    title: 'an RSA key is longer than 16384 bits',
    why: 'Verifying with it is slow enough to be a denial-of-service lever; keyward drops such keys.',
    reference: 'RFC 7518 §3.3; RFC 8017 §8.2.2',
    fix: 'Use a 2048 to 4096-bit RSA key.',
  },
  'key.rsa_exponent_large': {
    severity: 'medium',
    title: 'an RSA key has a public exponent of 2^32 or more',
    why: 'Verification cost grows with the exponent: forged tokens naming this key become a CPU lever. keyward, Go and BoringSSL refuse such keys.',
    reference: 'RFC 8017 §3.1; NIST SP 800-56B Rev. 2 §6.2',
    fix: 'Use e = 65537.',
  },
  'key.rsa_exponent_unusual': {
    severity: 'info',
    title: 'an RSA key has a public exponent other than 65537',
    why: 'Valid, but NIST requires 2^16 < e < 2^256 and some libraries refuse small exponents such as 3.',
    reference: 'RFC 8017 §3.1; NIST FIPS 186-5 §A.1.1',
    fix: 'Use e = 65537 at the next rotation.',
  },
  'key.curve_unsupported': {
    severity: 'medium',
    title: 'a signing key uses a curve verifiers do not support',
    why: 'Only P-256, P-384, P-521 (EC) and Ed25519 (OKP) are widely supported for JWS; other curves are dropped, and tokens signed with them fail.',
    reference: 'RFC 7518 §6.2.1.1; RFC 8037 §2',
    fix: 'Sign with P-256, P-384, P-521 or Ed25519.',
  },
  'key.kty_unsupported': {
    severity: 'medium',
    title: 'a key has an unknown or missing kty',
    why: 'Verifiers cannot use a key whose type they do not know; they drop it.',
    reference: 'RFC 7517 §4.1; RFC 7518 §6.1',
    fix: 'Publish RSA, EC or OKP public keys with their kty.',
  },
  'key.alg_unsupported': {
    severity: 'medium',
    title: 'a signing key names an algorithm verifiers do not accept',
    why: 'keyward (like most verifiers) accepts RS*, PS*, ES* and EdDSA only; a key bound to another algorithm is dropped.',
    reference: 'RFC 7518 §3.1; RFC 8725 §3.2',
    fix: 'Bind the key to a supported JWS algorithm, or mark an encryption key use: enc.',
  },
  'key.key_ops_incoherent': {
    severity: 'medium',
    title: "a key's key_ops do not allow verification, or contradict use",
    why: 'A signing key in a JWK Set needs "verify" in key_ops; "sign" means a private operation, and use and key_ops must agree when both are present. Verifiers drop such keys.',
    reference: 'RFC 7517 §4.3',
    fix: 'Use key_ops ["verify"] or use "sig", not a contradicting pair.',
  },
  'key.kid_missing': {
    severity: 'medium',
    title: 'a key has no kid',
    why: 'Tokens cannot name it, so verifiers must guess among keys (keyward does not fan a kid-less token out over several keys) and a rotation cannot be told apart.',
    reference: 'RFC 7517 §4.5; OpenID Connect Core 1.0 §10.1',
    fix: 'Give every key a kid and put it in the header of the tokens it signs.',
  },
  'key.x5c_invalid': {
    severity: 'medium',
    title: "a key's x5c is not a list of certificates",
    why: 'x5c is an array of base64 (not base64url) DER certificates; verifiers that read it fail on this key.',
    reference: 'RFC 7517 §4.7',
    fix: 'Publish x5c as an array of standard base64 DER certificates, or drop it.',
  },
  'key.x5c_outside_validity': {
    severity: 'medium',
    title: "a key's x5c certificate is expired or not yet valid",
    why: 'Verifiers that check the certificate reject tokens signed with this key; it often means the key itself is past its planned life.',
    reference: 'RFC 7517 §4.7; RFC 5280 §4.1.2.5',
    fix: 'Rotate the key, or republish it with a current certificate, or drop x5c.',
  },
  'key.alg_missing': {
    severity: 'low',
    title: 'a signing key has no alg',
    why: 'A key should be used with exactly one algorithm; without alg, verifiers accept any algorithm of its type with it.',
    reference: 'RFC 8725 §3.1; RFC 7517 §4.4',
    fix: 'Set alg on every key to the algorithm it signs with.',
  },
  'key.use_missing': {
    severity: 'low',
    title: 'a key has neither use nor key_ops',
    why: 'Nothing says the key is for signatures; the same key might be used for encryption, and some clients skip keys without use.',
    reference: 'RFC 7517 §4.2 and §4.3',
    fix: 'Set use: "sig" on signing keys.',
  },
  'key.use_enc': {
    severity: 'info',
    title: 'an encryption key is published',
    why: 'Verifiers ignore keys with use: "enc" for signatures; listed so the key count adds up.',
    reference: 'RFC 7517 §4.2',
    fix: 'Nothing, if clients encrypt to this key on purpose.',
  },
} as const satisfies Readonly<Record<string, CheckSpec>>

/** A stable audit check id, such as `key.private_material`. */
export type CheckId = keyof typeof CHECKS

/** One problem the audit found. */
export interface Finding {
  readonly id: CheckId
  readonly severity: Severity
  readonly title: string
  /** What it is about: `issuer`, `metadata`, `jwks`, or a key (`key #1 kid "k1"`). */
  readonly subject: string
  /** What was seen, concretely. */
  readonly seen: string
  readonly why: string
  readonly reference: string
  readonly fix: string
}

/**
 * A finding of check `id`, with its catalogue entry.
 *
 * @example
 * ```ts
 * finding('jwks.redirect', 'jwks', '302 to https://cdn.example.com/keys.json')
 * ```
 */
export function finding(id: CheckId, subject: string, seen: string): Finding {
  const spec: CheckSpec = CHECKS[id]
  return {
    id,
    severity: spec.severity,
    title: spec.title,
    subject,
    seen,
    why: spec.why,
    reference: spec.reference,
    fix: spec.fix,
  }
}
