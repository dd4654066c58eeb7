import { generateKeyPairSync, sign, X509Certificate, type KeyObject } from 'node:crypto'
import { isIPv4 } from 'node:net'
import { algorithmFor, name, oid, sequence, tlv } from './x509.js'

// A private certificate authority for tests of TLS through keyward's outbound options
// (`jwks.extraCaCerts`): a CA certificate and server certificates it signs (RFC 5280), written
// with the DER helpers of x509.ts, so no certificate or private key is committed and no
// dependency is added. Keys are ECDSA P-256, generated at run time.

/** A server certificate the {@link TestCa} issued, with its private key, as PEM. */
export interface IssuedCertificate {
  readonly key: string
  readonly cert: string
}

/**
 * A certificate authority of its own, for `https:` test servers only a client that adds its
 * certificate trusts.
 *
 * @example
 * ```ts
 * const ca = createTestCa()
 * const server = https.createServer(ca.issue({ ip: '127.0.0.1' }), handler)
 * createVerifier({ ..., jwks: { extraCaCerts: ca.cert } })
 * ```
 */
export interface TestCa {
  /** The CA certificate (PEM): what a client adds to its trusted roots. */
  readonly cert: string
  /** A server certificate for an IPv4 address or a DNS name, signed by this CA. */
  issue(subject: { readonly ip?: string; readonly dns?: string }): IssuedCertificate
}

let serial = 1

function pem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? []
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`
}

/** One X.509 v3 extension (RFC 5280 §4.1): extnID, critical, extnValue. */
function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence(oid(id), ...(critical ? [tlv(0x01, Buffer.from([0xff]))] : []), tlv(0x04, value))
}

function certificate(options: {
  readonly subject: string
  readonly issuer: string
  readonly publicKey: KeyObject
  readonly signer: KeyObject
  readonly extensions: readonly Buffer[]
}): Buffer {
  const { identifier, digest } = algorithmFor(options.signer)
  const tbs = sequence(
    tlv(0xa0, tlv(0x02, Buffer.from([0x02]))), // [0] version v3
    tlv(0x02, Buffer.from([serial++])), // serialNumber, unique per certificate of this process
    identifier,
    name(options.issuer),
    sequence(tlv(0x17, Buffer.from('250101000000Z')), tlv(0x17, Buffer.from('491231235959Z'))),
    name(options.subject),
    options.publicKey.export({ type: 'spki', format: 'der' }),
    tlv(0xa3, sequence(...options.extensions)), // [3] extensions
  )
  const signature = sign(digest, tbs, options.signer)
  return sequence(tbs, identifier, tlv(0x03, Buffer.from([0x00]), signature))
}

/** Creates a CA whose key lives only in this process. */
export function createTestCa(commonName = 'keyward test CA'): TestCa {
  const ca = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  // basicConstraints (RFC 5280 §4.2.1.9): cA TRUE, critical; keyUsage keyCertSign (bit 5).
  const caCert = certificate({
    subject: commonName,
    issuer: commonName,
    publicKey: ca.publicKey,
    signer: ca.privateKey,
    extensions: [
      extension('2.5.29.19', true, sequence(tlv(0x01, Buffer.from([0xff])))),
      extension('2.5.29.15', true, tlv(0x03, Buffer.from([0x01, 0x06]))),
    ],
  })
  const cert = pem(caCert)
  return {
    cert,
    issue({ ip, dns }) {
      const names: Buffer[] = []
      // subjectAltName (RFC 5280 §4.2.1.6): iPAddress [7], dNSName [2].
      if (ip !== undefined) {
        if (!isIPv4(ip)) throw new TypeError('"ip" must be an IPv4 address')
        names.push(tlv(0x87, Buffer.from(ip.split('.').map(Number))))
      }
      if (dns !== undefined) names.push(tlv(0x82, Buffer.from(dns)))
      if (names.length === 0) throw new TypeError('"ip" or "dns" is required')
      const leaf = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      const der = certificate({
        subject: ip ?? dns ?? '',
        issuer: commonName,
        publicKey: leaf.publicKey,
        signer: ca.privateKey,
        extensions: [
          extension('2.5.29.19', true, sequence()),
          extension('2.5.29.17', false, sequence(...names)),
        ],
      })
      // Fails here, not in a TLS handshake, if the DER is wrong.
      new X509Certificate(der)
      return {
        key: leaf.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        cert: pem(der),
      }
    },
  }
}
