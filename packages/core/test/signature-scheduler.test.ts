import { TestIssuer } from '@keyward/test-utils'
import { beforeAll, describe, expect, it } from 'vitest'
import { importVerificationKey, type VerificationKey } from '../src/jwk-import.js'
import { SignatureScheduler, threadPoolSizeOf } from '../src/signature-scheduler.js'
import { segments, SETUP_TIMEOUT_MS } from './helpers.js'

let issuer: TestIssuer
let key: VerificationKey

beforeAll(async () => {
  issuer = await TestIssuer.create({ alg: 'ES256' })
  const imported = await importVerificationKey(issuer.signingKey.publicJwk)
  if (imported.key === undefined) throw new Error(imported.reason)
  key = imported.key
}, SETUP_TIMEOUT_MS)

function signed(): [string, Buffer] {
  const [header, payload, signature] = segments(issuer.mint())
  return [`${header}.${payload}`, Buffer.from(signature, 'base64url')]
}

describe('SignatureScheduler', () => {
  it('queues at most four checks per pool thread, then checks inline', async () => {
    const scheduler = new SignatureScheduler('threadPool', 2)
    const verdicts = Array.from({ length: 12 }, () => scheduler.check(key, 'ES256', ...signed()))
    expect(verdicts.map((verdict) => typeof verdict)).toEqual([
      ...Array.from({ length: 8 }, () => 'object'),
      ...Array.from({ length: 4 }, () => 'boolean'),
    ])
    expect(await Promise.all(verdicts.map(async (verdict) => verdict))).toEqual(
      Array.from({ length: 12 }, () => true),
    )
    // The queue has drained: the pool takes checks again.
    expect(typeof scheduler.check(key, 'ES256', ...signed())).toBe('object')
  })

  it('answers false, in the pool as inline, for a signature of the wrong width', async () => {
    const [input, signature] = signed()
    const short = signature.subarray(1)
    expect(new SignatureScheduler('inline').check(key, 'ES256', input, short)).toBe(false)
    expect(await new SignatureScheduler('threadPool').check(key, 'ES256', input, short)).toBe(false)
  })

  it.each<[string | undefined, number]>([
    [undefined, 4],
    ['8', 8],
    ['0', 4],
    ['-3', 4],
    ['2.5', 4],
    ['lots', 4],
    ['4096', 1024],
  ])('reads UV_THREADPOOL_SIZE=%s as %i threads', (value, expected) => {
    expect(threadPoolSizeOf(value === undefined ? {} : { UV_THREADPOOL_SIZE: value })).toBe(
      expected,
    )
  })
})
