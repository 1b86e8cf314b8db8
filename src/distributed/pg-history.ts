// The send history in PostgreSQL (src/plan/history-file.ts keeps it in a file): which papers each
// segment received, on which issue date. The plan reads the days that can still matter; a worker
// records a segment's papers once one of its recipients got the issue (as record-history.ts does
// after a run); planning prunes what no later issue can need.
import { emptyHistory, type SendHistory } from '../plan/index.js';
import { addDays } from '../plan/utc-days.js';
import type { Queryable } from './queue.js';

/** The sends within `historyDays` before `date` (what planIssue looks at), as a SendHistory. */
export async function readSendHistory(
  db: Queryable,
  date: string,
  historyDays: number,
): Promise<SendHistory> {
  const history = emptyHistory();
  if (historyDays <= 0) return history;
  const result = await db.query(
    `SELECT segment_id AS "segmentId", paper_id AS "paperId", sent_on AS "sentOn"
     FROM segment_history WHERE sent_on >= $1 AND sent_on < $2`,
    [addDays(date, -historyDays), date],
  );
  for (const row of result.rows as { segmentId: string; paperId: string; sentOn: string }[]) {
    history.segments[row.segmentId] ??= {};
    (history.segments[row.segmentId] as Record<string, string>)[row.paperId] = row.sentOn;
  }
  return history;
}

/**
 * Records that `segmentId` received `paperIds` on `date`. Idempotent, and a later date already
 * recorded for a paper is kept (as recordPlan does), so workers may record the same segment.
 */
export async function recordSegmentSent(
  db: Queryable,
  date: string,
  segmentId: string,
  paperIds: readonly string[],
): Promise<void> {
  if (paperIds.length === 0) return;
  await db.query(
    `INSERT INTO segment_history AS h (segment_id, paper_id, sent_on)
     SELECT $1, paper_id, $3 FROM unnest($2::text[]) AS paper_id
     ON CONFLICT (segment_id, paper_id) DO UPDATE SET sent_on = EXCLUDED.sent_on
     WHERE h.sent_on < EXCLUDED.sent_on`,
    [segmentId, paperIds, date],
  );
}

/** Forgets the sends that can no longer hold a paper back for an issue dated `date` or later. */
export async function pruneSendHistory(
  db: Queryable,
  date: string,
  historyDays: number,
): Promise<void> {
  await db.query('DELETE FROM segment_history WHERE sent_on < $1', [
    addDays(date, -Math.max(0, historyDays)),
  ]);
}
