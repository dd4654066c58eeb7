export interface BackoffPolicy {
  readonly initialDelayMs: number
  readonly maxDelayMs: number
}

/**
 * Delay before retry number `failures` (1 for the first failure): exponential, capped, with
 * "equal jitter" so a fleet of servers does not retry in lockstep, yet never retries sooner
 * than half the step. A `Retry-After` from the server is honoured up to the cap.
 */
export function backoffDelay(
  policy: BackoffPolicy,
  failures: number,
  random: () => number,
  retryAfterMs?: number,
): number {
  const step = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, failures - 1))
  const jittered = step / 2 + (random() * step) / 2
  if (retryAfterMs === undefined) return jittered
  return Math.max(jittered, Math.min(retryAfterMs, policy.maxDelayMs))
}
