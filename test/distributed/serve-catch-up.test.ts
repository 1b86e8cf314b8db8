// Two `paperboy serve` instances with DATABASE_URL that both start after today's scheduled time:
// each would catch up, but the catch-up asks the run coordinator for that fire as the schedule
// does, so exactly one plans and queues the issue; neither sends it (workers do).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readIssueStatus } from '../../src/distributed/issue-status.js';
import { type SmtpSink, startSmtpSink } from '../delivery/smtp-sink.js';
import type { LocalServer } from '../helpers.js';
import {
  BASE_URL,
  type LogLine,
  SECRET,
  type ServeProcess,
  startHfStub,
  startLogging,
} from '../serve/serve-workspace.js';
import { migratedDatabase, readers, type TestDatabase } from './pg-fixture.js';

/** Every day at midnight UTC: always already past when the test runs (bar the first second). */
const MIDNIGHT = '0 0 0 * * *';

let database: TestDatabase;
let hf: LocalServer;
let sink: SmtpSink;
let dir: string;
const serves: ServeProcess[] = [];

beforeAll(async () => {
  database = await migratedDatabase('catch_up', 4);
  await database.store.import(readers(20, [['graphs'], ['multimodal'], 'all']));
  hf = await startHfStub();
  sink = await startSmtpSink();
  dir = mkdtempSync(join(tmpdir(), 'paperboy-catch-up-'));
  writeFileSync(
    join(dir, 'paperboy.config.json'),
    JSON.stringify({
      sender: {
        name: 'Trending Papers',
        address: 'papers@example.org',
        postalAddress: '548 Market St',
      },
      baseUrl: BASE_URL,
      schedule: { cron: MIDNIGHT, timezone: 'UTC', source: 'hf:latest' },
    }),
  );
});
afterAll(async () => {
  for (const serve of serves) serve.child.kill('SIGKILL');
  await Promise.all(serves.map((serve) => serve.exited));
  await sink?.close();
  await hf?.close();
  await database?.close();
});

describe('catching up with several instances', () => {
  it('runs the missed fire on exactly one instance, which queues it and sends nothing', async () => {
    const env = {
      DATABASE_URL: database.url,
      SMTP_URL: sink.url,
      PAPERBOY_SECRET: SECRET,
      PAPERBOY_HF_BASE_URL: hf.base,
    };
    for (let i = 0; i < 2; i++) serves.push(startLogging(['serve', '--port', '0'], dir, env));
    const outcome = (serve: ServeProcess) =>
      serve.waitForLog(
        (l: LogLine) =>
          l.event === 'run.finished' || (l.event === 'run.skipped' && l.reason === 'not-elected'),
      );
    const [a, b] = await Promise.all(serves.map(outcome));
    const finished = [a, b].filter((l) => l?.event === 'run.finished');
    const skipped = [a, b].filter((l) => l?.event === 'run.skipped');
    expect(finished).toHaveLength(1);
    expect(skipped).toHaveLength(1);
    expect(finished[0]).toMatchObject({ outcome: 'queued', queued: 20, planned: 20 });
    const catchUps = serves.flatMap((s) => s.logs.filter((l) => l.event === 'run.catch-up'));
    expect(catchUps).toHaveLength(2);
    expect(skipped[0]?.scheduledAt).toBe(catchUps[0]?.scheduledAt);

    const status = await readIssueStatus(database.db, finished[0]?.date as string);
    expect(status?.totals).toMatchObject({ planned: 20, pending: 20, sent: 0 });
    expect(sink.received).toHaveLength(0);
  });
});
