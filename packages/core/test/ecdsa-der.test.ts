import { generateKeyPairSync, sign, verify } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { derFromJoseSignature } from '../src/ecdsa-der.js'

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')

describe('derFromJoseSignature', () => {
  it.each([
    ['small integers', '00010002', '3006020101020102'],
    ['a top bit set, which needs a leading zero', '00018002', '30080201010203008002'],
    ['zero, which stays one byte', '00000000', '3006020100020100'],
    ['full-width integers', '7f017f02', '300802027f0102027f02'],
  ])('encodes %s minimally (X.690 §8.3.2)', (_, jose, der) => {
    expect(hex(derFromJoseSignature(Buffer.from(jose, 'hex')))).toBe(der)
  })

  it('uses the long length form for P-521 widths (X.690 §8.1.3.5)', () => {
    const jose = Buffer.alloc(132, 0xff)
    const der = derFromJoseSignature(jose)
    // 2 × (tag, length, 0x00 pad, 66 bytes) = 138 = 0x8a, after 30 81.
    expect(hex(der.subarray(0, 6))).toBe('30818a024300')
    expect(der.length).toBe(141)
  })

  it.each([
    ['P-256', 'sha256'],
    ['P-384', 'sha384'],
    ['P-521', 'sha512'],
  ] as const)(
    'gives OpenSSL, which refuses non-canonical DER, a signature it accepts on %s',
    (namedCurve, hash) => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve })
      const data = Buffer.from('header.payload')
      const verdicts = new Set<boolean>()
      let leadingZeros = 0
      // Until one R and one S start with a zero byte (1 in 256 each): the stripped forms.
      for (let i = 0; i < 4000 && leadingZeros < 2; i++) {
        const jose = sign(hash, data, { key: privateKey, dsaEncoding: 'ieee-p1363' })
        const half = jose.length / 2
        if (jose[0] !== 0 && jose[half] !== 0 && i >= 20) continue
        if (jose[0] === 0 || jose[half] === 0) leadingZeros++
        verdicts.add(verify(hash, data, publicKey, derFromJoseSignature(jose)))
      }
      expect([...verdicts]).toEqual([true])
    },
  )
})
