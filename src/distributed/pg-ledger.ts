// The delivery ledger in PostgreSQL: one `deliveries` row per (issue, subscriber). Every state
// change is one statement, and each one says which states it may change, so concurrent workers
// (and a re-plan running meanwhile) can never both claim one delivery or overwrite a `sent`.
//
//   plan:   (none) -> pending | skipped; pending, failed, skipped -> pending | skipped (re-plan)
//   claim:  pending | retryable failed | abandoned sending -> sending (or skipped: suppressed)
//   send:   sending -> sent | failed | skipped (suppressed meanwhile) | pending (not attempted)
import type { Plan } from '../plan/index.js';
import type { Queryable } from './queue.js';

/** Who holds a claim: the worker, and the job and try it claimed for. */
export interface Claim {
  worker: string;
  job: string;
  /** pg-boss's retry count of the job: 0 on the first try. */
  try: number;
}

export interface ClaimedDelivery {
  subscriberId: string;
  email: string;
  /** The subscriber's name now (the greeting). */
  name: string | null;
  /** The segment the row belongs to now (a re-plan may have moved it since the job was made). */
  segmentId: string;
}

export interface SkippedDelivery {
  subscriberId: string;
  email: string;
  /** unsubscribed, bounced, or removed (no longer on the list). */
  reason: string;
}

export interface ClaimResult {
  sending: ClaimedDelivery[];
  skipped: SkippedDelivery[];
}

/**
 * The plan's subscribers as rows: recipients `pending` in their segment, the plan's skips
 * `skipped` with the reason. A row that is `sent` (or `sending`: a worker holds it) is not
 * touched, so planning an issue again neither resends nor takes a delivery from a worker.
 * Anything else follows the new plan: a failed delivery is pending again (a rerun retries it, as
 * with the file ledger), a subscriber who unsubscribed since is skipped.
 */
export async function recordPlanDeliveries(db: Queryable, plan: Plan): Promise<void> {
  const ids: string[] = [];
  const emails: string[] = [];
  const segments: (string | null)[] = [];
  const recipients: boolean[] = [];
  const reasons: (string | null)[] = [];
  for (const segment of plan.segments) {
    for (const recipient of segment.recipients) {
      ids.push(recipient.subscriberId);
      emails.push(recipient.email);
      segments.push(segment.id);
      recipients.push(true);
      reasons.push(null);
    }
  }
  for (const skipped of plan.skipped) {
    ids.push(skipped.subscriberId);
    emails.push(skipped.email);
    segments.push(skipped.segmentId);
    recipients.push(false);
    reasons.push(skipped.reason);
  }
  await db.query(
    `INSERT INTO deliveries AS d (issue, subscriber_id, email, segment_id, recipient, state, reason)
     SELECT $1, r.id, r.email, r.segment_id, r.recipient,
            CASE WHEN r.recipient THEN 'pending' ELSE 'skipped' END::delivery_state, r.reason
     FROM unnest($2::text[], $3::text[], $4::text[], $5::boolean[], $6::text[])
       AS r (id, email, segment_id, recipient, reason)
     -- Rows are locked in subscriber order, as the claim and the release lock them.
     ORDER BY r.id COLLATE "C"
     ON CONFLICT (issue, subscriber_id) DO UPDATE SET
       email = EXCLUDED.email, segment_id = EXCLUDED.segment_id, recipient = EXCLUDED.recipient,
       state = EXCLUDED.state, reason = EXCLUDED.reason,
       code = NULL, response = NULL, permanent = NULL, updated_at = now()
     WHERE d.state IN ('pending', 'failed', 'skipped')
       AND (d.email, d.segment_id, d.recipient, d.state, d.reason)
         IS DISTINCT FROM (EXCLUDED.email, EXCLUDED.segment_id, EXCLUDED.recipient, EXCLUDED.state, EXCLUDED.reason)`,
    [plan.date, ids, emails, segments, recipients, reasons],
  );
}

/** A row that can be claimed: $4 job, $5 try, $6 seconds after which a claim is abandoned. */
const CLAIMABLE = `(
  d.state = 'pending'
  OR (d.state = 'failed' AND d.permanent IS NOT TRUE)
  OR (d.state = 'sending' AND ((d.claim_job = $4 AND d.claim_try < $5)
                               OR d.claimed_at < now() - make_interval(secs => $6)))
)`;

/**
 * The planned recipients with nothing sent yet that no live worker holds, by segment: what an
 * enqueue makes jobs of.
 */
export async function dueDeliveries(
  db: Queryable,
  issue: string,
  abandonedAfterSeconds: number,
): Promise<{ segmentId: string; subscriberId: string }[]> {
  const result = await db.query(
    `SELECT d.segment_id AS "segmentId", d.subscriber_id AS "subscriberId"
     FROM deliveries d
     WHERE d.issue = $1 AND d.recipient
       AND (d.state IN ('pending', 'failed')
            OR (d.state = 'sending' AND d.claimed_at < now() - make_interval(secs => $2)))
     ORDER BY d.segment_id, d.subscriber_id`,
    [issue, abandonedAfterSeconds],
  );
  return result.rows as { segmentId: string; subscriberId: string }[];
}

/**
 * Claims a batch in one statement: the rows still to send become `sending` under `claim`; those
 * whose subscriber is no longer active (or no longer on the list) become `skipped` instead, as
 * suppression is checked right before sending. A row another worker holds, or that is sent, is
 * left out, so the same row is never claimed twice. Also takes back the rows an earlier try of
 * the same job left `sending` (its worker died), and any claim older than the job timeout.
 *
 * The rows are locked first, in subscriber order, skipping those another statement has locked
 * this instant (another claimer's: it is claiming them): claimers never wait on each other, and
 * two batches that overlap (a job queued again by a re-plan) cannot deadlock.
 */
