import { beforeAll, describe, expect, it } from 'vitest';
import { emptyHistory, planIssue } from '../../src/plan/index.js';
import {
  findSubscriberPreview,
  listIssuePreviews,
  listPlanPreviews,
  planTopicsPreview,
  previewSubscriber,
} from '../../src/preview/preview-targets.js';
import { loadIssues } from '../../src/sources/index.js';
import { classifyPapers } from '../../src/topics/classify.js';
import { resolveTopics } from '../../src/topics/resolve-topics.js';
import type { Issue, Subscriber } from '../../src/types.js';
import { SEED_DATE, SEED_PATH } from '../helpers.js';

const TOPICS = resolveTopics(undefined);
const OPTIONS = { maxPapers: 10, historyDays: 30, sendEmpty: false };
const ADDRESS = 'preview@example.org';

let issue: Issue;

beforeAll(async () => {
  const [raw] = await loadIssues(SEED_PATH, { date: SEED_DATE });
  if (!raw) throw new Error('no seed issue');
  issue = { ...raw, papers: classifyPapers(raw.papers, TOPICS) };
});

function subscriber(id: string, topics: string[] | 'all', patch: Partial<Subscriber> = {}) {
  return { ...previewSubscriber(`sub_${id}`, `${id}@example.org`, topics), ...patch };
}

describe('listIssuePreviews', () => {
  it('lists the all-topics digest first, then each topic with papers, in taxonomy order', () => {
    const targets = listIssuePreviews({ issue }, TOPICS, OPTIONS, ADDRESS);
    expect(targets[0]).toMatchObject({ key: 'all', kind: 'all', label: 'All topics' });
    expect(targets[0]?.segment.papers).toHaveLength(10);
    const topics = targets.slice(1);
    const withPapers = TOPICS.filter((topic) =>
      issue.papers.some((paper) => paper.topics.includes(topic.id)),
    );
    expect(topics.map((target) => target.key)).toEqual(withPapers.map((t) => `topic-${t.id}`));
    expect(topics.map((target) => target.label)).toEqual(withPapers.map((t) => t.name));
    for (const target of targets) {
      expect(target.segment.papers.length).toBeGreaterThan(0);
      expect(target.recipients).toEqual([
        { subscriberId: expect.stringMatching(/^sub_preview/), email: ADDRESS, name: null },
      ]);
    }
    expect(new Set(targets.map((target) => target.key)).size).toBe(targets.length);
  });
});

describe('planTopicsPreview', () => {
  it('previews the "nothing today" note for topics without papers', () => {
    const empty = TOPICS.find(
      (topic) => !issue.papers.some((paper) => paper.topics.includes(topic.id)),
    );
    if (!empty) throw new Error('every topic has papers in the seed');
    const target = planTopicsPreview({ issue }, [empty.id], TOPICS, OPTIONS, ADDRESS);
    expect(target.kind).toBe('topics');
    expect(target.key).toBe(`topics-${target.segment.id}`);
    expect(target.segment.empty).toBe(true);
    expect(target.segment.emptyReason).toBe('nothing-matched');
  });

  it('plans exactly what a new subscriber with those topics would get', () => {
    const target = planTopicsPreview(
      { issue },
      ['graphs', 'time-series'],
      TOPICS,
      OPTIONS,
      ADDRESS,
    );
    const real = planIssue(
      { issue },
      [subscriber('ada', ['graphs', 'time-series'])],
      emptyHistory(),
      OPTIONS,
    );
    const { recipients: _stand_in, ...segment } = target.segment;
    const { recipients: _ada, ...expected } = real.segments[0] ?? { recipients: [] };
    expect(segment).toEqual(expected);
    expect(target.label).toBe('Graph learning & GNNs, Time series & forecasting');
  });
});

describe('plan previews', () => {
  const people = () => [
    subscriber('ada', ['graphs'], { name: 'Ada Lovelace' }),
    subscriber('bob', ['graphs']),
    subscriber('cy', 'all', { frequency: 'weekly', weekday: 'monday' }),
  ];

  it("addresses each segment to its recipients, with the subscriber list's names", () => {
    const plan = planIssue({ issue }, people(), emptyHistory(), OPTIONS);
    const [graphs] = listPlanPreviews(plan, people(), TOPICS);
    expect(graphs).toMatchObject({ kind: 'segment', key: plan.segments[0]?.id });
    expect(graphs?.label).toBe('Graph learning & GNNs');
    expect(graphs?.recipients).toEqual([
      { subscriberId: 'sub_ada', email: 'ada@example.org', name: 'Ada Lovelace' },
      { subscriberId: 'sub_bob', email: 'bob@example.org', name: null },
    ]);
  });

  it("finds a subscriber's segment, or why they are skipped", () => {
    const plan = planIssue({ issue }, people(), emptyHistory(), OPTIONS);
    const [ada, , cy] = people();
    const found = findSubscriberPreview(plan, ada as Subscriber, TOPICS);
    expect(found?.kind === 'segment' && found.recipient).toEqual({
      subscriberId: 'sub_ada',
      email: 'ada@example.org',
      name: 'Ada Lovelace',
    });
    const skipped = findSubscriberPreview(plan, cy as Subscriber, TOPICS);
    expect(skipped?.kind === 'skipped' && skipped.skipped.detail).toBe(
      'weekly on monday; next digest 2025-11-03',
    );
  });
});
