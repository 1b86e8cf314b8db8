// The send history, pure: which papers each segment received, and when. planIssue reads it,
// recordPlan adds a plan to it, pruneHistory forgets what can no longer matter. The I/O is in
// history-file.ts.
//
// A paper counts as already sent for an issue dated D when the segment received it on a day from
// D - historyDays to D - 1. Sends on D itself or later are not counted, so planning the same day
// again after its plan was recorded gives the same plan, and historyDays 0 turns repeats
// checking off.
import type { Plan, Segment, SendHistory } from './types.js';
import { addDays } from './utc-days.js';

export function emptyHistory(): SendHistory {
  return { version: 1, segments: {} };
}

/** The ids of the papers `segmentId` received within `historyDays` days before `date`. */
export function recentlySent(
  history: SendHistory,
  segmentId: string,
  date: string,
  historyDays: number,
): Set<string> {
  const sent = history.segments[segmentId];
  if (!sent || historyDays <= 0) return new Set();
  const from = addDays(date, -historyDays);
  return new Set(
    Object.entries(sent)
      .filter(([, day]) => day >= from && day < date)
      .map(([paperId]) => paperId),
  );
}

/** One segment's sends: paper id to the date it was last sent. */
export type SegmentSends = Record<string, string>;

function byCodeUnits<T>([a]: [string, T], [b]: [string, T]): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** What updatedSegments does to each segment: the plan to record, the first day to keep. */
interface Update {
  plan: Pick<Plan, 'date' | 'segments'> | null;
  keepFrom: string | null;
}

/**
 * The history's segments after `update`, as [segment id, sends] entries in id order, each made
 * when it is asked for. Sorted keys and no empty segments, so the file diffs cleanly from one day
 * to the next. A send writes these straight to the file: a history of thousands of segments is
 * never copied whole as the run ends (at 100,000 subscribers the copy was 10 MB at the peak).
 */
function* updatedSegments(history: SendHistory, update: Update): Generator<[string, SegmentSends]> {
  const { plan, keepFrom } = update;
  const planned = new Map<string, PlannedPapers[]>();
  for (const segment of plan?.segments ?? []) {
    const lists = planned.get(segment.id) ?? [];
    lists.push(segment.papers);
    planned.set(segment.id, lists);
  }
  const old = new Map(Object.entries(history.segments));
  const ids = [...new Set([...old.keys(), ...planned.keys()])].sort();
  for (const id of ids) {
    const sent = new Map(Object.entries(old.get(id) ?? {}));
    if (plan) for (const papers of planned.get(id) ?? []) recordPapers(sent, papers, plan.date);
    if (keepFrom !== null) {
      for (const [paperId, day] of sent) if (day < keepFrom) sent.delete(paperId);
    }
    // fromEntries, not assignment: a paper id may be any text, "__proto__" included.
    if (sent.size > 0) yield [id, Object.fromEntries([...sent].sort(byCodeUnits))];
  }
}

type PlannedPapers = Segment['papers'];

function recordPapers(sent: Map<string, string>, papers: PlannedPapers, date: string): void {
  for (const paper of papers) {
    const before = sent.get(paper.paperId);
    // A later date already recorded is kept: recording an older plan must not make a recent send
    // look old.
    if (before === undefined || before < date) sent.set(paper.paperId, date);
  }
}

/** A history of these segment entries (recordedAndPruned's, say), collected whole. */
export function historyOf(segments: Iterable<[string, SegmentSends]>): SendHistory {
  return { version: 1, segments: Object.fromEntries(segments) };
}

const firstDayKept = (today: string, historyDays: number) =>
  addDays(today, -Math.max(0, historyDays));

/**
 * A new history with every paper of the plan recorded as sent to its segment on the plan date.
 * A later date already recorded for a paper is kept (recording an older plan must not make a
 * recent send look old).
 */
export function recordPlan(
  history: SendHistory,
  plan: Pick<Plan, 'date' | 'segments'>,
): SendHistory {
  return historyOf(updatedSegments(history, { plan, keepFrom: null }));
}

/**
 * A new history without the sends that can no longer hold a paper back for an issue dated `today`
 * or later: those before today - historyDays. Segments left with nothing are dropped.
 */
export function pruneHistory(
  history: SendHistory,
  today: string,
  historyDays: number,
): SendHistory {
  return historyOf(
    updatedSegments(history, { plan: null, keepFrom: firstDayKept(today, historyDays) }),
  );
}

/**
 * recordPlan, then pruneHistory relative to the plan's date, as the sorted segment entries of the
 * new history, made one at a time: what a send writes when it ends (writeHistorySegments).
 */
export function recordedAndPruned(
  history: SendHistory,
  plan: Pick<Plan, 'date' | 'segments'>,
  historyDays: number,
): Iterable<[string, SegmentSends]> {
  return updatedSegments(history, { plan, keepFrom: firstDayKept(plan.date, historyDays) });
}
