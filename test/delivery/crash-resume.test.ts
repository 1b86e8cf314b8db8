// A send killed part-way (kill -9) or stopped (SIGINT), then run again: everyone ends up with the
// issue, duplicates stay within the messages that were in flight, and the ledger agrees with what
// the server received. The built CLI as a child process against a slow smtp-server.
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import {
  createWorkspace,
  latestByEmail,
  PLANNED,
  SEND_ARGS,
  startCli,
  type Workspace,
} from './send-workspace.js';
import { type ReceivedMessage, type SmtpSink, startSmtpSink } from './smtp-sink.js';

const CONCURRENCY = 2;

function countByRecipient(received: readonly ReceivedMessage[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { to } of received) counts.set(to, (counts.get(to) ?? 0) + 1);
  return counts;
}

/** Every `sent` in the ledger is a message the server took, with the same Message-ID. */
function expectLedgerMatchesServer(ws: Workspace, sink: SmtpSink): void {
  const taken = new Set(sink.received.map((m) => `${m.to} ${m.messageId}`));
  const sent = ws.ledger().filter((line) => line.state === 'sent');
  for (const line of sent) expect(taken).toContain(`${line.email} ${line.messageId}`);
  const latest = latestByEmail(ws.ledger());
  for (const email of PLANNED) expect(latest.get(email)?.state, email).toBe('sent');
}

/** Resolves once the server has taken `count` messages. */
function afterReceived(sink: SmtpSink, count: number, action: () => void): void {
  sink.hooks.onReceived = (_message, received) => {
    if (received === count) action();
  };
}

describe('paperboy send stopped part-way', () => {
  it('resumes after kill -9: everyone gets the issue, duplicates at most the concurrency', async () => {
    const sink = await startSmtpSink({ delayMs: 150 });
    try {
      const ws = createWorkspace({ concurrency: CONCURRENCY });
      const first = startCli(SEND_ARGS, ws.dir, ws.env(sink.url));
      afterReceived(sink, 4, () => first.child.kill('SIGKILL'));
      const killed = await first.done;
      expect(killed.signal).toBe('SIGKILL');
      const beforeRerun = sink.received.length;
      expect(beforeRerun).toBeGreaterThanOrEqual(4);
      expect(beforeRerun).toBeLessThan(PLANNED.length);
      // The ledger written so far never claims more than the server took.
      const taken = new Set(sink.received.map((m) => `${m.to} ${m.messageId}`));
      for (const line of ws.ledger().filter((l) => l.state === 'sent')) {
        expect(taken).toContain(`${line.email} ${line.messageId}`);
      }

      sink.hooks.onReceived = undefined;
      sink.hooks.delayMs = 0;
      // The killed run's lock is taken over once stale (a few seconds): the rerun waits for it.
      const rerun = await runCli(SEND_ARGS, { cwd: ws.dir, env: ws.env(sink.url) });
      expect(rerun.code).toBe(0);

      const counts = countByRecipient(sink.received);
      expect([...counts.keys()].sort()).toEqual(PLANNED);
      const duplicates = sink.received.length - PLANNED.length;
      expect(duplicates).toBeLessThanOrEqual(CONCURRENCY);
      // A duplicate carries the same Message-ID as the first copy, so it is recognisable.
      for (const [to, n] of counts) {
        if (n > 1) {
          expect(
            new Set(sink.received.filter((m) => m.to === to).map((m) => m.messageId)).size,
          ).toBe(1);
        }
      }
      expectLedgerMatchesServer(ws, sink);
      expect(rerun.stdout).toMatch(/^ {2}already sent +\d+/m);
    } finally {
      await sink.close();
    }
  });

  it('on SIGINT finishes the messages in flight, prints the summary, exits 130; a rerun completes', async () => {
    const sink = await startSmtpSink({ delayMs: 150 });
    try {
      const ws = createWorkspace({ concurrency: CONCURRENCY });
      const first = startCli(SEND_ARGS, ws.dir, ws.env(sink.url));
      afterReceived(sink, 3, () => first.child.kill('SIGINT'));
      const stopped = await first.done;
      expect(stopped.code).toBe(130);
      expect(stopped.stdout).toMatch(/^Stopped by SIGINT/m);
      expect(stopped.stdout).toMatch(/^ {2}not sent yet +\d+/m);
      expect(stopped.stderr).toMatch(/paperboy: stopped by SIGINT; \d+ not sent yet/);
      // Nothing was left in flight: every attempt has its outcome.
      const latest = latestByEmail(ws.ledger());
      expect([...latest.values()].filter((l) => l.state === 'sending')).toEqual([]);
      expectLedgerMatchesServerSoFar(ws, sink);

      sink.hooks.onReceived = undefined;
      sink.hooks.delayMs = 0;
      const rerun = await runCli(SEND_ARGS, { cwd: ws.dir, env: ws.env(sink.url) });
      expect(rerun.code).toBe(0);
      expect(rerun.stderr).not.toMatch(/is locked/);
      // A clean stop leaves nothing unknown: not a single duplicate.
      expect(sink.received.map((m) => m.to).sort()).toEqual(PLANNED);
      expectLedgerMatchesServer(ws, sink);
    } finally {
      await sink.close();
    }
  });
});

describe('two sends of the same issue at once', () => {
  it('are kept apart by the ledger lock: everyone gets exactly one message', async () => {
    const sink = await startSmtpSink({ delayMs: 100 });
    try {
      const ws = createWorkspace({ concurrency: CONCURRENCY });
      const [a, b] = await Promise.all([
        startCli(SEND_ARGS, ws.dir, ws.env(sink.url)).done,
        startCli(SEND_ARGS, ws.dir, ws.env(sink.url)).done,
      ]);
      expect([a.code, b.code]).toEqual([0, 0]);
      expect(sink.received.map((m) => m.to).sort()).toEqual(PLANNED);
      const summaries = [a.stdout, b.stdout].join('\n');
      expect(summaries).toMatch(/^ {2}already sent +15 /m);
      expectLedgerMatchesServer(ws, sink);
    } finally {
      await sink.close();
    }
  });
});

function expectLedgerMatchesServerSoFar(ws: Workspace, sink: SmtpSink): void {
  const taken = new Set(sink.received.map((m) => `${m.to} ${m.messageId}`));
  const sent = ws.ledger().filter((line) => line.state === 'sent');
  expect(sent.map((line) => `${line.email} ${line.messageId}`).sort()).toEqual([...taken].sort());
}
