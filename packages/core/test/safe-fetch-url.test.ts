import { describe, expect, it } from 'vitest'
import { isSafeDiscoveredUrl, isSafeFetchUrl } from '../src/safe-fetch-url.js'

describe('isSafeFetchUrl (configured URLs)', () => {
  it.each([
    'https://auth.example.com/jwks',
    'https://10.0.0.5/jwks',
    'http://localhost:8080/jwks',
    'http://127.0.0.1:1/jwks',
    'http://127.8.9.10/jwks',
    'http://[::1]:9/jwks',
  ])('accepts %s', (url) => {
    expect(isSafeFetchUrl(url)).toBe(true)
  })

  it.each([
    ['http://auth.localhost/jwks', 'a .localhost name goes through DNS on many resolvers'],
    ['http://localhost.evil.example/jwks', 'a name that only starts with localhost'],
    ['http://auth.example.com/jwks', 'plain http to a public host'],
    ['http://10.0.0.5/jwks', 'plain http to a private address'],
    ['https://user:pass@auth.example.com/jwks', 'credentials in the URL'],
    ['ftp://auth.example.com/jwks', 'another scheme'],
    ['not a url', 'not a URL'],
  ])('refuses %s (%s)', (url) => {
    expect(isSafeFetchUrl(url)).toBe(false)
  })
})

describe('isSafeDiscoveredUrl (a jwks_uri named by issuer metadata)', () => {
  const PUBLIC = 'https://auth.example.com/'
  const LOCAL_HTTP = 'http://127.0.0.1:4000'

  it.each([
    [PUBLIC, 'https://auth.example.com/jwks', 'https on the issuer host'],
    [PUBLIC, 'https://www.googleapis.com/oauth2/v3/certs', 'https on another public host'],
    [PUBLIC, 'https://8.8.8.8/jwks', 'https to a public address'],
    [LOCAL_HTTP, 'http://127.0.0.1:4001/jwks', 'http loopback for an http loopback issuer'],
    [LOCAL_HTTP, 'http://localhost:4001/jwks', 'http localhost for an http loopback issuer'],
    [LOCAL_HTTP, 'https://10.0.0.5/jwks', 'https to a private address for a local issuer'],
    ['https://10.0.0.5/', 'https://10.0.0.6/jwks', 'https between private addresses'],
    ['https://localhost:8443/', 'https://127.0.0.1:8443/jwks', 'https between loopback hosts'],
  ])('accepts, for issuer %s, %s (%s)', (issuer, url) => {
    expect(isSafeDiscoveredUrl(url, issuer)).toBe(true)
  })

  it.each([
    [PUBLIC, 'http://127.0.0.1:9/admin/shutdown?x=1', 'http loopback for an https issuer'],
    [PUBLIC, 'http://localhost:9/internal', 'http localhost for an https issuer'],
    [PUBLIC, 'http://[::1]:9/internal', 'http IPv6 loopback for an https issuer'],
    ['https://localhost:8443/', 'http://127.0.0.1:9/jwks', 'http for an https loopback issuer'],
    [LOCAL_HTTP, 'http://10.0.0.5/jwks', 'http to a private address'],
    [LOCAL_HTTP, 'http://auth.localhost/jwks', 'http to a .localhost name'],
    [PUBLIC, 'https://127.0.0.1:9/jwks', 'https loopback for a public issuer'],
    [PUBLIC, 'https://169.254.169.254/latest/meta-data', 'the cloud metadata service'],
    [PUBLIC, 'https://10.0.0.5/jwks', 'a private address for a public issuer'],
    [PUBLIC, 'https://[fd00::1]/jwks', 'a unique-local IPv6 address for a public issuer'],
    [PUBLIC, 'https://[::ffff:127.0.0.1]/jwks', 'IPv4-mapped loopback'],
    [PUBLIC, 'https://0x7f.1/jwks', 'loopback spelt in hexadecimal'],
    [PUBLIC, 'https://localhost/jwks', 'the localhost name'],
    [PUBLIC, 'https://keys.localhost/jwks', 'a .localhost name'],
    [PUBLIC, 'https://localhost./jwks', 'localhost with a trailing dot'],
    [PUBLIC, 'https://user:pass@auth.example.com/jwks', 'credentials'],
    [PUBLIC, 'ftp://auth.example.com/jwks', 'another scheme'],
    [PUBLIC, 'not a url', 'not a URL'],
  ])('refuses, for issuer %s, %s (%s)', (issuer, url) => {
    expect(isSafeDiscoveredUrl(url, issuer)).toBe(false)
  })
})

describe('the dangerouslyAllowInsecureHttp opt-in (allowHttp)', () => {
  it('accepts a configured http: URL on any host', () => {
    expect(isSafeFetchUrl('http://keycloak:8080/realms/dev', true)).toBe(true)
    expect(isSafeFetchUrl('http://user:pass@keycloak:8080/', true)).toBe(false)
  })

  it('lets an http: issuer name an http: jwks_uri, by the host rules of https', () => {
    const issuer = 'http://keycloak:8080/realms/dev'
    const named = 'http://keycloak:8080/realms/dev/protocol/openid-connect/certs'
    expect(isSafeDiscoveredUrl(named, issuer)).toBe(false)
    expect(isSafeDiscoveredUrl(named, issuer, true)).toBe(true)
    // A public-looking issuer still may not point into this server's own network.
    expect(isSafeDiscoveredUrl('http://169.254.169.254/latest', issuer, true)).toBe(false)
    // An https: issuer never names plain http, opt-in or not.
    expect(isSafeDiscoveredUrl(named, 'https://auth.example.com/', true)).toBe(false)
  })
})
