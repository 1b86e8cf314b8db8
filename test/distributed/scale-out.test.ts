// The proof of distributed sending: one PostgreSQL, two `paperboy serve` instances on one schedule,
// three `paperboy worker` processes (all the built CLI, as child processes), 20,000 subscribers,
// and an SMTP sink in this process counting what each address receives. One worker is killed
// with SIGKILL in the middle of the run.
//
// - every active subscriber receives the issue; nobody unsubscribed does;
// - duplicates are at most the killed worker's messages in flight (its --concurrency): the rest of
//   its batches is sent by the others once its jobs time out;
// - exactly one serve instance runs the scheduled fire, the other logs that it was not elected;
// - `paperboy status --json` agrees with the sink.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IssueStatus, readIssueStatus } from '../../src/distributed/issue-status.js';
import type { ImportEntry } from '../../src/stores/types.js';
import { ROOT } from '../cli/run-cli.js';
import type { LocalServer } from '../helpers.js';
import {
  BASE_URL,
  type LogLine,
  SECRET,
  type ServeProcess,
  startHfStub,
  startLogging,
} from '../serve/serve-workspace.js';
import { type CountingSink, startCountingSink } from './counting-sink.js';
import { migratedDatabase, readers, type TestDatabase } from './pg-fixture.js';

const SUBSCRIBERS = 20_000;
const UNSUBSCRIBED = 250;
const ACTIVE = SUBSCRIBERS - UNSUBSCRIBED;
const WORKER_CONCURRENCY = 4;
/** The HF stub's sample has a multimodal paper and a graphs/time-series/efficiency one. */
const SAMPLE_TOPICS: ImportEntry['topics'][] = [
  ['graphs'],
  ['multimodal'],
  ['time-series'],
  ['efficiency'],
  'all',
  ['graphs', 'multimodal'],
];

let database: TestDatabase;
let hf: LocalServer;
let sink: CountingSink;
let dir: string;
let fireAt: Date;
const processes: ServeProcess[] = [];
const execFileAsync = promisify(execFile);

function env(): Record<string, string> {
  return {
    DATABASE_URL: database.url,
    SMTP_URL: sink.url,
    PAPERBOY_SECRET: SECRET,
    PAPERBOY_HF_BASE_URL: hf.base,
  };
}

function start(args: string[]): ServeProcess {
  const child = startLogging(args, dir, env());
  processes.push(child);
  return child;
}

async function status(): Promise<IssueStatus> {
  const { stdout } = await execFileAsync(
    process.execPath,
    [join(ROOT, 'dist/cli.js'), 'status', '--json'],
    { cwd: dir, env: { ...process.env, ...env() } },
  );
  return JSON.parse(stdout) as IssueStatus;
}

beforeAll(async () => {
  database = await migratedDatabase('scale_out');
  const active = readers(ACTIVE, SAMPLE_TOPICS);
  const left = Array.from({ length: UNSUBSCRIBED }, (_, i) => ({
    email: `left${i + 1}@example.org`,
    topics: ['graphs'],
    status: 'unsubscribed' as const,
  }));
  await database.store.import([...active, ...left]);
  hf = await startHfStub();
  sink = await startCountingSink();
  dir = mkdtempSync(join(tmpdir(), 'paperboy-scale-out-'));
  // One fire, a few seconds after both instances are up: a six-field cron for that second (UTC).
  fireAt = new Date(Math.ceil((Date.now() + 12_000) / 1000) * 1000);
  const cron = `${fireAt.getUTCSeconds()} ${fireAt.getUTCMinutes()} ${fireAt.getUTCHours()} * * *`;
  writeFileSync(
    join(dir, 'paperboy.config.json'),
    JSON.stringify({
      sender: {
        name: 'Trending Papers',
        address: 'papers@example.org',
        postalAddress: '548 Market St',
      },
      baseUrl: BASE_URL,
      schedule: { cron, timezone: 'UTC', source: 'hf:latest' },
      delivery: {
        concurrency: WORKER_CONCURRENCY,
        // Small batches and a short job timeout, so the killed worker's jobs go to the others
        // within seconds (a batch stops itself at half of it, 7.5 s, and queues its rest).
        batchSize: 100,
        jobTimeoutSeconds: 15,
        timeoutMs: 5000,
      },
    }),
  );
}, 120_000);

afterAll(async () => {
  for (const child of processes) {
    if (child.child.exitCode === null && child.child.signalCode === null)
      child.child.kill('SIGKILL');
  }
  await Promise.all(processes.map((child) => child.exited.catch(() => null)));
  await sink?.close();
  await hf?.close();
  await database?.close();
});

const isRun = (line: LogLine) => line.event === 'run.started' && line.reason === 'scheduled';

