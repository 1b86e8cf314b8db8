// A worker: takes send jobs from the queue and works them (work-batch.ts), `concurrency` at once,
// each sending one message at a time, so at most `concurrency` messages are in flight (and the
// SMTP pool has as many connections). `paperboy worker` runs one per process, on any number of
// machines; `paperboy send` with DATABASE_URL runs one in-process until the queue is empty.
//
// Per job: a little before the job's timeout (delivery.jobTimeoutSeconds) the batch stops, so
// the queue never gives a job to a second worker while the first still sends; what is left
// becomes a new job. On stop (SIGTERM), no job is fetched, the messages in flight finish, and
// the rest of each batch goes back to the queue the same way.
import { setMaxListeners } from 'node:events';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobWithMetadata } from 'pg-boss';
import type { Context } from '../commands/context.js';
import type { Database } from '../db/database.js';
import { loadDkimOptions } from '../delivery/dkim-options.js';
import { createFailureWatch } from '../delivery/failure-watch.js';
import { createOutboxTransport, outboxDir } from '../delivery/outbox-transport.js';
import { createSmtpTransport } from '../delivery/smtp-transport.js';
import type { Transport } from '../delivery/transport.js';
import { PaperboyError } from '../errors.js';
import type { Logger } from '../log.js';
import {
  BUNDLED_TEMPLATES_DIR,
  compileSubject,
  createRenderer,
  loadTemplates,
} from '../render/index.js';
import type { SubscriberStore } from '../stores/types.js';
import type { Keyring } from '../tokens/link-token.js';
import { createPgArchiveWriter } from './pg-archive.js';
import { createPgStrikeBook } from './pg-strikes.js';
import { type Queue, SEND_QUEUE, type SendJob } from './queue.js';
import { createSegmentCache } from './segment-cache.js';
import { createSharedRateLimit } from './shared-rate-limit.js';
import { type BatchResult, workBatch } from './work-batch.js';

/**
 * A job stops this long (plus the SMTP timeout) before the queue's timeout, so its last message is
 * recorded before the job may be given to another worker; but not before half of the timeout.
 */
const STOP_MARGIN_MS = 5000;

export interface WorkerOptions {
  db: Database;
  queue: Queue;
  store: SubscriberStore;
  context: Context;
  /** This worker's name (host:pid). */
  worker: string;
  /** Jobs worked at once = messages in flight = SMTP connections. */
  concurrency: number;
  /** SMTP_URL, or null for the outbox folder of this machine. */
  smtpUrl: string | null;
  keyring: Keyring;
  log: Logger;
  /** Idle polling of the queue, seconds (pg-boss: at least 0.5). */
  pollingIntervalSeconds?: number;
}

export interface RunningWorker {
  /** Where messages go: the SMTP server (never its credentials), or the outbox folder. */
  readonly transportLabel: string;
  /** Stops fetching, lets the batches in flight stop after their current message, then closes. */
  stop(): Promise<void>;
}

/** How long a job may run before it stops itself: the queue's timeout minus a margin. */
export function jobDeadlineMs(expireInSeconds: number, smtpTimeoutMs: number): number {
  const expireMs = expireInSeconds * 1000;
  return Math.max(expireMs / 2, expireMs - smtpTimeoutMs - STOP_MARGIN_MS);
}

