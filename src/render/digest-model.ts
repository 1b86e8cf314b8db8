// The data the digest templates see (documented in templates/README.md), built from a plan
// segment. Pure: the same segment gives the same model.
import { format } from 'date-fns/format';
import { parseISO } from 'date-fns/parseISO';
import type { Segment } from '../plan/types.js';
import { toHttpsUrl } from '../sources/links.js';
import type { Paper, Topic } from '../types.js';
import { shortenAbstract, truncateWords } from './shorten.js';
import type { SlotValues } from './slots.js';

/**
 * Papers in one email, whatever a subscriber's cap: Gmail clips messages over ~102 KB and hides
 * what follows, the unsubscribe link included. 25 of the seed's longest papers render to ~70 KB.
 */
export const EMAIL_PAPER_LIMIT = 25;

export interface PaperView {
  rank: number;
  title: string;
  url: string;
  meta: string;
  abstract: string;
  readMoreUrl: string | null;
  pdfUrl: string | null;
  codeUrl: string | null;
  projectUrl: string | null;
  /** True when there is a PDF, code or project link to show under the abstract. */
  hasLinks: boolean;
  chips: string[];
  why: string;
}

export interface DigestModel {
  subject: string;
  preheader: string;
  title: string;
  date: string;
  longDate: string;
  summary: string;
  /** A slot marker: "Hi Ada, " or "" per recipient. */
  greeting: string;
  empty: boolean;
  emptyMessage: string;
  papers: PaperView[];
  more: { label: string; url: string } | null;
  /** Why the reader gets this email (their topics), for the footer. */
  reason: string;
  links: { preferences: string; unsubscribe: string; archive: string };
  sender: { name: string; postalAddress: string };
}

export interface DigestInput {
  segment: Segment;
  /** Every paper the segment may refer to, by id. */
  papers: ReadonlyMap<string, Paper>;
  topics: readonly Topic[];
  /** The plan date. */
  date: string;
  sender: { name: string; postalAddress: string | null | undefined };
  /** https origin of the web links, no trailing slash. */
  baseUrl: string;
  /** Renders the subject from { date, longDate, top, count, topics }. */
  subject: (values: Record<string, string | number>) => string;
  /** Placeholder markers for per-recipient values. */
  markers: SlotValues;
}

/** Shown instead of an address until one is configured: previews work, sending refuses. */
export const MISSING_POSTAL_ADDRESS = '[postal address not configured: set sender.postalAddress]';

