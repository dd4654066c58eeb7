/** Why a yes/no hook gave no answer keyward can use. */
export type HookFailureReason = 'threw' | 'timeout' | 'not_boolean'

/**
 * A hook that gave no usable answer: it threw or rejected, answered something other than a
 * boolean, or did not answer within its deadline. Kept as the `cause` of the `KeywardError` the
 * request gets, for logs; never rendered to clients. Its message names the hook, never a value.
 */
export class HookFailure extends Error {
  override readonly name = 'HookFailure'
  readonly reason: HookFailureReason

  constructor(hook: string, reason: HookFailureReason, cause?: unknown) {
    super(`"${hook}" ${MESSAGES[reason]}`, cause === undefined ? undefined : { cause })
    this.reason = reason
  }
}

const MESSAGES: Readonly<Record<HookFailureReason, string>> = {
  threw: 'threw or rejected',
  timeout: 'did not answer in time',
  not_boolean: 'answered something other than true or false',
}

/** A hook's answer: a boolean, or why there is none. */
export type HookAnswer = boolean | HookFailure

/**
 * Asks a yes/no hook about `subject`. A synchronous answer stays synchronous (no promise, no
 * timer: the cheap path of a pure check); a promise gets `timeoutMs` to settle. Only `true` and
 * `false` are answers: a truthy object returned by mistake must never count as a yes, so callers
 * treat a {@link HookFailure} as a refusal of their own choosing.
 *
 * @example
 * ```ts
 * const answer = askHook('validate', validate, token, 1000)
 * ```
 */
export function askHook<T>(
  hook: string,
  ask: (subject: T) => unknown,
  subject: T,
  timeoutMs: number,
): HookAnswer | Promise<HookAnswer> {
  let answer: unknown
  try {
    answer = ask(subject)
  } catch (error) {
    return new HookFailure(hook, 'threw', error)
  }
  if (typeof answer === 'boolean') return answer
  if (!isThenable(answer)) return new HookFailure(hook, 'not_boolean')
  return settle(hook, answer, timeoutMs)
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}

async function settle(
  hook: string,
  answer: PromiseLike<unknown>,
  timeoutMs: number,
): Promise<HookAnswer> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<HookFailure>((resolve) => {
    timer = setTimeout(() => {
      resolve(new HookFailure(hook, 'timeout'))
    }, timeoutMs)
    // A hung hook must not keep the process alive.
    timer.unref()
  })
  try {
    // `Promise.resolve` adopts a foreign thenable; one whose `then` throws becomes a rejection.
    const settled: unknown = await Promise.race([Promise.resolve(answer), timeout])
    if (settled instanceof HookFailure) return settled
    return typeof settled === 'boolean' ? settled : new HookFailure(hook, 'not_boolean')
  } catch (error) {
    return new HookFailure(hook, 'threw', error)
  } finally {
    clearTimeout(timer)
  }
}
