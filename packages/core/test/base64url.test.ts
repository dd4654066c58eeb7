import { describe, expect, it } from 'vitest'
import { decodeBase64Url } from '../src/base64url.js'

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
  })

  it('would otherwise decode the non-canonical trailing-bit forms to the same bytes', () => {
    // Why the canonical check matters: a lenient decoder maps both strings to one value.
    expect(Buffer.from('YR', 'base64url')).toEqual(Buffer.from('YQ', 'base64url'))
  })
})
