// The send's segment order: every segment once, small ones spread evenly among the large.
import { describe, expect, it } from 'vitest';
import { deliveryOrder } from '../../src/delivery/delivery-order.js';

/** Segments of these sizes, largest first, as a plan lists them. */
function segments(sizes: number[]) {
  return [...sizes]
    .sort((a, b) => b - a)
    .map((size, index) => ({ id: index, recipients: { length: size } }));
}

/** A skewed list like the benchmark's: a few large segments, thousands of ones and twos. */
function skewed(seed: number): number[] {
  let state = seed;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  return Array.from({ length: 3000 }, () => Math.max(1, Math.floor(1 / (next() + 0.0005))));
}

describe('deliveryOrder', () => {
  it('sends every segment once', () => {
    for (const sizes of [[], [5], [1, 1, 1], [100, 1], skewed(1), skewed(2)]) {
      const input = segments(sizes);
      const order = deliveryOrder(input);
      expect(order).toHaveLength(input.length);
      expect(new Set(order)).toEqual(new Set(input));
    }
  });

  it('starts segments at an even rate, not most of them in the last tenth of the messages', () => {
    /** The share of the segments started after `from` of the messages went out. */
    const startedAfter = (order: { recipients: { length: number } }[], from: number) => {
      const total = order.reduce((sum, s) => sum + s.recipients.length, 0);
      let sent = 0;
      let started = 0;
      for (const segment of order) {
        if (sent >= total * from) started++;
        sent += segment.recipients.length;
      }
      return started / order.length;
    };
    for (const seed of [1, 2, 3]) {
      const input = segments(skewed(seed));
      const order = deliveryOrder(input);
      // Largest first, as planned: the last tenth of the messages starts most segments.
      expect(startedAfter(input, 0.9)).toBeGreaterThan(0.5);
      for (const from of [0.1, 0.5, 0.9]) {
        expect(Math.abs(startedAfter(order, from) - (1 - from))).toBeLessThan(0.05);
      }
    }
  });
});
