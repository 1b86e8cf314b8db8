// The send history, pure: what counts as already sent, recording a plan, pruning.
import { describe, expect, it } from 'vitest';
import {
  emptyHistory,
  pruneHistory,
  recentlySent,
  recordedAndPruned,
  recordPlan,
} from '../../src/plan/history.js';
import type { Plan, SendHistory } from '../../src/plan/types.js';
import { outcome, plainPlan, plan, SEED, subscriber } from './plan-helpers.js';

const history = (papers: Record<string, string>): SendHistory => ({
  version: 1,
  segments: { seg_a: papers },
});

describe('recentlySent', () => {
  // issue date 2025-10-31, historyDays 30: sends from 2025-10-01 to 2025-10-30 count
  it.each([
    ['2025-10-30', true],
    ['2025-10-28', true],
    ['2025-10-01', true],
    ['2025-09-30', false],
    ['2025-09-21', false],
    ['2025-10-31', false], // the same day: planning it again must give the same plan
    ['2025-11-02', false], // after the issue: planning an older day ignores it
  ])('a send on %s counts: %s', (day, counts) => {
    expect(recentlySent(history({ p1: day }), 'seg_a', '2025-10-31', 30).has('p1')).toBe(counts);
  });

  it('is empty for an unknown segment and for historyDays 0', () => {
    expect(recentlySent(history({ p1: '2025-10-30' }), 'seg_b', '2025-10-31', 30).size).toBe(0);
    expect(recentlySent(history({ p1: '2025-10-30' }), 'seg_a', '2025-10-31', 0).size).toBe(0);
  });
});

const planned = (
  date: string,
  segments: Record<string, string[]>,
): Pick<Plan, 'date' | 'segments'> => ({
  date,
  segments: Object.entries(segments).map(([id, paperIds]) => ({
    id,
    settings: {
      topics: 'all',
      keywords: { include: [], exclude: [] },
      maxPapers: 10,
      frequency: 'daily',
      weekday: null,
    },
    recipients: [],
    issueDates: [date],
    papers: paperIds.map((paperId) => ({
      paperId,
      issueDate: date,
      title: paperId,
      upvotes: null,
      strength: 0,
      publishedAt: null,
      reasons: { topics: {}, keywords: [] },
    })),
    matched: paperIds.length,
    alreadySent: 0,
    empty: paperIds.length === 0,
    emptyReason: paperIds.length === 0 ? 'nothing-matched' : null,
  })),
});

describe('recordPlan', () => {
  it('adds each planned paper under its segment with the plan date, sorted', () => {
    const before: SendHistory = {
      version: 1,
      segments: { seg_b: { p9: '2025-10-01' }, seg_old: { p1: '2025-09-01' } },
    };
    const after = recordPlan(
      before,
      planned('2025-10-31', { seg_b: ['p3', 'p2'], seg_a: ['p1'], seg_empty: [] }),
    );
    expect(after).toEqual({
      version: 1,
      segments: {
        seg_a: { p1: '2025-10-31' },
        seg_b: { p2: '2025-10-31', p3: '2025-10-31', p9: '2025-10-01' },
        seg_old: { p1: '2025-09-01' },
      },
    });
    expect(Object.keys(after.segments)).toEqual(['seg_a', 'seg_b', 'seg_old']);
    expect(Object.keys(after.segments.seg_b ?? {})).toEqual(['p2', 'p3', 'p9']);
    // a new object; the old one is untouched
    expect(before).toEqual({
      version: 1,
      segments: { seg_b: { p9: '2025-10-01' }, seg_old: { p1: '2025-09-01' } },
    });
  });

  it('updates a resend to the later date, and keeps a later date over an older plan', () => {
    const before = history({ p1: '2025-09-01', p2: '2025-11-05' });
    expect(recordPlan(before, planned('2025-10-31', { seg_a: ['p1', 'p2'] }))).toEqual(
      history({ p1: '2025-10-31', p2: '2025-11-05' }),
    );
  });

  it('closes the loop: recorded papers are not sent again the next day, and the same day replans the same', () => {
    const ana = subscriber('ana', { maxPapers: 3 });
    const day1 = plan([ana]);
    const recorded = recordPlan(emptyHistory(), day1);
    expect(plainPlan(plan([ana], { history: recorded }))).toEqual(plainPlan(day1));
    const nextDay = plan([ana], {
      history: recorded,
      // the same papers on the next day's page
      input: { issue: { ...SEED, date: '2025-11-01' } },
    });
    const first = outcome(day1)['ana@example.org'] as string[];
    const second = outcome(nextDay)['ana@example.org'] as string[];
    expect(second).toHaveLength(3);
    expect(second.filter((title) => first.includes(title))).toEqual([]);
  });
});

