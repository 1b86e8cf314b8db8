// One job of the send queue: claim its recipients in one statement, then send to them one after
// another (a worker runs several jobs at once; that is its concurrency), each message recorded
// before the next starts. So a worker killed mid-batch leaves at most one message per job in
// flight whose outcome is unknown; the rest of its claim is taken back by the job's next try.
//
// What happens to each recipient mirrors the single-process loop (src/delivery/deliver-issue.ts):
// suppression checked right before the message; the shared rate limit; a permanent failure is
// recorded and strikes the address (bounced at the limit); a transient one is recorded and
// retried by the job's next try (the queue's backoff), with a soft strike when the last try fails
// too; a fatal one (the sending side: login, TLS, the server refusing the sender) or a failure
// rate over the limit stops the batch without striking anyone, and the job is tried again later.
import { classifyFailure, type Failure } from '../delivery/classify-failure.js';
import type { FailureWatch } from '../delivery/failure-watch.js';
import { reachesBounceLimit, type StrikeBook, type StrikeLimits } from '../delivery/strikes.js';
import type { Transport } from '../delivery/transport.js';
import { PaperboyError } from '../errors.js';
import type { SubscriberStore } from '../stores/types.js';
import { recordSegmentSent } from './pg-history.js';
import {
  type Claim,
  claimDeliveries,
  recordFailed,
  recordSent,
  recordSkipped,
  releaseClaims,
} from './pg-ledger.js';
import type { Queryable, SendJob } from './queue.js';
import { createRecheck } from './recipient-recheck.js';
import type { SegmentCache } from './segment-cache.js';
import type { SharedRateLimit } from './shared-rate-limit.js';

export interface BatchContext {
  db: Queryable;
  /** This worker's name (host:pid), written into its claims. */
  worker: string;
  segments: SegmentCache;
  /** The transport for an issue (SMTP: one for all; the outbox: a folder per date). */
  transportFor(issue: string): Promise<Transport>;
  /** The shared rate limit, when delivery.rateLimit is set. */
  rate: SharedRateLimit | null;
  store: Pick<SubscriberStore, 'changeToken' | 'setStatus'>;
  strikes: StrikeBook;
  limits: StrikeLimits;
  /** The worker's failure rate over its last attempts (failure-watch.ts). */
  watch: FailureWatch;
  /** A claim older than this is abandoned (the job timeout): anyone may take it. */
  abandonedAfterSeconds: number;
  /** How often the store's change token is asked during a batch (default: every second). */
  recheckMs?: number;
}

export interface BatchJob {
  id: string;
  /** pg-boss's retry count: 0 on the first try. */
  try: number;
  /** No try comes after this one: transient failures now count as soft strikes. */
  lastTry: boolean;
  data: SendJob;
  /** Aborted on SIGTERM or when the job's time is nearly up: no new message starts. */
  signal: AbortSignal;
}

export type BatchStop =
  /** The sending side failed, or too many attempts did: tried again after the queue's backoff. */
  | { kind: 'fatal' | 'paused'; response: string }
  /** The signal: the worker is stopping, or the job's time is nearly up. */
  | { kind: 'stopped' };

export interface BatchResult {
  claimed: number;
  sent: number;
  /** Found suppressed at the claim or right before sending. */
  skipped: number;
  /** Attempts that failed, of any kind; of those: */
  failed: number;
  permanent: number;
  transient: number;
  bounced: number;
  /** Transient failures a later try of the job (or another job) is to retry. */
  retryable: string[];
  /** Claimed, not attempted, given back (`pending`). */
  notAttempted: string[];
  stop: BatchStop | null;
}

