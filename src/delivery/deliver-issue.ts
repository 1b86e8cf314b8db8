// The delivery loop: every planned recipient of an issue who has not got it yet gets exactly one
// message, through whatever transport it is given, with every outcome in the ledger.
//
// - Streaming: recipients flow through `concurrency` workers; a segment is rendered when the
//   first of its recipients comes up, and only the messages in flight exist at any time, so memory
//   does not grow with the list. Segments with nobody left to send to are not rendered. Small
//   segments are sent among the large ones (delivery-order.ts).
// - Resumable: recipients the ledger has as `sent` are passed over (unless `force`); anything else
//   (`sending` with no outcome after a crash, `failed`) is sent again. Every attempt is written as
//   `sending` before it starts, so duplicates after a crash are at most the messages in flight.
// - Honest: suppression is checked right before each message; transient failures are retried with
//   backoff; permanent ones strike the address (classify-failure.ts); a high failure rate pauses
//   the run (failure-watch.ts); a stop signal lets the messages in flight finish, records the ones
//   waiting for a retry, and starts nothing new.
import { setTimeout as wait } from 'node:timers/promises';
import { type Plan, type Recipient, type Segment, someRecipient } from '../plan/index.js';
import type { RenderedSegment } from '../render/index.js';
import type { ArchiveWriter } from './archive.js';
import type { MessageRecipient } from './build-message.js';
import { classifyFailure, type Failure } from './classify-failure.js';
import { deliveryOrder } from './delivery-order.js';
import { createFailureWatch } from './failure-watch.js';
import type { LedgerEntry, LedgerWriter, PriorDelivery } from './ledger.js';
import type { RecipientCheck } from './recipient-check.js';
import { retryDelay } from './retry-delay.js';
import type { StrikeKind } from './strikes.js';
import type { OutgoingMessage, Transport } from './transport.js';

/** Failures described one by one in the report; the rest are only counted. */
export const MAX_FAILURE_NOTES = 10;

export interface DeliveryOptions {
  concurrency: number;
  /** Attempts after the first for a transient failure. */
  retries: number;
  backoffMs: number;
  pauseFailureRate: number;
  pauseMinAttempts: number;
  /** Send again to recipients the ledger has as `sent`. */
  force: boolean;
}

export interface DeliverIssueInput {
  plan: Plan;
  /** Deliver only to these subscriber ids (--only); every planned recipient when absent. */
  only?: ReadonlySet<string> | null;
  /** What the ledger says about each subscriber from earlier runs of this issue. */
  prior: ReadonlyMap<string, PriorDelivery>;
  options: DeliveryOptions;
  renderSegment(segment: Segment): Promise<RenderedSegment>;
  /**
   * Called once per rendered segment (not in a dry run): keeps its neutral copy for the web
   * archive (archive.ts). A failure to archive is reported through `onArchiveError`, never stops
   * the delivery.
   */
  archive?: ArchiveWriter | null;
  onArchiveError?(error: unknown, segment: Segment | null): void;
  buildMessage(rendered: RenderedSegment, recipient: MessageRecipient): Promise<OutgoingMessage>;
  transport: Transport;
  checkRecipient: RecipientCheck;
  /** Where outcomes are written; null for a dry run. */
  ledger: LedgerWriter | null;
  /** A strike for a failed delivery; resolves true when the address is now bounced. */
  strike(
    subscriberId: string,
    kind: StrikeKind,
    failure: { code: number | null; response: string },
  ): Promise<boolean>;
  /** After a delivery went through (clears strikes). */
  delivered(subscriberId: string): Promise<void>;
  /** Aborted on SIGINT/SIGTERM (reason: the signal's name) or with an Error: nothing new starts. */
  signal?: AbortSignal;
  onProgress?(progress: DeliveryProgress): void;
  now?: () => Date;
  random?: () => number;
}

export interface DeliveryProgress {
  /** Recipients this run set out to deliver to. */
  total: number;
  /** Of those, how many have an outcome. */
  done: number;
  sent: number;
  failed: number;
  skipped: number;
  retried: number;
}