describe('pruneHistory', () => {
  it('drops sends that can no longer hold a paper back, and emptied segments', () => {
    const before: SendHistory = {
      version: 1,
      segments: {
        seg_a: { p1: '2025-10-01', p2: '2025-09-30', p3: '2025-10-31', p4: '2025-11-02' },
        seg_b: { p1: '2025-01-01' },
      },
    };
    expect(pruneHistory(before, '2025-10-31', 30)).toEqual({
      version: 1,
      segments: { seg_a: { p1: '2025-10-01', p3: '2025-10-31', p4: '2025-11-02' } },
    });
    expect(before.segments.seg_b).toEqual({ p1: '2025-01-01' });
  });

  it('keeps exactly what recentlySent can still use', () => {
    const sends = history({ a: '2025-09-30', b: '2025-10-01', c: '2025-10-15', d: '2025-10-30' });
    const pruned = pruneHistory(sends, '2025-10-31', 30);
    for (const date of ['2025-10-31', '2025-11-05', '2025-11-20']) {
      expect(recentlySent(pruned, 'seg_a', date, 30)).toEqual(
        recentlySent(sends, 'seg_a', date, 30),
      );
    }
  });

  it('empties everything before today with historyDays 0', () => {
    expect(pruneHistory(history({ a: '2025-10-30', b: '2025-10-31' }), '2025-10-31', 0)).toEqual(
      history({ b: '2025-10-31' }),
    );
  });
});

describe('recordedAndPruned', () => {
  // What a send writes as it ends, a segment at a time: it must be recordPlan then pruneHistory.
  const ids = (count: number, prefix: string) =>
    Array.from({ length: count }, (_, i) => `${prefix}${(i * 7919) % count}`);

  it('is recordPlan then pruneHistory, as entries in id order', () => {
    const before: SendHistory = { version: 1, segments: {} };
    const days = ['2025-09-15', '2025-10-02', '2025-10-20', '2025-10-30', '2025-11-03'];
    ids(300, 'seg_').forEach((id, i) => {
      // some segments only in the history, some only in the plan, most in both
      if (i % 5 !== 0) {
        before.segments[id] = Object.fromEntries(
          ids(1 + (i % 6), 'p').map((paperId, j) => [
            paperId,
            days[(i + j) % days.length] as string,
          ]),
        );
      }
    });
    const plannedSegments = Object.fromEntries(
      ids(300, 'seg_')
        .filter((_, i) => i % 7 !== 0)
        .map((id, i) => [id, ids(i % 4, 'p')]),
    );
    // an unusual id sorts among the rest by code units, as the file always had them
    plannedSegments.__proto__x = ['p1'];
    plannedSegments.Zeta = ['p2'];
    const plan = planned('2025-10-31', plannedSegments);

    const entries = [...recordedAndPruned(before, plan, 10)];
    const expected = pruneHistory(recordPlan(before, plan), '2025-10-31', 10);
    expect(Object.fromEntries(entries)).toEqual(expected.segments);
    const keys = entries.map(([id]) => id);
    expect(keys).toEqual(Object.keys(expected.segments));
    expect(keys).toEqual([...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(entries.every(([, sends]) => Object.keys(sends).length > 0)).toBe(true);
    // the history it was given is not changed
    expect(before.segments[ids(300, 'seg_')[1] as string]).toBeDefined();
  });

  it('makes each entry when it is asked for', () => {
    const plan = planned('2025-10-31', { seg_a: ['p1'], seg_b: ['p2'] });
    const entries = recordedAndPruned(emptyHistory(), plan, 10)[Symbol.iterator]();
    expect(entries.next().value).toEqual(['seg_a', { p1: '2025-10-31' }]);
    // a segment's papers read after the first entry was made: the second sees the change
    (plan.segments[1]?.papers[0] as { paperId: string }).paperId = 'p3';
    expect(entries.next().value).toEqual(['seg_b', { p3: '2025-10-31' }]);
    expect(entries.next().done).toBe(true);
  });
});
