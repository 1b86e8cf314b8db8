// Renders digests of the real seed for the render tests: parse, classify, plan, render.

import { emptyHistory, type Plan, planIssue } from '../../src/plan/index.js';
import {
  compileSubject,
  createRenderer,
  type DigestTemplates,
  loadTemplates,
  type RenderedSegment,
  type Renderer,
} from '../../src/render/index.js';
import { loadIssues } from '../../src/sources/index.js';
import { classifyPapers } from '../../src/topics/classify.js';
import { resolveTopics } from '../../src/topics/resolve-topics.js';
import type { Issue, Paper, Subscriber } from '../../src/types.js';
import { SEED_DATE, SEED_PATH } from '../helpers.js';

export const TOPICS = resolveTopics(undefined);
export const BASE_URL = 'https://papers.example.org';
export const POSTAL_ADDRESS = '548 Market St #12345, San Francisco, CA 94104';

export async function loadSeedIssue(): Promise<Issue> {
  const [raw] = await loadIssues(SEED_PATH, { date: SEED_DATE });
  if (!raw) throw new Error('no seed issue');
  return { ...raw, papers: classifyPapers(raw.papers, TOPICS) };
}

export function makeSubscriber(
  id: string,
  topics: string[] | 'all',
  overrides: Partial<Subscriber> = {},
): Subscriber {
  return {
    id: `sub_${id}`,
    email: `${id}@example.org`,
    name: null,
    topics,
    keywords: { include: [], exclude: [] },
    maxPapers: null,
    frequency: 'daily',
    weekday: null,
    status: 'active',
    subscribedAt: '2025-09-01T00:00:00.000Z',
    updatedAt: '2025-09-01T00:00:00.000Z',
    unsubscribedAt: null,
    ...overrides,
  };
}

export function planFor(issue: Issue, subscribers: Subscriber[]): Plan {
  return planIssue({ issue }, subscribers, emptyHistory(), {
    maxPapers: 10,
    historyDays: 30,
    sendEmpty: true,
  });
}

export interface SeedRender {
  renderer: Renderer;
  render(plan: Plan, issue: Issue, segmentIndex?: number): Promise<RenderedSegment>;
}

export function createSeedRenderer(
  templates: DigestTemplates = loadTemplates(),
  subject = '{{top}} · Trending papers, {{date}}',
): SeedRender {
  const renderer = createRenderer(templates);
  return {
    renderer,
    render(plan, issue, segmentIndex = 0) {
      const segment = plan.segments[segmentIndex];
      if (!segment) throw new Error(`no segment ${segmentIndex}`);
      return renderer.renderSegment({
        segment,
        papers: new Map(issue.papers.map((paper): [string, Paper] => [paper.id, paper])),
        topics: TOPICS,
        date: plan.date,
        sender: { name: 'Trending Papers', postalAddress: POSTAL_ADDRESS },
        baseUrl: BASE_URL,
        subject: compileSubject(subject),
      });
    },
  };
}
