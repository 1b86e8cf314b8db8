// The ranking rule: upvotes (known before unknown), then match strength, then arXiv date, then
// the issue's order.
import { describe, expect, it } from 'vitest';
import { compareRank, type RankKeys } from '../../src/plan/rank-papers.js';
import { parseIssue } from '../../src/sources/index.js';
import { classifyPapers } from '../../src/topics/classify.js';
import { fixture } from '../helpers.js';
import { issueOf, outcome, plan, subscriber, TOPICS } from './plan-helpers.js';

const keys = (fields: Partial<RankKeys>): RankKeys => ({
  upvotes: null,
  strength: 0,
  publishedAt: null,
  order: 0,
  ...fields,
});

describe('compareRank', () => {
  const ROWS: [string, Partial<RankKeys>, Partial<RankKeys>][] = [
    ['more upvotes first', { upvotes: 12 }, { upvotes: 3, strength: 9 }],
    [
      'a known count (even 0) before an unknown one',
      { upvotes: 0 },
      { upvotes: null, strength: 9 },
    ],
    [
      'same upvotes: stronger match first',
      { upvotes: 5, strength: 3 },
      { upvotes: 5, strength: 2 },
    ],
    [
      'unknown upvotes: stronger match first',
      { strength: 3 },
      { strength: 2, publishedAt: '2025-10-30' },
    ],
    [
      'same strength: newer first',
      { strength: 2, publishedAt: '2025-10-02' },
      { strength: 2, publishedAt: '2025-10-01' },
    ],
    [
      'a known date before an unknown one',
      { publishedAt: '2001-01-01' },
      { publishedAt: null, order: -1 },
    ],
    ['all else equal: the issue order', { order: 1 }, { order: 2 }],
  ];
  it.each(ROWS)('%s', (_name, better, worse) => {
    expect(compareRank(keys(better), keys(worse))).toBeLessThan(0);
    expect(compareRank(keys(worse), keys(better))).toBeGreaterThan(0);
  });

  it('ties only with itself', () => {
    expect(
      compareRank(
        keys({ upvotes: 1, strength: 2, publishedAt: '2025-01-01', order: 3 }),
        keys({ upvotes: 1, strength: 2, publishedAt: '2025-01-01', order: 3 }),
      ),
    ).toBe(0);
  });
});

describe('ranking in a plan', () => {
  const GRAPH_TS = 'Graph Deep Learning for Time Series Forecasting';
  const TIMESNET = 'TimesNet: Temporal 2D-Variation Modeling for General Time Series Analysis';
  const SYNTS =
    'SynTSBench: Rethinking Temporal Pattern Learning in Deep Learning Models for Time Series';

  it.each([
    ['upvotes unknown: strength, then date', {}, [GRAPH_TS, TIMESNET, SYNTS]],
    [
      'upvotes beat strength; unknown after known',
      { [SYNTS]: 5, [GRAPH_TS]: 0 },
      [SYNTS, GRAPH_TS, TIMESNET],
    ],
    [
      'equal upvotes: strength decides again',
      { [SYNTS]: 7, [GRAPH_TS]: 7, [TIMESNET]: 7 },
      [GRAPH_TS, TIMESNET, SYNTS],
    ],
  ])('%s', (_name, upvotes: Record<string, number>, expected) => {
    const issue = issueOf('2025-10-31', [SYNTS, TIMESNET, GRAPH_TS], upvotes);
    const result = plan([subscriber('ana', { topics: ['time-series'] })], { input: { issue } });
    expect(outcome(result)['ana@example.org']).toEqual(expected);
  });

  it('ranks the HF API sample by upvotes even against a stronger match', () => {
    const [parsed] = parseIssue(fixture('hf-daily-papers.sample.json'));
    if (!parsed) throw new Error('no issue');
    const issue = { ...parsed, papers: classifyPapers(parsed.papers, TOPICS) };
    const ana = subscriber('ana', {
      topics: 'all',
      keywords: { include: ['sparse pruning', 'sparse'], exclude: [] },
    });
    const papers = plan([ana], { input: { issue } }).segments[0]?.papers ?? [];
    expect(papers.map((paper) => [paper.paperId, paper.upvotes, paper.strength])).toEqual([
      ['2602.23229', 10, 5], // multimodal: 5 terms
      ['2603.01234', 0, 6], // graphs, time series, pruning (4 terms) and the 2 includes
    ]);
  });
});
