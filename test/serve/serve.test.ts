// `paperboy serve` end to end: the built CLI as a child process with a short cron, a real SMTP
// server on loopback, a local HTTP server standing in for the HF API, logs read as JSON lines.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { latestCompleteDay } from '../../src/sources/fetch.js';
import { runCli } from '../cli/run-cli.js';
import { type SmtpSink, startSmtpSink } from '../delivery/smtp-sink.js';
import type { LocalServer } from '../helpers.js';
import {
  BASE_URL,
  createServeWorkspace,
  SECRET,
  type ServeProcess,
  startHfStub,
  startServe,
  subscribers,
} from './serve-workspace.js';

/** Every day at midnight UTC: always already past when the test runs (bar the first second). */
const MIDNIGHT = '0 0 0 * * *';

let hf: LocalServer;
const running = new Set<ServeProcess>();

beforeAll(async () => {
  hf = await startHfStub();
});
afterAll(() => hf.close());
afterEach(async () => {
  for (const serve of running) {
    serve.child.kill('SIGKILL');
    await serve.exited;
  }
  running.clear();
});

function start(dir: string, sink: SmtpSink): ServeProcess {
  const serve = startServe(dir, {
    SMTP_URL: sink.url,
    PAPERBOY_SECRET: SECRET,
    PAPERBOY_HF_BASE_URL: hf.base,
  });
  running.add(serve);
  return serve;
}

async function stop(serve: ServeProcess) {
  serve.child.kill('SIGTERM');
  const exit = await serve.exited;
  running.delete(serve);
  return exit;
}

