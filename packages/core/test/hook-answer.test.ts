import { describe, expect, it } from 'vitest'
import { askHook, HookFailure } from '../src/hook-answer.js'

const ask = (answer: () => unknown, timeoutMs = 1000) =>
  askHook('hook', () => answer(), undefined, timeoutMs)

describe('askHook', () => {
  it.each([true, false])('returns a synchronous %s synchronously', (answer) => {
    expect(ask(() => answer)).toBe(answer)
  })

  it('resolves a promised boolean', async () => {
    expect(await ask(() => Promise.resolve(true))).toBe(true)
    expect(await ask(() => Promise.resolve(false))).toBe(false)
  })

  it.each([
    ['a truthy object', () => ({ ok: true })],
    ['1', () => 1],
    ['undefined', () => undefined],
    ['the string "true"', () => 'true'],
  ])('answers %s with not_boolean, never as a yes', (_, answer) => {
    const result = ask(answer)
    expect(result).toBeInstanceOf(HookFailure)
    expect((result as HookFailure).reason).toBe('not_boolean')
  })

  it('answers a promised non-boolean with not_boolean', async () => {
    expect(await ask(() => Promise.resolve('yes'))).toMatchObject({ reason: 'not_boolean' })
  })

  it('answers a throw with threw, keeping the thrown error as cause', () => {
    const thrown = new Error('boom')
    const result = ask(() => {
      throw thrown
    })
    expect(result).toMatchObject({ reason: 'threw', cause: thrown })
  })

  it('answers a rejection, and a thenable whose then throws, with threw', async () => {
    expect(await ask(() => Promise.reject(new Error('down')))).toMatchObject({ reason: 'threw' })
    const hostile = {
      then() {
        throw new Error('hostile')
      },
    }
    expect(await ask(() => hostile)).toMatchObject({ reason: 'threw' })
  })

  it('answers a promise that never settles with timeout', async () => {
    const result = await ask(() => new Promise(() => undefined), 5)
    expect(result).toMatchObject({ reason: 'timeout' })
  })

  it('names the hook, and nothing it was asked about, in the message', () => {
    const result = askHook('validate', () => 'secret', 'eyJ.token', 10) as HookFailure
    expect(result.message).toContain('"validate"')
    expect(result.message).not.toContain('secret')
    expect(result.message).not.toContain('eyJ')
  })
})
