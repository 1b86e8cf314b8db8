// `paperboy serve`: one long-running process with the HTTP server (unsubscribe, preferences, the
// web archive, health checks) and the daily send on the node-cron schedule from the config. Each
// run is exactly `paperboy send <schedule.source>`; what was sent is in the ledger, so a run for
// an issue already sent does nothing and a run after a crash resumes. Logs: one line per event.
//
// With DATABASE_URL any number of instances may run (behind one proxy): each answers the web
// endpoints from the database; each scheduled fire runs on exactly one of them (node-cron's
// distributed mode, src/distributed/run-coordinator.ts), and a run plans the issue and queues it
// for `paperboy worker` processes instead of sending it.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createAdaptorServer } from '@hono/node-server';
import { type Database, describeDatabaseUrl } from '../db/database.js';
import type { DeliveryProgress } from '../delivery/deliver-issue.js';
import {
  connectDatabase,
  openStoreOn,
  refuseSubscribersFlag,
  usesDatabase,
} from '../distributed/connect.js';
import { type EnqueueInput, enqueueIssue } from '../distributed/enqueue-issue.js';
import { instanceName } from '../distributed/instance.js';
import { createPgArchiveReader } from '../distributed/pg-archive.js';
import { openQueue, type Queue } from '../distributed/queue.js';
import { createPgRunCoordinator } from '../distributed/run-coordinator.js';
import { PaperboyError } from '../errors.js';
import { createLogger, type Logger } from '../log.js';
import {
  checkCronExpression,
  FIRE_LEASE_MS,
  fireKey,
  lastRunToday,
  nextRunTimes,
  type Schedule,
  startSchedule,
} from '../scheduler.js';
import { onStopSignals } from '../stop-signals.js';
import type { SubscriberStore } from '../stores/types.js';
import { createWebApp } from '../web/app.js';
import { listen, urlHost } from '../web/listen.js';
import { type Context, loadContext, openSubscriberStore } from './context.js';
import { sendIssue } from './send.js';
import { preflightSender } from './service-preflight.js';

export const DEFAULT_SERVE_HOST = '127.0.0.1';
export const DEFAULT_SERVE_PORT = 8080;
/** Next run times printed on start. */
const NEXT_RUNS_SHOWN = 3;

export interface ServeFlags {
  host?: string;
  port?: number;
  config?: string;
  subscribers?: string;
}

/**
 * After the fetch's own retries (seconds apart) give up, a run tries again this often, waiting
 * this long, doubling: the HF API being down for a few minutes does not cost the day's issue.
 * PAPERBOY_RUN_RETRY_MS sets the first wait (tests).
 */
const RUN_RETRIES = 3;
const RUN_RETRY_MS = 60_000;

function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    setImmediate(() => server.closeIdleConnections());
    setTimeout(() => server.closeAllConnections(), 1000).unref();
  });
}

/** Progress lines at every tenth of the way and at the end, not one per message. */
function progressLogger(log: Logger, run: number): (p: DeliveryProgress) => void {
  let lastTenth = -1;
  return (p) => {
    const tenth = p.total === 0 ? 10 : Math.floor((p.done * 10) / p.total);
    if (tenth === lastTenth && p.done !== p.total) return;
    lastTenth = tenth;
    log.info('send.progress', {
      run,
      done: p.done,
      total: p.total,
      sent: p.sent,
      failed: p.failed,
      skipped: p.skipped,
      retried: p.retried,
    });
  };
}

export interface Runner {
  /** Runs the send once, unless one is running (then says so and returns). Never throws. */
  run(reason: 'scheduled' | 'catch-up', scheduledAt?: Date): Promise<void>;
  /** Stops new messages; resolves when the run in flight (if any) has finished and closed its ledger. */
  stop(signal: string): Promise<void>;
}

/**
 * One attempt of a run: does it and logs how it went; throws what stopped it (a fetch failure is
 * retried by the runner).
 */
export type RunAttempt = (run: number, signal: AbortSignal, started: number) => Promise<void>;

/** Without a database: a run is exactly `paperboy send <source>`, in this process. */
export function sendAttempt(
  source: string,
  flags: ServeFlags,
  env: NodeJS.ProcessEnv,
  log: Logger,
): RunAttempt {
  return async (run, signal, started) => {
    const outcome = await sendIssue(
      source,
      { config: flags.config, subscribers: flags.subscribers },
      env,
      {
        notice: (line) => {
          const warning = /^warning: /.test(line);
          const message = line.replace(/^(paperboy|warning): /, '');
          if (warning) log.warn('send.warning', { run, message });
          else log.info('send.notice', { run, message });
        },
        onProgress: progressLogger(log, run),
        summary: () => {},
        signal,
        skipWithoutPapers: true,
      },
    );
    const ms = Math.round(performance.now() - started);
    if (outcome.kind !== 'delivered') {
      log.info('run.skipped', { run, date: outcome.date, reason: 'no papers', ms });
      return;
    }
    const { report, error } = outcome;
    const fields = {
      run,
      date: outcome.date,
      sent: report.sent,
      alreadySent: report.alreadySent,
      failed: report.failed,
      skipped: Object.values(report.skipped).reduce((sum, n) => sum + n, 0),
      notAttempted: report.notAttempted,
      ledger: outcome.ledgerPath,
      ms,
    };
    if (error) {
      const kind = error instanceof PaperboyError ? error.kind : 'bug';
      log.error('run.incomplete', { ...fields, outcome: kind, error });
    } else if (report.pending === 0) {
      log.info('run.finished', { ...fields, outcome: 'nothing to send' });
    } else {
      log.info('run.finished', { ...fields, outcome: 'sent' });
    }
  };
}

