// What planning a large list works out once and reuses (segment settings and ids, a phrase matched
// on a paper, a history date checked, sort keys) must give what working it out every time gives.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatPlan, planToJson } from '../../src/plan/format-plan.js';
import { readHistory } from '../../src/plan/history-file.js';
import { createPaperMatcher } from '../../src/plan/match-paper.js';
import {
  createSegmenter,
  normalizeKeywords,
  SEGMENTER_RECENT_KEYS,
  segmentId,
  selectionSettings,
} from '../../src/plan/segment-settings.js';
import type { Subscriber } from '../../src/types.js';
import { plan, SEED, subscriber, TOPICS } from './plan-helpers.js';

/** A mixed list: every status, daily and weekly, caps, keywords, letter case in addresses. */
function mixedList(): Subscriber[] {
  const topics = [['graphs'], ['llm', 'agents'], ['agents', 'llm'], 'all', ['audio'], ['rl']];
  return Array.from({ length: 120 }, (_, index) =>
    subscriber(index % 9 === 0 ? `Reader${index}` : `reader${index}`, {
      topics: topics[index % topics.length] as Subscriber['topics'],
      keywords:
        index % 5 === 0
          ? { include: ['Reasoning', ' agent '], exclude: index % 10 === 0 ? ['survey'] : [] }
          : { include: [], exclude: [] },
      maxPapers: index % 4 === 0 ? 3 : null,
      frequency: index % 6 === 0 ? 'weekly' : 'daily',
      weekday: index % 6 === 0 ? (index % 12 === 0 ? 'friday' : 'monday') : null,
      status: index % 17 === 0 ? 'unsubscribed' : index % 19 === 0 ? 'bounced' : 'active',
      unsubscribedAt: index % 17 === 0 ? '2025-10-20T21:05:00.000Z' : null,
    }),
  );
}

