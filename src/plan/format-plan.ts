// The plan for people (`paperboy plan`) and for programs (`paperboy plan --json`).
// Per-function entry points: the package root loads all of date-fns (~200 ms per process).
import { format } from 'date-fns/format';
import { parseISO } from 'date-fns/parseISO';
import type { Topic } from '../types.js';
import type { SkippedList } from './skipped-list.js';
import {
  type Plan,
  type PlannedPaper,
  type Recipient,
  type Segment,
  SKIP_REASONS,
  type SkipReason,
} from './types.js';

/** Recipients listed by address before "and N more": enough to recognise a segment. */
export const EMAILS_SHOWN = 5;

const SKIP_HEADINGS: Record<SkipReason, string> = {
  unsubscribed: 'unsubscribed',
  bounced: 'bounced',
  'weekly-not-today': 'weekly, not today',
  'nothing-matched': 'nothing on their topics',
  'all-already-sent': 'everything already sent',
};

function plural(count: number, word: string, many = `${word}s`): string {
  return `${count} ${count === 1 ? word : many}`;
}

function longDay(day: string): string {
  return format(parseISO(day), 'EEEE, MMMM d, yyyy');
}

function topicLabel(id: string, names: ReadonlyMap<string, string>): string {
  const name = names.get(id);
  return name === undefined ? id : `${name} [${id}]`;
}

function listEmails(segment: Segment): string {
  const emails: string[] = [];
  for (const recipient of segment.recipients) {
    if (emails.length === EMAILS_SHOWN) break;
    emails.push(recipient.email);
  }
  const shown = emails.join(', ');
  const more = segment.recipients.length - EMAILS_SHOWN;
  return more > 0 ? `${shown} and ${more} more` : shown;
}

function why(paper: PlannedPaper, names: ReadonlyMap<string, string>): string {
  const parts = Object.entries(paper.reasons.topics).map(
    ([id, terms]) => `${names.get(id) ?? id}: ${terms.join(', ')}`,
  );
  if (paper.reasons.keywords.length > 0) {
    parts.push(`your keywords: ${paper.reasons.keywords.join(', ')}`);
  }
  return parts.length > 0 ? parts.join(' · ') : 'every paper of the issue';
}

function paperLines(
  paper: PlannedPaper,
  index: number,
  names: ReadonlyMap<string, string>,
): string[] {
  const meta = [
    paper.upvotes === null ? null : plural(paper.upvotes, 'upvote'),
    paper.publishedAt ? format(parseISO(paper.publishedAt), 'MMM d, yyyy') : null,
    `strength ${paper.strength}`,
  ].filter((part) => part !== null);
  const number = `${index + 1}.`.padStart(4);
  return [
    `${number} ${paper.title}`,
    `       why: ${why(paper, names)}`,
    `       ${meta.join(' · ')}`,
  ];
}

function segmentLines(segment: Segment, names: ReadonlyMap<string, string>): string[] {
  const { settings } = segment;
  const schedule = settings.frequency === 'weekly' ? `weekly on ${settings.weekday}` : 'daily';
  const count = segment.empty ? 'no papers' : plural(segment.papers.length, 'paper');
  const topics =
    settings.topics === 'all'
      ? 'all (every paper)'
      : settings.topics.length === 0
        ? 'none'
        : settings.topics.map((id) => topicLabel(id, names)).join(', ');
  const keywords = [
    ...settings.keywords.include.map((phrase) => `+${phrase}`),
    ...settings.keywords.exclude.map((phrase) => `-${phrase}`),
  ];
  const lines = [
    `Segment ${segment.id} · ${plural(segment.recipients.length, 'subscriber')} · ${schedule} · ${count}`,
    `  topics: ${topics}`,
  ];
  if (keywords.length > 0) lines.push(`  keywords: ${keywords.join(', ')}`);
  lines.push(
    `  cap: ${settings.maxPapers} · matched ${segment.matched} · already sent ${segment.alreadySent}` +
      (settings.frequency === 'weekly' ? ` · issues ${segment.issueDates.join(', ')}` : ''),
    `  to: ${listEmails(segment)}`,
  );
  if (segment.empty) {
    lines.push(
      segment.emptyReason === 'all-already-sent'
        ? '  (empty: everything on these topics was already sent; they get a "nothing new" note)'
        : '  (empty: nothing on these topics; they get a "nothing on your topics today" note)',
    );
  }
  segment.papers.forEach((paper, index) => {
    lines.push(...paperLines(paper, index, names));
  });
  return lines;
}

function skippedLines(list: SkippedList): string[] {
  if (list.length === 0) return [];
  const skipped = Array.from(list);
  const lines = ['', `Skipped · ${skipped.length}`];
  for (const reason of SKIP_REASONS) {
    const group = skipped.filter((entry) => entry.reason === reason);
    if (group.length === 0) continue;
    lines.push(`  ${SKIP_HEADINGS[reason]} · ${group.length}`);
    for (const entry of group) lines.push(`    ${entry.email}: ${entry.detail}`);
  }
  return lines;
}

