// Fingerprints of keys: equal keys always match; 100,000 distinct ids do not.
import { describe, expect, it } from 'vitest';
import { Fingerprints, fingerprint } from '../../src/stores/fingerprints.js';

describe('fingerprint', () => {
  it('is the same for the same text and a whole number below 2^53', () => {
    for (const text of ['', 'a', 'sub_0123456789abcdef', 'zoë@example.org', '🚀']) {
      const value = fingerprint(text);
      expect(fingerprint(`${text}`)).toBe(value);
      expect(Number.isSafeInteger(value)).toBe(true);
      expect(value).toBeGreaterThanOrEqual(0);
    }
    expect(fingerprint('ab')).not.toBe(fingerprint('ba'));
  });
});

describe('Fingerprints', () => {
  it('finds no repeat among 200,000 distinct ids and addresses', () => {
    const keys = new Fingerprints();
    for (let i = 0; i < 100_000; i++) {
      keys.add(`sub_${i.toString(16).padStart(16, '0')}`);
      keys.add(`reader${i}@example.org`);
    }
    expect(keys.count).toBe(200_000);
    expect(keys.mayRepeat()).toBe(false);
  });

  it('finds a repeat wherever it is, and keeps the order added', () => {
    for (const [first, second] of [
      [0, 1],
      [0, 4999],
      [2500, 2501],
      [17, 3000],
    ] as const) {
      const keys = new Fingerprints();
      for (let i = 0; i < 5000; i++) keys.add(i === second ? `key-${first}` : `key-${i}`);
      expect(keys.mayRepeat()).toBe(true);
      expect(keys.at(second)).toBe(fingerprint(`key-${first}`));
      expect(keys.at(first)).toBe(keys.at(second));
    }
  });
});
