// planIssue on the real seed (2025-10-31, 79 papers, upvotes unknown, so papers rank by match
// strength, then arXiv date): exactly which papers each subscriber gets, or why they get nothing.
import { describe, expect, it } from 'vitest';
import { segmentId, selectionSettings } from '../../src/plan/segment-settings.js';
import type { PlanOptions, SendHistory, SkipReason } from '../../src/plan/types.js';
import type { Subscriber } from '../../src/types.js';
import { outcome, plan, SEED, subscriber } from './plan-helpers.js';

// The seed's papers on time-series (3), and the ones the keyword tests pull in or push out.
const GRAPH_TS = 'Graph Deep Learning for Time Series Forecasting'; // graphs + time-series, 3 terms
const TIMESNET = 'TimesNet: Temporal 2D-Variation Modeling for General Time Series Analysis'; // 3
const SYNTS =
  'SynTSBench: Rethinking Temporal Pattern Learning in Deep Learning Models for Time Series'; // 2
const GBRL = 'Gradient Boosting Reinforcement Learning'; // rl, 3 terms, 2024
const REVIEW = 'A Brief Review of Hypernetworks in Deep Learning'; // no topic
const MAGNITUDE = 'Magnitude Invariant Parametrizations Improve Hypernetwork Learning'; // theory
const CITIES =
  'From Cities to Series: Complex Networks and Deep Learning for Improved Spatial and Temporal Analytics*'; // graphs
const TIME_SERIES = [GRAPH_TS, TIMESNET, SYNTS];

// The graphs papers by strength (distinct matched terms), then arXiv date.
const TANGNN =
  'TANGNN: a Concise, Scalable and Effective Graph Neural Networks with Top-m Attention Mechanism for Graph Representation Learning'; // 7
const DIRECTED = 'Towards Data-centric Machine Learning on Directed Graphs: a Survey'; // 6, 2024-11
const CONTEXTUALIZED = 'Contextualized Messages Boost Graph Representations'; // 6, 2024-03
const NETINFOF = 'NetInfoF Framework: Measuring and Exploiting Network Usable Information'; // 6, 2024-02
const CATGCN = 'CatGCN: Graph Convolutional Networks with Categorical Node Features'; // 6, 2020
const GRAPHS_TOP_10 = [
  TANGNN,
  DIRECTED,
  CONTEXTUALIZED,
  NETINFOF,
  CATGCN,
  'Relational Deep Learning: Graph Representation Learning on Relational Databases', // 5, 2023-12
  'A Topological Perspective on Demystifying GNN-Based Link Prediction Performance', // 5, 2023-10
  'Reliable Representations Make A Stronger Defender: Unsupervised Structure Refinement for Robust GNN', // 5, 2022
  'Local Augmentation for Graph Neural Networks', // 5, 2021
  'Revisiting Graph Neural Networks on Graph-level Tasks: Comprehensive Experiments, Analysis, and Improvements', // 4, 2025
];

const ts = (fields: Partial<Subscriber> = {}): Partial<Subscriber> => ({
  topics: ['time-series'],
  ...fields,
});

/** The history entry "this segment got these papers on `day`" for a subscriber's settings. */
function sent(of: Subscriber, day: string, titles: string[], maxPapers = 10): SendHistory {
  const id = segmentId(selectionSettings(of, maxPapers));
  const ids = titles.map((title) => SEED.papers.find((paper) => paper.title === title)?.id ?? '');
  return {
    version: 1,
    segments: { [id]: Object.fromEntries(ids.map((paperId) => [paperId, day])) },
  };
}

interface Row {
  name: string;
  subscribers: Subscriber[];
  history?: SendHistory;
  options?: Partial<PlanOptions>;
  expected: Record<string, string[] | SkipReason>;
  /** How many segments the plan has. */
  segments: number;
}

const ana = subscriber('ana', ts());

