/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/**
 * Polls `condition` every `intervalMs` until it holds; throws naming `what` after `timeoutMs`.
 *
 * @example
 * ```ts
 * await waitFor('the API to be ready', 10_000, async () => (await fetch(url)).ok)
 * ```
 */
export async function waitFor(
  what: string,
  timeoutMs: number,
  condition: () => Promise<boolean>,
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await condition().catch(() => false)) return
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(intervalMs)
  }
}
