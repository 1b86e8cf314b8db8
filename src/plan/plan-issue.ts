// The plan for one issue: which subscribers get an email, grouped into segments of identical
// settings, and which papers each segment gets, with the reasons. Pure: the issue, the
// subscribers, the send history and the options come in; nothing is read, written or timed.
//
// - Only active subscribers are served; unsubscribed and bounced ones are listed as skipped.
// - Weekly subscribers are served on their weekday (of the issue date, in UTC) with the issues of
//   the 7 days ending on the issue date merged; on other days they are skipped with the date of
//   their next digest.
// - A segment's selection is match-paper.ts's rule, minus the papers the segment received within
//   `historyDays` days before the issue date (history.ts), in rank-papers.ts's order, capped.
// - A segment left with no papers is dropped and its subscribers skipped, saying whether nothing
//   matched or everything that matched was sent already; with `sendEmpty` it stays, `empty`.
import { PaperboyError } from '../errors.js';
import { NumberColumn } from '../number-column.js';
import type { Issue, Paper, SelectionSettings, Subscriber, Weekday } from '../types.js';
import { recentlySent } from './history.js';
import { createPaperMatcher } from './match-paper.js';
import { compareRank } from './rank-papers.js';
import { PackedRecipients, RecipientBook } from './recipient-book.js';
import { createSegmenter } from './segment-settings.js';
import { SkipRecorder } from './skipped-list.js';
import type {
  EmptyReason,
  Plan,
  PlanInput,
  PlannedPaper,
  PlanOptions,
  Segment,
  SendHistory,
  SkipReason,
} from './types.js';
import { addDays, nextWeekday, weekdayOf } from './utc-days.js';

/** Days a weekly digest covers, ending on (and including) the issue date. */
export const WEEK_DAYS = 7;

interface Candidate {
  paper: Paper;
  issueDate: string;
  order: number;
}

interface Pool {
  candidates: Candidate[];
  /** Dates of the issues merged, oldest first. */
  issueDates: string[];
}

/** The issue's own papers, in page order. */
function dailyPool(issue: Issue): Pool {
  return {
    candidates: issue.papers.map((paper, order) => ({ paper, issueDate: issue.date, order })),
    issueDates: [issue.date],
  };
}

/**
 * The week's issues merged: newest issue first, page order within each, each paper once. The
 * newest copy of a paper is kept, as its upvote count is the most recent.
 */
function weeklyPool(issue: Issue, recent: readonly Issue[]): Pool {
  const from = addDays(issue.date, -(WEEK_DAYS - 1));
  const issues = [
    issue,
    ...recent.filter((other) => other.date >= from && other.date <= issue.date),
  ];
  // A stable sort keeps the planned issue ahead of another copy of the same day.
  const newestFirst = [...issues].sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : 0));
  const seen = new Set<string>();
  const candidates: Candidate[] = [];
  for (const day of newestFirst) {
    for (const paper of day.papers) {
      if (seen.has(paper.id)) continue;
      seen.add(paper.id);
      candidates.push({ paper, issueDate: day.date, order: candidates.length });
    }
  }
  return { candidates, issueDates: [...new Set(issues.map((day) => day.date))].sort() };
}

interface Selection {
  papers: PlannedPaper[];
  matched: number;
  alreadySent: number;
}

/**
 * One object for each distinct planned paper, and one array for each distinct selection: most
 * segments of a large list share their papers and the reasons for them, and a copy per segment
 * (thousands of segments) cost megabytes for the whole send.
 */
interface PlannedPapers {
  /** Keyed by everything a PlannedPaper holds that differs between segments; numbered. */
  papers: Map<string, { paper: PlannedPaper; number: number }>;
  /** Keyed by the numbers of a selection's papers, in order. */
  selections: Map<string, PlannedPaper[]>;
}

function sharedSelection(known: PlannedPapers, selected: readonly PlannedPaper[]): PlannedPaper[] {
  const papers = selected.map((planned) => {
    const key = `${planned.paperId}\0${planned.issueDate}\0${planned.strength}\0${JSON.stringify(planned.reasons)}`;
    let found = known.papers.get(key);
    if (!found) {
      found = { paper: planned, number: known.papers.size };
      known.papers.set(key, found);
    }
    return found;
  });
  const key = papers.map((found) => found.number).join(',');
  let selection = known.selections.get(key);
  if (!selection) {
    selection = papers.map((found) => found.paper);
    known.selections.set(key, selection);
  }
  return selection;
}

function selectPapers(
  pool: Pool,
  settings: SelectionSettings,
  sent: ReadonlySet<string>,
  known: PlannedPapers,
): Selection {
  const match = createPaperMatcher(settings);
  let matched = 0;
  const fresh: (PlannedPaper & { order: number })[] = [];
  for (const { paper, issueDate, order } of pool.candidates) {
    const found = match(paper);
    if (found === null) continue;
    matched++;
    if (sent.has(paper.id)) continue;
    fresh.push({
      paperId: paper.id,
      issueDate,
      title: paper.title,
      upvotes: paper.upvotes,
      strength: found.strength,
      publishedAt: paper.publishedAt,
      reasons: found.reasons,
      order,
    });
  }
  const papers = sharedSelection(
    known,
    fresh
      .sort(compareRank)
      .slice(0, settings.maxPapers)
      .map(({ order: _order, ...paper }) => paper),
  );
  return { papers, matched, alreadySent: matched - fresh.length };
}

