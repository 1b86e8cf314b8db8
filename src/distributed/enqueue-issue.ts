// Plan an issue and queue its sending: what `paperboy send` and each scheduled fire of
// `paperboy serve` do with DATABASE_URL. The source is loaded and classified as always; the plan
// is planIssue's, against the subscribers in the store and the send history in PostgreSQL; the
// issue, its segments and one `deliveries` row per subscriber are saved, and the deliveries still
// to send become jobs (batches of up to delivery.batchSize recipients of one segment), all in one
// transaction: a plan is never saved without its jobs, nor jobs without their plan.
//
// Planning an issue again is safe: `sent` rows are never touched, rows a worker holds are left to
// it, and only what is still to send is queued again (a job for rows someone else sends finds
// nothing to claim and ends at once).

import type { Context } from '../commands/context.js';
import { loadClassifiedIssues, type SourceFlags } from '../commands/load-issues.js';
import { indexPapers, pickIssue } from '../commands/plan.js';
import type { Database } from '../db/database.js';
import { createPlanner, type Plan } from '../plan/index.js';
import type { SubscriberStore } from '../stores/types.js';
import { loadRecentIssues, saveIssuePlan } from './issue-store.js';
import { pruneSendHistory, readSendHistory } from './pg-history.js';
import { dueDeliveries, recordPlanDeliveries } from './pg-ledger.js';
import { jobSettings, type Queue, type SendJob } from './queue.js';

export interface EnqueueInput {
  db: Database;
  /** Null only for a dry run. */
  queue: Queue | null;
  store: SubscriberStore;
  context: Context;
  source: string;
  flags: SourceFlags;
  /** Who plans (host:pid), recorded with the issue. */
  plannedBy: string;
  /** A source with no papers (weekend, holiday) plans nothing. */
  skipWithoutPapers?: boolean;
  /** Plan and count, save and queue nothing. */
  dryRun?: boolean;
  /** Where the source's warnings go (default: stderr). */
  stderr?: NodeJS.WritableStream;
}

export type EnqueueOutcome =
  | { kind: 'no-papers'; date: string }
  | {
      kind: 'enqueued';
      date: string;
      plan: Plan;
      /** The plan revision saved (0 for a dry run). */
      revision: number;
      /** Recipients queued: planned and not sent yet. */
      queued: number;
      jobs: number;
    };

/** Consecutive runs of one segment's recipients, at most `size` each. Pure. */
export function batchJobs(
  due: readonly { segmentId: string; subscriberId: string }[],
  issue: string,
  revision: number,
  size: number,
): SendJob[] {
  const jobs: SendJob[] = [];
  let current: SendJob | null = null;
  for (const { segmentId, subscriberId } of due) {
    if (!current || current.segmentId !== segmentId || current.subscriberIds.length >= size) {
      current = { issue, revision, segmentId, subscriberIds: [] };
      jobs.push(current);
    }
    current.subscriberIds.push(subscriberId);
  }
  return jobs;
}

export async function enqueueIssue(input: EnqueueInput): Promise<EnqueueOutcome> {
  const { db, context } = input;
  const { config } = context;
  const { issues } = await loadClassifiedIssues(
    input.source,
    input.flags,
    context,
    input.stderr ?? process.stderr,
  );
  const { issue, recent } = pickIssue(issues, input.flags.date);
  if (input.skipWithoutPapers && issues.every((day) => day.papers.length === 0)) {
    return { kind: 'no-papers', date: issue.date };
  }
  const history = await readSendHistory(db, issue.date, config.plan.historyDays);
  // Weekly digests merge the week: the days planned earlier are in the issues table.
  const kept = await loadRecentIssues(db, issue.date, new Set(issues.map((day) => day.date)));
  const planner = createPlanner({ issue, recent: [...recent, ...kept] }, history, config.plan);
  // Planned as read, a page at a time: the whole list is never held.
  await input.store.scan((subscriber) => planner.add(subscriber));
  const plan = planner.finish();
  const papers = indexPapers([...kept, ...issues]);
  const settings = jobSettings(config.delivery);
  // A claim older than the job timeout belongs to a worker that died: its rows are due again.
  const abandoned = settings.expireInSeconds;
  const { queue } = input;
  if (input.dryRun || !queue) {
    if (!input.dryRun) throw new Error('enqueueIssue: a queue is needed unless dryRun');
    const queued = plan.segments.reduce((sum, segment) => sum + segment.recipients.length, 0);
    return { kind: 'enqueued', date: plan.date, plan, revision: 0, queued, jobs: 0 };
  }

  const client = await db.connect();
  try {
    await client.query('BEGIN');
    const { revision } = await saveIssuePlan(client, {
      issue,
      plan,
      papers,
      plannedBy: input.plannedBy,
    });
    await recordPlanDeliveries(client, plan);
    const due = await dueDeliveries(client, plan.date, abandoned);
    const jobs = batchJobs(due, plan.date, revision, config.delivery.batchSize);
    await queue.insert(jobs, settings, client);
    await client.query('COMMIT');
    // Outside the transaction: only an optimisation, and safe to miss.
    await pruneSendHistory(db, plan.date, config.plan.historyDays);
    return {
      kind: 'enqueued',
      date: plan.date,
      plan,
      revision,
      queued: due.length,
      jobs: jobs.length,
    };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