export type FailureNoteKind = 'permanent' | 'transient' | 'interrupted' | 'fatal';

export interface FailureNote {
  subscriberId: string;
  email: string;
  kind: FailureNoteKind;
  code: number | null;
  response: string;
  /** The strike made the address `bounced`. */
  bounced: boolean;
}

export type StopReason =
  | { kind: 'paused'; failed: number; attempts: number }
  | { kind: 'signal'; signal: string }
  | { kind: 'fatal'; failure: Failure }
  | { kind: 'error'; error: unknown };

export interface DeliveryReport {
  /** Recipients this run set out to deliver to: not yet sent (everyone planned with `force`). */
  pending: number;
  sent: number;
  /** Planned recipients an earlier run already delivered to, not sent again. */
  alreadySent: number;
  /** Found suppressed right before sending, by status: unsubscribed, bounced, removed. */
  skipped: Record<string, number>;
  failed: number;
  /** The first MAX_FAILURE_NOTES failures. */
  failures: FailureNote[];
  /** Addresses that reached the bounce limit in this run. */
  bounced: number;
  /** Attempts after a transient failure. */
  retried: number;
  attempts: number;
  /** Pending recipients left untouched because the run stopped early. */
  notAttempted: number;
  stop: StopReason | null;
  /** Segments with a recipient who got the issue in this run. */
  sentSegmentIds: Set<string>;
}

/** A report of nothing done yet. */
export function emptyReport(): DeliveryReport {
  return {
    pending: 0,
    sent: 0,
    alreadySent: 0,
    skipped: {},
    failed: 0,
    failures: [],
    bounced: 0,
    retried: 0,
    attempts: 0,
    notAttempted: 0,
    stop: null,
    sentSegmentIds: new Set(),
  };
}

interface Job {
  segment: Segment;
  rendered: RenderedSegment;
  recipient: Recipient;
}