function describeSpan(date: string, settings: SelectionSettings): string {
  return settings.frequency === 'weekly'
    ? `the week ${addDays(date, -(WEEK_DAYS - 1))} to ${date}`
    : `the issue of ${date}`;
}

function emptyDetail(
  reason: EmptyReason,
  selection: Selection,
  pool: Pool,
  date: string,
  settings: SelectionSettings,
  historyDays: number,
): string {
  const span = describeSpan(date, settings);
  if (reason === 'all-already-sent') {
    const n = selection.alreadySent;
    return `all ${n} paper${n === 1 ? '' : 's'} on your topics in ${span} ${n === 1 ? 'was' : 'were'} already sent in the ${historyDays} days before`;
  }
  if (pool.candidates.length === 0) return `no papers at all in ${span}`;
  return `no papers on your topics in ${span}`;
}

/** How orderByEmail reads the keys of the n-th item. */
interface EmailKeys {
  email(n: number): string;
  subscriberId(n: number): string;
  /** Sorted by this first, when given. */
  rank?(n: number): number;
}

/**
 * The numbers 0 to count - 1, ordered by their items' lower-cased address, then id; by `rank`
 * first when given. Each address is lower-cased once, not at every comparison (the skipped list
 * of 100,000 subscribers is far from sorted); ids are read only to break a tie.
 */
function orderByEmail(count: number, keys: EmailKeys): Uint32Array {
  const emails = Array.from({ length: count }, (_, n) => keys.email(n).toLowerCase());
  const rank = keys.rank;
  const ranks = rank ? Int32Array.from({ length: count }, (_, n) => rank(n)) : null;
  const compare = (i: number, j: number): number => {
    const byRank = ranks ? (ranks[i] as number) - (ranks[j] as number) : 0;
    if (byRank !== 0) return byRank;
    const x = emails[i] as string;
    const y = emails[j] as string;
    if (x !== y) return x < y ? -1 : 1;
    return keys.subscriberId(i) < keys.subscriberId(j) ? -1 : 1;
  };
  return Uint32Array.from({ length: count }, (_, n) => n).sort(compare);
}

/** Sorts a segment's recipients (where their records start in `book`) in place, by address. */
function sortByEmail(book: RecipientBook, starts: Uint32Array): void {
  const order = orderByEmail(starts.length, {
    email: (n) => book.emailAt(starts[n] as number),
    subscriberId: (n) => book.subscriberIdAt(starts[n] as number),
  });
  starts.set(order.map((n) => starts[n] as number));
}

/** Subscribers of the same settings, as the planner meets them: a segment to be. */
interface Group {
  settings: SelectionSettings;
  /** Its place among the groups, from 0, in the order they were met. */
  number: number;
  /** Its recipients so far. */
  size: number;
}

/**
 * Every recipient's record offset, a group after another in the order the groups were met (see
 * PackedRecipients), each group's in the order they came: a counting sort of the two columns.
 * Group n's are `order[firsts[n]..firsts[n + 1])`.
 */
function groupArrivals(
  arrivals: NumberColumn,
  groupOfArrival: NumberColumn,
  groups: readonly Group[],
): { order: Uint32Array; firsts: Uint32Array } {
  const firsts = new Uint32Array(groups.length + 1);
  for (const group of groups) firsts[group.number + 1] = group.size;
  for (let n = 1; n < firsts.length; n++) {
    firsts[n] = (firsts[n] as number) + (firsts[n - 1] as number);
  }
  const order = new Uint32Array(arrivals.length);
  const next = firsts.slice(0, -1);
  for (let n = 0; n < arrivals.length; n++) {
    const group = groupOfArrival.at(n);
    order[(next[group] as number)++] = arrivals.at(n);
  }
  return { order, firsts };
}

/** Plans an issue one subscriber at a time: `add` each, then `finish` once. */
export interface Planner {
  add(subscriber: Subscriber): void;
  finish(): Plan;
}

/**
 * Plans one issue for a list of subscribers. See the comment at the top of this file for the
 * rules, match-paper.ts for what a segment selects and rank-papers.ts for the order.
 */
export function planIssue(
  input: PlanInput,
  subscribers: readonly Subscriber[],
  history: SendHistory,
  options: PlanOptions,
): Plan {
  const planner = createPlanner(input, history, options);
  for (const subscriber of subscribers) planner.add(subscriber);
  return planner.finish();
}

/**
 * planIssue for subscribers that come one at a time, as a store scans a large list: only what the
 * plan keeps of each (id, address, segment) is held, never the whole list. The order they come in
 * makes no difference to the plan.
 */
