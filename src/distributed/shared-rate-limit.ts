// The sending rate across every worker: at most `limit` messages per window of `windowMs`
// (delivery.rateLimit per delivery.rateDelta), because a provider's limit is per account, not per
// process. The budget lives in PostgreSQL (take_send_tokens() in the delivery migration: one row
// per window, by the database's clock, taken under its row lock), so it holds however many
// workers there are.
//
// Tokens are taken a few at a time (about a twentieth of the limit), not one query per message,
// and only for the window they were granted in: a token not used before that window ends is
// dropped, so a worker never spends one in the next window, where the others are already counting.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Queryable } from './queue.js';

export interface SharedRateLimit {
  /** Resolves when this process may start one more message; rejects when `signal` aborts. */
  take(signal?: AbortSignal): Promise<void>;
}

export interface SharedRateLimitOptions {
  /** Messages per window, across all workers. */
  limit: number;
  windowMs: number;
  /** Which budget (one per sending account). */
  bucket?: string;
  now?: () => number;
}

/** Tokens asked for at once: enough to spare the database, few enough to share the window. */
export function chunkSize(limit: number): number {
  return Math.max(1, Math.min(50, Math.ceil(limit / 20)));
}

export function createSharedRateLimit(
  db: Queryable,
  options: SharedRateLimitOptions,
): SharedRateLimit {
  const bucket = options.bucket ?? 'smtp';
  const now = options.now ?? (() => Date.now());
  const chunk = chunkSize(options.limit);
  let tokens = 0;
  /** The local time by which the tokens in hand must be used: their window's end, or earlier. */
  let usableUntil = 0;
  let refill: Promise<void> | null = null;

  async function askForTokens(signal: AbortSignal | undefined): Promise<void> {
    // Measured from before the request: the window's end can only be later than this estimate.
    const asked = now();
    const result = await db.query(
      'SELECT granted, window_left_ms FROM take_send_tokens($1, $2, $3, $4)',
      [bucket, chunk, options.limit, options.windowMs],
    );
    const row = result.rows[0] as { granted: number; window_left_ms: number };
    tokens = row.granted;
    usableUntil = asked + row.window_left_ms;
    // The window is spent: wait for the next one.
    if (row.granted === 0) await sleep(Math.max(1, usableUntil - now()), undefined, { signal });
  }

  return {
    async take(signal) {
      for (;;) {
        signal?.throwIfAborted();
        if (tokens > 0 && now() < usableUntil) {
          tokens--;
          return;
        }
        // One request at a time per process; the other takers wait for its tokens.
        refill ??= askForTokens(signal).finally(() => {
          refill = null;
        });
        await refill;
      }
    },
  };
}
