import { constants, createHash, sign, type KeyObject } from 'node:crypto'
import type { TestAlgorithm, TestKey } from '@keyward/test-utils'

// RFC 7518 §3 parameters per algorithm, independent of test-utils' signer.
const SIGNERS: Record<TestAlgorithm, { hash: string | null; options: object }> = {
  RS256: { hash: 'sha256', options: {} },
  RS384: { hash: 'sha384', options: {} },
  RS512: { hash: 'sha512', options: {} },
  PS256: { hash: 'sha256', options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } },
  PS384: { hash: 'sha384', options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 } },
  PS512: { hash: 'sha512', options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 } },
  ES256: { hash: 'sha256', options: { dsaEncoding: 'ieee-p1363' } },
  ES384: { hash: 'sha384', options: { dsaEncoding: 'ieee-p1363' } },
  ES512: { hash: 'sha512', options: { dsaEncoding: 'ieee-p1363' } },
  EdDSA: { hash: null, options: {} },
}

/** The raw signature of `input` with `privateKey` under `alg`'s rules. */
export function signatureOf(
  alg: TestAlgorithm,
  privateKey: KeyObject,
  input: string,
  overrides: object = {},
): Buffer {
  const { hash, options } = SIGNERS[alg]
  return sign(hash, Buffer.from(input, 'latin1'), { key: privateKey, ...options, ...overrides })
}

/**
 * Signs `headerSegment.payloadSegment` exactly as given, so a segment that breaks a parsing rule
 * still carries a valid signature and only that rule can reject it.
 */
export function signSegments(headerSegment: string, payloadSegment: string, key: TestKey): string {
  const input = `${headerSegment}.${payloadSegment}`
  return `${input}.${signatureOf(key.alg, key.privateKey, input).toString('base64url')}`
}

/** Signs raw header and payload bytes (invalid UTF-8, BOM, UTF-16). */
export function signBytes(header: Buffer, payload: Buffer, key: TestKey): string {
  return signSegments(header.toString('base64url'), payload.toString('base64url'), key)
}

/**
 * The order n of each NIST curve's base point (SEC 2 §2.4), big-endian, full width. Checked: with
 * these, (r, n - s) of a valid signature verifies too (ECDSA malleability).
 */
export const CURVE_ORDERS: Record<'ES256' | 'ES384' | 'ES512', Buffer> = {
  ES256: Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex'),
  ES384: Buffer.from(
    'ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973',
    'hex',
  ),
  ES512: Buffer.from(
    `01ff${'ffffffff'.repeat(7)}fffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409`,
    'hex',
  ),
}

// RFC 8017 §9.2 note 1: the DigestInfo prefix of SHA-256.
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex')

/**
 * The EMSA-PKCS1-v1_5 encoding of SHA-256(`input`) for a modulus of `modulusBytes`: with a
 * public exponent of 1, this "signature" verifies without any private key.
 */
export function pkcs1Encoded(input: string, modulusBytes: number): Buffer {
  const digest = createHash('sha256').update(input, 'latin1').digest()
  const t = Buffer.concat([SHA256_DIGEST_INFO, digest])
  const padding = Buffer.alloc(modulusBytes - t.length - 3, 0xff)
  return Buffer.concat([Buffer.from([0x00, 0x01]), padding, Buffer.from([0x00]), t])
}

/** The Ed25519 identity point (order 1): with it as the public key, (R = it, S = 0) verifies anything. */
export const ED25519_IDENTITY = Buffer.concat([Buffer.from([1]), Buffer.alloc(31)])

// ---- A self-signed X.509 certificate, DER by hand: Node can parse certificates, not make them.

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length])
  const bytes: number[] = []
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content)
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body])
}

function oid(dotted: string): Buffer {
  const [a = 0, b = 0, ...rest] = dotted.split('.').map(Number)
  const bytes = [40 * a + b]
  for (const arc of rest) {
    const chunk: number[] = [arc & 0x7f]
    for (let n = arc >>> 7; n > 0; n >>>= 7) chunk.unshift((n & 0x7f) | 0x80)
    bytes.push(...chunk)
  }
  return tlv(0x06, Buffer.from(bytes))
}

function utcTime(date: Date): Buffer {
  const iso = date.toISOString() // 2024-01-01T00:00:00.000Z
  const text = `${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`
  return tlv(0x17, Buffer.from(text, 'ascii'))
}

/**
 * A self-signed ECDSA P-256 certificate for `CN=commonName` over `publicKey`, signed by
 * `privateKey` (ecdsa-with-SHA256, RFC 5758 §3.2), as DER.
 */
export function selfSignedCertificate(
  publicKey: KeyObject,
  privateKey: KeyObject,
  commonName: string,
): Buffer {
  const algorithm = tlv(0x30, oid('1.2.840.10045.4.3.2'))
  const name = tlv(0x31, tlv(0x30, oid('2.5.4.3'), tlv(0x0c, Buffer.from(commonName, 'utf8'))))
  const nameSeq = tlv(0x30, name)
  const now = Date.now()
  const tbs = tlv(
    0x30,
    tlv(0xa0, tlv(0x02, Buffer.from([2]))), // version v3
    tlv(0x02, Buffer.from([0x01, 0x02, 0x03, 0x04])), // serial
    algorithm,
    nameSeq,
    tlv(0x30, utcTime(new Date(now - 86_400_000)), utcTime(new Date(now + 86_400_000))),
    nameSeq,
    publicKey.export({ type: 'spki', format: 'der' }),
  )
  const signature = sign('sha256', tbs, privateKey) // DER ECDSA, as X.509 wants
  return tlv(0x30, tbs, algorithm, tlv(0x03, Buffer.from([0]), signature))
}