const ROWS: Row[] = [
  {
    name: 'status: only active subscribers are served',
    subscribers: [
      ana,
      subscriber('bob', ts({ status: 'unsubscribed', unsubscribedAt: '2025-10-01T08:00:00Z' })),
      subscriber('cy', ts({ status: 'bounced' })),
    ],
    expected: {
      'ana@example.org': TIME_SERIES,
      'bob@example.org': 'unsubscribed',
      'cy@example.org': 'bounced',
    },
    segments: 1,
  },
  {
    name: 'topics: the same topics (in any order, repeated) share a segment',
    subscribers: [ana, subscriber('ben', { topics: ['time-series', 'time-series'] })],
    expected: { 'ana@example.org': TIME_SERIES, 'ben@example.org': TIME_SERIES },
    segments: 1,
  },
  {
    name: 'topics: overlapping but different topics get separate segments',
    subscribers: [ana, subscriber('ben', { topics: ['rl', 'time-series'] })],
    // the RL paper has as many matched terms as the best time-series ones and is newer
    expected: { 'ana@example.org': TIME_SERIES, 'ben@example.org': [GBRL, ...TIME_SERIES] },
    segments: 2,
  },
  {
    name: 'topics: no paper on them',
    subscribers: [subscriber('ana', { topics: ['audio'] })],
    expected: { 'ana@example.org': 'nothing-matched' },
    segments: 0,
  },
  {
    name: 'topics: all, capped, strongest matches first',
    subscribers: [subscriber('ana', { topics: 'all', maxPapers: 3 })],
    expected: {
      'ana@example.org': [
        'LowFormer: Hardware Efficient Design for Convolutional Transformer Backbones', // 11
        'Reliable Representations Make A Stronger Defender: Unsupervised Structure Refinement for Robust GNN', // 10
        SYNTS, // 8
      ],
    },
    segments: 1,
  },
  {
    name: 'keywords: an include pulls in papers outside the topics (one has no topic at all)',
    subscribers: [subscriber('ana', ts({ keywords: { include: ['Hypernetwork'], exclude: [] } }))],
    expected: { 'ana@example.org': [...TIME_SERIES, REVIEW, MAGNITUDE] },
    segments: 1,
  },
  {
    name: 'keywords: an exclude removes a paper on the topics',
    subscribers: [
      subscriber('ana', ts({ keywords: { include: [], exclude: ['graph neural network'] } })),
    ],
    expected: { 'ana@example.org': [TIMESNET, SYNTS] },
    segments: 1,
  },
  {
    name: 'keywords: an exclude beats an include',
    subscribers: [
      subscriber('ana', ts({ keywords: { include: ['hypernetwork'], exclude: ['review'] } })),
    ],
    expected: { 'ana@example.org': [...TIME_SERIES, MAGNITUDE] },
    segments: 1,
  },
  {
    name: 'keywords: an exclude can empty a segment',
    subscribers: [subscriber('ana', ts({ keywords: { include: [], exclude: ['time series'] } }))],
    expected: { 'ana@example.org': 'nothing-matched' },
    segments: 0,
  },
  {
    name: 'maxPapers: the configured default (10 of the 22 graphs papers)',
    subscribers: [subscriber('ana')],
    expected: { 'ana@example.org': GRAPHS_TOP_10 },
    segments: 1,
  },
  {
    name: 'maxPapers: a changed default',
    subscribers: [subscriber('ana')],
    options: { maxPapers: 2 },
    expected: { 'ana@example.org': [TANGNN, DIRECTED] },
    segments: 1,
  },
  {
    name: "maxPapers: a subscriber's own cap makes a segment of its own",
    subscribers: [subscriber('ana', { maxPapers: 3 }), subscriber('ben')],
    expected: {
      'ana@example.org': [TANGNN, DIRECTED, CONTEXTUALIZED],
      'ben@example.org': GRAPHS_TOP_10,
    },
    segments: 2,
  },
  {
    name: 'maxPapers: a cap equal to the default is the default segment',
    subscribers: [subscriber('ana', { maxPapers: 10 }), subscriber('ben')],
    expected: { 'ana@example.org': GRAPHS_TOP_10, 'ben@example.org': GRAPHS_TOP_10 },
    segments: 1,
  },
  {
    name: 'history: a paper sent 3 days ago is not sent again; the cap is filled from below',
    subscribers: [subscriber('ana', { maxPapers: 3 })],
    history: sent(subscriber('ana', { maxPapers: 3 }), '2025-10-28', [TANGNN, DIRECTED]),
    expected: { 'ana@example.org': [CONTEXTUALIZED, NETINFOF, CATGCN] },
    segments: 1,
  },
  {
    name: 'history: a paper sent 40 days ago (historyDays 30) is sent again',
    subscribers: [subscriber('ana', { maxPapers: 3 })],
    history: sent(subscriber('ana', { maxPapers: 3 }), '2025-09-21', [TANGNN, DIRECTED]),
    expected: { 'ana@example.org': [TANGNN, DIRECTED, CONTEXTUALIZED] },
    segments: 1,
  },
  {
    name: "history: another segment's history does not count",
    subscribers: [subscriber('ana', { maxPapers: 3 })],
    history: sent(subscriber('ana', { maxPapers: 4 }), '2025-10-28', [TANGNN, DIRECTED]),
    expected: { 'ana@example.org': [TANGNN, DIRECTED, CONTEXTUALIZED] },
    segments: 1,
  },
  {
    name: 'history: everything on the topics was sent already',
    subscribers: [ana],
    history: sent(ana, '2025-10-30', TIME_SERIES),
    expected: { 'ana@example.org': 'all-already-sent' },
    segments: 0,
  },
  {
    name: 'history: historyDays 0 turns the check off',
    subscribers: [ana],
    history: sent(ana, '2025-10-30', TIME_SERIES),
    options: { historyDays: 0 },
    expected: { 'ana@example.org': TIME_SERIES },
    segments: 1,
  },
  {
    name: 'everything at once',
    subscribers: [
      subscriber('ana', ts({ keywords: { include: ['hypernetwork'], exclude: ['review'] } })),
      subscriber('ben', ts({ keywords: { include: ['  HYPERNETWORK'], exclude: ['Review '] } })),
      subscriber('cy', { maxPapers: 3 }),
      subscriber('dee', { status: 'bounced', maxPapers: 3 }),
      subscriber('eve', { topics: ['audio', 'robotics'] }),
      subscriber('fay', { topics: ['rl'], frequency: 'weekly', weekday: 'monday' }),
      subscriber('gus', { topics: ['rl'], frequency: 'weekly', weekday: 'friday' }),
    ],
    expected: {
      'ana@example.org': [...TIME_SERIES, MAGNITUDE],
      'ben@example.org': [...TIME_SERIES, MAGNITUDE],
      'cy@example.org': [TANGNN, DIRECTED, CONTEXTUALIZED],
      'dee@example.org': 'bounced',
      'eve@example.org': 'nothing-matched',
      'fay@example.org': 'weekly-not-today',
      'gus@example.org': [GBRL],
    },
    segments: 3,
  },
];