/** With DATABASE_URL: a run plans the issue and queues it; `paperboy worker` processes send it. */
export function enqueueAttempt(
  source: string,
  input: Omit<EnqueueInput, 'source' | 'flags' | 'skipWithoutPapers'>,
  flags: ServeFlags,
  log: Logger,
): RunAttempt {
  return async (run, _signal, started) => {
    const outcome = await enqueueIssue({
      ...input,
      source,
      flags: { config: flags.config },
      skipWithoutPapers: true,
    });
    const ms = Math.round(performance.now() - started);
    if (outcome.kind === 'no-papers') {
      log.info('run.skipped', { run, date: outcome.date, reason: 'no papers', ms });
      return;
    }
    log.info('run.finished', {
      run,
      date: outcome.date,
      outcome: outcome.queued === 0 ? 'nothing to send' : 'queued',
      planned: outcome.plan.totals.recipients,
      queued: outcome.queued,
      jobs: outcome.jobs,
      skipped: outcome.plan.totals.skipped,
      revision: outcome.revision,
      ms,
    });
  };
}

export function createRunner(
  source: string,
  attempt: RunAttempt,
  env: NodeJS.ProcessEnv,
  log: Logger,
  instance: string,
): Runner {
  const shutdown = new AbortController();
  let current: Promise<void> | null = null;
  let runs = 0;
  const firstRetryMs = Number(env.PAPERBOY_RUN_RETRY_MS) || RUN_RETRY_MS;

  async function once(run: number, reason: string, scheduledAt: Date | undefined): Promise<void> {
    const started = performance.now();
    log.info('run.started', { run, reason, source, instance, scheduledAt });
    for (let tries = 1; ; tries++) {
      try {
        await attempt(run, shutdown.signal, started);
        return;
      } catch (error) {
        const fetchFailed = error instanceof PaperboyError && error.kind === 'unreadable';
        if (fetchFailed && tries <= RUN_RETRIES && !shutdown.signal.aborted) {
          const delayMs = firstRetryMs * 2 ** (tries - 1);
          log.warn('fetch.failed', { run, attempt: tries, retryInMs: delayMs, error });
          try {
            await sleep(delayMs, undefined, { signal: shutdown.signal });
          } catch {
            log.info('run.stopped', { run, reason: 'shutdown while waiting to retry' });
            return;
          }
          continue;
        }
        const kind = error instanceof PaperboyError ? error.kind : 'bug';
        log.error('run.failed', {
          run,
          outcome: kind,
          error,
          ...(kind === 'bug' ? { stack: (error as Error)?.stack } : {}),
        });
        return;
      }
    }
  }

  return {
    async run(reason, scheduledAt) {
      if (shutdown.signal.aborted) return;
      if (current) {
        log.warn('run.overlap', { reason, detail: 'a run is still going; this one is skipped' });
        return;
      }
      const run = ++runs;
      current = once(run, reason, scheduledAt).finally(() => {
        current = null;
      });
      await current;
    },
    async stop(signal) {
      shutdown.abort(signal);
      await current;
    },
  };
}

interface OpenedStores {
  store: SubscriberStore;
  /** How the subscribers' place is named in the logs. */
  label: string;
  /** With DATABASE_URL: the pool and the queue runs put the issue on. */
  distributed: { db: Database; queue: Queue } | null;
  close(): Promise<void>;
}

/** The subscriber file, or with DATABASE_URL the database (checked first) and the send queue. */
async function openStores(
  context: Context,
  flags: ServeFlags,
  env: NodeJS.ProcessEnv,
  log: Logger,
): Promise<OpenedStores> {
  if (!usesDatabase(env)) {
    const { store, label } = openSubscriberStore(context, flags.subscribers, env);
    return { store, label, distributed: null, close: () => store.close() };
  }
  refuseSubscribersFlag(context, flags.subscribers, env);
  const { url, db } = await connectDatabase(env, { name: 'paperboy-serve', max: 6 });
  const store = openStoreOn(db, context);
  let queue: Queue;
  try {
    queue = await openQueue(db, {
      supervise: false,
      jobTimeoutSeconds: context.config.delivery.jobTimeoutSeconds,
      onError: (error) => log.error('queue.error', { error }),
    });
  } catch (error) {
    await db.end();
    throw error;
  }
  return {
    store,
    label: describeDatabaseUrl(url),
    distributed: { db, queue },
    async close() {
      await queue.close();
      await store.close();
      await db.end();
    },
  };
}

