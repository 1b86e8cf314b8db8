// Where an issue stands, from any machine: the deliveries rows counted by state, in total and per
// segment (`paperboy status`, and the summary of `paperboy send` with DATABASE_URL). The counting
// is one GROUP BY; turning its rows into the report is pure (summarizeDeliveries).
import type { Queryable } from './queue.js';

export interface DeliveryCounts {
  /** Recipients the plan sends the issue to. */
  planned: number;
  sent: number;
  /** Failed at the last attempt (a rerun or the job's next try retries those not permanent). */
  failed: number;
  /** Of the failed, refused for good (5xx): a strike each. */
  permanent: number;
  /** Planned, then found unsubscribed, bounced or removed right before sending. */
  skipped: number;
  /** Not attempted yet. */
  pending: number;
  /** Claimed by a worker: in its batch now (or its worker died and the job's next try takes it). */
  sending: number;
}

export interface SegmentStatus extends DeliveryCounts {
  id: string;
}

export interface IssueStatus {
  date: string;
  revision: number;
  plannedAt: string;
  plannedBy: string;
  totals: DeliveryCounts;
  /** Recipients skipped right before sending, by status (unsubscribed, bounced, removed). */
  skippedBy: Record<string, number>;
  /** Subscribers the plan left out, by reason (weekly-not-today, nothing-matched, ...). */
  notPlanned: Record<string, number>;
  /** Most recipients first, then by id. */
  segments: SegmentStatus[];
  /** Attempts after the first, over every recipient: retries of transient failures, resends. */
  retried: number;
}

export interface CountRow {
  segmentId: string | null;
  recipient: boolean;
  state: 'pending' | 'sending' | 'sent' | 'failed' | 'skipped';
  reason: string | null;
  permanent: boolean | null;
  count: number;
  /** Attempts after the first, summed over the rows. */
  retried: number;
}

function zero(): DeliveryCounts {
  return { planned: 0, sent: 0, failed: 0, permanent: 0, skipped: 0, pending: 0, sending: 0 };
}

function add(counts: DeliveryCounts, row: CountRow): void {
  counts.planned += row.count;
  counts[row.state] += row.count;
  if (row.state === 'failed' && row.permanent) counts.permanent += row.count;
}

/** The counts from the GROUP BY rows. Pure. */
export function summarizeDeliveries(rows: readonly CountRow[]): {
  totals: DeliveryCounts;
  skippedBy: Record<string, number>;
  notPlanned: Record<string, number>;
  segments: SegmentStatus[];
  retried: number;
} {
  const totals = zero();
  let retried = 0;
  const skippedBy: Record<string, number> = {};
  const notPlanned: Record<string, number> = {};
  const segments = new Map<string, SegmentStatus>();
  for (const row of rows) {
    if (!row.recipient) {
      const reason = row.reason ?? 'unknown';
      notPlanned[reason] = (notPlanned[reason] ?? 0) + row.count;
      continue;
    }
    add(totals, row);
    retried += row.retried;
    if (row.state === 'skipped') {
      const reason = row.reason ?? 'unknown';
      skippedBy[reason] = (skippedBy[reason] ?? 0) + row.count;
    }
    const id = row.segmentId ?? 'none';
    let segment = segments.get(id);
    if (!segment) {
      segment = { id, ...zero() };
      segments.set(id, segment);
    }
    add(segment, row);
  }
  const sorted = [...segments.values()].sort(
    (a, b) => b.planned - a.planned || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  return { totals, skippedBy, notPlanned, segments: sorted, retried };
}

/** The issue's status, or null when it was never planned. */
export async function readIssueStatus(db: Queryable, date: string): Promise<IssueStatus | null> {
  const issue = await db.query(
    'SELECT revision, planned_at AS "plannedAt", planned_by AS "plannedBy" FROM issues WHERE date = $1',
    [date],
  );
  const head = issue.rows[0] as
    | { revision: number; plannedAt: Date; plannedBy: string }
    | undefined;
  if (!head) return null;
  const counts = await db.query(
    `SELECT segment_id AS "segmentId", recipient, state, reason, permanent, count(*)::integer AS count,
            sum(greatest(attempts - 1, 0))::integer AS retried
     FROM deliveries WHERE issue = $1
     GROUP BY segment_id, recipient, state, reason, permanent`,
    [date],
  );
  return {
    date,
    revision: head.revision,
    plannedAt: head.plannedAt.toISOString(),
    plannedBy: head.plannedBy,
    ...summarizeDeliveries(counts.rows as CountRow[]),
  };
}

export interface FailedDelivery {
  subscriberId: string;
  email: string;
  code: number | null;
  response: string;
  permanent: boolean;
}

/** The first `limit` failed deliveries of the issue, by email: what a summary lists. */
export async function readFailures(
  db: Queryable,
  date: string,
  limit: number,
): Promise<FailedDelivery[]> {
  const result = await db.query(
    `SELECT subscriber_id AS "subscriberId", email, code, response, permanent IS TRUE AS permanent
     FROM deliveries
     WHERE issue = $1 AND state = 'failed' ORDER BY email LIMIT $2`,
    [date, limit],
  );
  return result.rows as FailedDelivery[];
}

/** Failed deliveries of the issue whose address is now bounced (struck out by the failures). */
export async function countBounced(db: Queryable, date: string): Promise<number> {
  const result = await db.query(
    `SELECT count(*)::integer AS n FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
     WHERE d.issue = $1 AND d.state = 'failed' AND s.status = 'bounced'`,
    [date],
  );
  return (result.rows[0] as { n: number }).n;
}
