// How long to wait before retrying a transient failure. Pure (the randomness comes in).
//
// Exponential backoff (backoffMs, then twice that, four times...) with "equal jitter": half of the
// delay is fixed and half random, so many messages throttled at once by the same 421 do not all
// come back in the same instant, and none comes back too soon.

/** No wait longer than this, whatever the attempt: a run should not stall for minutes. */
export const MAX_RETRY_DELAY_MS = 60_000;

/**
 * The delay before attempt `failedAttempt + 1`, given that attempt `failedAttempt` (1-based)
 * failed. `random` is in [0, 1).
 */
export function retryDelay(failedAttempt: number, backoffMs: number, random: number): number {
  const base = Math.min(backoffMs * 2 ** Math.max(0, failedAttempt - 1), MAX_RETRY_DELAY_MS);
  return Math.round(base / 2 + (base / 2) * random);
}
