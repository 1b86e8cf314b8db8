// After a run: the papers of every segment that really received the issue go into the send
// history, so the next issue does not repeat them.
//
// A segment counts once any of its recipients has the issue (`sent` in the ledger, by this run
// or an earlier one); a segment nobody received is left out, so its papers stay available. A
// partly sent segment is recorded too: that is safe for its other recipients, because the plan
// ignores sends dated on the issue's own day, so rerunning the issue plans them the same papers.
//
// The history file is shared by every issue, so the read-change-write holds its lock.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import lockfile from 'proper-lockfile';
import { PaperboyError } from '../errors.js';
import {
  historyOf,
  type Plan,
  readHistory,
  recordedAndPruned,
  type SendHistory,
  writeHistorySegments,
} from '../plan/index.js';

/** The plan's segments that some recipient received, as recordPlan takes them. */
export function sentSegments(plan: Plan, sentSegmentIds: ReadonlySet<string>): Plan['segments'] {
  return plan.segments.filter((segment) => sentSegmentIds.has(segment.id));
}

/** The history with the sent segments recorded and what can no longer matter pruned. Pure. */
export function updateHistory(
  history: SendHistory,
  plan: Plan,
  sentSegmentIds: ReadonlySet<string>,
): SendHistory {
  return historyOf(updatedSegments(history, plan, sentSegmentIds));
}

/** updateHistory's segment entries in order, made one at a time as the file is written. */
function updatedSegments(history: SendHistory, plan: Plan, sentSegmentIds: ReadonlySet<string>) {
  // Pruned relative to the issue date: nothing a later issue could need is dropped.
  return recordedAndPruned(
    history,
    { date: plan.date, segments: sentSegments(plan, sentSegmentIds) },
    plan.options.historyDays,
  );
}

export async function recordSentHistory(
  path: string,
  plan: Plan,
  sentSegmentIds: ReadonlySet<string>,
): Promise<void> {
  if (sentSegmentIds.size === 0) return;
  let release: () => Promise<void>;
  try {
    await mkdir(dirname(path), { recursive: true });
    release = await lockfile.lock(path, {
      realpath: false,
      lockfilePath: `${path}.lock`,
      stale: 10_000,
      retries: { retries: 40, minTimeout: 50, maxTimeout: 500 },
    });
  } catch (error) {
    throw new PaperboyError(
      'store',
      `${path}: cannot be locked (${(error as NodeJS.ErrnoException).code})`,
      { hint: 'run the same send again to record it: nothing is sent twice' },
    );
  }
  try {
    const history = await readHistory(path);
    await writeHistorySegments(path, updatedSegments(history, plan, sentSegmentIds));
  } finally {
    await release().catch(() => undefined);
  }
}