function headerValue(raw: Buffer, name: string): string | undefined {
  const text = raw.toString('utf8');
  const head = text.slice(0, text.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
  const prefix = `${name.toLowerCase()}:`;
  return head
    .split('\r\n')
    .find((line) => line.toLowerCase().startsWith(prefix))
    ?.slice(prefix.length)
    .trim();
}

describe('paperboy serve', () => {
  it('sends on the schedule, answers the List-Unsubscribe POST, and the next run skips that reader', async () => {
    const sink = await startSmtpSink();
    const people = subscribers(3);
    const ws = createServeWorkspace({ cron: '*/3 * * * * *' }, people, {
      plan: { historyDays: 0 },
    });
    const date = latestCompleteDay(new Date());
    const serve = start(ws.dir, sink);
    try {
      const origin = await serve.origin();
      const started = serve.logs.find((l) => l.event === 'serve.started');
      expect(started?.timezone).toBe('UTC');
      expect(started?.nextRuns).toHaveLength(3);
      expect((await fetch(`${origin}/healthz`)).status).toBe(200);

      const first = await serve.waitForLog((l) => l.event === 'run.finished' && l.sent === 3);
      expect(first.date).toBe(date);
      expect(sink.received.map((m) => m.to).sort()).toEqual(people.map((p) => p.email));
      // The next tick finds everything sent: the ledger decides, nothing goes out twice.
      const index = serve.logs.indexOf(first) + 1;
      const again = await serve.waitForLog((l) => l.event === 'run.finished', 30_000, index);
      expect(again.outcome).toBe('nothing to send');
      expect(sink.received).toHaveLength(3);

      // The reader's mail client POSTs the List-Unsubscribe URL, as Gmail does (RFC 8058).
      const reader = people[0]?.email as string;
      const message = sink.received.find((m) => m.to === reader);
      const listUnsubscribe = headerValue(message?.raw as Buffer, 'List-Unsubscribe') ?? '';
      const url = /<(https:\/\/[^>]+)>/.exec(listUnsubscribe)?.[1] ?? '';
      expect(url.startsWith(`${BASE_URL}/unsubscribe/`)).toBe(true);
      const local = new URL(url);
      const response = await fetch(`${origin}${local.pathname}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
        redirect: 'manual',
      });
      expect(response.status).toBe(200);
      expect(ws.status(reader)).toBe('unsubscribed');

      // A new issue (the ledger gone, as on the next day): the others get it, the reader does not.
      const mark = serve.logs.length;
      await serve.waitForLog((l) => l.event === 'run.finished', 30_000, mark);
      rmSync(ws.ledgerFile(date));
      await serve.waitForLog(
        (l) => l.event === 'run.finished' && l.sent === 2,
        30_000,
        serve.logs.length,
      );
      const counts = new Map<string, number>();
      for (const m of sink.received) counts.set(m.to, (counts.get(m.to) ?? 0) + 1);
      expect(counts.get(reader)).toBe(1);
      for (const p of people.slice(1)) expect(counts.get(p.email)).toBe(2);
      const readerLine = ws.ledger(date).find((l) => l.email === reader);
      expect(readerLine?.state).toBe('skipped');

      const exit = await stop(serve);
      expect(exit.code).toBe(0);
      expect(serve.logs.at(-1)?.event).toBe('serve.stopped');
      expect(serve.logs.filter((l) => l.level === 'error')).toEqual([]);
    } finally {
      await sink.close();
    }
  }, 90_000);

  it('catches up once after the scheduled time, and not again when the ledger has the issue', async () => {
    const sink = await startSmtpSink();
    const people = subscribers(2);
    const ws = createServeWorkspace({ cron: MIDNIGHT }, people);
    try {
      const serve = start(ws.dir, sink);
      await serve.waitForLog((l) => l.event === 'run.catch-up');
      const done = await serve.waitForLog((l) => l.event === 'run.finished');
      expect(done.sent).toBe(2);
      expect((await stop(serve)).code).toBe(0);
      expect(serve.logs.filter((l) => l.event === 'run.started')).toHaveLength(1);

      const second = start(ws.dir, sink);
      const again = await second.waitForLog((l) => l.event === 'run.finished');
      expect(again.outcome).toBe('nothing to send');
      expect(again.sent).toBe(0);
      expect((await stop(second)).code).toBe(0);
      expect(sink.received).toHaveLength(2);
    } finally {
      await sink.close();
    }
  }, 90_000);

  it('does not catch up when today has no scheduled time before now', async () => {
    const sink = await startSmtpSink();
    // 23:59:59 UTC: not yet passed (unless the test runs in the day's last second).
    const ws = createServeWorkspace({ cron: '59 59 23 * * *' }, subscribers(1));
    try {
      const serve = start(ws.dir, sink);
      await serve.waitForLog((l) => l.event === 'serve.started');
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await stop(serve)).code).toBe(0);
      expect(serve.logs.some((l) => l.event === 'run.started')).toBe(false);
      expect(sink.received).toHaveLength(0);
    } finally {
      await sink.close();
    }
  }, 60_000);

  it('on SIGTERM mid-run finishes the messages in flight, records them and exits 0; a restart sends the rest', async () => {
    const sink = await startSmtpSink({ delayMs: 250 });
    const people = subscribers(12);
    const ws = createServeWorkspace({ cron: MIDNIGHT }, people, {
      delivery: { backoffMs: 10, concurrency: 2 },
    });
    const date = latestCompleteDay(new Date());
    try {
      const serve = start(ws.dir, sink);
      await serve.waitForLog((l) => l.event === 'run.started');
      await new Promise<void>((resolve) => {
        sink.hooks.onReceived = () => resolve();
      });
      const exit = await stop(serve);
      expect(exit.code).toBe(0);
      const stopped = serve.logs.find((l) => l.event === 'run.incomplete');
      expect(stopped?.outcome).toBe('interrupted');
      expect(serve.logs.at(-1)?.event).toBe('serve.stopped');

      // Every message the server took is in the ledger as sent, and nothing else is.
      const latest = new Map(ws.ledger(date).map((l) => [l.email, l.state]));
      const sent = [...latest].filter(([, state]) => state === 'sent').map(([email]) => email);
      expect(sent.sort()).toEqual(sink.received.map((m) => m.to).sort());
      expect([...latest.values()]).not.toContain('sending');
      expect(sent.length).toBeLessThan(people.length);

      // The restart catches up: the rest get theirs, nobody gets two.
      const second = start(ws.dir, sink);
      const done = await second.waitForLog((l) => l.event === 'run.finished', 30_000);
      expect(done.sent).toBe(people.length - sent.length);
      expect((await stop(second)).code).toBe(0);
      expect(sink.received.map((m) => m.to).sort()).toEqual(people.map((p) => p.email).sort());
    } finally {
      await sink.close();
    }
  }, 90_000);

  it('logs a day without papers as skipped, not as an error', async () => {
    const empty = await startHfStubEmpty();
    const sink = await startSmtpSink();
    const ws = createServeWorkspace({ cron: MIDNIGHT }, subscribers(1));
    try {
      const serve = startServe(ws.dir, {
        SMTP_URL: sink.url,
        PAPERBOY_SECRET: SECRET,
        PAPERBOY_HF_BASE_URL: empty.base,
      });
      running.add(serve);
      const skipped = await serve.waitForLog((l) => l.event === 'run.skipped');
      expect(skipped.reason).toBe('no papers');
      expect((await stop(serve)).code).toBe(0);
      expect(serve.logs.filter((l) => l.level === 'error')).toEqual([]);
      expect(sink.received).toHaveLength(0);
    } finally {
      await sink.close();
      await empty.close();
    }
  }, 60_000);

  it('reports a failing HF API, retries later, and keeps serving', async () => {
    const sink = await startSmtpSink();
    const ws = createServeWorkspace({ cron: MIDNIGHT }, subscribers(1));
    const { startLocalServer } = await import('../helpers.js');
    const down = await startLocalServer((_req, res) => {
      res.writeHead(404).end('{"error":"gone"}');
    });
    try {
      const serve = startServe(ws.dir, {
        SMTP_URL: sink.url,
        PAPERBOY_SECRET: SECRET,
        PAPERBOY_HF_BASE_URL: down.base,
        PAPERBOY_RUN_RETRY_MS: '50',
      });
      running.add(serve);
      const origin = await serve.origin();
      const failed = await serve.waitForLog((l) => l.event === 'run.failed');
      expect(failed.outcome).toBe('unreadable');
      expect(serve.logs.filter((l) => l.event === 'fetch.failed')).toHaveLength(3);
      expect((await fetch(`${origin}/healthz`)).status).toBe(200);
      expect((await stop(serve)).code).toBe(0);
    } finally {
      await sink.close();
      await down.close();
    }
  }, 60_000);
});

describe('paperboy serve configuration', () => {
  it('exits 5 before listening for a bad time zone or cron expression', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paperboy-serve-config-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ schedule: { timezone: 'Mars/Olympus' } }));
    const zone = await runCli(['serve', '--port', '0', '--config', file], { cwd: dir });
    expect(zone.code).toBe(5);
    expect(zone.stderr).toMatch(/schedule\.timezone/);
    writeFileSync(file, JSON.stringify({ schedule: { cron: '0 25 * * *' } }));
    const cron = await runCli(['serve', '--port', '0', '--config', file], { cwd: dir });
    expect(cron.code).toBe(5);
    expect(cron.stderr).toMatch(/schedule\.cron "0 25 \* \* \*" is not valid/);
    // Through SMTP without a postal address every run would fail: serve refuses to start.
    writeFileSync(file, JSON.stringify({}));
    const unsendable = await runCli(['serve', '--port', '0', '--config', file], {
      cwd: dir,
      env: { SMTP_URL: 'smtp://127.0.0.1:1', PAPERBOY_SECRET: SECRET },
    });
    expect(unsendable.code).toBe(5);
    expect(unsendable.stderr).toMatch(/sender\.postalAddress/);
  }, 30_000);
});

async function startHfStubEmpty(): Promise<LocalServer> {
  const { startLocalServer } = await import('../helpers.js');
  return startLocalServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
  });
}