describe('planIssue on the seed: who gets which papers', () => {
  it.each(ROWS)('$name', ({ subscribers, history, options, expected, segments }) => {
    const result = plan(subscribers, { history, options });
    expect(outcome(result)).toEqual(expected);
    expect(result.segments).toHaveLength(segments);
    expect(result.totals).toEqual({
      subscribers: subscribers.length,
      recipients: Object.values(expected).filter(Array.isArray).length,
      skipped: Object.values(expected).filter((value) => !Array.isArray(value)).length,
      segments,
      papers: new Set(result.segments.flatMap((s) => s.papers.map((p) => p.paperId))).size,
    });
  });
});

describe('the plan explains itself', () => {
  it('says why each paper was chosen: the topic terms and the keyword includes', () => {
    const result = plan([
      subscriber(
        'ana',
        ts({ keywords: { include: ['hypernetwork', 'forecasting'], exclude: [] } }),
      ),
    ]);
    const papers = result.segments[0]?.papers ?? [];
    expect(papers.map((paper) => [paper.title, paper.reasons, paper.strength])).toEqual([
      [
        GRAPH_TS,
        // graphs is the paper's topic too, but not the subscriber's
        {
          topics: { 'time-series': ['time series', 'forecasting', 'multivariate forecasting'] },
          keywords: ['forecasting'],
        },
        3, // "forecasting" is a topic term and an include: counted once
      ],
      [
        TIMESNET,
        {
          topics: { 'time-series': ['time series', 'forecasting', 'imputation'] },
          keywords: ['forecasting'],
        },
        3,
      ],
      [
        SYNTS,
        { topics: { 'time-series': ['time series', 'forecasting'] }, keywords: ['forecasting'] },
        2,
      ],
      [REVIEW, { topics: {}, keywords: ['hypernetwork'] }, 1],
      [MAGNITUDE, { topics: {}, keywords: ['hypernetwork'] }, 1],
      // a graphs paper that names forecasting as an application: pulled in by the include alone
      [CITIES, { topics: {}, keywords: ['forecasting'] }, 1],
    ]);
    expect(papers[0]).toMatchObject({
      issueDate: '2025-10-31',
      upvotes: null,
      publishedAt: '2023-10-24',
    });
  });

  it('gives every topic of the paper for `all`, and takes papers with no topic', () => {
    const result = plan([subscriber('ana', { topics: 'all', maxPapers: 100 })]);
    const papers = result.segments[0]?.papers ?? [];
    expect(papers).toHaveLength(79);
    expect(result.segments[0]).toMatchObject({ matched: 79, alreadySent: 0 });
    const graphTs = papers.find((paper) => paper.title === GRAPH_TS);
    expect(Object.keys(graphTs?.reasons.topics ?? {})).toEqual(['graphs', 'time-series']);
    const review = papers.find((paper) => paper.title === REVIEW);
    expect(review).toMatchObject({ reasons: { topics: {}, keywords: [] }, strength: 0 });
    // no topic, no upvotes, nothing to go by: the weakest papers close the list
    expect(papers.slice(-5).every((paper) => paper.strength === 0)).toBe(true);
  });

  it('says why each subscriber is skipped', () => {
    const result = plan(
      [
        subscriber('bob', ts({ status: 'unsubscribed', unsubscribedAt: '2025-10-01T08:00:00Z' })),
        subscriber('cy', { status: 'bounced' }),
        subscriber('dee', { frequency: 'weekly', weekday: 'monday' }),
        subscriber('eve', { topics: ['audio'] }),
        ana,
      ],
      { history: sent(ana, '2025-10-30', TIME_SERIES) },
    );
    const weekly = segmentId(
      selectionSettings(subscriber('dee', { frequency: 'weekly', weekday: 'monday' }), 10),
    );
    expect([...result.skipped]).toEqual([
      {
        subscriberId: 'sub_bob',
        email: 'bob@example.org',
        reason: 'unsubscribed',
        detail: 'unsubscribed on 2025-10-01',
        segmentId: null,
      },
      {
        subscriberId: 'sub_cy',
        email: 'cy@example.org',
        reason: 'bounced',
        detail: 'the address bounced; it is suppressed',
        segmentId: null,
      },
      {
        subscriberId: 'sub_dee',
        email: 'dee@example.org',
        reason: 'weekly-not-today',
        detail: 'weekly on monday; next digest 2025-11-03',
        segmentId: weekly,
      },
      {
        subscriberId: 'sub_eve',
        email: 'eve@example.org',
        reason: 'nothing-matched',
        detail: 'no papers on your topics in the issue of 2025-10-31',
        segmentId: expect.stringMatching(/^seg_/),
      },
      {
        subscriberId: 'sub_ana',
        email: 'ana@example.org',
        reason: 'all-already-sent',
        detail:
          'all 3 papers on your topics in the issue of 2025-10-31 were already sent in the 30 days before',
        segmentId: segmentId(selectionSettings(ana, 10)),
      },
    ]);
  });

  it('counts the matches the history held back', () => {
    const cy = subscriber('cy', { maxPapers: 3 });
    const result = plan([cy], { history: sent(cy, '2025-10-28', [TANGNN, DIRECTED]) });
    expect(result.segments[0]).toMatchObject({
      matched: 22,
      alreadySent: 2,
      empty: false,
      emptyReason: null,
    });
  });

  it('lists recipients by email and segments by size', () => {
    const result = plan([
      subscriber('zed', ts()),
      subscriber('Amy', { maxPapers: 2 }),
      subscriber('bea', ts()),
      subscriber('al', ts()),
    ]);
    expect(result.segments.map((s) => Array.from(s.recipients, (r) => r.email))).toEqual([
      ['al@example.org', 'bea@example.org', 'zed@example.org'],
      ['Amy@example.org'],
    ]);
  });
});