export async function claimDeliveries(
  db: Queryable,
  issue: string,
  subscriberIds: readonly string[],
  claim: Claim,
  abandonedAfterSeconds: number,
): Promise<ClaimResult> {
  const result = await db.query(
    `WITH claimable AS (
       SELECT d.subscriber_id FROM deliveries d
       WHERE d.issue = $1 AND d.subscriber_id = ANY($2::text[]) AND d.recipient AND ${CLAIMABLE}
       ORDER BY d.subscriber_id
       FOR UPDATE SKIP LOCKED
     )
     UPDATE deliveries d SET
       state = CASE WHEN s.status = 'active' THEN 'sending' ELSE 'skipped' END::delivery_state,
       reason = CASE WHEN s.status = 'active' THEN NULL ELSE COALESCE(s.status, 'removed') END,
       claimed_at = now(), claimed_by = $3, claim_job = $4, claim_try = $5, updated_at = now()
     FROM claimable c LEFT JOIN subscribers s ON s.id = c.subscriber_id
     WHERE d.issue = $1 AND d.subscriber_id = c.subscriber_id
     RETURNING d.subscriber_id AS "subscriberId", d.email, d.segment_id AS "segmentId",
               d.state, d.reason, s.name`,
    [issue, subscriberIds, claim.worker, claim.job, claim.try, abandonedAfterSeconds],
  );
  const rows = result.rows as (ClaimedDelivery & { state: string; reason: string | null })[];
  const sending: ClaimedDelivery[] = [];
  const skipped: SkippedDelivery[] = [];
  for (const row of rows) {
    if (row.state === 'sending') {
      sending.push({
        subscriberId: row.subscriberId,
        email: row.email,
        name: row.name,
        segmentId: row.segmentId,
      });
    } else {
      skipped.push({ subscriberId: row.subscriberId, email: row.email, reason: row.reason ?? '' });
    }
  }
  // Claimed in the job's order (the order of the list), so a batch reads like the plan.
  const order = new Map(subscriberIds.map((id, index) => [id, index]));
  sending.sort((a, b) => (order.get(a.subscriberId) ?? 0) - (order.get(b.subscriberId) ?? 0));
  return { sending, skipped };
}

/**
 * `sent`, whoever holds the row now: it went out, and that is the truth to record. In the same
 * statement the address's bounce strikes go (a delivery that went through ends a run of failures).
 */
export async function recordSent(
  db: Queryable,
  issue: string,
  subscriberId: string,
  messageId: string,
): Promise<void> {
  await db.query(
    `WITH sent AS (
       UPDATE deliveries SET state = 'sent', sent_at = now(), message_id = $3,
         attempts = attempts + 1, code = NULL, response = NULL, permanent = NULL, updated_at = now()
       WHERE issue = $1 AND subscriber_id = $2 AND state <> 'sent'
       RETURNING subscriber_id
     )
     DELETE FROM bounce_strikes WHERE subscriber_id IN (SELECT subscriber_id FROM sent)`,
    [issue, subscriberId, messageId],
  );
}

export interface FailedAttempt {
  code: number | null;
  response: string;
  permanent: boolean;
  messageId: string;
}

/** `failed`, if the row is still ours (a row sent meanwhile by another worker stays sent). */
export async function recordFailed(
  db: Queryable,
  issue: string,
  subscriberId: string,
  claim: Claim,
  failure: FailedAttempt,
): Promise<void> {
  await db.query(
    `UPDATE deliveries SET state = 'failed', attempts = attempts + 1, message_id = $6,
       code = $7, response = $8, permanent = $9, updated_at = now()
     WHERE issue = $1 AND subscriber_id = $2 AND state = 'sending'
       AND claim_job = $3 AND claim_try = $4 AND claimed_by = $5`,
    [
      issue,
      subscriberId,
      claim.job,
      claim.try,
      claim.worker,
      failure.messageId,
      failure.code,
      failure.response,
      failure.permanent,
    ],
  );
}

/** `skipped`: found unsubscribed, bounced or removed right before sending. */
export async function recordSkipped(
  db: Queryable,
  issue: string,
  subscriberId: string,
  claim: Claim,
  reason: string,
): Promise<void> {
  await db.query(
    `UPDATE deliveries SET state = 'skipped', reason = $6, updated_at = now()
     WHERE issue = $1 AND subscriber_id = $2 AND state = 'sending'
       AND claim_job = $3 AND claim_try = $4 AND claimed_by = $5`,
    [issue, subscriberId, claim.job, claim.try, claim.worker, reason],
  );
}

/** Claimed rows this try did not attempt go back to `pending`, for the next job or try. */
export async function releaseClaims(
  db: Queryable,
  issue: string,
  subscriberIds: readonly string[],
  claim: Claim,
): Promise<void> {
  if (subscriberIds.length === 0) return;
  await db.query(
    `WITH ours AS (
       SELECT subscriber_id FROM deliveries
       WHERE issue = $1 AND subscriber_id = ANY($2::text[]) AND state = 'sending'
         AND claim_job = $3 AND claim_try = $4 AND claimed_by = $5
       ORDER BY subscriber_id
       FOR UPDATE
     )
     UPDATE deliveries d SET state = 'pending', claimed_at = NULL, claimed_by = NULL,
       claim_job = NULL, claim_try = NULL, updated_at = now()
     FROM ours WHERE d.issue = $1 AND d.subscriber_id = ours.subscriber_id`,
    [issue, subscriberIds, claim.job, claim.try, claim.worker],
  );
}
