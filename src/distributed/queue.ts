// The send queue: pg-boss on the same PostgreSQL, so distributed sending needs no other service.
// A job is one batch of recipients of one segment (SendJob). pg-boss gives what a queue of send
// batches needs and this file only configures it:
//
// - exactly one worker holds a job at a time (SKIP LOCKED);
// - a job that fails (transient SMTP failures, the server down) is retried `delivery.retries`
//   times with exponential backoff from `delivery.backoffMs`, then moved to the dead-letter queue
//   (SEND_DEAD_QUEUE), where it waits for an operator (`paperboy status` shows the count);
// - a job whose worker died (SIGKILL, a lost machine) expires after `delivery.jobTimeoutSeconds`
//   and is retried by another worker. Expiry is found by pg-boss's maintenance, which the workers
//   run (one at a time across machines) every MAINTENANCE_SHARE of the timeout.
//
// pg-boss keeps its tables in its own schema (`pgboss`) and creates or migrates it on start,
// under an advisory lock, so many processes starting at once are fine.
import PgBoss from 'pg-boss';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';

export const SEND_QUEUE = 'paperboy-send';
export const SEND_DEAD_QUEUE = 'paperboy-send-dead';

/** One batch of one segment's recipients for one issue: what a worker claims and sends. */
export interface SendJob {
  issue: string;
  /** The plan revision the batch was made from (issues.revision): keys the workers' caches. */
  revision: number;
  segmentId: string;
  subscriberIds: string[];
}

/** Expired jobs are looked for this often, as a share of the job timeout (at most a minute). */
const MAINTENANCE_SHARE = 1 / 4;

/** Anything that runs SQL: the pool, or a client inside a transaction. */
export interface Queryable {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

export interface Queue {
  boss: PgBoss;
  /** Adds jobs, inside the caller's transaction when given its client. */
  insert(jobs: SendJob[], options: JobSettings, within?: Queryable): Promise<void>;
  sizes(): Promise<QueueSizes>;
  /** Stops pg-boss (its workers must be stopped first); the pool stays open. */
  close(): Promise<void>;
}

/** Jobs of the send queue by what is left of them, and the dead-lettered ones. */
export interface QueueSizes {
  /** Waiting for a worker (new, or retrying after a failure). */
  waiting: number;
  /** Not finished: waiting or held by a worker. */
  unfinished: number;
  /** In the dead-letter queue: every try failed. */
  dead: number;
}

async function countJobs(boss: PgBoss): Promise<QueueSizes> {
  const [waiting, unfinished, dead] = await Promise.all([
    boss.getQueueSize(SEND_QUEUE, { before: 'active' }),
    boss.getQueueSize(SEND_QUEUE, { before: 'completed' }),
    boss.getQueueSize(SEND_DEAD_QUEUE, { before: 'completed' }),
  ]);
  return { waiting, unfinished, dead };
}

/**
 * The queue's sizes for a reader (`paperboy status`) that does not start pg-boss; null when no
 * queue was ever made on this database.
 */
export async function readQueueSizes(db: Database): Promise<QueueSizes | null> {
  const installed = await db.query("SELECT to_regclass('pgboss.job') IS NOT NULL AS present");
  if (!(installed.rows[0] as { present: boolean }).present) return null;
  return countJobs(new PgBoss({ db: { executeSql: (text, values) => db.query(text, values) } }));
}

/** What every job carries: retries, backoff, timeout and where it goes when they run out. */
export interface JobSettings {
  retryLimit: number;
  retryDelaySeconds: number;
  expireInSeconds: number;
}

export function jobSettings(delivery: Config['delivery']): JobSettings {
  return {
    retryLimit: delivery.retries,
    retryDelaySeconds: Math.max(1, Math.round(delivery.backoffMs / 1000)),
    expireInSeconds: delivery.jobTimeoutSeconds,
  };
}

export interface OpenQueueOptions {
  /** Workers supervise (expire dead workers' jobs); a planner only adds jobs. */
  supervise: boolean;
  /** The job timeout, to look for expired jobs often enough. */
  jobTimeoutSeconds: number;
  onError?(error: Error): void;
}

/** Any number, the same in every paperboy: the lock that serializes starting the queue. */
const START_LOCK = 7_461_001;

/**
 * Starts pg-boss (installing or migrating its schema when needed) and makes the send queue and
 * its dead-letter queue unless they exist, one process at a time. Several processes starting
 * together on a fresh database otherwise race: pg-boss's install runs as one multi-statement
 * query, and the loser's error leaves its connection in an aborted transaction that still holds
 * locks (seen as a deadlock with five processes); attaching the queues' partitions at once can
 * deadlock too. Under an advisory lock the first installs and the others find it done.
 */
async function startInTurn(db: Database, boss: PgBoss): Promise<void> {
  const client = await db.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [START_LOCK]);
    try {
      await boss.start();
      if (!(await boss.getQueue(SEND_DEAD_QUEUE))) await boss.createQueue(SEND_DEAD_QUEUE);
      if (!(await boss.getQueue(SEND_QUEUE))) {
        await boss.createQueue(SEND_QUEUE, { name: SEND_QUEUE, deadLetter: SEND_DEAD_QUEUE });
      }
    } catch (error) {
      await boss.stop({ graceful: false, close: false }).catch(() => {});
      throw error;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [START_LOCK]);
    }
  } finally {
    client.release();
  }
}

/**
 * pg-boss on our pool: its queries go through `db`, so a process has one pool for everything.
 * Every query is tracked, so close() can wait for the last job completion pg-boss sent without
 * waiting for it (it does not await `complete`) before the caller ends the pool.
 */
export async function openQueue(db: Database, options: OpenQueueOptions): Promise<Queue> {
  const inFlight = new Set<Promise<unknown>>();
  const executeSql = (text: string, values?: unknown[]) => {
    const query = db.query(text, values as unknown[]);
    inFlight.add(query);
    void query.then(
      () => inFlight.delete(query),
      () => inFlight.delete(query),
    );
    return query;
  };
  const boss = new PgBoss({
    db: { executeSql },
    supervise: options.supervise,
    // pg-boss's own cron is not used: the schedule is node-cron's, in `paperboy serve`.
    schedule: false,
    maintenanceIntervalSeconds: Math.max(
      1,
      Math.min(60, Math.floor(options.jobTimeoutSeconds * MAINTENANCE_SHARE)),
    ),
  });
  boss.on('error', (error) => options.onError?.(error));
  await startInTurn(db, boss);
  return {
    boss,
    async insert(jobs, settings, within) {
      if (jobs.length === 0) return;
      const rows = jobs.map((data) => ({
        name: SEND_QUEUE,
        data,
        retryLimit: settings.retryLimit,
        retryDelay: settings.retryDelaySeconds,
        retryBackoff: true,
        expireInSeconds: settings.expireInSeconds,
        deadLetter: SEND_DEAD_QUEUE,
      }));
      const target = within ?? db;
      await boss.insert(rows, {
        db: { executeSql: (text, values) => target.query(text, values) },
      });
    },
    sizes: () => countJobs(boss),
    async close() {
      await boss.stop({ graceful: true, close: false, wait: true, timeout: 1000 });
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}