export async function deliverIssue(input: DeliverIssueInput): Promise<DeliveryReport> {
  const { plan, prior, options, transport, ledger } = input;
  const now = input.now ?? (() => new Date());
  const random = input.random ?? Math.random;
  const wanted = (recipient: Recipient) => !input.only || input.only.has(recipient.subscriberId);
  const due = (recipient: Recipient) =>
    options.force || prior.get(recipient.subscriberId)?.state !== 'sent';

  const report = emptyReport();
  for (const segment of plan.segments) {
    for (const recipient of segment.recipients) {
      if (!wanted(recipient)) continue;
      if (due(recipient)) report.pending++;
      else report.alreadySent++;
    }
  }

  const stopper = new AbortController();
  const halt = (reason: StopReason) => {
    if (stopper.signal.aborted) return;
    report.stop = reason;
    stopper.abort(reason);
  };
  const onOuterAbort = () => {
    const reason = input.signal?.reason;
    halt(
      reason instanceof Error
        ? { kind: 'error', error: reason }
        : { kind: 'signal', signal: String(reason) },
    );
  };
  if (input.signal?.aborted) onOuterAbort();
  input.signal?.addEventListener('abort', onOuterAbort, { once: true });

  const watch = createFailureWatch({
    rate: options.pauseFailureRate,
    minAttempts: options.pauseMinAttempts,
  });
  let done = 0;
  const progress = () =>
    input.onProgress?.({
      total: report.pending,
      done,
      sent: report.sent,
      failed: report.failed,
      skipped: Object.values(report.skipped).reduce((sum, n) => sum + n, 0),
      retried: report.retried,
    });
  const write = (entry: Omit<LedgerEntry, 'at'>) =>
    ledger?.append({ at: now().toISOString(), ...entry });

  const pending = (recipient: Recipient) => wanted(recipient) && due(recipient);
  async function* jobs(): AsyncGenerator<Job> {
    for (const segment of deliveryOrder(plan.segments)) {
      // Read through twice rather than kept in a list: a segment may hold most of the recipients.
      if (!someRecipient(segment.recipients, pending)) continue;
      const rendered = await input.renderSegment(segment);
      if (input.archive && ledger) {
        await input.archive
          .write(plan.date, segment, rendered)
          .catch((error: unknown) => input.onArchiveError?.(error, segment));
      }
      for (const recipient of segment.recipients) {
        if (pending(recipient)) yield { segment, rendered, recipient };
      }
    }
  }

  async function fail(
    job: Job,
    attempt: number,
    kind: FailureNoteKind,
    failure: Pick<Failure, 'code' | 'response'>,
  ): Promise<void> {
    const { subscriberId, email } = job.recipient;
    write({
      subscriberId,
      email,
      state: 'failed',
      attempt,
      code: failure.code,
      response: failure.response,
      permanent: kind === 'permanent',
    });
    report.failed++;
    let bounced = false;
    if (kind === 'permanent' || kind === 'transient') {
      bounced = await input.strike(subscriberId, kind === 'permanent' ? 'hard' : 'soft', failure);
      if (bounced) report.bounced++;
    }
    if (report.failures.length < MAX_FAILURE_NOTES) {
      report.failures.push({ subscriberId, email, kind, ...failure, bounced });
    }
  }

  async function deliver(job: Job): Promise<void> {
    const { subscriberId, email } = job.recipient;
    const current = await input.checkRecipient(job.recipient);
    if (current.status !== 'active') {
      write({ subscriberId, email, state: 'skipped', reason: current.status });
      report.skipped[current.status] = (report.skipped[current.status] ?? 0) + 1;
      return;
    }
    const message = await input.buildMessage(job.rendered, {
      subscriberId,
      email,
      name: current.name,
    });
    const { messageId } = message;
    const segmentId = job.segment.id;
    for (let attempt = 1; ; attempt++) {
      write({ subscriberId, email, state: 'sending', attempt, messageId, segmentId });
      // On disk before the message can be: a crash from here on resends it, never loses it.
      await ledger?.committed();
      report.attempts++;
      let failure: Failure;
      try {
        await transport.send(message);
        write({ subscriberId, email, state: 'sent', attempt, messageId, segmentId });
        report.sent++;
        report.sentSegmentIds.add(segmentId);
        watch.record(false);
        await input.delivered(subscriberId);
        return;
      } catch (error) {
        failure = classifyFailure(error);
      }
      if (watch.record(true)) halt({ kind: 'paused', ...watch.window });
      if (failure.kind === 'fatal') {
        halt({ kind: 'fatal', failure });
        await fail(job, attempt, 'fatal', failure);
        return;
      }
      if (failure.kind === 'permanent' || attempt > options.retries) {
        await fail(job, attempt, failure.kind, failure);
        return;
      }
      report.retried++;
      progress();
      try {
        await wait(retryDelay(attempt, options.backoffMs, random()), undefined, {
          signal: stopper.signal,
        });
      } catch {
        // Stopped while waiting to retry: recorded, no strike; a rerun sends it.
        await fail(job, attempt, 'interrupted', {
          code: failure.code,
          response: `not retried, the run stopped (last reply: ${failure.response})`,
        });
        return;
      }
    }
  }

  const iterator = jobs();
  async function worker(): Promise<void> {
    while (!stopper.signal.aborted) {
      let next: IteratorResult<Job>;
      try {
        next = await iterator.next();
      } catch (error) {
        halt({ kind: 'error', error });
        return;
      }
      if (next.done || stopper.signal.aborted) return;
      try {
        await deliver(next.value);
      } catch (error) {
        halt({ kind: 'error', error });
        return;
      }
      done++;
      progress();
    }
  }

  try {
    progress();
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    input.signal?.removeEventListener('abort', onOuterAbort);
    await iterator.return(undefined);
    // The archive's index, once for the run (archive.ts); a failure is reported, never fatal.
    await input.archive?.flush().catch((error: unknown) => input.onArchiveError?.(error, null));
  }
  const skipped = Object.values(report.skipped).reduce((sum, n) => sum + n, 0);
  report.notAttempted = report.pending - report.sent - report.failed - skipped;
  return report;
}