function listNames(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

function metaLine(paper: Paper): string {
  const authors =
    paper.authors.length > 0
      ? paper.authors.length > 3
        ? `${paper.authors.slice(0, 3).join(', ')} et al.`
        : paper.authors.join(', ')
      : paper.authorsCount !== null
        ? `${paper.authorsCount} author${paper.authorsCount === 1 ? '' : 's'}`
        : null;
  return [
    paper.publishedAt ? format(parseISO(paper.publishedAt), 'MMM d, yyyy') : null,
    paper.organization,
    authors,
    paper.upvotes ? `▲ ${paper.upvotes}` : null,
    paper.comments ? `${paper.comments} comment${paper.comments === 1 ? '' : 's'}` : null,
  ]
    .filter(Boolean)
    .join(' · ');
}

function whyLine(reasons: Segment['papers'][number]['reasons']): string {
  // The chips name the topics; the line says what in the paper matched them.
  const terms = [...new Set(Object.values(reasons.topics).flatMap((list) => list.slice(0, 3)))];
  const keywords = reasons.keywords.map((keyword) => `your keyword “${keyword}”`);
  return [...terms.slice(0, 5), ...keywords].join(', ');
}

/** What a paper's card shows whatever the segment: worked out once per paper, not per segment. */
type PaperFacts = Omit<PaperView, 'rank' | 'chips' | 'why'>;
const paperFacts = new WeakMap<Paper, PaperFacts>();

function factsOf(paper: Paper): PaperFacts {
  const cached = paperFacts.get(paper);
  if (cached) return cached;
  const source = paper.summary ?? paper.abstract;
  const short = shortenAbstract(source);
  // Parsers only emit https links; checked again here because a template must never receive a
  // `javascript:` or relative URL, whatever produced the paper.
  const url =
    toHttpsUrl(paper.links.paper) ??
    `https://huggingface.co/papers?q=${encodeURIComponent(paper.title)}`;
  const arxiv = toHttpsUrl(paper.links.arxiv);
  const pdfUrl = toHttpsUrl(paper.links.pdf);
  const codeUrl = toHttpsUrl(paper.links.code);
  const projectUrl = toHttpsUrl(paper.links.project);
  const facts: PaperFacts = {
    title: paper.title,
    url,
    meta: metaLine(paper),
    abstract: short.text,
    readMoreUrl: short.cut || paper.summary ? (arxiv ?? url) : null,
    pdfUrl,
    codeUrl,
    projectUrl,
    hasLinks: Boolean(pdfUrl || codeUrl || projectUrl),
  };
  paperFacts.set(paper, facts);
  return facts;
}

function toView(
  planned: Segment['papers'][number],
  paper: Paper,
  rank: number,
  names: Map<string, string>,
  chipIds: readonly string[],
): PaperView {
  return {
    rank,
    ...factsOf(paper),
    chips: chipIds.map((id) => names.get(id) ?? id),
    why: whyLine(planned.reasons),
  };
}

/** The issue date as the email writes it; the same few dates come up for every segment. */
const dateLabels = new Map<string, { longDate: string; date: string }>();
function dateLabelsOf(ymd: string): { longDate: string; date: string } {
  let labels = dateLabels.get(ymd);
  if (!labels) {
    labels = {
      longDate: format(parseISO(ymd), 'EEEE, MMMM d, yyyy'),
      date: format(parseISO(ymd), 'MMM d'),
    };
    dateLabels.set(ymd, labels);
  }
  return labels;
}

export function buildDigestModel(input: DigestInput): DigestModel {
  const { segment, markers } = input;
  const names = new Map(input.topics.map((topic) => [topic.id, topic.name]));
  const subscribed = segment.settings.topics;
  const views: PaperView[] = [];
  for (const planned of segment.papers.slice(0, EMAIL_PAPER_LIMIT)) {
    const paper = input.papers.get(planned.paperId);
    if (!paper) continue;
    const chipIds =
      subscribed === 'all' ? paper.topics : paper.topics.filter((id) => subscribed.includes(id));
    views.push(toView(planned, paper, views.length + 1, names, chipIds));
  }
  const available = segment.matched - segment.alreadySent;
  const hidden = Math.max(0, available - views.length);
  const weekly = segment.settings.frequency === 'weekly';
  const topicNames = subscribed === 'all' ? [] : subscribed.map((id) => names.get(id) ?? id);
  const { longDate, date } = dateLabelsOf(input.date);
  const when = weekly ? 'this week' : 'today';
  const count = `${views.length} paper${views.length === 1 ? '' : 's'}`;
  const summary =
    views.length === 0
      ? `Nothing new on your topics ${when}.`
      : subscribed === 'all'
        ? `${count} trending on Hugging Face ${when}.`
        : `${count} on ${listNames(topicNames)} ${when}.`;
  const top = views[0]?.title ?? 'nothing new on your topics';
  const subject = input.subject({
    date,
    longDate,
    top: truncateWords(top, 90),
    count: views.length,
    topics: listNames(topicNames),
  });
  // The web archive (paperboy serve): the segment's email without anyone's personal links.
  const archive = `${input.baseUrl}/issues/${input.date}?segment=${segment.id}`;
  return {
    subject,
    preheader: preheader(summary, views, subject),
    title: weekly ? 'Trending papers this week' : 'Trending papers',
    date,
    longDate,
    summary,
    greeting: markers.greeting,
    empty: views.length === 0,
    emptyMessage: `Nothing on your topics ${when}: no paper matched, or you already got every one that did. We will write again when there is something to read.`,
    papers: views,
    more:
      hidden > 0
        ? {
            label: `${hidden} more paper${hidden === 1 ? '' : 's'} on your topics on the web`,
            url: `https://huggingface.co/papers/date/${input.date}`,
          }
        : null,
    reason:
      subscribed === 'all'
        ? `You get this because you subscribed to ${input.sender.name} for every topic${weekly ? ', weekly' : ''}.`
        : `You get this because you subscribed to ${input.sender.name} for ${listNames(topicNames)}${weekly ? ', weekly' : ''}.`,
    links: { preferences: markers.preferencesUrl, unsubscribe: markers.unsubscribeUrl, archive },
    sender: {
      name: input.sender.name,
      postalAddress: input.sender.postalAddress ?? MISSING_POSTAL_ADDRESS,
    },
  };
}

/** 40-130 characters, and not the subject: what the inbox shows after it. */
export function preheader(summary: string, views: readonly PaperView[], subject: string): string {
  const others = views.slice(1, 3).map((view) => view.title);
  let text = others.length > 0 ? `${summary} Also: ${others.join('; ')}` : summary;
  if (text === subject || text.length < 40)
    text = `${text} Your digest of Hugging Face Daily Papers.`;
  return truncateWords(text, 130);
}
