import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { FetchFailure } from '../src/fetch-failure.js'
import { serviceAccountFetch } from '../src/service-account-fetch.js'

const dir = mkdtempSync(join(tmpdir(), 'keyward-sa-fetch-'))
const tokenFile = join(dir, 'token')
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

function recording(jwksUri?: string) {
  const sent: (string | null)[] = []
  const fetch = serviceAccountFetch({
    fetch: (_url, init) => {
      sent.push(new Headers(init.headers).get('authorization'))
      return Promise.resolve(new Response('{}'))
    },
    tokenFile,
    issuer: 'https://kubernetes.default.svc.cluster.local',
    jwksUri,
  })
  return { fetch, sent }
}

describe('serviceAccountFetch', () => {
  it("sends the file's token, trimmed, to the issuer's origin and the configured jwksUri", async () => {
    writeFileSync(tokenFile, 'ey.token-1\n')
    const { fetch, sent } = recording('https://10.96.0.1/openid/v1/jwks')
    await fetch('https://kubernetes.default.svc.cluster.local/.well-known/openid-configuration', {
      headers: { accept: 'application/json' },
    })
    await fetch('https://10.96.0.1/openid/v1/jwks', {})
    expect(sent).toEqual(['Bearer ey.token-1', 'Bearer ey.token-1'])
  })

  it('never sends it to another origin', async () => {
    writeFileSync(tokenFile, 'ey.token-1')
    const { fetch, sent } = recording()
    await fetch('https://keys.elsewhere.example/openid/v1/jwks', {})
    await fetch('http://kubernetes.default.svc.cluster.local/openid/v1/jwks', {})
    expect(sent).toEqual([null, null])
  })

  it('reads the file on every fetch', async () => {
    const { fetch, sent } = recording()
    const url = 'https://kubernetes.default.svc.cluster.local/openid/v1/jwks'
    writeFileSync(tokenFile, 'ey.first')
    await fetch(url, {})
    writeFileSync(tokenFile, 'ey.second')
    await fetch(url, {})
    expect(sent).toEqual(['Bearer ey.first', 'Bearer ey.second'])
  })

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['not a token', 'two words'],
  ])('fails the fetch with token_file_unreadable when the file is %s', async (_, content) => {
    rmSync(tokenFile, { force: true })
    if (content !== undefined) writeFileSync(tokenFile, content)
    const { fetch, sent } = recording()
    const failure = await fetch('https://kubernetes.default.svc.cluster.local/x', {}).catch(
      (error: unknown) => error,
    )
    expect(failure).toBeInstanceOf(FetchFailure)
    expect((failure as FetchFailure).reason).toBe('token_file_unreadable')
    expect(sent).toEqual([])
  })
})
