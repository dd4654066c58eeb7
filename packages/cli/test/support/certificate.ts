import { sign, X509Certificate, type KeyObject } from 'node:crypto'

// A minimal DER writer (ITU-T X.690), enough for one self-signed X.509 v1 certificate: test
// certificates are made at run time, with any validity dates, so none is committed.

function tlv(tag: number, content: Buffer): Buffer {
  const length = content.length
  if (length < 0x80) return Buffer.concat([Buffer.from([tag, length]), content])
  const bytes: number[] = []
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256)
  return Buffer.concat([Buffer.from([tag, 0x80 | bytes.length, ...bytes]), content])
}

const sequence = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items))
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items))

function oid(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number)
  const bytes = [first * 40 + second]
  for (const arc of rest) {
    const base128: number[] = [arc & 0x7f]
    for (let value = arc >>> 7; value > 0; value >>>= 7) base128.unshift(0x80 | (value & 0x7f))
    bytes.push(...base128)
  }
  return tlv(0x06, Buffer.from(bytes))
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime after. */
function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14)
  return date.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`))
    : tlv(0x18, Buffer.from(`${iso}Z`))
}

function name(commonName: string): Buffer {
  // CN (2.5.4.3) as a UTF8String.
  return sequence(set(sequence(oid('2.5.4.3'), tlv(0x0c, Buffer.from(commonName)))))
}

/** What {@link selfSignedCertificate} certifies. */
export interface CertificateOptions {
  /** The key the certificate holds (its SubjectPublicKeyInfo). */
  readonly publicKey: KeyObject
  /** An EC P-256 private key that signs it (ecdsa-with-SHA256). */
  readonly signer: KeyObject
  readonly notBefore: Date
  readonly notAfter: Date
  readonly commonName?: string
}

/**
 * A self-signed-style X.509 v1 certificate, as standard base64 DER (an `x5c` entry).
 *
 * @example
 * ```ts
 * const x5c = [selfSignedCertificate({ publicKey, signer: privateKey, notBefore, notAfter })]
 * ```
 */
export function selfSignedCertificate(options: CertificateOptions): string {
  const ecdsaWithSha256 = sequence(oid('1.2.840.10045.4.3.2'))
  const subject = name(options.commonName ?? 'keyward test key')
  const tbs = sequence(
    tlv(0x02, Buffer.from([0x01])),
    ecdsaWithSha256,
    subject,
    sequence(time(options.notBefore), time(options.notAfter)),
    subject,
    options.publicKey.export({ type: 'spki', format: 'der' }),
  )
  const signature = sign('sha256', tbs, options.signer)
  const der = sequence(
    tbs,
    ecdsaWithSha256,
    tlv(0x03, Buffer.concat([Buffer.from([0]), signature])),
  )
  // Fail here, not in the audit, if the encoding is wrong.
  new X509Certificate(der)
  return der.toString('base64')
}