export async function runServe(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env) {
  const log = createLogger();
  const context = loadContext(flags.config);
  const { config } = context;
  const { cron: expression, timezone, source } = config.schedule;
  checkCronExpression(expression);
  const host = flags.host ?? DEFAULT_SERVE_HOST;
  const port = flags.port ?? DEFAULT_SERVE_PORT;

  // What would fail every run fails now, before listening.
  const { kind, keyring } = await preflightSender(config, env, log);
  const instance = instanceName();
  const opened = await openStores(context, flags, env, log);
  const { store, label, distributed } = opened;
  let server: Server;
  try {
    const app = createWebApp({
      config,
      topics: context.topics,
      store,
      keyring,
      dataDir: config.dataDir,
      // With a database the workers write the archive there, wherever they run.
      ...(distributed ? { archive: createPgArchiveReader(distributed.db) } : {}),
      baseUrl: config.baseUrl,
      log: ({ event, ...fields }) => log.info(`web.${String(event ?? 'event')}`, fields),
    });
    server = createAdaptorServer({ fetch: app.fetch, overrideGlobalObjects: false }) as Server;
    await listen(server, host, port);
  } catch (error) {
    await opened.close();
    throw error;
  }
  const bound = (server.address() as AddressInfo).port;

  const attempt = distributed
    ? enqueueAttempt(
        source,
        { db: distributed.db, queue: distributed.queue, store, context, plannedBy: instance },
        flags,
        log,
      )
    : sendAttempt(source, flags, env, log);
  const runner = createRunner(source, attempt, env, log, instance);
  // With a database, each fire runs on the one instance the coordinator elects.
  const coordinator = distributed ? createPgRunCoordinator(distributed.db, instance) : null;
  const schedule: Schedule = startSchedule(
    expression,
    timezone,
    (slot) => runner.run('scheduled', slot),
    coordinator
      ? {
          coordinator,
          onSkipped: (slot, reason) =>
            log.info('run.skipped', { reason, scheduledAt: slot.toISOString(), instance }),
        }
      : {},
  );
  log.info('serve.started', {
    url: `http://${urlHost(host)}:${bound}/`,
    instance,
    cron: expression,
    timezone,
    source,
    subscribers: label,
    transport: distributed ? 'queue (paperboy worker sends)' : kind === 'smtp' ? 'smtp' : 'outbox',
    nextRuns: nextRunTimes(expression, timezone, NEXT_RUNS_SHOWN).map((d) => d.toISOString()),
  });

  // The process was down at today's time: run once now; the ledger says what is left to send.
  // With a database the catch-up asks for that fire like the schedule does: it runs only if no
  // instance has run it (or the one that took it died before finishing).
  const now = new Date();
  const missed = lastRunToday(expression, timezone, now);
  if (missed && now.getTime() - missed.getTime() >= 1000) {
    log.info('run.catch-up', { scheduledAt: missed.toISOString() });
    void (async () => {
      if (!coordinator) return runner.run('catch-up', missed);
      const key = fireKey(missed);
      let elected: boolean;
      try {
        elected = await coordinator.shouldRun(key, FIRE_LEASE_MS);
      } catch (error) {
        log.error('run.skipped', { reason: 'coordinator-error', scheduledAt: missed, error });
        return;
      }
      if (!elected) {
        log.info('run.skipped', { reason: 'not-elected', scheduledAt: missed, instance });
        return;
      }
      try {
        await runner.run('catch-up', missed);
      } finally {
        await Promise.resolve(coordinator.onComplete?.(key)).catch((error: unknown) =>
          log.error('coordinator.failed', { error: error as Error }),
        );
      }
    })();
  }

  await new Promise<void>((resolveStopped) => {
    const removeHandlers = onStopSignals({
      first(signal) {
        log.info('serve.stopping', {
          signal,
          detail: `finishing the messages in flight (${signal} again stops at once)`,
        });
        void (async () => {
          await schedule.stop();
          await runner.stop(signal);
          await closeServer(server);
          await opened.close();
          log.info('serve.stopped', { signal });
          removeHandlers();
          resolveStopped();
        })();
      },
      again(signal) {
        log.warn('serve.killed', {
          signal,
          detail: 'stopped at once; the next run resends what was in flight',
        });
      },
    });
  });
  // Everything is closed; should a stray handle (an SMTP socket closing slowly) hold the process,
  // it still ends with the exit code set by the CLI.
  setTimeout(() => process.exit(), 3000).unref();
}
