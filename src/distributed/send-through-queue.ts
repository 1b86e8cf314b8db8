// `paperboy send` with DATABASE_URL: plan and queue the issue (enqueue-issue.ts, the same code a
// scheduled fire of `paperboy serve` runs), then, unless --enqueue-only, work the queue in this
// process (start-worker.ts) until it is empty, so one command still delivers an issue on one
// machine. Other `paperboy worker` processes may help meanwhile; the counts are the issue's, read
// from the deliveries table, and the summary and exit codes are those of the file ledger's send.
import { setTimeout as sleep } from 'node:timers/promises';
import { loadContext } from '../commands/context.js';
import { checkSendable, type SendFlags, type SendIo, type SendOutcome } from '../commands/send.js';
import { describeDatabaseUrl } from '../db/database.js';
import type { DeliveryReport } from '../delivery/deliver-issue.js';
import { emptyReport, MAX_FAILURE_NOTES } from '../delivery/deliver-issue.js';
import { loadDkimOptions } from '../delivery/dkim-options.js';
import { formatSummary } from '../delivery/format-summary.js';
import { resolveKeyring } from '../delivery/link-keyring.js';
import { outboxDir } from '../delivery/outbox-transport.js';
import { createProgressReporter } from '../delivery/progress.js';
import { describeSmtpUrl } from '../delivery/smtp-transport.js';
import type { TransportKind } from '../delivery/transport.js';
import { PaperboyError } from '../errors.js';
import { createLogger } from '../log.js';
import { onStopSignals } from '../stop-signals.js';
import { connectDatabase, openStoreOn, refuseSubscribersFlag } from './connect.js';
import { enqueueIssue } from './enqueue-issue.js';
import { instanceName } from './instance.js';
import { countBounced, type IssueStatus, readFailures, readIssueStatus } from './issue-status.js';
import { openQueue, type Queue } from './queue.js';
import { type RunningWorker, startWorker } from './start-worker.js';

export interface QueueSendFlags extends SendFlags {
  /** Plan and queue only: `paperboy worker` processes send. */
  enqueueOnly?: boolean;
}

/** How often the in-process send looks whether the queue is empty, and reports progress. */
const WATCH_MS = 500;

function notDistributed(flag: string): PaperboyError {
  return new PaperboyError('usage', `${flag} is not available with DATABASE_URL yet`, {
    hint: 'run the send without it, or unset DATABASE_URL to send from the local files',
  });
}

/** The report the file ledger's send would give, from the issue's counts before and after. */
function reportFrom(
  before: IssueStatus,
  after: IssueStatus,
  queued: number,
  extra: Pick<DeliveryReport, 'failures' | 'bounced' | 'stop'>,
): DeliveryReport {
  const skipped: Record<string, number> = {};
  for (const [reason, n] of Object.entries(after.skippedBy)) {
    const delta = n - (before.skippedBy[reason] ?? 0);
    if (delta > 0) skipped[reason] = delta;
  }
  const sent = after.totals.sent - before.totals.sent;
  return {
    pending: queued,
    sent,
    alreadySent: before.totals.sent,
    skipped,
    failed: after.totals.failed,
    retried: after.retried - before.retried,
    attempts: sent + after.totals.failed,
    notAttempted: after.totals.pending + after.totals.sending,
    sentSegmentIds: new Set(),
    ...extra,
  };
}

/** SIGINT/SIGTERM once: stop like a worker does. Twice: leave at once (the rest stays queued). */
function stopOnSignals(stop: AbortController): () => void {
  return onStopSignals({
    first(signal) {
      process.stderr.write(
        `\npaperboy: ${signal}: finishing the messages in flight (${signal} again stops at once)\n`,
      );
      stop.abort(signal);
    },
    again() {
      process.stderr.write(
        'paperboy: stopped at once; the rest stays queued, and the messages in flight are sent again\n',
      );
    },
  });
}