export async function workBatch(context: BatchContext, job: BatchJob): Promise<BatchResult> {
  const { db, store } = context;
  const { issue, revision } = job.data;
  const claim: Claim = { worker: context.worker, job: job.id, try: job.try };
  if (job.signal.aborted) {
    // Fetched as the worker began to stop: nothing claimed, all of it goes back to the queue.
    return {
      claimed: 0,
      sent: 0,
      skipped: 0,
      failed: 0,
      permanent: 0,
      transient: 0,
      bounced: 0,
      retryable: [],
      notAttempted: [...job.data.subscriberIds],
      stop: { kind: 'stopped' },
    };
  }
  const tokenAtClaim = await store.changeToken();
  const { sending, skipped } = await claimDeliveries(
    db,
    issue,
    job.data.subscriberIds,
    claim,
    context.abandonedAfterSeconds,
  );
  const result: BatchResult = {
    claimed: sending.length + skipped.length,
    sent: 0,
    skipped: skipped.length,
    failed: 0,
    permanent: 0,
    transient: 0,
    bounced: 0,
    retryable: [],
    notAttempted: [],
    stop: null,
  };
  const recheck = createRecheck({
    db,
    changeToken: () => store.changeToken(),
    tokenAtClaim,
    claimed: sending,
    maxAgeMs: context.recheckMs,
  });
  const unattempted = new Set(sending.map((row) => row.subscriberId));
  const sentSegments = new Map<string, string[]>();

  async function strike(subscriberId: string, kind: 'hard' | 'soft', failure: Failure) {
    const record = await context.strikes.add(subscriberId, kind, failure);
    if (!reachesBounceLimit(record, context.limits)) return;
    try {
      await store.setStatus(subscriberId, 'bounced');
      result.bounced++;
    } catch (error) {
      // Removed from the list since the plan: there is nobody left to mark.
      if (!(error instanceof PaperboyError && error.kind === 'conflict')) throw error;
    }
  }

  try {
    for (const row of sending) {
      if (job.signal.aborted) {
        result.stop = { kind: 'stopped' };
        break;
      }
      const { subscriberId, email } = row;
      const prepared = await context.segments.get(issue, revision, row.segmentId);
      const now = await recheck(subscriberId);
      if (now.status !== 'active') {
        unattempted.delete(subscriberId);
        await recordSkipped(db, issue, subscriberId, claim, now.status);
        result.skipped++;
        continue;
      }
      const message = await prepared.buildMessage(prepared.rendered, {
        subscriberId,
        email,
        name: now.name,
      });
      if (context.rate) {
        try {
          await context.rate.take(job.signal);
        } catch (error) {
          if (!job.signal.aborted) throw error;
          result.stop = { kind: 'stopped' };
          break;
        }
      }
      const transport = await context.transportFor(issue);
      unattempted.delete(subscriberId);
      let sendError: unknown = null;
      try {
        await transport.send(message);
      } catch (error) {
        sendError = error ?? new Error('send failed');
      }
      if (sendError === null) {
        await recordSent(db, issue, subscriberId, message.messageId);
        result.sent++;
        context.watch.record(false);
        const papers = prepared.segment.papers.map((paper) => paper.paperId);
        sentSegments.set(row.segmentId, papers);
        continue;
      }
      const failure = classifyFailure(sendError);
      await recordFailed(db, issue, subscriberId, claim, {
        code: failure.code,
        response: failure.response,
        permanent: failure.kind === 'permanent',
        messageId: message.messageId,
      });
      result.failed++;
      const pause = context.watch.record(true);
      if (failure.kind === 'fatal') {
        // About the sending side: no strike; the next try sends it again.
        result.retryable.push(subscriberId);
        result.stop = { kind: 'fatal', response: failure.response };
        break;
      }
      if (failure.kind === 'permanent') {
        result.permanent++;
        await strike(subscriberId, 'hard', failure);
      } else {
        result.transient++;
        if (job.lastTry) await strike(subscriberId, 'soft', failure);
        else result.retryable.push(subscriberId);
      }
      if (pause) {
        const { failed, attempts } = context.watch.window;
        result.stop = {
          kind: 'paused',
          response: `${failed} of the last ${attempts} attempts failed (last reply: ${failure.response})`,
        };
        break;
      }
    }
  } finally {
    result.notAttempted = [...unattempted];
    await releaseClaims(db, issue, result.notAttempted, claim);
    // The segments some recipient got: their papers are not planned for them again.
    for (const [segmentId, papers] of sentSegments) {
      await recordSegmentSent(db, issue, segmentId, papers);
    }
  }
  return result;
}
