// `paperboy plan` output: the text for people and the JSON for programs.
import { describe, expect, it } from 'vitest';
import { formatPlan, planToJson } from '../../src/plan/format-plan.js';
import type { Plan, SkippedSubscriber } from '../../src/plan/types.js';
import { issueOf, plan, subscriber, TOPICS } from './plan-helpers.js';

const SYNTS =
  'SynTSBench: Rethinking Temporal Pattern Learning in Deep Learning Models for Time Series';
const GRAPH_TS = 'Graph Deep Learning for Time Series Forecasting';
const REVIEW = 'A Brief Review of Hypernetworks in Deep Learning';
const RL = 'Gradient Boosting Reinforcement Learning';

const issue = issueOf('2025-10-31', [SYNTS, GRAPH_TS, REVIEW, RL], { [SYNTS]: 12, [RL]: 1 });
const small = (): Plan =>
  plan(
    [
      subscriber('ana', {
        topics: ['time-series'],
        keywords: { include: ['hypernetwork'], exclude: ['survey'] },
      }),
      subscriber('ben', {
        topics: ['time-series'],
        keywords: { include: ['Hypernetwork'], exclude: ['Survey'] },
      }),
      subscriber('cy', { topics: ['audio'] }),
      subscriber('dee', { status: 'unsubscribed', unsubscribedAt: '2025-10-01T08:00:00Z' }),
      subscriber('eve', { topics: ['rl'], frequency: 'weekly', weekday: 'monday' }),
      subscriber('fay', { topics: ['rl'], maxPapers: 1, frequency: 'weekly', weekday: 'friday' }),
    ],
    { input: { issue } },
  );

describe('formatPlan', () => {
  it('shows the counts, each segment with its papers and why, and who is skipped', () => {
    // segment ids are tested elsewhere; here they would only hide the layout
    expect(formatPlan(small(), TOPICS).replace(/seg_[0-9a-f]{12}/g, 'seg_…')).toBe(
      `Plan for Friday, October 31, 2025 · 3 emails in 2 segments · 4 papers · 3 of 6 subscribers skipped
issues 2025-10-31 · default cap 10 · no repeats within 30 days · empty days: no email

Segment seg_… · 2 subscribers · daily · 3 papers
  topics: Time series & forecasting [time-series]
  keywords: +hypernetwork, -survey
  cap: 10 · matched 3 · already sent 0
  to: ana@example.org, ben@example.org
  1. ${SYNTS}
       why: Time series & forecasting: time series, forecasting
       12 upvotes · Oct 23, 2025 · strength 2
  2. ${GRAPH_TS}
       why: Time series & forecasting: time series, forecasting, multivariate forecasting
       Oct 24, 2023 · strength 3
  3. ${REVIEW}
       why: your keywords: hypernetwork
       Jun 12, 2023 · strength 1

Segment seg_… · 1 subscriber · weekly on friday · 1 paper
  topics: Reinforcement learning [rl]
  cap: 1 · matched 1 · already sent 0 · issues 2025-10-31
  to: fay@example.org
  1. ${RL}
       why: Reinforcement learning: reinforcement learning, RL, actor-critic
       1 upvote · Jul 11, 2024 · strength 3

Skipped · 3
  unsubscribed · 1
    dee@example.org: unsubscribed on 2025-10-01
  weekly, not today · 1
    eve@example.org: weekly on monday; next digest 2025-11-03
  nothing on their topics · 1
    cy@example.org: no papers on your topics in the issue of 2025-10-31
`,
    );
  });

  it('lists five addresses, then how many more', () => {
    const people = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((name) => subscriber(name));
    const text = formatPlan(plan(people), TOPICS);
    expect(text).toContain(
      '  to: a@example.org, b@example.org, c@example.org, d@example.org, e@example.org and 2 more\n',
    );
  });

  it('shows an empty segment, with sendEmpty', () => {
    const text = formatPlan(
      plan([subscriber('cy', { topics: ['audio'] })], { options: { sendEmpty: true } }),
      TOPICS,
    );
    expect(text).toContain(
      '· 1 subscriber · daily · no papers\n  topics: Speech & audio [audio]\n',
    );
    expect(text).toContain(
      '(empty: nothing on these topics; they get a "nothing on your topics today" note)',
    );
    expect(text).toContain('empty days: a short note');
  });

  it('says when nobody gets an email', () => {
    const text = formatPlan(plan([subscriber('dee', { status: 'bounced' })]), TOPICS);
    expect(text).toContain(
      '\n\nNobody gets an email for this issue.\n\nSkipped · 1\n  bounced · 1\n',
    );
  });

  it('shows `all` and a topic id it does not know', () => {
    const text = formatPlan(
      plan([
        subscriber('a', { topics: 'all', maxPapers: 1 }),
        subscriber('b', { topics: ['graphs', 'quantum'] }),
      ]),
      TOPICS,
    );
    expect(text).toContain('  topics: all (every paper)\n');
    expect(text).toContain('  topics: Graph learning & GNNs [graphs], quantum\n');
  });
});

describe('planToJson', () => {
  it('is the plan, pretty-printed, keys in the documented order, without the names', () => {
    const result = small();
    const json = planToJson(result);
    expect(json.endsWith('}\n')).toBe(true);
    const parsed = JSON.parse(json) as Plan & { skipped: SkippedSubscriber[] };
    const unnamed = result.segments.map((segment) => ({
      ...segment,
      recipients: Array.from(segment.recipients, ({ subscriberId, email }) => ({
        subscriberId,
        email,
      })),
    }));
    expect(unnamed.some((segment) => segment.recipients.length > 0)).toBe(true);
    expect(parsed).toEqual({ ...result, segments: unnamed, skipped: [...result.skipped] });
    expect(Object.keys(parsed)).toEqual([
      'version',
      'date',
      'issueDates',
      'options',
      'segments',
      'skipped',
      'totals',
    ]);
    expect(Object.keys(parsed.segments[0] ?? {})).toEqual([
      'id',
      'settings',
      'recipients',
      'issueDates',
      'papers',
      'matched',
      'alreadySent',
      'empty',
      'emptyReason',
    ]);
    expect(Object.keys(parsed.segments[0]?.papers[0] ?? {})).toEqual([
      'paperId',
      'issueDate',
      'title',
      'upvotes',
      'strength',
      'publishedAt',
      'reasons',
    ]);
    expect(Object.keys(parsed.skipped[0] ?? {})).toEqual([
      'subscriberId',
      'email',
      'reason',
      'detail',
      'segmentId',
    ]);
  });

  it('leaves out anything that is not part of the shape', () => {
    const result = small();
    const extended = {
      ...result,
      extra: true,
      segments: result.segments.map((s) => ({ ...s, cache: [1] })),
    };
    expect(planToJson(extended)).toBe(planToJson(result));
  });
});
