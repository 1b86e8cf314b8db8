// Weekly subscribers: served on their weekday (UTC) with the week's issues merged.
import { describe, expect, it } from 'vitest';
import type { Issue } from '../../src/types.js';
import { issueOf, outcome, plan, subscriber } from './plan-helpers.js';

const RL = 'Gradient Boosting Reinforcement Learning';
const SYNTS =
  'SynTSBench: Rethinking Temporal Pattern Learning in Deep Learning Models for Time Series';
const GRAPH_TS = 'Graph Deep Learning for Time Series Forecasting';
const TIMESNET = 'TimesNet: Temporal 2D-Variation Modeling for General Time Series Analysis';
const TFM =
  'TFM Dataset: A Novel Multi-task Dataset and Integrated Pipeline for Automated Tear Film Break-Up Segmentation';
const OPENSHAPE = 'OpenShape: Scaling Up 3D Shape Representation Towards Open-World Understanding';

const topics = ['time-series', 'rl', 'medical', 'multimodal'];
// 2025-10-31 is a Friday; its week is Sat 10-25 to Fri 10-31.
const friday = issueOf('2025-10-31', [GRAPH_TS, TIMESNET]);
const recent: Issue[] = [
  issueOf('2025-10-24', [TFM]), // the Friday before: outside the week
  issueOf('2025-10-27', [RL], { [RL]: 3 }),
  issueOf('2025-10-29', [SYNTS, RL], { [RL]: 8 }), // RL again, with more upvotes
  issueOf('2025-11-01', [OPENSHAPE]), // after the issue date
];
const weeklyAna = subscriber('ana', { topics, frequency: 'weekly', weekday: 'friday' });
const dailyBen = subscriber('ben', { topics });

describe('a weekly subscriber on their weekday', () => {
  const result = plan([weeklyAna, dailyBen], { input: { issue: friday, recent } });
  const weekly = result.segments.find((segment) => segment.settings.frequency === 'weekly');

  it('gets the week merged, each paper once, ranked together', () => {
    expect(outcome(result)).toEqual({
      'ana@example.org': [RL, GRAPH_TS, TIMESNET, SYNTS],
      'ben@example.org': [GRAPH_TS, TIMESNET],
    });
  });

  it('keeps the newest copy of a paper seen on two days', () => {
    expect(weekly?.papers[0]).toMatchObject({ title: RL, issueDate: '2025-10-29', upvotes: 8 });
  });

  it('records which issues were merged', () => {
    expect(weekly?.issueDates).toEqual(['2025-10-27', '2025-10-29', '2025-10-31']);
    expect(result.issueDates).toEqual(['2025-10-27', '2025-10-29', '2025-10-31']);
    expect(result.segments.find((s) => s !== weekly)?.issueDates).toEqual(['2025-10-31']);
  });

  it('is in a different segment from a daily subscriber with the same topics', () => {
    expect(result.segments).toHaveLength(2);
  });

  it('gets the week even when its day has no issue (a Saturday)', () => {
    const saturday: Issue = { date: '2025-11-01', papers: [], warnings: [] };
    const ana = subscriber('ana', { topics, frequency: 'weekly', weekday: 'saturday' });
    const sat = plan([ana, dailyBen], { input: { issue: saturday, recent: [friday, ...recent] } });
    expect(outcome(sat)).toEqual({
      // the week is Sun 10-26 to Sat 11-01: the Friday before is out, Saturday's paper in
      'ana@example.org': [RL, GRAPH_TS, OPENSHAPE, TIMESNET, SYNTS],
      'ben@example.org': 'nothing-matched',
    });
  });

  it('describes an empty week as a week', () => {
    const ana = subscriber('ana', { topics: ['audio'], frequency: 'weekly', weekday: 'friday' });
    expect([...plan([ana], { input: { issue: friday, recent } }).skipped][0]?.detail).toBe(
      'no papers on your topics in the week 2025-10-25 to 2025-10-31',
    );
  });
});

describe('a weekly subscriber on another day', () => {
  it.each([
    ['2025-10-31', 'monday', 'weekly on monday; next digest 2025-11-03'],
    ['2025-10-30', 'friday', 'weekly on friday; next digest 2025-10-31'],
    ['2025-11-01', 'friday', 'weekly on friday; next digest 2025-11-07'],
    ['2025-12-31', 'tuesday', 'weekly on tuesday; next digest 2026-01-06'],
  ] as const)('on %s, weekly on %s, is skipped', (date, weekday, detail) => {
    const ana = subscriber('ana', { topics, frequency: 'weekly', weekday });
    const result = plan([ana], { input: { issue: issueOf(date, [RL]) } });
    expect(result.segments).toEqual([]);
    expect([...result.skipped]).toEqual([
      expect.objectContaining({ email: 'ana@example.org', reason: 'weekly-not-today', detail }),
    ]);
  });
});
