// Segment ids key the send history: the same settings must give the same id in every run, on
// every day, whatever order or case they were written in.
import { describe, expect, it } from 'vitest';
import { planToJson } from '../../src/plan/format-plan.js';
import { segmentId, selectionSettings } from '../../src/plan/segment-settings.js';
import type { Subscriber } from '../../src/types.js';
import { issueOf, plainPlan, plan, SEED, subscriber } from './plan-helpers.js';

const idOf = (fields: Partial<Subscriber>, defaultMax = 10): string =>
  segmentId(selectionSettings(subscriber('x', fields), defaultMax));

describe('selectionSettings', () => {
  it('puts the settings in canonical form', () => {
    const settings = selectionSettings(
      subscriber('x', {
        topics: ['time-series', ' graphs', 'graphs', ''],
        keywords: { include: ['  Message   Passing ', 'GNN', 'gnn', ''], exclude: ['Survey'] },
        weekday: 'monday', // ignored: a daily subscriber has no weekday
      }),
      10,
    );
    expect(settings).toEqual({
      topics: ['graphs', 'time-series'],
      keywords: { include: ['gnn', 'message passing'], exclude: ['survey'] },
      maxPapers: 10,
      frequency: 'daily',
      weekday: null,
    });
  });

  it("keeps 'all' and a subscriber's own cap", () => {
    expect(selectionSettings(subscriber('x', { topics: 'all', maxPapers: 4 }), 10)).toMatchObject({
      topics: 'all',
      maxPapers: 4,
    });
  });
});

describe('segmentId', () => {
  it('is seg_ and 12 hex digits, and never changes for the same settings', () => {
    // Pinned: a new id for these settings would make every segment forget what it was sent.
    expect(idOf({ topics: ['graphs'] })).toBe('seg_3150ee0d88c1');
  });

  it.each([
    [
      'topic order and repeats',
      { topics: ['time-series', 'graphs', 'graphs'] },
      { topics: ['graphs', 'time-series'] },
    ],
    [
      'keyword case, spacing, order and repeats',
      { keywords: { include: [' GNN ', 'Message  passing', 'gnn'], exclude: ['SURVEY'] } },
      { keywords: { include: ['message passing', 'gnn'], exclude: ['survey'] } },
    ],
    ['a cap equal to the default', { maxPapers: 10 }, { maxPapers: null }],
    ["a daily subscriber's stray weekday", { weekday: 'monday' }, { weekday: null }],
    [
      'name, email, status and dates',
      {
        name: 'Ana',
        email: 'other@example.org',
        status: 'bounced',
        subscribedAt: '2020-01-01T00:00:00Z',
      },
      {},
    ],
  ] as [string, Partial<Subscriber>, Partial<Subscriber>][])('ignores %s', (_name, a, b) => {
    expect(idOf(a)).toBe(idOf(b));
  });

  it.each([
    ['topics', { topics: ['graphs', 'rl'] }],
    ['all', { topics: 'all' }],
    ['an include', { keywords: { include: ['gnn'], exclude: [] } }],
    ['the same phrase as an exclude', { keywords: { include: [], exclude: ['gnn'] } }],
    ['the cap', { maxPapers: 9 }],
    ['weekly', { frequency: 'weekly', weekday: 'monday' }],
  ] as [string, Partial<Subscriber>][])('tells apart %s', (_name, fields) => {
    expect(idOf(fields)).not.toBe(idOf({}));
  });

  it('depends on the effective cap: the default applies to a null cap', () => {
    expect(idOf({}, 10)).not.toBe(idOf({}, 5));
    expect(idOf({}, 5)).toBe(idOf({ maxPapers: 5 }, 10));
  });

  it('is the same across runs and days', () => {
    const people = [subscriber('ana'), subscriber('ben', { topics: ['rl'] })];
    const today = plan(people)
      .segments.map((segment) => segment.id)
      .sort();
    const tomorrow = plan(people, {
      input: {
        issue: issueOf('2025-11-03', [
          'Gradient Boosting Reinforcement Learning',
          'Local Augmentation for Graph Neural Networks',
        ]),
      },
    })
      .segments.map((segment) => segment.id)
      .sort();
    expect(tomorrow).toEqual(today);
  });
});

describe('a plan does not depend on the order of the subscribers', () => {
  it('gives the same plan, byte for byte, for a shuffled list written differently', () => {
    const people = [
      subscriber('ana', {
        topics: ['time-series', 'graphs'],
        keywords: { include: ['Hypernetwork'], exclude: [] },
      }),
      subscriber('ben', {
        topics: ['graphs', 'time-series'],
        keywords: { include: ['hypernetwork '], exclude: [] },
      }),
      subscriber('cy', { topics: 'all', maxPapers: 2 }),
      subscriber('dee', { status: 'unsubscribed' }),
      subscriber('eve', { topics: ['audio'] }),
      subscriber('fay', { frequency: 'weekly', weekday: 'sunday' }),
    ];
    const shuffled = [
      people[4],
      people[1],
      people[5],
      people[3],
      people[0],
      people[2],
    ] as Subscriber[];
    const a = plan(people);
    expect(Array.from(a.segments[0]?.recipients ?? [], (r) => r.email)).toEqual([
      'ana@example.org',
      'ben@example.org',
    ]);
    expect(planToJson(plan(shuffled))).toBe(planToJson(a));
  });
});

describe('planIssue is pure', () => {
  function deepFreeze<T>(value: T): T {
    if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
      Object.freeze(value);
      for (const child of Object.values(value)) deepFreeze(child);
    }
    return value;
  }

  it('does not change its inputs (frozen inputs would throw) and gives the same plan twice', () => {
    const issue = structuredClone(SEED);
    const recent = [issueOf('2025-10-29', ['Gradient Boosting Reinforcement Learning'])].map((i) =>
      structuredClone(i),
    );
    const people = [
      subscriber('ana', {
        keywords: { include: ['Hypernetwork'], exclude: ['Survey'] },
        topics: ['time-series', 'graphs'],
      }),
      subscriber('ben', { topics: ['rl'], frequency: 'weekly', weekday: 'friday' }),
      subscriber('cy', { topics: ['audio'] }),
    ];
    const history = {
      version: 1 as const,
      segments: {
        [segmentId(selectionSettings(people[0] as Subscriber, 10))]: {
          [SEED.papers[1]?.id ?? '']: '2025-10-29',
        },
      },
    };
    const before = structuredClone({ issue, recent, people, history });
    deepFreeze({ issue, recent, people, history });
    const first = plan(people, { input: { issue, recent }, history, options: { sendEmpty: true } });
    const second = plan(people, {
      input: { issue, recent },
      history,
      options: { sendEmpty: true },
    });
    expect({ issue, recent, people, history }).toEqual(before);
    expect(plainPlan(second)).toEqual(plainPlan(first));
    // the plan shares no arrays with the issue: changing it cannot change the papers
    const reasons = first.segments.flatMap((s) =>
      s.papers.flatMap((p) => Object.values(p.reasons.topics)),
    );
    const matched = issue.papers.flatMap((paper) => Object.values(paper.matched));
    expect(reasons.some((terms) => matched.includes(terms))).toBe(false);
  });
});
