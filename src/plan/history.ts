// The send history, pure: which papers each segment received, and when. planIssue reads it,
// recordPlan adds a plan to it, pruneHistory forgets what can no longer matter. The I/O is in
// history-file.ts.
//
// A paper counts as already sent for an issue dated D when the segment received it on a day from
// D - historyDays to D - 1. Sends on D itself or later are not counted, so planning the same day
// again after its plan was recorded gives the same plan, and historyDays 0 turns repeats
// checking off.
import type { Plan, SendHistory } from './types.js';
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

function sortedRecord<T>(map: ReadonlyMap<string, T>): Record<string, T> {
  // fromEntries, not assignment: a paper id may be any text, "__proto__" included.
  return Object.fromEntries([...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Sorted keys and no empty segments, so the file diffs cleanly from one day to the next. */
function tidy(segments: Map<string, Map<string, string>>): SendHistory {
  const kept = new Map<string, Record<string, string>>();
  for (const [id, papers] of segments) if (papers.size > 0) kept.set(id, sortedRecord(papers));
  return { version: 1, segments: sortedRecord(kept) };
}

function toMaps(history: SendHistory): Map<string, Map<string, string>> {
  return new Map(
    Object.entries(history.segments).map(([id, papers]) => [id, new Map(Object.entries(papers))]),
  );
}

/** Records the plan's papers into `segments` (see recordPlan). */
function record(segments: Map<string, Map<string, string>>, plan: Pick<Plan, 'date' | 'segments'>) {
  for (const segment of plan.segments) {
    const sent = segments.get(segment.id) ?? new Map<string, string>();
    for (const paper of segment.papers) {
      const before = sent.get(paper.paperId);
      if (before === undefined || before < plan.date) sent.set(paper.paperId, plan.date);
    }
    segments.set(segment.id, sent);
  }
}

/** Drops from `segments` the sends before today - historyDays (see pruneHistory). */
function prune(segments: Map<string, Map<string, string>>, today: string, historyDays: number) {
  const from = addDays(today, -Math.max(0, historyDays));
  for (const sent of segments.values()) {
    for (const [paperId, day] of sent) if (day < from) sent.delete(paperId);
  }
}

/**
 * A new history with every paper of the plan recorded as sent to its segment on the plan date.
 * A later date already recorded for a paper is kept (recording an older plan must not make a
 * recent send look old).
 */
export function recordPlan(
  history: SendHistory,
  plan: Pick<Plan, 'date' | 'segments'>,
): SendHistory {
  const segments = toMaps(history);
  record(segments, plan);
  return tidy(segments);
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
  const segments = toMaps(history);
  prune(segments, today, historyDays);
  return tidy(segments);
}

/**
 * recordPlan, then pruneHistory relative to the plan's date, in one pass: what a send does when it
 * ends. One copy of the history is made, not two (at 100,000 subscribers a history holds
 * thousands of segments, and the copies are made as the run ends).
 */
export function recordAndPrune(
  history: SendHistory,
  plan: Pick<Plan, 'date' | 'segments'>,
  historyDays: number,
): SendHistory {
  const segments = toMaps(history);
  record(segments, plan);
  prune(segments, plan.date, historyDays);
  return tidy(segments);
}
