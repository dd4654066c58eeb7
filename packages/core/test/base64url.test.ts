import { describe, expect, it } from 'vitest'
import { decodeBase64Url, decodeBase64UrlInto, decodedLength } from '../src/base64url.js'

describe('decodeBase64Url', () => {
  it.each([
    ['', ''],
    ['YQ', '61'],
    ['YWI', '6162'],
    ['YWJj', '616263'],
    ['-_8', 'fbff'],
  ])('decodes the canonical segment %j', (segment, hex) => {
    expect(decodeBase64Url(segment)?.toString('hex')).toBe(hex)
  })

  it.each([
    ['padding', 'YQ=='],
    ['one padding character', 'YWI='],
    ['a space', 'YW Jj'],
    ['a newline', 'YWJj\n'],
    ['the standard alphabet +', '+_8'],
    ['the standard alphabet /', '-/8'],
    ['a length of 4n+1', 'YWJjZ'],
    ['non-zero trailing bits after one byte', 'YR'],
    ['non-zero trailing bits after two bytes', 'YWJ'],
    ['a non-ASCII character', 'YWJjé'],
    ['a dot', 'YW.j'],
  ])('rejects %s', (_, segment) => {
    expect(decodeBase64Url(segment)).toBeUndefined()
    expect(decodeBase64UrlInto(segment, Buffer.alloc(16))).toBe(-1)
  })

  it('decodes into a buffer it is given, from its first byte', () => {
    const target = Buffer.alloc(decodedLength('-_8'.length) + 4, 0xee)
    expect(decodeBase64UrlInto('-_8', target)).toBe(2)
    expect(target.subarray(0, 3).toString('hex')).toBe('fbffee')
    expect(decodeBase64UrlInto('', target)).toBe(0)
  })

  it.each([0, 2, 3, 4, 342])('sizes a %i-character segment', (characters) => {
    const segment = 'A'.repeat(characters)
    expect(decodedLength(characters)).toBeGreaterThanOrEqual(
      Buffer.from(segment, 'base64url').length,
    )
  })

  it('would otherwise decode the non-canonical trailing-bit forms to the same bytes', () => {
    // Why the canonical check matters: a lenient decoder maps both strings to one value.
    expect(Buffer.from('YR', 'base64url')).toEqual(Buffer.from('YQ', 'base64url'))
  })
})