describe('empty days', () => {
  const eve = subscriber('eve', { topics: ['audio'] });

  it('send no email by default', () => {
    const result = plan([eve]);
    expect(result.segments).toEqual([]);
    expect(result.totals).toMatchObject({ recipients: 0, skipped: 1, segments: 0 });
  });

  it('keep the segment, empty, with sendEmpty', () => {
    const result = plan([eve], { options: { sendEmpty: true } });
    expect([...result.skipped]).toEqual([]);
    expect(result.segments.map((s) => ({ ...s, recipients: [...s.recipients] }))).toEqual([
      {
        id: segmentId(selectionSettings(eve, 10)),
        settings: selectionSettings(eve, 10),
        recipients: [{ subscriberId: 'sub_eve', email: 'eve@example.org', name: null }],
        issueDates: ['2025-10-31'],
        papers: [],
        matched: 0,
        alreadySent: 0,
        empty: true,
        emptyReason: 'nothing-matched',
      },
    ]);
    expect(result.totals).toMatchObject({ recipients: 1, skipped: 0, segments: 1, papers: 0 });
  });

  it('say when everything was already sent, with sendEmpty', () => {
    const result = plan([ana], {
      history: sent(ana, '2025-10-30', TIME_SERIES),
      options: { sendEmpty: true },
    });
    expect(result.segments[0]).toMatchObject({
      empty: true,
      emptyReason: 'all-already-sent',
      matched: 3,
      alreadySent: 3,
      papers: [],
    });
  });

  it('say when the issue itself has no papers (a weekend)', () => {
    const result = plan([ana], {
      input: { issue: { date: '2025-11-01', papers: [], warnings: [] } },
    });
    expect([...result.skipped][0]).toMatchObject({
      reason: 'nothing-matched',
      detail: 'no papers at all in the issue of 2025-11-01',
    });
  });
});

describe('a weekly subscriber without a weekday', () => {
  it('is a broken subscriber record, not a guess', () => {
    expect(() => plan([subscriber('ana', { frequency: 'weekly', weekday: null })])).toThrow(
      expect.objectContaining({
        kind: 'store',
        message: expect.stringContaining('ana@example.org'),
      }),
    );
  });
});