describe('two serve instances, three workers, one PostgreSQL', () => {
  it('sends the scheduled issue to all 19,750 active subscribers once, through a killed worker', async () => {
    const workers = [0, 1, 2].map(() =>
      start(['worker', '--concurrency', String(WORKER_CONCURRENCY)]),
    );
    const serves = [0, 1].map(() => start(['serve', '--port', '0']));
    await Promise.all([
      ...workers.map((w) => w.waitForLog((l) => l.event === 'worker.started')),
      ...serves.map((s) => s.waitForLog((l) => l.event === 'serve.started')),
    ]);
    for (const serve of serves) {
      const started = serve.logs.find((l) => l.event === 'serve.started') as LogLine;
      expect((started.nextRuns as string[])[0]).toBe(fireAt.toISOString());
    }

    // The fire: one instance plans and queues, the other is not elected.
    const t0 = fireAt.getTime();
    const finished = await Promise.any(
      serves.map((s) => s.waitForLog((l) => l.event === 'run.finished', 60_000)),
    );
    expect(finished.outcome).toBe('queued');
    expect(finished.queued).toBe(ACTIVE);
    expect(finished.jobs).toBeGreaterThanOrEqual(ACTIVE / 100);

    // A worker dies in the middle of the run, its batches in flight.
    await sink.reached(Math.floor(ACTIVE / 4));
    const victim = workers[0] as ServeProcess;
    victim.child.kill('SIGKILL');
    expect((await victim.exited).signal).toBe('SIGKILL');
    const atKill = sink.total();
    const tKill = Date.now();

    // Everyone gets it, then the ledger settles: the dead worker's claims are sent by the others.
    // (Watched through the test's own pool; `paperboy status` is asked once, at the end.)
    const deadline = Date.now() + 150_000;
    const date = finished.date as string;
    let settled = await readIssueStatus(database.db, date);
    while (
      !settled ||
      settled.totals.pending + settled.totals.sending > 0 ||
      sink.counts.size < ACTIVE
    ) {
      if (Date.now() > deadline) {
        throw new Error(
          `not done: sink has ${sink.counts.size} of ${ACTIVE}, ledger ${JSON.stringify(settled?.totals)}`,
        );
      }
      await sleep(500);
      settled = await readIssueStatus(database.db, date);
    }
    const last = await status();

    const tDone = Date.now();
    // Every active subscriber, and nobody else.
    const expected = new Set(readers(ACTIVE, SAMPLE_TOPICS).map((r) => r.email.toLowerCase()));
    expect(sink.counts.size).toBe(ACTIVE);
    for (const address of sink.counts.keys()) expect(expected.has(address)).toBe(true);
    // Duplicates: at most what the killed worker had in flight.
    const duplicates = [...sink.counts.values()].reduce((sum, n) => sum + n - 1, 0);
    expect(duplicates).toBeLessThanOrEqual(WORKER_CONCURRENCY);
    expect(sink.total()).toBe(ACTIVE + duplicates);

    // Exactly one instance ran the scheduled fire; the other logged that it was not elected.
    const runs = serves.flatMap((s) => s.logs.filter(isRun));
    expect(runs).toHaveLength(1);
    expect(runs[0]?.scheduledAt).toBe(fireAt.toISOString());
    const elected = serves.find((s) => s.logs.some(isRun)) as ServeProcess;
    const other = serves.find((s) => s !== elected) as ServeProcess;
    const skipped = other.logs.filter((l) => l.event === 'run.skipped');
    expect(skipped).toEqual([
      expect.objectContaining({ reason: 'not-elected', scheduledAt: fireAt.toISOString() }),
    ]);
    const fires = await database.db.query('SELECT key, fired_by FROM schedule_fires');
    expect(fires.rows).toEqual([
      { key: `paperboy-send:${fireAt.toISOString()}`, fired_by: runs[0]?.instance },
    ]);

    // `paperboy status` agrees with the sink.
    expect(last.totals).toEqual({
      planned: ACTIVE,
      sent: sink.counts.size,
      failed: 0,
      permanent: 0,
      skipped: 0,
      pending: 0,
      sending: 0,
    });
    expect(last.notPlanned).toEqual({ unsubscribed: UNSUBSCRIBED });
    expect(last.date).toBe(finished.date);

    // Every instance answers the web endpoints from the database: the one not elected takes a
    // reader's one-click unsubscribe (RFC 8058), and the list in PostgreSQL has it.
    const sample = sink.samples[0] as { to: string; raw: Buffer };
    const head = sample.raw
      .toString('utf8')
      .split('\r\n\r\n')[0]
      ?.replace(/\r\n[ \t]+/g, ' ');
    const link = /^List-Unsubscribe:.*<(https:\/\/[^>]+)>/im.exec(head ?? '')?.[1] as string;
    const origin = await other.origin();
    expect((await fetch(`${origin}/readyz`)).status).toBe(200);
    const unsubscribe = await fetch(`${origin}${new URL(link).pathname}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(unsubscribe.status).toBe(200);
    expect(await database.store.get(sample.to)).toMatchObject({ status: 'unsubscribed' });

    // The survivors stop gracefully.
    for (const worker of workers.slice(1)) worker.child.kill('SIGTERM');
    for (const serve of serves) serve.child.kill('SIGTERM');
    for (const child of [...workers.slice(1), ...serves]) {
      expect(await child.exited).toEqual({ code: 0, signal: null });
    }
    // SCALE_OUT_LOGS=file keeps every process's log lines, to look at a run afterwards.
    if (process.env.SCALE_OUT_LOGS) {
      const lines = processes.flatMap((p) => p.logs.map((l) => JSON.stringify(l)));
      writeFileSync(process.env.SCALE_OUT_LOGS, `${lines.join('\n')}\n`);
    }
    process.stdout.write(
      `scale-out: ${sink.total()} messages for ${ACTIVE} subscribers (${duplicates} duplicate(s)); worker killed at ${atKill} after ${Math.round((tKill - t0) / 1000)} s; all sent and settled ${Math.round((tDone - t0) / 1000)} s after the fire; fired by ${runs[0]?.instance}\n`,
    );
  }, 240_000);
});
