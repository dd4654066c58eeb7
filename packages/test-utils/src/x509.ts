import { sign, type KeyObject } from 'node:crypto'

// A minimal DER writer (ITU-T X.690) for one self-signed X.509 v3 certificate (RFC 5280 §4.1),
// so tests can publish an `x5c` (RFC 7517 §4.7) without committing a certificate or adding a
// dependency.

function length(size: number): Buffer {
  if (size < 0x80) return Buffer.from([size])
  const bytes: number[] = []
  for (let rest = size; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}

export function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content)
  return Buffer.concat([Buffer.from([tag]), length(body.length), body])
}

export const sequence = (...content: Buffer[]) => tlv(0x30, ...content)

export function oid(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number)
  const bytes = [first * 40 + second]
  for (const arc of rest) {
    const chunk = [arc & 0x7f]
    for (let value = Math.floor(arc / 128); value > 0; value = Math.floor(value / 128)) {
      chunk.unshift(0x80 | (value & 0x7f))
    }
    bytes.push(...chunk)
  }
  return tlv(0x06, Buffer.from(bytes))
}

export function name(commonName: string): Buffer {
  // RFC 5280 §4.1.2.4: one RDN, id-at-commonName (2.5.4.3) as a UTF8String.
  return sequence(tlv(0x31, sequence(oid('2.5.4.3'), tlv(0x0c, Buffer.from(commonName)))))
}

/** The signature algorithm for a key, and the digest `crypto.sign` takes for it. */
export function algorithmFor(key: KeyObject): { identifier: Buffer; digest: string | null } {
  switch (key.asymmetricKeyType) {
    case 'ec':
      // ecdsa-with-SHA256 (RFC 5758 §3.2), parameters absent.
      return { identifier: sequence(oid('1.2.840.10045.4.3.2')), digest: 'sha256' }
    case 'ed25519':
      // id-Ed25519 (RFC 8410 §3), parameters absent.
      return { identifier: sequence(oid('1.3.101.112')), digest: null }
    case 'rsa':
      // sha256WithRSAEncryption (RFC 4055 §5), parameters NULL.
      return {
        identifier: sequence(oid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00])),
        digest: 'sha256',
      }
    default:
      throw new TypeError(`no certificate for ${String(key.asymmetricKeyType)} keys`)
  }
}

/**
 * A self-signed certificate for `publicKey` with subject and issuer `CN=<commonName>`, as the
 * base64 DER an `x5c` member holds. Sign it with another key pair's private key to get a
 * certificate that does not match the JWK it is attached to.
 *
 * @example
 * ```ts
 * const x5c = [selfSignedCertificate(key.privateKey, key.publicKey, 'signing key 2030')]
 * issuer.publish({ ...key, publicJwk: { ...key.publicJwk, x5c } })
 * ```
 */
export function selfSignedCertificate(
  privateKey: KeyObject,
  publicKey: KeyObject,
  commonName: string,
): string {
  const { identifier, digest } = algorithmFor(privateKey)
  const subject = name(commonName)
  const tbs = sequence(
    tlv(0xa0, tlv(0x02, Buffer.from([0x02]))), // [0] version v3
    tlv(0x02, Buffer.from([0x01])), // serialNumber
    identifier,
    subject, // issuer: self-signed
    sequence(tlv(0x17, Buffer.from('250101000000Z')), tlv(0x17, Buffer.from('491231235959Z'))),
    subject,
    publicKey.export({ type: 'spki', format: 'der' }),
  )
  const signature = sign(digest, tbs, privateKey)
  return sequence(tbs, identifier, tlv(0x03, Buffer.from([0x00]), signature)).toString('base64')
}
