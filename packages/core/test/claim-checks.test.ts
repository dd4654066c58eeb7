import { describe, expect, it } from 'vitest'
import { claimCheck, claimEquals, claimIncludes, type ClaimCheck } from '../src/claim-checks.js'
import { isKeywardError, type KeywardError } from '../src/errors.js'
import { HookFailure } from '../src/hook-answer.js'
import type { VerifiedToken } from '../src/verified-token.js'

/** A VerifiedToken with these claims (the checks read `claims` only). */
function token(claims: Record<string, unknown>): VerifiedToken {
  return {
    token: 't',
    header: {},
    claims: Object.assign(Object.create(null) as Record<string, unknown>, claims),
    issuer: 'https://issuer.test/',
    subject: undefined,
    clientId: '',
    audience: [],
    scopes: [],
    expiresAt: 0,
    kid: undefined,
  }
}

async function outcome(check: ClaimCheck, auth: VerifiedToken | undefined): Promise<string> {
  try {
    await check(auth)
    return 'pass'
  } catch (error) {
    expect(isKeywardError(error), String(error)).toBe(true)
    return (error as KeywardError).code
  }
}

describe('claimEquals', () => {
  it.each([
    [{ org_id: 'acme' }, 'pass'],
    [{ org_id: 'other' }, 'invalid_claim'],
    [{}, 'invalid_claim'],
    [{ org_id: ['acme'] }, 'invalid_claim'],
  ])('requires org_id === "acme": %j → %s', async (claims, expected) => {
    expect(await outcome(claimEquals('org_id', 'acme'), token(claims))).toBe(expected)
  })

  it('compares with ===: the string "42" is not the number 42', async () => {
    expect(await outcome(claimEquals('level', 42), token({ level: '42' }))).toBe('invalid_claim')
    expect(await outcome(claimEquals('level', 42), token({ level: 42 }))).toBe('pass')
    expect(await outcome(claimEquals('mfa', true), token({ mfa: 'true' }))).toBe('invalid_claim')
  })

  it('reads own claims only, never an inherited member', async () => {
    const inherited = token({})
    const claims = Object.create({ org_id: 'acme' }) as Record<string, unknown>
    expect(await outcome(claimEquals('org_id', 'acme'), { ...inherited, claims })).toBe(
      'invalid_claim',
    )
  })

  it('answers a missing token with missing_token and the challenge passed', () => {
    try {
      void claimEquals('org_id', 'acme')(undefined, { realm: 'api' })
      expect.unreachable()
    } catch (error) {
      expect((error as KeywardError).code).toBe('missing_token')
      expect((error as KeywardError).headers['WWW-Authenticate']).toBe('Bearer realm="api"')
    }
  })

  it('checks synchronously: a passing check returns undefined, not a promise', () => {
    expect(claimEquals('org_id', 'acme')(token({ org_id: 'acme' }))).toBeUndefined()
  })

  it.each([
    ['an empty name', () => claimEquals('', 'x')],
    ['a non-string name', () => claimEquals(1 as unknown as string, 'x')],
    ['an object value', () => claimEquals('a', {} as unknown as string)],
    ['null', () => claimEquals('a', null as unknown as string)],
    ['NaN', () => claimEquals('a', Number.NaN)],
  ])('refuses %s at construction with a TypeError', (_, build) => {
    expect(build).toThrow(TypeError)
  })
})

describe('claimIncludes', () => {
  const editors = claimIncludes('roles', 'editor', 'reviewer')

  it.each([
    [{ roles: ['editor', 'reviewer', 'admin'] }, 'pass'],
    [{ roles: 'reviewer editor' }, 'pass'],
    [{ roles: ['editor'] }, 'invalid_claim'],
    [{ roles: 'editor' }, 'invalid_claim'],
    [{ roles: 'editor,reviewer' }, 'invalid_claim'],
    [{ roles: { editor: true, reviewer: true } }, 'invalid_claim'],
    [{}, 'invalid_claim'],
  ])('requires every value: %j → %s', async (claims, expected) => {
    expect(await outcome(editors, token(claims))).toBe(expected)
  })

  it('does not split a string claim when a value is not a string', async () => {
    expect(await outcome(claimIncludes('levels', 1), token({ levels: '1' }))).toBe('invalid_claim')
    expect(await outcome(claimIncludes('levels', 1), token({ levels: [1, 2] }))).toBe('pass')
  })

  it('refuses no values, or a value that is not a primitive, at construction', () => {
    expect(() => claimIncludes('roles')).toThrow(TypeError)
    expect(() => claimIncludes('roles', ['a'] as unknown as string)).toThrow(TypeError)
  })
})

describe('claimCheck', () => {
  it('passes the claims and the token to the predicate', async () => {
    const seen: unknown[] = []
    const auth = token({ tid: 't1' })
    await claimCheck((claims, verified) => {
      seen.push(claims.tid, verified)
      return true
    })(auth)
    expect(seen).toEqual(['t1', auth])
  })

  it('is synchronous for a synchronous predicate', () => {
    expect(claimCheck(() => true)(token({}))).toBeUndefined()
  })

  it.each([
    ['false', () => false, 'invalid_claim', undefined],
    ['a promised true', () => Promise.resolve(true), 'pass', undefined],
    ['a promised false', () => Promise.resolve(false), 'invalid_claim', undefined],
    [
      'a throw',
      () => {
        throw new Error('x')
      },
      'invalid_claim',
      'threw',
    ],
    ['a rejection', () => Promise.reject(new Error('x')), 'invalid_claim', 'threw'],
    ['a truthy non-boolean', () => 'yes' as unknown as boolean, 'invalid_claim', 'not_boolean'],
    ['no answer in time', () => new Promise<boolean>(() => undefined), 'invalid_claim', 'timeout'],
  ])('answers %s with %s', async (_, predicate, expected, reason) => {
    const check = claimCheck(predicate, { timeoutMs: 5 })
    let error: unknown
    try {
      await check(token({}))
    } catch (caught) {
      error = caught
    }
    expect(error === undefined ? 'pass' : (error as KeywardError).code).toBe(expected)
    const cause = (error as KeywardError | undefined)?.cause
    expect(cause instanceof HookFailure ? cause.reason : undefined).toBe(reason)
  })

  it('renders the fixed description only, whatever the predicate threw', async () => {
    const check = claimCheck(() => {
      throw new Error('org_id was evil-corp')
    })
    try {
      await check(token({ org_id: 'evil-corp' }))
      expect.unreachable()
    } catch (error) {
      const failure = error as KeywardError
      expect(JSON.stringify(failure.toJSON())).not.toContain('evil')
      expect(failure.headers['WWW-Authenticate']).not.toContain('evil')
    }
  })

  it.each([
    ['a predicate that is not a function', () => claimCheck('x' as never)],
    ['an unknown option', () => claimCheck(() => true, { timeout: 5 } as never)],
    ['a timeout that is not a positive integer', () => claimCheck(() => true, { timeoutMs: 0 })],
  ])('refuses %s at construction with a TypeError', (_, build) => {
    expect(build).toThrow(TypeError)
  })

  it('names the option in the TypeError', () => {
    expect(() => claimCheck(() => true, { timeoutMs: -1 })).toThrow(/"timeoutMs"/)
  })
})
