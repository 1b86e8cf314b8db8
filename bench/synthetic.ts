// Synthetic inputs for the benchmark: subscriber files of any size and a multi-day archive of the
// seed issue. Deterministic (a seeded generator), so two runs measure the same data.
import { defaultTopics } from '../src/topics/default-taxonomy.js';
import type { ParsedPaper } from '../src/types.js';

/** mulberry32: a small seeded generator; Math.random cannot be seeded. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOPIC_IDS = defaultTopics.map((topic) => topic.id);
/**
 * Readers' interest is skewed: a few topics (LLMs, agents, multimodal) have most readers, the
 * tail few. Zipf weights 1/rank over the taxonomy order, which puts the popular topics first.
 */
const TOPIC_WEIGHTS = TOPIC_IDS.map((_, rank) => 1 / (rank + 1));
const KEYWORDS = ['diffusion', 'agent', 'YOLO', 'retrieval', 'reasoning', 'benchmark', 'robot'];
const EXCLUDES = ['survey', 'medical', 'click-through rate'];
const FIRST_NAMES = ['Ada', 'Alan', 'Grace', 'Wei', 'José', 'Zoë', 'Søren', 'Aiko', 'Olu', 'Ana'];
const LAST_NAMES = ['Lovelace', 'Turing', 'Hopper', 'Zhang', 'Núñez', 'Müller', 'Kim', 'Okafor'];
const DOMAINS = ['example.org', 'example.com', 'example.net', 'mail.example.edu'];
const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'];

function pickWeighted(random: () => number, weights: readonly number[]): number {
  const total = weights.reduce((sum, w) => sum + w, 0);
  let roll = random() * total;
  for (let i = 0; i < weights.length; i++) {
    roll -= weights[i] as number;
    if (roll <= 0) return i;
  }
  return weights.length - 1;
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

export interface SyntheticMix {
  /** Share of readers who take every paper. */
  all: number;
  keywords: number;
  weekly: number;
  unsubscribed: number;
  bounced: number;
  named: number;
}

/** The mix of a real list, roughly: most readers pick two or three topics and read daily. */
export const DEFAULT_MIX: SyntheticMix = {
  all: 0.05,
  keywords: 0.12,
  weekly: 0.1,
  unsubscribed: 0.03,
  bounced: 0.01,
  named: 0.7,
};

/**
 * A subscriber file (our JSON format, version 1) with `count` subscribers, as text: written
 * straight to disk without building a second copy in memory.
 */
export function* syntheticSubscriberLines(
  count: number,
  seed = 1,
  mix: SyntheticMix = DEFAULT_MIX,
): Generator<string> {
  const random = seededRandom(seed);
  yield '{\n  "version": 1,\n  "subscribers": [\n';
  for (let i = 0; i < count; i++) {
    const id = `sub_${i.toString(16).padStart(8, '0')}${Math.floor(random() * 0xffffffff)
      .toString(16)
      .padStart(8, '0')}`;
    const named = random() < mix.named;
    const name = named ? `${pick(random, FIRST_NAMES)} ${pick(random, LAST_NAMES)}` : null;
    const topics = new Set<string>();
    const wanted = 1 + Math.floor(random() * 3);
    while (topics.size < wanted)
      topics.add(TOPIC_IDS[pickWeighted(random, TOPIC_WEIGHTS)] as string);
    const roll = random();
    const status =
      roll < mix.unsubscribed
        ? 'unsubscribed'
        : roll < mix.unsubscribed + mix.bounced
          ? 'bounced'
          : 'active';
    const weekly = random() < mix.weekly;
    const record: Record<string, unknown> = {
      id,
      email: `reader${i}@${pick(random, DOMAINS)}`,
      ...(name ? { name } : {}),
      topics: random() < mix.all ? 'all' : [...topics],
      ...(random() < mix.keywords
        ? {
            keywords: {
              include: [pick(random, KEYWORDS)],
              ...(random() < 0.3 ? { exclude: [pick(random, EXCLUDES)] } : {}),
            },
          }
        : {}),
      ...(random() < 0.1 ? { maxPapers: 3 + Math.floor(random() * 8) } : {}),
      frequency: weekly ? 'weekly' : 'daily',
      ...(weekly ? { weekday: pick(random, WEEKDAYS) } : {}),
      status,
      subscribedAt: '2025-09-01T08:00:00.000Z',
      updatedAt: '2025-09-01T08:00:00.000Z',
      ...(status === 'unsubscribed' ? { unsubscribedAt: '2025-10-20T21:05:00.000Z' } : {}),
    };
    yield `    ${JSON.stringify(record)}${i < count - 1 ? ',' : ''}\n`;
  }
  yield '  ]\n}\n';
}

/**
 * The seed's papers under `days` different day headers, after the page's own chrome: the text
 * format's several-day archive (../shared/reference/hf-formats.md), to measure the parser on more
 * than one page. The seed has one day section, headed by the line `dayHeader`.
 */
export function syntheticArchive(
  seedText: string,
  dayHeader: string,
  days: readonly string[],
): string {
  const lines = seedText.split('\n');
  const at = lines.indexOf(dayHeader);
  if (at === -1) throw new Error(`the seed has no "${dayHeader}" line`);
  const chrome = lines.slice(0, at).join('\n');
  const body = lines.slice(at + 1).join('\n');
  return [chrome, ...days.map((day) => `${day}\n${body}`)].join('\n');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * The same papers as the HF daily-papers API returns them (an array of `{ paper, ... }` items,
 * see test/fixtures/hf-daily-papers.sample.json), once per day in `days` ("Oct 22"), with ids
 * made unique per day: the JSON parser's input of the same size as the text archive.
 */
export function syntheticHfJson(
  papers: readonly ParsedPaper[],
  days: readonly string[],
  year: number,
): string {
  const items = days.flatMap((day, d) => {
    const [month, date] = day.split(' ');
    const iso = `${year}-${String(MONTHS.indexOf(month ?? '') + 1).padStart(2, '0')}-${String(date).padStart(2, '0')}T06:00:00.000Z`;
    return papers.map((paper, i) => ({
      paper: {
        id: `${2510 + d}.${String(10000 + i).padStart(5, '0')}`,
        authors: paper.authors.map((name) => ({ name, hidden: false })),
        publishedAt: paper.publishedAt ? `${paper.publishedAt}T00:00:00.000Z` : iso,
        submittedOnDailyAt: iso,
        title: paper.title,
        summary: paper.abstract,
        upvotes: paper.upvotes ?? 0,
        projectPage: paper.links.project ?? undefined,
        githubRepo: paper.links.code ?? undefined,
        ai_summary: paper.summary ?? undefined,
        ai_keywords: paper.keywords,
        organization: paper.organization ? { name: paper.organization } : undefined,
      },
      publishedAt: iso,
      title: paper.title,
      summary: paper.abstract,
      numComments: paper.comments,
      isAuthorParticipating: false,
    }));
  });
  return JSON.stringify(items);
}
