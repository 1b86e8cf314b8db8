// The targets table the benchmark prints (bench/report.ts), on made-up figures: the peak RSS must
// stay flat from 10k to 100k subscribers, as well as under 256 MB.
import { describe, expect, it } from 'vitest';
import { median, type Results, type SizeResult, targetsOf } from '../../bench/report.js';

function resultsWith(rss: Record<number, number | null>): Results {
  const sizes = Object.entries(rss).map(
    ([subscribers, peakRssMB]) =>
      ({
        subscribers: Number(subscribers),
        send: { sustainedPerSecond: 2500, wallMs: 30_000, peakRssMB },
        speedup: { endToEnd: 50, rendering: 3000 },
      }) as unknown as SizeResult,
  );
  return {
    classify: { papersPerSecond: 12_000 },
    parse: { textMBps: 40 },
    sizes,
  } as unknown as Results;
}

const flat = (results: Results) =>
  targetsOf(results).find((t) => t.name.startsWith('peak RSS from'));

describe('targetsOf: peak RSS flat from 10k to 100k', () => {
  it('is missed when the peak grows by more than 10%, and says by how much', () => {
    const target = flat(resultsWith({ 1000: 130, 10000: 157, 100000: 224 }));
    expect(target).toMatchObject({
      name: 'peak RSS from 10,000 to 100,000',
      target: 'flat: within 10%',
      actual: '157 → 224 MB (+43%), medians',
      met: false,
    });
  });

  it('is met within 10%, and left out without both sizes', () => {
    expect(flat(resultsWith({ 10000: 200, 100000: 215 }))?.met).toBe(true);
    expect(flat(resultsWith({ 1000: 130 }))).toBeUndefined();
    expect(flat(resultsWith({ 10000: null, 100000: 215 }))).toBeUndefined();
  });
});

describe('median: the peak RSS the table gives for several sends', () => {
  it('is the middle value, the mean of the middle two, or unknown when any peak is', () => {
    expect(median([155, 147, 150])).toBe(150);
    expect(median([150])).toBe(150);
    expect(median([140, 150, 160, 146])).toBe(148);
    expect(median([150, null, 147])).toBeNull();
    expect(median([])).toBeNull();
  });
});