/** mulberry32, so that a failing order can be replayed. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let state = seed;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

describe('createSegmenter', () => {
  it('gives what selectionSettings and segmentId give, once per distinct set of fields', () => {
    const segmentOf = createSegmenter(10);
    for (const person of [...mixedList(), ...mixedList()]) {
      const settings = selectionSettings(person, 10);
      expect(segmentOf(person)).toEqual({ settings, id: segmentId(settings) });
    }
    const [first, second] = [subscriber('a', { topics: 'all' }), subscriber('b')];
    expect(segmentOf(first)).toBe(segmentOf(subscriber('c', { topics: 'all' })));
    expect(segmentOf(first)).not.toBe(segmentOf(second));
  });

  it('keeps apart what only looks alike', () => {
    const segmentOf = createSegmenter(10);
    const all = segmentOf(subscriber('a', { topics: 'all' }));
    const listAll = segmentOf(subscriber('b', { topics: ['all'] }));
    expect(all.settings.topics).toBe('all');
    expect(listAll.settings.topics).toEqual(['all']);
    expect(segmentOf(subscriber('c', { maxPapers: 10 })).id).toBe(
      segmentOf(subscriber('d', { maxPapers: null })).id,
    );
    expect(createSegmenter(5)(subscriber('e')).settings.maxPapers).toBe(5);
  });

  it('stays right, one object per segment, past the settings it remembers', () => {
    const segmentOf = createSegmenter(10);
    const people = Array.from({ length: SEGMENTER_RECENT_KEYS + 500 }, (_, i) =>
      // Two raw spellings of each segment ("term n", "Term n"); the 600 met again at the end were
      // forgotten 4,000 keys before.
      subscriber(`p${i}`, {
        keywords: { include: [i % 2 ? `Term ${i >> 1}` : `term ${i >> 1}`], exclude: [] },
      }),
    );
    const seen = new Map<string, object>();
    for (const person of [...people, ...people.slice(0, 600)]) {
      const settings = selectionSettings(person, 10);
      const segment = segmentOf(person);
      expect(segment).toEqual({ settings, id: segmentId(settings) });
      const first = seen.get(segment.id) ?? segment;
      expect(segment).toBe(first);
      seen.set(segment.id, first);
    }
  });

  it('shares one object per segment, and one array per distinct list, between segments', () => {
    const segmentOf = createSegmenter(10);
    const graphs = segmentOf(subscriber('a', { topics: ['graphs', 'audio'] }));
    // Same segment, fields that differ only in order and case: the same object.
    const again = segmentOf(
      subscriber('b', {
        topics: ['audio', 'graphs', 'audio'],
        keywords: { include: [], exclude: [] },
      }),
    );
    expect(again).toBe(graphs);
    const capped = segmentOf(
      subscriber('c', {
        topics: ['audio', 'graphs'],
        maxPapers: 3,
        keywords: { include: ['GNN'], exclude: [] },
      }),
    );
    const other = segmentOf(
      subscriber('d', { topics: ['video'], keywords: { include: [' gnn '], exclude: [] } }),
    );
    expect(capped.id).not.toBe(graphs.id);
    expect(capped.settings.topics).toBe(graphs.settings.topics);
    expect(capped.settings.keywords.exclude).toBe(graphs.settings.keywords.include);
    expect(other.settings.keywords.include).toBe(capped.settings.keywords.include);
    expect(other.settings.keywords.include).toEqual(['gnn']);
    expect(other.settings.topics).toEqual(['video']);
  });
});

describe('planIssue on a mixed list', () => {
  it('plans the same whatever order the subscribers come in', () => {
    const list = mixedList();
    const expected = planToJson(plan(list));
    for (const seed of [1, 2, 3]) expect(planToJson(plan(shuffled(list, seed)))).toBe(expected);
    expect(planToJson(plan([...list].reverse()))).toBe(expected);
  });

  it('lists skipped subscribers by reason, then by address ignoring case, then by id', () => {
    const result = plan(shuffled(mixedList(), 9));
    const reasons = ['unsubscribed', 'bounced', 'weekly-not-today', 'nothing-matched'];
    const keys = Array.from(result.skipped, (s) => [
      reasons.indexOf(s.reason),
      s.email.toLowerCase(),
    ]);
    const text = (x: unknown, y: unknown) => ((x as string) < (y as string) ? -1 : 1);
    const sorted = [...keys].sort(
      (a, b) => (a[0] as number) - (b[0] as number) || text(a[1], b[1]),
    );
    expect(keys).toEqual(sorted);
    expect(result.skipped.length).toBeGreaterThan(20);
    expect(formatPlan(result, TOPICS)).toContain('weekly on monday; next digest 2025-11-03');
  });

  it('gives each segment exactly its subscribers, by address ignoring case, then id', () => {
    // 2,500 recipients (past the planner's first 1,024 of each column), groups interleaved
    const topics = [['graphs'], ['llm'], ['agents'], 'all', ['rl']];
    const list = Array.from({ length: 2500 }, (_, index) => {
      const n = (index * 7919) % 2500;
      return subscriber(`r${n % 3 === 0 ? 'X' : 'x'}${n % 800}_${index}`, {
        id: `sub_${String(2500 - index).padStart(5, '0')}`,
        // every 800th an address alike but for case: the id breaks the tie
        email: `${n % 2 === 0 ? 'R' : 'r'}${n % 800}@example.org`,
        topics: topics[index % topics.length] as Subscriber['topics'],
      });
    });
    const result = plan(list);
    const key = (s: Subscriber) => segmentId(selectionSettings(s, 10));
    for (const segment of result.segments) {
      const expected = list
        .filter((s) => key(s) === segment.id)
        .sort((a, b) => {
          const x = a.email.toLowerCase();
          const y = b.email.toLowerCase();
          return x !== y ? (x < y ? -1 : 1) : a.id < b.id ? -1 : 1;
        })
        .map((s) => s.id);
      expect(Array.from(segment.recipients, (r) => r.subscriberId)).toEqual(expected);
    }
    // a topic with nothing on the day is skipped whole
    expect(result.segments.length).toBeGreaterThanOrEqual(3);
    expect(result.totals.recipients).toBeGreaterThan(1000);
    expect(result.totals.recipients + result.skipped.length).toBe(2500);
  });

  it('keeps one object per distinct planned paper, shared by the segments that have it', () => {
    const result = plan(mixedList());
    const papers = result.segments.flatMap((segment) => segment.papers);
    const byContent = new Map<string, Set<object>>();
    for (const paper of papers) {
      const key = JSON.stringify(paper);
      byContent.set(key, (byContent.get(key) ?? new Set()).add(paper));
    }
    // Papers alike are one object; papers that differ (another reason, another strength) are not.
    for (const objects of byContent.values()) expect(objects.size).toBe(1);
    expect(byContent.size).toBeLessThan(papers.length);
    expect(new Set(papers).size).toBe(byContent.size);
  });

  it('keeps one array per distinct selection, and one list of issue dates per pool', () => {
    const result = plan(mixedList());
    const bySelection = new Map<string, Set<object>>();
    for (const segment of result.segments) {
      const key = JSON.stringify(segment.papers);
      bySelection.set(key, (bySelection.get(key) ?? new Set()).add(segment.papers));
    }
    for (const arrays of bySelection.values()) expect(arrays.size).toBe(1);
    expect(bySelection.size).toBeLessThan(result.segments.length);
    const dates = new Set(result.segments.map((segment) => segment.issueDates));
    expect(dates.size).toBeLessThanOrEqual(2);
  });
});

describe('createPaperMatcher', () => {
  it('answers from its caches as it would have answered without them', () => {
    const paper = SEED.papers.find((candidate) => /graph/i.test(candidate.title));
    expect(paper).toBeDefined();
    const target = paper as (typeof SEED.papers)[number];
    const include = createPaperMatcher({
      topics: [],
      keywords: { include: normalizeKeywords(['graph']), exclude: [] },
    });
    const exclude = createPaperMatcher({
      topics: 'all',
      keywords: { include: [], exclude: normalizeKeywords(['graph']) },
    });
    const first = include(target);
    expect(first?.reasons.keywords).toEqual(['graph']);
    // The same phrase, now as an exclude; then the include again, from the cache.
    expect(exclude(target)).toBeNull();
    expect(include(target)).toEqual(first);
    const other = SEED.papers.find((candidate) => !/graph/i.test(JSON.stringify(candidate)));
    expect(include(other as (typeof SEED.papers)[number])).toBeNull();
    expect(exclude(other as (typeof SEED.papers)[number])).not.toBeNull();
  });
});

describe('readHistory', () => {
  it('names every bad date, however often the same one appears', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'paperboy-history-cache-'));
    try {
      const path = join(dir, 'history.json');
      const history = {
        version: 1,
        segments: {
          seg_a: { p1: '2025-10-31', p2: '2025-02-30' },
          seg_b: { p1: '2025-02-30', p3: '2025-10-31' },
        },
      };
      await writeFile(path, JSON.stringify(history));
      await expect(readHistory(path)).rejects.toThrow(
        [
          `${path}: not a valid send history: 2 problem(s):`,
          '  segments.seg_a.p2: expected a date as YYYY-MM-DD',
          '  segments.seg_b.p1: expected a date as YYYY-MM-DD',
        ].join('\n'),
      );
      history.segments.seg_a.p2 = '2025-10-30';
      history.segments.seg_b.p1 = '2025-10-30';
      await writeFile(path, JSON.stringify(history));
      expect(await readHistory(path)).toEqual(history);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
