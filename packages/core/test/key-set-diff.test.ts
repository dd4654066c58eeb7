import { TestIssuer, type TestKey } from '@keyward/test-utils'
import { beforeAll, describe, expect, it } from 'vitest'
import { importVerificationKey, type VerificationKey } from '../src/jwk-import.js'
import { diffKeySets } from '../src/key-set.js'
import { SETUP_TIMEOUT_MS } from './helpers.js'

let a: TestKey
let b: TestKey
let c: TestKey

beforeAll(async () => {
  const issuer = await TestIssuer.create({ alg: 'ES256' })
  a = issuer.signingKey
  b = await issuer.addKey({ alg: 'ES256' })
  c = await issuer.addKey({ alg: 'ES256' })
}, SETUP_TIMEOUT_MS)

async function imported(jwk: Record<string, unknown>): Promise<VerificationKey> {
  const result = await importVerificationKey(jwk)
  if (result.key === undefined) throw new Error(result.reason)
  return result.key
}

describe('diffKeySets', () => {
  it('reports added, removed and kept keys, keeping the previous object of a kept key', async () => {
    const previous = [await imported(a.publicJwk), await imported(b.publicJwk)]
    const next = [await imported(b.publicJwk), await imported(c.publicJwk)]
    const diff = diffKeySets(previous, next)
    expect(diff.keys).toEqual([previous[1], next[1]])
    expect(diff.keys[0]).toBe(previous[1])
    expect(diff.added).toEqual([next[1]])
    expect(diff.added[0]).toBe(next[1])
    expect(diff.removed).toHaveLength(1)
    expect(diff.removed[0]).toBe(previous[0])
    expect(diff.kept).toHaveLength(1)
    expect(diff.kept[0]).toBe(previous[1])
  })

  it('treats everything as added when nothing was in use', async () => {
    const next = [await imported(a.publicJwk)]
    expect(diffKeySets([], next)).toEqual({ keys: next, added: next, removed: [], kept: [] })
  })

  it('treats a key republished with another alg as a new key', async () => {
    const previous = [await imported({ ...a.publicJwk, alg: 'ES256' })]
    const next = [await imported({ ...a.publicJwk, alg: undefined })]
    const diff = diffKeySets(previous, next)
    expect(diff.added[0]).toBe(next[0])
    expect(diff.removed[0]).toBe(previous[0])
  })

  it('reports a set replaced all at once: nothing kept', async () => {
    const previous = [await imported(a.publicJwk)]
    const next = [await imported(b.publicJwk), await imported(c.publicJwk)]
    const diff = diffKeySets(previous, next)
    expect(diff.kept).toEqual([])
    expect(diff.added).toHaveLength(2)
    expect(diff.removed).toHaveLength(1)
  })

  it('keeps the published order of the new set', async () => {
    const previous = [await imported(a.publicJwk), await imported(b.publicJwk)]
    const next = [await imported(b.publicJwk), await imported(a.publicJwk)]
    const diff = diffKeySets(previous, next)
    expect(diff.keys.map((key) => key.kid)).toEqual([b.kid, a.kid])
    expect(diff.added).toEqual([])
  })
})