export function createPlanner(
  input: PlanInput,
  history: SendHistory,
  options: PlanOptions,
): Planner {
  const { issue } = input;
  const date = issue.date;
  const weekday = weekdayOf(date);
  // Recipients go into the book as they come; for each, where its record starts and the number
  // of its group (a segment to be) are kept, in two columns.
  const book = new RecipientBook();
  const arrivals = new NumberColumn();
  const groupOfArrival = new NumberColumn();
  // The skipped go into the book too, without their names (a skip never shows one).
  const skips = new SkipRecorder(book);
  const groups = new Map<string, Group>();
  const segmentOf = createSegmenter(options.maxPapers);
  // One detail text per weekday, not one per weekly subscriber.
  const notToday = new Map<Weekday, string>();
  let count = 0;

  function skip(
    subscriber: Subscriber,
    reason: SkipReason,
    detail: string,
    segmentId: string | null,
  ): void {
    const start = book.add({ subscriberId: subscriber.id, email: subscriber.email, name: null });
    skips.add(start, reason, detail, segmentId);
  }

  function add(subscriber: Subscriber): void {
    count++;
    if (subscriber.status === 'unsubscribed') {
      const on = subscriber.unsubscribedAt?.slice(0, 10);
      skip(subscriber, 'unsubscribed', on ? `unsubscribed on ${on}` : 'unsubscribed', null);
      return;
    }
    if (subscriber.status === 'bounced') {
      skip(subscriber, 'bounced', 'the address bounced; it is suppressed', null);
      return;
    }
    const { settings, id } = segmentOf(subscriber);
    if (settings.frequency === 'weekly') {
      if (settings.weekday === null) {
        throw new PaperboyError(
          'store',
          `${subscriber.email}: a weekly subscriber without a weekday`,
          {
            hint: `set a weekday with paperboy subscribers update ${subscriber.email}`,
          },
        );
      }
      if (settings.weekday !== weekday) {
        let detail = notToday.get(settings.weekday);
        if (detail === undefined) {
          const next = nextWeekday(date, settings.weekday);
          detail = `weekly on ${settings.weekday}; next digest ${next}`;
          notToday.set(settings.weekday, detail);
        }
        skip(subscriber, 'weekly-not-today', detail, id);
        return;
      }
    }
    let group = groups.get(id);
    if (!group) {
      group = { settings, number: groups.size, size: 0 };
      groups.set(id, group);
    }
    group.size++;
    arrivals.push(
      book.add({ subscriberId: subscriber.id, email: subscriber.email, name: subscriber.name }),
    );
    groupOfArrival.push(group.number);
  }

  return { add, finish };

  function finish(): Plan {
    const daily = dailyPool(issue);
    const weekly = weeklyPool(issue, input.recent ?? []);
    const segments: Segment[] = [];
    const planned: PlannedPapers = { papers: new Map(), selections: new Map() };
    const { order, firsts } = groupArrivals(arrivals, groupOfArrival, [...groups.values()]);
    for (const [id, { settings, number }] of groups) {
      const pool = settings.frequency === 'weekly' ? weekly : daily;
      const sent = recentlySent(history, id, date, options.historyDays);
      const selection = selectPapers(pool, settings, sent, planned);
      const from = firsts[number] as number;
      const to = firsts[number + 1] as number;
      const starts = order.subarray(from, to);
      sortByEmail(book, starts);
      const recipients = new PackedRecipients(book, order, from, to);
      const emptyReason: EmptyReason | null =
        selection.papers.length > 0
          ? null
          : selection.matched > 0
            ? 'all-already-sent'
            : 'nothing-matched';
      if (emptyReason !== null && !options.sendEmpty) {
        const detail = emptyDetail(
          emptyReason,
          selection,
          pool,
          date,
          settings,
          options.historyDays,
        );
        for (const start of starts) skips.add(start, emptyReason, detail, id);
        continue;
      }
      segments.push({
        id,
        settings,
        recipients,
        // One array per pool, for every segment that draws from it.
        issueDates: pool.issueDates,
        papers: selection.papers,
        matched: selection.matched,
        alreadySent: selection.alreadySent,
        empty: emptyReason !== null,
        emptyReason,
      });
    }

    segments.sort((a, b) => b.recipients.length - a.recipients.length || (a.id < b.id ? -1 : 1));
    const skipOrder = orderByEmail(skips.length, {
      email: (n) => book.emailAt(skips.startAt(n)),
      subscriberId: (n) => book.subscriberIdAt(skips.startAt(n)),
      rank: (n) => skips.rankAt(n),
    });
    const skipped = skips.pack(skipOrder);
    const issueDates = [...new Set([date, ...segments.flatMap((s) => s.issueDates)])].sort();
    const recipientCount = segments.reduce((sum, segment) => sum + segment.recipients.length, 0);
    const papers = new Set(segments.flatMap((s) => s.papers.map((paper) => paper.paperId)));
    return {
      version: 1,
      date,
      issueDates,
      options: {
        maxPapers: options.maxPapers,
        historyDays: options.historyDays,
        sendEmpty: options.sendEmpty,
      },
      segments,
      skipped,
      totals: {
        subscribers: count,
        recipients: recipientCount,
        skipped: skipped.length,
        segments: segments.length,
        papers: papers.size,
      },
    };
  }
}
