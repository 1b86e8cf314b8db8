// A per-client fixed-window counter, in memory: enough to stop one address hammering the token
// endpoints (guessing is hopeless against 256-bit signatures, but scanning costs store reads).
// One process, one window per key; restarting the process resets it.

export interface RateLimitOptions {
  windowMs: number;
  max: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** Whole seconds until the window ends (for Retry-After), at least 1. */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  hit(key: string): RateLimitDecision;
}

/** Beyond this many tracked keys, expired windows are swept on the next hit. */
const SWEEP_AT = 10_000;

export function createRateLimiter(options: RateLimitOptions, now: () => Date): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    hit(key) {
      const time = now().getTime();
      if (windows.size > SWEEP_AT) {
        for (const [k, w] of windows) if (time - w.start >= options.windowMs) windows.delete(k);
      }
      let window = windows.get(key);
      if (!window || time - window.start >= options.windowMs) {
        window = { start: time, count: 0 };
        windows.set(key, window);
      }
      window.count++;
      const retryAfterSeconds = Math.max(
        1,
        Math.ceil((window.start + options.windowMs - time) / 1000),
      );
      return { allowed: window.count <= options.max, retryAfterSeconds };
    },
  };
}
