// `paperboy worker`: sends what the queue holds (DATABASE_URL), on any number of machines. Each
// worker takes send jobs (a batch of one segment's recipients), renders each segment once and
// keeps it, claims the batch in the ledger, sends through SMTP_URL (or this machine's outbox)
// within the shared rate limit, and records every outcome. Logs: one JSON line per event.
import { connectDatabase, openStoreOn } from '../distributed/connect.js';
import { instanceName } from '../distributed/instance.js';
import { openQueue } from '../distributed/queue.js';
import { startWorker } from '../distributed/start-worker.js';
import { createLogger } from '../log.js';
import { onStopSignals } from '../stop-signals.js';
import { loadContext } from './context.js';
import { requireDatabaseUrl } from './db.js';
import { preflightSender } from './service-preflight.js';

export interface WorkerFlags {
  concurrency?: number;
  config?: string;
}

export async function runWorker(flags: WorkerFlags, env: NodeJS.ProcessEnv = process.env) {
  requireDatabaseUrl(env);
  const log = createLogger();
  const context = loadContext(flags.config);
  const { config } = context;
  const concurrency = flags.concurrency ?? config.delivery.concurrency;
  const { kind, keyring } = await preflightSender(config, env, log);

  const instance = instanceName();
  const { db } = await connectDatabase(env, { name: 'paperboy-worker', max: concurrency + 4 });
  const store = openStoreOn(db, context);
  const closeAll = async () => {
    await store.close();
    await db.end();
  };
  let queue: Awaited<ReturnType<typeof openQueue>>;
  let worker: Awaited<ReturnType<typeof startWorker>>;
  try {
    queue = await openQueue(db, {
      supervise: true,
      jobTimeoutSeconds: config.delivery.jobTimeoutSeconds,
      onError: (error) => log.error('queue.error', { error }),
    });
    try {
      worker = await startWorker({
        db,
        queue,
        store,
        context,
        worker: instance,
        concurrency,
        smtpUrl: kind === 'smtp' ? (env.SMTP_URL as string) : null,
        keyring,
        log,
      });
    } catch (error) {
      await queue.close();
      throw error;
    }
  } catch (error) {
    await closeAll();
    throw error;
  }
  log.info('worker.started', {
    instance,
    concurrency,
    transport: worker.transportLabel,
    rateLimit: config.delivery.rateLimit
      ? `${config.delivery.rateLimit} per ${config.delivery.rateDelta} ms, shared`
      : 'none',
    jobTimeoutSeconds: config.delivery.jobTimeoutSeconds,
  });

  await new Promise<void>((resolveStopped) => {
    const removeHandlers = onStopSignals({
      first(signal) {
        log.info('worker.stopping', {
          signal,
          detail: `no new jobs; finishing the messages in flight (${signal} again stops at once)`,
        });
        void (async () => {
          await worker.stop();
          await queue.close();
          await closeAll();
          log.info('worker.stopped', { signal });
          removeHandlers();
          resolveStopped();
        })();
      },
      again(signal) {
        log.warn('worker.killed', {
          signal,
          detail: 'stopped at once; the jobs in flight are retried after their timeout',
        });
      },
    });
  });
  // Everything is closed; should a stray handle (an SMTP socket closing slowly) hold the process,
  // it still ends, with exit code 0.
  setTimeout(() => process.exit(), 3000).unref();
}