export async function sendThroughQueue(
  source: string,
  flags: QueueSendFlags,
  env: NodeJS.ProcessEnv,
  io: SendIo = {},
): Promise<SendOutcome> {
  const notice = io.notice ?? ((line: string) => process.stderr.write(`${line}\n`));
  const started = performance.now();
  if (flags.only !== undefined) throw notDistributed('--only');
  if (flags.force) throw notDistributed('--force');
  const context = loadContext(flags.config);
  const { config } = context;
  const kind: TransportKind = flags.dryRun ? 'dry-run' : env.SMTP_URL ? 'smtp' : 'outbox';
  if (kind === 'smtp') describeSmtpUrl(env.SMTP_URL as string);
  loadDkimOptions(config);
  const warnings = checkSendable(config, config.baseUrl, kind);
  const { keyring, warning } = await resolveKeyring(kind, config.dataDir, env);
  if (warning) warnings.push(`warning: ${warning}`);
  refuseSubscribersFlag(context, flags.subscribers, env);
  const concurrency = config.delivery.concurrency;
  const { url, db } = await connectDatabase(env, { name: 'paperboy-send', max: concurrency + 4 });
  const store = openStoreOn(db, context);
  const working = !flags.dryRun && !flags.enqueueOnly;
  let queue: Queue | null = null;
  let worker: RunningWorker | null = null;
  try {
    queue = flags.dryRun
      ? null
      : await openQueue(db, {
          supervise: working,
          jobTimeoutSeconds: config.delivery.jobTimeoutSeconds,
        });
    if (working && queue) {
      // Started before planning: its SMTP login check fails the send before anything is queued.
      const problems = createLogger({ stream: process.stderr, json: false });
      worker = await startWorker({
        db,
        queue,
        store,
        context,
        worker: instanceName(),
        concurrency,
        smtpUrl: kind === 'smtp' ? (env.SMTP_URL as string) : null,
        keyring,
        // Its batch lines would drown the progress: only problems are worth saying here.
        log: { info: () => {}, warn: problems.warn, error: problems.error },
        pollingIntervalSeconds: 0.5,
      });
    }
    const enqueued = await enqueueIssue({
      db,
      queue,
      store,
      context,
      source,
      flags,
      plannedBy: instanceName(),
      skipWithoutPapers: io.skipWithoutPapers,
      dryRun: flags.dryRun,
    });
    for (const line of warnings) notice(line);
    if (enqueued.kind === 'no-papers') return { kind: 'no-papers', date: enqueued.date };
    const { date, plan } = enqueued;
    const transport = {
      kind,
      label:
        kind === 'smtp' ? describeSmtpUrl(env.SMTP_URL as string) : outboxDir(config.dataDir, date),
    };
    const ledgerPath = `${describeDatabaseUrl(url)} (table deliveries)`;
    const summary = io.summary ?? ((text: string) => process.stdout.write(text));
    if (!working || !queue || !worker) {
      const skipped = new Map<string, number>();
      for (const { reason } of plan.skipped) skipped.set(reason, (skipped.get(reason) ?? 0) + 1);
      const skips = [...skipped].map(([reason, n]) => `${reason} ${n}`).join(', ');
      summary(
        `${[
          flags.dryRun
            ? `Issue ${date}, dry run: planned, nothing saved or queued`
            : `Issue ${date}, queued in ${ledgerPath}`,
          `  ${(flags.dryRun ? 'would queue' : 'queued').padEnd(13)}${String(enqueued.queued).padStart(6)}  in ${flags.dryRun ? plan.segments.length : enqueued.jobs} ${flags.dryRun ? 'segment(s)' : 'job(s)'}`,
          `  ${'skipped'.padEnd(13)}${String(plan.skipped.length).padStart(6)}${skips ? `  ${skips}` : ''}`,
          ...(flags.dryRun
            ? []
            : ['', `"paperboy worker" sends them; "paperboy status --date ${date}" follows them.`]),
        ].join('\n')}\n`,
      );
      const report: DeliveryReport = {
        ...emptyReport(),
        pending: enqueued.queued,
        notAttempted: enqueued.queued,
      };
      return { kind: 'delivered', date, report, ledgerPath: null, error: null };
    }

    // Work the queue here until it is empty.
    const before = (await readIssueStatus(db, date)) as IssueStatus;
    const stop = new AbortController();
    const outer = io.signal;
    const forward = () => stop.abort(outer?.reason);
    if (outer?.aborted) forward();
    outer?.addEventListener('abort', forward, { once: true });
    const stopHandling = outer
      ? () => outer.removeEventListener('abort', forward)
      : stopOnSignals(stop);
    const progress = io.onProgress
      ? { update: io.onProgress, stop: () => {} }
      : createProgressReporter(process.stderr, 'sending');
    notice(
      `paperboy: issue ${date}: ${enqueued.queued} to send, ${kind === 'smtp' ? 'through' : 'to'} ${transport.label} (queued in ${enqueued.jobs} job(s); other workers may help)`,
    );
    let after = before;
    try {
      for (;;) {
        after = (await readIssueStatus(db, date)) as IssueStatus;
        const { totals } = after;
        progress.update({
          total: enqueued.queued,
          done:
            totals.sent -
            before.totals.sent +
            totals.failed +
            totals.skipped -
            before.totals.skipped,
          sent: totals.sent - before.totals.sent,
          failed: totals.failed,
          skipped: totals.skipped - before.totals.skipped,
          retried: after.retried - before.retried,
        });
        if (stop.signal.aborted || (await queue.sizes()).unfinished === 0) break;
        await sleep(WATCH_MS, undefined, { signal: stop.signal }).catch(() => {});
      }
    } finally {
      await worker.stop();
      worker = null;
      progress.stop();
      stopHandling();
    }
    after = (await readIssueStatus(db, date)) as IssueStatus;
    const signal = stop.signal.aborted ? String(stop.signal.reason) : null;
    const report = reportFrom(before, after, enqueued.queued, {
      failures: (await readFailures(db, date, MAX_FAILURE_NOTES)).map((failure) => ({
        ...failure,
        kind: failure.permanent ? 'permanent' : 'transient',
        bounced: false,
      })),
      bounced: await countBounced(db, date),
      stop: signal ? { kind: 'signal', signal } : null,
    });
    summary(
      formatSummary({
        date,
        transport,
        report,
        planSkipped: plan.skipped,
        durationMs: performance.now() - started,
        ledgerPath,
        pauseFailureRate: config.delivery.pauseFailureRate,
      }),
    );
    let error: PaperboyError | null = null;
    if (signal) {
      error = new PaperboyError(
        'interrupted',
        `stopped by ${signal}; ${report.notAttempted} not sent yet`,
        {
          hint: 'the rest stays queued: "paperboy worker" (or the same command) sends it, and nothing sent is sent again',
        },
      );
    } else if (report.notAttempted > 0) {
      // The queue is empty but these were never sent: their jobs failed every try (the sending
      // side failing, or the failure rate pausing the batches) and are in the dead-letter queue.
      const last = report.failures[0];
      error = new PaperboyError(
        'delivery',
        `${report.notAttempted} of ${after.totals.planned} messages not sent: their jobs failed every try${last ? ` (last reply: ${last.response})` : ''}`,
        {
          hint: 'fix the cause (see "paperboy status"), then run the same command: what was sent is not sent again',
        },
      );
    } else if (report.failed > 0) {
      error = new PaperboyError(
        'delivery',
        `${report.failed} of ${after.totals.planned} messages failed (listed above, and in the deliveries table)`,
        {
          hint: 'run the same command to retry those not bounced: what was sent is not sent again',
        },
      );
    }
    return { kind: 'delivered', date, report, ledgerPath, error };
  } finally {
    await worker?.stop();
    await queue?.close();
    await store.close();
    await db.end();
  }
}
