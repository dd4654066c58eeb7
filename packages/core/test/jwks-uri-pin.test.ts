import { describe, expect, it } from 'vitest'
import { JwksUriPin } from '../src/jwks-uri-pin.js'

const ISSUER = 'https://accounts.example.com'

function pin(allowed: readonly string[] = [], clock = { now: 1000 }): JwksUriPin {
  return new JwksUriPin({ issuer: ISSUER, allowedOrigins: new Set(allowed), now: () => clock.now })
}

describe('JwksUriPin', () => {
  it('pins the first jwks_uri on any origin when no origins are listed', () => {
    expect(pin().judge('https://www.keys.example.net/certs')).toEqual({ kind: 'pinned' })
  })

  it('refuses a first jwks_uri outside the issuer origin and the listed ones, when some are listed', () => {
    const judged = pin(['https://keys.example.net'])
    expect([
      judged.judge('https://elsewhere.example.org/certs'),
      judged.judge('https://accounts.example.com/certs'),
    ]).toEqual([{ kind: 'refused', previous: undefined, firstSeen: true }, { kind: 'pinned' }])
  })

  it('follows a change within the pinned origin', () => {
    const judged = pin()
    judged.judge('https://www.keys.example.net/v1/certs')
    expect(judged.judge('https://www.keys.example.net/v2/certs')).toEqual({
      kind: 'followed',
      previous: 'https://www.keys.example.net/v1/certs',
    })
  })

  it("follows a move to the issuer's own origin or to a listed one", () => {
    const judged = pin(['https://keys.example.net'])
    judged.judge('https://accounts.example.com/certs')
    expect([
      judged.judge('https://keys.example.net/certs').kind,
      judged.judge('https://accounts.example.com/certs').kind,
    ]).toEqual(['followed', 'followed'])
  })

  it('refuses a move to another origin and keeps the pin, reporting each refused URI once', () => {
    const clock = { now: 1000 }
    const judged = pin([], clock)
    judged.judge('https://accounts.example.com/certs')
    const first = judged.judge('https://evil.example.org/certs')
    clock.now = 5000
    const again = judged.judge('https://evil.example.org/certs')
    expect({ first, again, refused: judged.refused }).toEqual({
      first: { kind: 'refused', previous: 'https://accounts.example.com/certs', firstSeen: true },
      again: { kind: 'refused', previous: 'https://accounts.example.com/certs', firstSeen: false },
      refused: { uri: 'https://evil.example.org/certs', since: 1000 },
    })
    expect(judged.judge('https://accounts.example.com/certs')).toEqual({ kind: 'unchanged' })
  })

  it('treats another port or scheme of the same host as another origin', () => {
    const judged = pin()
    judged.judge('https://www.keys.example.net/certs')
    expect([
      judged.judge('https://www.keys.example.net:8443/certs').kind,
      judged.judge('https://keys.example.net/certs').kind,
    ]).toEqual(['refused', 'refused'])
  })

  it('clears the refusal once metadata names the pinned URI again', () => {
    const judged = pin()
    judged.judge('https://accounts.example.com/certs')
    judged.judge('https://evil.example.org/certs')
    judged.judge('https://accounts.example.com/certs')
    expect(judged.refused).toBeUndefined()
  })
})
