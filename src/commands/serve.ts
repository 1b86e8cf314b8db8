// `paperboy serve`: one long-running process with the HTTP server (unsubscribe, preferences, the
// web archive, health checks) and the daily send on the node-cron schedule from the config. Each
// run is exactly `paperboy send <schedule.source>`; what was sent is in the ledger, so a run for
// an issue already sent does nothing and a run after a crash resumes. Logs: one line per event.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createAdaptorServer } from '@hono/node-server';
import type { DeliveryProgress } from '../delivery/deliver-issue.js';
import { loadDkimOptions } from '../delivery/dkim-options.js';
import { resolveKeyring } from '../delivery/link-keyring.js';
import { describeSmtpUrl } from '../delivery/smtp-transport.js';
import { ExitCode, PaperboyError } from '../errors.js';
import { createLogger, type Logger } from '../log.js';
import {
  checkCronExpression,
  lastRunToday,
  nextRunTimes,
  type Schedule,
  startSchedule,
} from '../scheduler.js';
import { createWebApp } from '../web/app.js';
import { listen, urlHost } from '../web/listen.js';
import { loadContext, openSubscriberStore } from './context.js';
import { checkSendable, sendIssue } from './send.js';

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
  run(reason: 'scheduled' | 'catch-up'): Promise<void>;
  /** Stops new messages; resolves when the run in flight (if any) has finished and closed its ledger. */
  stop(signal: string): Promise<void>;
}

export function createRunner(
  source: string,
  flags: ServeFlags,
  env: NodeJS.ProcessEnv,
  log: Logger,
): Runner {
  const shutdown = new AbortController();
  let current: Promise<void> | null = null;
  let runs = 0;
  const firstRetryMs = Number(env.PAPERBOY_RUN_RETRY_MS) || RUN_RETRY_MS;

  async function once(run: number, reason: string): Promise<void> {
    const started = performance.now();
    log.info('run.started', { run, reason, source });
    for (let attempt = 1; ; attempt++) {
      try {
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
            signal: shutdown.signal,
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
        return;
      } catch (error) {
        const fetchFailed = error instanceof PaperboyError && error.kind === 'unreadable';
        if (fetchFailed && attempt <= RUN_RETRIES && !shutdown.signal.aborted) {
          const delayMs = firstRetryMs * 2 ** (attempt - 1);
          log.warn('fetch.failed', { run, attempt, retryInMs: delayMs, error });
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
    async run(reason) {
      if (shutdown.signal.aborted) return;
      if (current) {
        log.warn('run.overlap', { reason, detail: 'a run is still going; this one is skipped' });
        return;
      }
      const run = ++runs;
      current = once(run, reason).finally(() => {
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

export async function runServe(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env) {
  const log = createLogger();
  const context = loadContext(flags.config);
  const { config } = context;
  const { cron: expression, timezone, source } = config.schedule;
  checkCronExpression(expression);
  const host = flags.host ?? DEFAULT_SERVE_HOST;
  const port = flags.port ?? DEFAULT_SERVE_PORT;

  const kind = env.SMTP_URL ? 'smtp' : 'outbox';
  // What would fail every run fails now, before listening: a bad SMTP_URL, DKIM key, no postal
  // address or the placeholder origin with SMTP, no PAPERBOY_SECRET with SMTP.
  if (kind === 'smtp') describeSmtpUrl(env.SMTP_URL as string);
  loadDkimOptions(config);
  for (const line of checkSendable(config, config.baseUrl, kind)) {
    log.warn('config.warning', { message: line.replace(/^warning: /, '') });
  }
  const { keyring, warning } = await resolveKeyring(kind, config.dataDir, env);
  if (warning) log.warn('config.warning', { message: warning });
  const { store, label } = openSubscriberStore(context, flags.subscribers);
  const app = createWebApp({
    config,
    topics: context.topics,
    store,
    keyring,
    dataDir: config.dataDir,
    baseUrl: config.baseUrl,
    log: ({ event, ...fields }) => log.info(`web.${String(event ?? 'event')}`, fields),
  });
  const server = createAdaptorServer({ fetch: app.fetch, overrideGlobalObjects: false }) as Server;
  await listen(server, host, port);
  const bound = (server.address() as AddressInfo).port;

  const runner = createRunner(source, flags, env, log);
  const schedule: Schedule = startSchedule(expression, timezone, () => runner.run('scheduled'));
  log.info('serve.started', {
    url: `http://${urlHost(host)}:${bound}/`,
    cron: expression,
    timezone,
    source,
    subscribers: label,
    transport: kind === 'smtp' ? 'smtp' : 'outbox',
    nextRuns: nextRunTimes(expression, timezone, NEXT_RUNS_SHOWN).map((d) => d.toISOString()),
  });

  // The process was down at today's time: run once now; the ledger says what is left to send.
  const now = new Date();
  const missed = lastRunToday(expression, timezone, now);
  if (missed && now.getTime() - missed.getTime() >= 1000) {
    log.info('run.catch-up', { scheduledAt: missed.toISOString() });
    void runner.run('catch-up');
  }

  await new Promise<void>((resolveStopped) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        log.warn('serve.killed', {
          signal,
          detail: 'stopped at once; the next run resends what was in flight',
        });
        process.exit(ExitCode.interrupted);
      }
      stopping = true;
      log.info('serve.stopping', {
        signal,
        detail: `finishing the messages in flight (${signal} again stops at once)`,
      });
      void (async () => {
        await schedule.stop();
        await runner.stop(signal);
        await closeServer(server);
        await store.close();
        log.info('serve.stopped', { signal });
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        resolveStopped();
      })();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  // Everything is closed; should a stray handle (an SMTP socket closing slowly) hold the process,
  // it still ends with the exit code set by the CLI.
  setTimeout(() => process.exit(), 3000).unref();
}
