// The plan's packed skipped subscribers: each comes out as it went in, in the order asked for,
// with its reason, detail and segment, and the plan lists them as before.
import { describe, expect, it } from 'vitest';
import { planToJson } from '../../src/plan/format-plan.js';
import { RecipientBook } from '../../src/plan/recipient-book.js';
import { findSkipped, SkipRecorder } from '../../src/plan/skipped-list.js';
import type { SkippedSubscriber } from '../../src/plan/types.js';
import { plan, subscriber } from './plan-helpers.js';

const SKIPS: SkippedSubscriber[] = [
  {
    subscriberId: 'sub_0a',
    email: 'zoë@example.org',
    reason: 'weekly-not-today',
    detail: 'weekly on monday; next digest 2025-11-03',
    segmentId: 'seg_aaaaaaaaaaaa',
  },
  {
    subscriberId: 'sub_0b',
    email: 'bo@example.org',
    reason: 'unsubscribed',
    detail: 'unsubscribed on 2025-10-01',
    segmentId: null,
  },
  {
    subscriberId: 'sub_0c',
    email: 'cy@example.org',
    reason: 'weekly-not-today',
    detail: 'weekly on monday; next digest 2025-11-03',
    segmentId: 'seg_aaaaaaaaaaaa',
  },
  {
    subscriberId: 'sub_0d',
    email: 'di@example.org',
    reason: 'nothing-matched',
    detail: 'no papers on your topics in the issue of 2025-10-31 "quoted" 論文',
    segmentId: 'seg_bbbbbbbbbbbb',
  },
];

function recorded(book: RecipientBook): SkipRecorder {
  const skips = new SkipRecorder(book);
  for (const { subscriberId, email, reason, detail, segmentId } of SKIPS) {
    skips.add(book.add({ subscriberId, email, name: 'not kept' }), reason, detail, segmentId);
  }
  return skips;
}

describe('SkipRecorder and PackedSkips', () => {
  it('give back every skip as it was added, in the order asked for', () => {
    const book = new RecipientBook();
    const skips = recorded(book);
    expect(skips.length).toBe(4);
    expect(SKIPS.map((_, n) => skips.rankAt(n))).toEqual([2, 0, 2, 3]);
    expect(SKIPS.map((_, n) => book.emailAt(skips.startAt(n)))).toEqual(SKIPS.map((s) => s.email));
    const packed = skips.pack([3, 1, 0, 2]);
    expect(packed.length).toBe(4);
    expect([...packed]).toEqual([SKIPS[3], SKIPS[1], SKIPS[0], SKIPS[2]]);
    // Read twice, the same: nothing is used up by reading.
    expect([...packed]).toEqual([...packed]);
    expect(JSON.parse(JSON.stringify({ skipped: packed })).skipped).toEqual([...packed]);
    expect(skips.pack([]).length).toBe(0);
    expect([...skips.pack([])]).toEqual([]);
  });

  it('finds a skipped subscriber by id, and nobody it did not skip', () => {
    const packed = recorded(new RecipientBook()).pack([0, 1, 2, 3]);
    expect(findSkipped(packed, 'sub_0c')).toEqual(SKIPS[2]);
    expect(findSkipped(packed, 'sub_0e')).toBeUndefined();
    expect(findSkipped(SKIPS, 'sub_0d')).toBe(SKIPS[3]);
  });
});

describe('a plan of 3,000 skipped subscribers', () => {
  it('lists them all, by reason, then address ignoring case, then id, with their details', () => {
    const reasons = ['unsubscribed', 'bounced', 'weekly-not-today'] as const;
    const people = Array.from({ length: 3000 }, (_, i) => {
      const kind = reasons[i % 3];
      const name = `p${String((i * 7919) % 3000).padStart(4, '0')}`;
      if (kind === 'weekly-not-today') {
        return subscriber(name, { frequency: 'weekly', weekday: i % 2 ? 'monday' : 'tuesday' });
      }
      return subscriber(name, {
        status: kind,
        email: i % 5 ? `${name}@example.org` : `${name.toUpperCase()}@Example.org`,
        unsubscribedAt: kind === 'unsubscribed' ? `2025-10-${10 + (i % 9)}T00:00:00.000Z` : null,
      });
    });
    const result = plan(people);
    const skipped = [...result.skipped];
    expect(skipped).toHaveLength(3000);
    expect(result.totals.skipped).toBe(3000);
    const key = (s: SkippedSubscriber) =>
      `${reasons.indexOf(s.reason as (typeof reasons)[number])} ${s.email.toLowerCase()}`;
    expect(skipped.map(key)).toEqual(skipped.map(key).sort());
    const byId = new Map(people.map((p) => [p.id, p]));
    for (const entry of skipped) {
      const person = byId.get(entry.subscriberId);
      expect(entry.email).toBe(person?.email);
      if (entry.reason === 'unsubscribed') {
        expect(entry.detail).toBe(`unsubscribed on ${person?.unsubscribedAt?.slice(0, 10)}`);
      }
      expect(entry.segmentId === null).toBe(entry.reason !== 'weekly-not-today');
    }
    expect(new Set(skipped.map((s) => s.detail))).toEqual(
      new Set([
        // i % 3 === 0 for the unsubscribed, so i % 9 is 0, 3 or 6
        ...[0, 3, 6].map((d) => `unsubscribed on 2025-10-${10 + d}`),
        'the address bounced; it is suppressed',
        'weekly on monday; next digest 2025-11-03',
        'weekly on tuesday; next digest 2025-11-04',
      ]),
    );
    expect(JSON.parse(planToJson(result)).skipped).toEqual(skipped);
  });
});
