// Renders digests of the real seed (79 papers of 2025-10-31) end to end, the way the send step
// will: parse, classify, plan one subscriber, render the segment, personalize. Shared by the
// browser tests and `npm run screenshots`, so the screenshots show exactly what the tests check.
import { emptyHistory } from '../src/plan/history.js';
import { planIssue } from '../src/plan/plan-issue.js';
import type { Segment } from '../src/plan/types.js';
import {
  buildDigestModel,
  compileSubject,
  createRenderer,
  type DigestInput,
  type DigestModel,
  loadTemplates,
  type PersonalizedEmail,
  personalize,
  type RenderedSegment,
  type Renderer,
} from '../src/render/index.js';
import { createSlotMarkers } from '../src/render/slots.js';
import { parseIssue } from '../src/sources/index.js';
import { classifyPapers } from '../src/topics/classify.js';
import { resolveTopics } from '../src/topics/resolve-topics.js';
import type { Issue, Paper, Subscriber } from '../src/types.js';
import { SEED_DATE, seedText } from './helpers.js';

export const FIXTURE_TOPICS = resolveTopics(undefined);
export const FIXTURE_BASE_URL = 'https://paperboy.example.org';
export const FIXTURE_SENDER = {
  name: 'Trending Papers',
  postalAddress: '548 Market St #12345, San Francisco, CA 94104',
};
/** The config's default subject. */
export const FIXTURE_SUBJECT = '{{top}} · Trending papers, {{date}}';

/** Who the digest is for: the selection settings that matter for rendering, plus a name. */
export interface FixtureReader {
  topics: string[] | 'all';
  maxPapers?: number | null;
  keywords?: Subscriber['keywords'];
  frequency?: Subscriber['frequency'];
  weekday?: Subscriber['weekday'];
  /** How the email greets them; null for no greeting. Default 'Ada'. */
  name?: string | null;
}

export interface SeedDigest {
  segment: Segment;
  /** The data the templates saw (per-recipient values are slot markers in it). */
  model: DigestModel;
  rendered: RenderedSegment;
  /** The reader's copy: subject, html, text. */
  email: PersonalizedEmail;
  /** The papers shown, in email order. */
  papers: Paper[];
}

let seed: Issue | undefined;
let renderer: Renderer | undefined;

/** The seed issue, parsed and classified once. Do not mutate. */
export function seedIssue(): Issue {
  if (!seed) {
    const [parsed] = parseIssue(seedText(), { date: SEED_DATE });
    if (!parsed) throw new Error('the seed has no issue');
    seed = { ...parsed, papers: classifyPapers(parsed.papers, FIXTURE_TOPICS) };
  }
  return seed;
}

function subscriberFor(reader: FixtureReader): Subscriber {
  return {
    id: 'sub_0123456789abcdef',
    email: 'ada@example.org',
    name: reader.name === undefined ? 'Ada' : reader.name,
    topics: reader.topics,
    keywords: reader.keywords ?? { include: [], exclude: [] },
    maxPapers: reader.maxPapers ?? null,
    frequency: reader.frequency ?? 'daily',
    weekday: reader.weekday ?? null,
    status: 'active',
    subscribedAt: '2025-09-01T00:00:00.000Z',
    updatedAt: '2025-09-01T00:00:00.000Z',
    unsubscribedAt: null,
  };
}

/** The seed's digest for one reader, rendered with the bundled templates. */
export async function renderSeedDigest(reader: FixtureReader): Promise<SeedDigest> {
  const issue = seedIssue();
  const subscriber = subscriberFor(reader);
  const plan = planIssue({ issue }, [subscriber], emptyHistory(), {
    maxPapers: 10,
    historyDays: 30,
    sendEmpty: true,
  });
  const segment = plan.segments[0];
  if (!segment) throw new Error(`no segment for ${JSON.stringify(reader)}`);
  const byId = new Map(issue.papers.map((paper): [string, Paper] => [paper.id, paper]));
  const input: Omit<DigestInput, 'markers'> = {
    segment,
    papers: byId,
    topics: FIXTURE_TOPICS,
    date: plan.date,
    sender: FIXTURE_SENDER,
    baseUrl: FIXTURE_BASE_URL,
    subject: compileSubject(FIXTURE_SUBJECT),
  };
  renderer ??= createRenderer(loadTemplates());
  const rendered = await renderer.renderSegment(input);
  const token = 'tok_0123456789abcdef';
  const email = personalize(rendered, {
    name: subscriber.name,
    unsubscribeUrl: `${FIXTURE_BASE_URL}/unsubscribe/${token}`,
    preferencesUrl: `${FIXTURE_BASE_URL}/preferences/${token}`,
  });
  return {
    segment,
    model: buildDigestModel({ ...input, markers: createSlotMarkers() }),
    rendered,
    email,
    papers: rendered.paperIds.map((id) => byId.get(id) as Paper),
  };
}
