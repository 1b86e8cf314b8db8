import { describe, expect, it } from 'vitest';
import { createFailureWatch, FAILURE_WINDOW } from '../../src/delivery/failure-watch.js';
import { MAX_RETRY_DELAY_MS, retryDelay } from '../../src/delivery/retry-delay.js';

describe('retryDelay', () => {
  it.each([
    [1, 1000, 0, 500],
    [1, 1000, 0.999, 1000],
    [2, 1000, 0, 1000],
    [3, 1000, 0.5, 3000],
    [4, 1000, 0, 4000],
    [20, 1000, 0, MAX_RETRY_DELAY_MS / 2],
    [20, 1000, 1, MAX_RETRY_DELAY_MS],
    [3, 0, 0.5, 0],
  ])('attempt %i failed, backoff %i ms, random %f: %i ms', (attempt, backoff, random, expected) => {
    expect(retryDelay(attempt, backoff, random)).toBe(expected);
  });
});

describe('createFailureWatch', () => {
  it('decides nothing before the minimum of attempts', () => {
    const watch = createFailureWatch({ rate: 0.2, minAttempts: 5 });
    expect([1, 2, 3, 4].map(() => watch.record(true))).toEqual([false, false, false, false]);
    expect(watch.record(true)).toBe(true);
  });

  it('pauses on the failure that reaches the rate, not on a success', () => {
    const watch = createFailureWatch({ rate: 0.5, minAttempts: 4 });
    expect([false, true, false].map((failed) => watch.record(failed))).toEqual([
      false,
      false,
      false,
    ]);
    expect(watch.record(false)).toBe(false);
    expect(watch.record(true)).toBe(false);
    expect(watch.record(true)).toBe(true);
    expect(watch.window).toEqual({ failed: 3, attempts: 6 });
  });

  it('measures a recent window, so a bad streak late in a long run still pauses it', () => {
    const watch = createFailureWatch({ rate: 0.3, minAttempts: 20 });
    for (let i = 0; i < 10_000; i++) watch.record(false);
    let paused = false;
    let failures = 0;
    while (!paused) {
      paused = watch.record(true);
      failures++;
    }
    expect(failures).toBe(Math.ceil(FAILURE_WINDOW * 0.3));
  });

  it('with rate 0 pauses at the first failure', () => {
    const watch = createFailureWatch({ rate: 0, minAttempts: 1 });
    expect(watch.record(false)).toBe(false);
    expect(watch.record(true)).toBe(true);
  });
});