/**
 * Plain text: a heading with the counts, each segment (settings, recipients, numbered papers with
 * why each was chosen), then the skipped subscribers grouped by reason. `topics` gives names.
 */
export function formatPlan(plan: Plan, topics: readonly Topic[]): string {
  const names = new Map(topics.map((topic) => [topic.id, topic.name]));
  const { totals, options } = plan;
  const lines = [
    `Plan for ${longDay(plan.date)} · ${plural(totals.recipients, 'email')} in ${plural(totals.segments, 'segment')} · ${plural(totals.papers, 'paper')} · ${totals.skipped} of ${plural(totals.subscribers, 'subscriber')} skipped`,
    `issues ${plan.issueDates.join(', ')} · default cap ${options.maxPapers} · no repeats within ${plural(options.historyDays, 'day')} · empty days: ${options.sendEmpty ? 'a short note' : 'no email'}`,
  ];
  if (plan.segments.length === 0) lines.push('', 'Nobody gets an email for this issue.');
  for (const segment of plan.segments) lines.push('', ...segmentLines(segment, names));
  // Not push(...): a list of 100,000 skipped subscribers would exceed the argument limit.
  for (const line of skippedLines(plan.skipped)) lines.push(line);
  return `${lines.join('\n')}\n`;
}

/**
 * `paperboy plan --json`: the Plan, pretty-printed, keys in a fixed order. This is also the form a
 * plan is stored in; fields are only ever added.
 *
 * {
 *   "version": 1,
 *   "date": "2025-10-31",                      the issue date
 *   "issueDates": ["2025-10-31"],              every issue any segment drew from, oldest first
 *   "options": { "maxPapers": 10, "historyDays": 30, "sendEmpty": false },
 *   "segments": [ {
 *     "id": "seg_0123456789ab",                stable for the same settings; keys the history
 *     "settings": { "topics": ["graphs"] | "all", "keywords": { "include": [], "exclude": [] },
 *                   "maxPapers": 10, "frequency": "daily" | "weekly", "weekday": null | "monday" },
 *     "recipients": [ { "subscriberId": "sub_...", "email": "..." } ],   sorted by email
 *     "issueDates": ["2025-10-31"],
 *     "papers": [ { "paperId", "issueDate", "title", "upvotes", "strength", "publishedAt",
 *                   "reasons": { "topics": { "graphs": ["GNN"] }, "keywords": ["hypernetwork"] } } ],
 *     "matched": 24, "alreadySent": 2,          before the history and the cap
 *     "empty": false, "emptyReason": null | "nothing-matched" | "all-already-sent"
 *   } ],
 *   "skipped": [ { "subscriberId", "email", "reason", "detail", "segmentId" } ],
 *   "totals": { "subscribers", "recipients", "skipped", "segments", "papers" }
 * }
 *
 * reason is one of unsubscribed, bounced, weekly-not-today, nothing-matched, all-already-sent.
 */
export function planToJson(plan: Plan): string {
  // A Plan but for the recipients' names, which stay out of the JSON (see the shape above).
  const value: Omit<Plan, 'segments'> & {
    segments: (Omit<Segment, 'recipients'> & { recipients: Omit<Recipient, 'name'>[] })[];
  } = {
    version: plan.version,
    date: plan.date,
    issueDates: plan.issueDates,
    options: {
      maxPapers: plan.options.maxPapers,
      historyDays: plan.options.historyDays,
      sendEmpty: plan.options.sendEmpty,
    },
    segments: plan.segments.map((segment) => ({
      id: segment.id,
      settings: {
        topics: segment.settings.topics,
        keywords: {
          include: segment.settings.keywords.include,
          exclude: segment.settings.keywords.exclude,
        },
        maxPapers: segment.settings.maxPapers,
        frequency: segment.settings.frequency,
        weekday: segment.settings.weekday,
      },
      recipients: Array.from(segment.recipients, ({ subscriberId, email }) => ({
        subscriberId,
        email,
      })),
      issueDates: segment.issueDates,
      papers: segment.papers.map((paper) => ({
        paperId: paper.paperId,
        issueDate: paper.issueDate,
        title: paper.title,
        upvotes: paper.upvotes,
        strength: paper.strength,
        publishedAt: paper.publishedAt,
        reasons: { topics: paper.reasons.topics, keywords: paper.reasons.keywords },
      })),
      matched: segment.matched,
      alreadySent: segment.alreadySent,
      empty: segment.empty,
      emptyReason: segment.emptyReason,
    })),
    skipped: Array.from(plan.skipped, (entry) => ({
      subscriberId: entry.subscriberId,
      email: entry.email,
      reason: entry.reason,
      detail: entry.detail,
      segmentId: entry.segmentId,
    })),
    totals: {
      subscribers: plan.totals.subscribers,
      recipients: plan.totals.recipients,
      skipped: plan.totals.skipped,
      segments: plan.totals.segments,
      papers: plan.totals.papers,
    },
  };
  return `${JSON.stringify(value, null, 2)}\n`;
}
