// Multi-subscriber plans over the seed for the render tests; the seed, topics and sender come
// from test/render-fixture.ts, which the browser tests and the screenshots share.
import { emptyHistory, type Plan, planIssue } from '../../src/plan/index.js';
import {
  compileSubject,
  createRenderer,
  type DigestInput,
  type DigestTemplates,
  loadTemplates,
  type RenderedSegment,
  type Renderer,
} from '../../src/render/index.js';
import type { Issue, Paper, Subscriber } from '../../src/types.js';
import { subscriber } from '../plan/plan-helpers.js';
import {
  FIXTURE_BASE_URL,
  FIXTURE_SENDER,
  FIXTURE_SUBJECT,
  FIXTURE_TOPICS,
  seedIssue,
} from '../render-fixture.js';

export const TOPICS = FIXTURE_TOPICS;
export const BASE_URL = FIXTURE_BASE_URL;
export const POSTAL_ADDRESS = FIXTURE_SENDER.postalAddress;

export async function loadSeedIssue(): Promise<Issue> {
  return seedIssue();
}

export function makeSubscriber(
  id: string,
  topics: string[] | 'all',
  overrides: Partial<Subscriber> = {},
): Subscriber {
  return subscriber(id, { topics, ...overrides });
}

export function planFor(issue: Issue, subscribers: Subscriber[]): Plan {
  return planIssue({ issue }, subscribers, emptyHistory(), {
    maxPapers: 10,
    historyDays: 30,
    sendEmpty: true,
  });
}

/** What the renderer needs for one segment of `plan`, with the fixture's sender and subject. */
export function segmentInput(
  plan: Plan,
  issue: Issue,
  segmentIndex = 0,
  subject = FIXTURE_SUBJECT,
): Omit<DigestInput, 'markers'> {
  const segment = plan.segments[segmentIndex];
  if (!segment) throw new Error(`no segment ${segmentIndex}`);
  return {
    segment,
    papers: new Map(issue.papers.map((paper): [string, Paper] => [paper.id, paper])),
    topics: TOPICS,
    date: plan.date,
    sender: FIXTURE_SENDER,
    baseUrl: BASE_URL,
    subject: compileSubject(subject),
  };
}

export interface SeedRender {
  renderer: Renderer;
  render(plan: Plan, issue: Issue, segmentIndex?: number): Promise<RenderedSegment>;
}

export function createSeedRenderer(
  templates: DigestTemplates = loadTemplates(),
  subject = FIXTURE_SUBJECT,
): SeedRender {
  const renderer = createRenderer(templates);
  return {
    renderer,
    render: (plan, issue, segmentIndex = 0) =>
      renderer.renderSegment(segmentInput(plan, issue, segmentIndex, subject)),
  };
}
