// Shared by the plan tests: the seed issue, classified once, and small builders.
import { emptyHistory } from '../../src/plan/history.js';
import { planIssue } from '../../src/plan/plan-issue.js';
import type {
  Plan,
  PlanInput,
  PlanOptions,
  SendHistory,
  SkipReason,
} from '../../src/plan/types.js';
import { parseIssue } from '../../src/sources/index.js';
import { classifyPapers } from '../../src/topics/classify.js';
import { resolveTopics } from '../../src/topics/resolve-topics.js';
import type { Issue, Paper, Subscriber } from '../../src/types.js';
import { SEED_DATE, seedText } from '../helpers.js';

export const TOPICS = resolveTopics(undefined);

function loadSeed(): Issue {
  const [parsed] = parseIssue(seedText(), { date: SEED_DATE });
  if (!parsed) throw new Error('the seed has no issue');
  return { ...parsed, papers: classifyPapers(parsed.papers, TOPICS) };
}

/** The seed: 79 papers of 2025-10-31 (a Friday), upvotes unknown. Do not mutate. */
export const SEED: Issue = loadSeed();

export const DEFAULTS: PlanOptions = { maxPapers: 10, historyDays: 30, sendEmpty: false };

/** The seed paper with this exact title. */
export function seedPaper(title: string): Paper {
  const paper = SEED.papers.find((candidate) => candidate.title === title);
  if (!paper) throw new Error(`no seed paper "${title}"`);
  return paper;
}

/** An issue of seed papers (by title) on another date, optionally with upvotes set. */
export function issueOf(
  date: string,
  titles: readonly string[],
  upvotes: Record<string, number | null> = {},
): Issue {
  return {
    date,
    warnings: [],
    papers: titles.map((title) => {
      const paper = seedPaper(title);
      return title in upvotes ? { ...paper, upvotes: upvotes[title] ?? null } : paper;
    }),
  };
}

/** An active daily subscriber to `graphs`, `name@example.org`, id `sub_name`, unless overridden. */
export function subscriber(name: string, fields: Partial<Subscriber> = {}): Subscriber {
  return {
    id: `sub_${name}`,
    email: `${name}@example.org`,
    name: null,
    topics: ['graphs'],
    keywords: { include: [], exclude: [] },
    maxPapers: null,
    frequency: 'daily',
    weekday: null,
    status: 'active',
    subscribedAt: '2025-09-01T00:00:00.000Z',
    updatedAt: '2025-09-01T00:00:00.000Z',
    unsubscribedAt: null,
    ...fields,
  };
}

export function plan(
  subscribers: readonly Subscriber[],
  {
    input = { issue: SEED },
    history = emptyHistory(),
    options = {},
  }: { input?: PlanInput; history?: SendHistory; options?: Partial<PlanOptions> } = {},
): Plan {
  return planIssue(input, subscribers, history, { ...DEFAULTS, ...options });
}

/**
 * What each subscriber gets, by email: the titles of their email in order, or the reason they
 * are skipped. An email of an empty segment (sendEmpty) is [].
 */
export function outcome(result: Plan): Record<string, string[] | SkipReason> {
  const byEmail: Record<string, string[] | SkipReason> = {};
  for (const segment of result.segments) {
    for (const recipient of segment.recipients) {
      byEmail[recipient.email] = segment.papers.map((paper) => paper.title);
    }
  }
  for (const entry of result.skipped) byEmail[entry.email] = entry.reason;
  return byEmail;
}

/**
 * The plan with its packed lists (recipients, skipped) as plain arrays, for toEqual: compared as
 * they are, each would be compared through its book, byte by byte.
 */
export function plainPlan(result: Plan): Plan {
  return {
    ...result,
    segments: result.segments.map((segment) => ({
      ...segment,
      recipients: [...segment.recipients],
    })),
    skipped: [...result.skipped],
  };
}