export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const { db, queue, context, log } = options;
  const { config } = context;
  const { delivery } = config;
  const dkim = loadDkimOptions(config);
  // The shared rate limit replaces the pool's own (per process) one.
  const smtp = options.smtpUrl
    ? createSmtpTransport(
        options.smtpUrl,
        { ...delivery, concurrency: options.concurrency, rateLimit: undefined },
        dkim,
      )
    : null;
  try {
    await smtp?.verify();
  } catch (error) {
    smtp?.close();
    throw new PaperboyError('delivery', `${smtp?.label}: ${(error as Error).message}`, {
      hint: 'check SMTP_URL (host, port, user and password) and that the server is reachable',
      cause: error,
    });
  }
  const outboxes = new Map<string, Transport>();
  async function transportFor(issue: string): Promise<Transport> {
    if (smtp) return smtp;
    let outbox = outboxes.get(issue);
    if (!outbox) {
      outbox = createOutboxTransport(outboxDir(config.dataDir, issue), dkim);
      await outbox.verify();
      outboxes.set(issue, outbox);
    }
    return outbox;
  }

  const templates = loadTemplates(
    config.templatesDir ? resolve(config.templatesDir) : BUNDLED_TEMPLATES_DIR,
  );
  // The web archive in the database, so every `serve` instance shows what any worker wrote.
  const archive = createPgArchiveWriter(db, { baseUrl: config.baseUrl });
  const segments = createSegmentCache({
    db,
    renderer: createRenderer(templates, { cacheDir: join(config.dataDir, 'cache') }),
    topics: context.topics,
    sender: { name: config.sender.name, postalAddress: config.sender.postalAddress },
    baseUrl: config.baseUrl,
    subject: compileSubject(config.email.subject),
    message: {
      sender: {
        name: config.sender.name,
        address: config.sender.address,
        replyTo: config.sender.replyTo ?? null,
      },
      baseUrl: config.baseUrl,
      keyring: options.keyring,
      unsubscribeMailto: delivery.unsubscribeMailto ?? null,
    },
    archive,
    onArchiveError: (error) =>
      log.warn('archive.failed', {
        error: error as Error,
        detail: 'the web archive was not written',
      }),
  });
  // Archive index writes one at a time (several batches end at once).
  let archiving: Promise<void> = Promise.resolve();
  const flushArchive = () => {
    archiving = archiving
      .then(() => archive.flush())
      .catch((error: unknown) => log.warn('archive.failed', { error: error as Error }));
    return archiving;
  };

  const shutdown = new AbortController();
  // Every idle job loop waits on it (one listener each): that many is expected, not a leak.
  setMaxListeners(options.concurrency + 10, shutdown.signal);
  /** The jobs in hand: stopping the worker stops each of them. */
  const running = new Set<AbortController>();
  shutdown.signal.addEventListener('abort', () => {
    for (const job of running) job.abort(shutdown.signal.reason);
  });
  const batchContext = {
    db,
    worker: options.worker,
    segments,
    transportFor,
    rate: delivery.rateLimit
      ? createSharedRateLimit(db, { limit: delivery.rateLimit, windowMs: delivery.rateDelta })
      : null,
    store: options.store,
    strikes: createPgStrikeBook(db),
    limits: delivery,
    watch: createFailureWatch({
      rate: delivery.pauseFailureRate,
      minAttempts: delivery.pauseMinAttempts,
    }),
    abandonedAfterSeconds: delivery.jobTimeoutSeconds,
  };

  async function handle(job: JobWithMetadata<SendJob>) {
    const started = performance.now();
    const expireInSeconds = Number(job.expireInSeconds);
    // The job's own signal: aborted by its deadline or by the worker stopping. (Not
    // AbortSignal.any over the shutdown signal: on Node 20 each call leaves a listener there
    // until collected, thousands over a long-running worker.)
    const jobStop = new AbortController();
    const deadline = setTimeout(
      () => jobStop.abort(new Error('job timeout near')),
      jobDeadlineMs(expireInSeconds, delivery.timeoutMs),
    );
    running.add(jobStop);
    const signal = jobStop.signal;
    let result: BatchResult;
    try {
      result = await workBatch(batchContext, {
        id: job.id,
        try: job.retryCount,
        lastTry: job.retryCount >= job.retryLimit,
        data: job.data,
        signal,
      });
    } catch (error) {
      log.error('batch.failed', {
        job: job.id,
        issue: job.data.issue,
        segment: job.data.segmentId,
        try: job.retryCount,
        error: error as Error,
      });
      throw error;
    } finally {
      clearTimeout(deadline);
      running.delete(jobStop);
      await flushArchive();
    }
    const fields = {
      job: job.id,
      issue: job.data.issue,
      segment: job.data.segmentId,
      try: job.retryCount,
      claimed: result.claimed,
      sent: result.sent,
      skipped: result.skipped,
      failed: result.failed,
      bounced: result.bounced,
      ms: Math.round(performance.now() - started),
    };
    const rest = [...result.notAttempted, ...result.retryable];
    if (result.stop?.kind === 'stopped') {
      // Stopping (or out of time): the rest is a new job, so no try of this one is spent on it.
      if (rest.length > 0) {
        await queue.insert([{ ...job.data, subscriberIds: rest }], {
          retryLimit: job.retryLimit,
          retryDelaySeconds: job.retryDelay,
          expireInSeconds,
        });
      }
      log.info('batch.stopped', {
        ...fields,
        requeued: rest.length,
        reason: shutdown.signal.aborted ? 'worker stopping' : 'job timeout near',
      });
      return fields;
    }
    if (result.stop) {
      log.warn('batch.paused', {
        ...fields,
        reason: result.stop.kind,
        reply: result.stop.response,
      });
      throw new Error(
        `${result.stop.kind}: ${result.stop.response}; ${rest.length} left for the next try`,
      );
    }
    if (result.retryable.length > 0) {
      log.warn('batch.retry', { ...fields, retry: result.retryable.length });
      throw new Error(`${result.retryable.length} transient failure(s), retried by the next try`);
    }
    log.info('batch.done', fields);
    return fields;
  }

  // pg-boss's fetch, complete and fail, in a loop of our own rather than boss.work(): work() does
  // not await the completion it sends, nor let a caller wait for its loops to end, and a graceful
  // stop needs both. One loop per concurrent job; an idle loop polls every pollMs, a busy one
  // fetches the next job as soon as its batch is done.
  const pollMs = (options.pollingIntervalSeconds ?? 2) * 1000;
  async function loop(): Promise<void> {
    while (!shutdown.signal.aborted) {
      const [job] = await queue.boss.fetch<SendJob>(SEND_QUEUE, {
        batchSize: 1,
        includeMetadata: true,
      });
      if (!job) {
        await sleep(pollMs, undefined, { signal: shutdown.signal }).catch(() => {});
        continue;
      }
      let output: unknown = null;
      let failure: unknown = null;
      try {
        output = await handle(job);
      } catch (error) {
        failure = error ?? new Error('the batch failed');
      }
      try {
        if (failure === null) {
          await queue.boss.complete(SEND_QUEUE, job.id, output as object);
        } else {
          // The next try comes after the queue's backoff; the last one goes to the dead letters.
          await queue.boss.fail(SEND_QUEUE, job.id, {
            message: (failure as Error).message ?? String(failure),
          });
        }
      } catch (error) {
        // Not recorded: the job times out and is tried again, like one whose worker died (the
        // claims make that safe).
        log.error('queue.failed', { job: job.id, error: error as Error });
      }
    }
  }
  const loops = Array.from({ length: options.concurrency }, () =>
    loop().catch((error: unknown) => {
      log.error('worker.loop.failed', { error: error as Error });
    }),
  );

  return {
    transportLabel: smtp ? smtp.label : outboxDir(config.dataDir, '<date>'),
    async stop() {
      shutdown.abort('stopping');
      await Promise.all(loops);
      await flushArchive();
      smtp?.close();
    },
  };
}
