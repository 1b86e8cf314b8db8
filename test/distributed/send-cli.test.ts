// `paperboy send`, `worker` and `status` with DATABASE_URL, as a user runs them (the built CLI):
// one command still delivers an issue on one machine and a rerun sends nothing again; with
// --enqueue-only a separate worker sends it and stops cleanly on SIGTERM; `status` counts it;
// the commands that need a database say so without one.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../cli/run-cli.js';
import { type SmtpSink, startSmtpSink } from '../delivery/smtp-sink.js';
import { startLogging } from '../serve/serve-workspace.js';
import { migratedDatabase, type TestDatabase } from './pg-fixture.js';

const SOURCE = join(ROOT, 'examples/hf-papers-2025-10-31.txt');
const SECRET = 'test-secret-0123456789abcdef';
/** The example list's readers the plan sends the sample issue to (a Friday). */
const PLANNED = ['ada@example.org', 'katherine@example.org', 'radia@example.com'];

let sink: SmtpSink;
let dir: string;
const databases: TestDatabase[] = [];

beforeAll(async () => {
  sink = await startSmtpSink();
  dir = mkdtempSync(join(tmpdir(), 'paperboy-send-pg-'));
  writeFileSync(
    join(dir, 'paperboy.config.json'),
    JSON.stringify({
      sender: {
        name: 'Trending Papers',
        address: 'papers@example.org',
        postalAddress: '548 Market St',
      },
      baseUrl: 'https://papers.example.org',
    }),
  );
});
afterAll(async () => {
  await sink?.close();
  for (const database of databases) await database.close();
});

/** A database with the example subscribers, imported through the CLI. */
async function exampleDatabase(prefix: string) {
  const database = await migratedDatabase(prefix, 4);
  databases.push(database);
  const env = { DATABASE_URL: database.url, SMTP_URL: sink.url, PAPERBOY_SECRET: SECRET };
  const imported = await runCli(['subscribers', 'import', join(ROOT, 'subscribers.example.json')], {
    cwd: dir,
    env,
  });
  expect(imported.code, imported.stderr).toBe(0);
  return { database, env };
}

const receivedBy = (address: string) => sink.received.filter((m) => m.to === address).length;

describe('paperboy send with DATABASE_URL', () => {
  it('plans, queues and sends in one command; a rerun sends nothing again', async () => {
    const { env } = await exampleDatabase('send_cli');
    const first = await runCli(['send', SOURCE, '--date', '2025-10-31'], { cwd: dir, env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^Issue 2025-10-31, sent through smtp:\/\/127\.0\.0\.1:\d+/);
    expect(first.stdout).toMatch(/ {2}sent {14}3\n/);
    expect(first.stdout).toMatch(
      /skipped +4 +unsubscribed 1, bounced 1, weekly-not-today 1, nothing-matched 1/,
    );
    for (const address of PLANNED) expect(receivedBy(address)).toBe(1);

    const again = await runCli(['send', SOURCE, '--date', '2025-10-31'], { cwd: dir, env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/already sent +3/);
    for (const address of PLANNED) expect(receivedBy(address)).toBe(1);

    const status = await runCli(['status', '--json'], { cwd: dir, env });
    expect(status.code, status.stderr).toBe(0);
    const counts = JSON.parse(status.stdout);
    expect(counts.date).toBe('2025-10-31');
    expect(counts.totals).toMatchObject({ planned: 3, sent: 3, failed: 0, pending: 0 });
    expect(counts.queue).toEqual({ waiting: 0, unfinished: 0, dead: 0 });
  });

  it('--enqueue-only leaves the sending to a worker, which stops cleanly on SIGTERM', async () => {
    const { env } = await exampleDatabase('enqueue_cli');
    const before = sink.received.length;
    const queued = await runCli(['send', SOURCE, '--date', '2025-10-31', '--enqueue-only'], {
      cwd: dir,
      env,
    });
    expect(queued.code, queued.stderr).toBe(0);
    expect(queued.stdout).toMatch(/queued +3 +in 3 job\(s\)/);
    expect(sink.received.length).toBe(before);
    const pending = await runCli(['status'], { cwd: dir, env });
    expect(pending.stdout).toMatch(/pending +3/);
    expect(pending.stdout).toMatch(/jobs +3 waiting, 0 active, 0 dead-lettered/);

    const worker = startLogging(['worker', '--concurrency', '2'], dir, env);
    try {
      // Three jobs (one per segment), each done by the worker.
      const isDone = (line: { event: string }) => line.event === 'batch.done';
      await worker.waitForLog(() => worker.logs.filter(isDone).length >= 3, 30_000);
      const done = await runCli(['status', '--json'], { cwd: dir, env });
      expect(JSON.parse(done.stdout).totals).toMatchObject({ planned: 3, sent: 3, pending: 0 });
    } finally {
      worker.child.kill('SIGTERM');
    }
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    expect(worker.logs.map((l) => l.event)).toContain('worker.stopped');
    expect(sink.received.length).toBe(before + 3);
    for (const address of PLANNED) expect(receivedBy(address)).toBe(2);
  });

  it('says what is missing without a database', async () => {
    const noDatabase = { DATABASE_URL: undefined };
    const enqueue = await runCli(['send', SOURCE, '--enqueue-only'], { cwd: dir, env: noDatabase });
    expect(enqueue.code).toBe(2);
    expect(enqueue.stderr).toMatch(/--enqueue-only needs DATABASE_URL/);
    for (const command of [['status'], ['worker']]) {
      const result = await runCli(command, { cwd: dir, env: noDatabase });
      expect(result.code).toBe(5);
      expect(result.stderr).toMatch(/DATABASE_URL is not set/);
    }
  });
});
