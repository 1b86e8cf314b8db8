// What a real SMTP server can do to a run: throttle (421), greylist (451), drop the connection,
// refuse a mailbox for good (550), or refuse everyone. The built CLI against smtp-server.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { createWorkspace, latestByEmail, PLANNED, SEND_ARGS } from './send-workspace.js';
import { startSmtpSink } from './smtp-sink.js';

describe('paperboy send against a difficult server', () => {
  it('retries 421, 451 and a dropped connection until everything arrives, once', async () => {
    const sink = await startSmtpSink({
      rcpt: (to, attempt) => {
        if (to === 'kaiming@example.org' && attempt === 1) {
          return { code: 421, message: '4.7.0 Try again later, closing connection' };
        }
        if (to === 'shafi@example.org' && attempt <= 2) {
          return { code: 451, message: '4.7.1 Greylisted, please try again' };
        }
        return null;
      },
      data: (to, attempt) => (to === 'daphne@example.org' && attempt === 1 ? 'drop' : null),
    });
    try {
      const ws = createWorkspace({ concurrency: 3, pauseFailureRate: 0.5 });
      const result = await runCli(SEND_ARGS, { cwd: ws.dir, env: ws.env(sink.url) });
      expect(result.stderr).not.toMatch(/paperboy: \d+ of/);
      expect(result.code).toBe(0);
      expect(sink.received.map((m) => m.to).sort()).toEqual(PLANNED);
      expect(result.stdout).toMatch(/^ {2}failed +0$/m);
      const lines = ws.ledger();
      const attempts = (email: string) =>
        lines.filter((l) => l.email === email && l.state === 'sending').length;
      // What the server saw: each address's RCPT TO attempts, as the hooks above decide them.
      const seen = (email: string) => sink.rcptAttempts.get(email) ?? 0;
      const troubled = ['kaiming@example.org', 'shafi@example.org', 'daphne@example.org'];
      expect(troubled.map(seen)).toEqual([2, 3, 2]);
      for (const email of PLANNED.filter((e) => !troubled.includes(e))) expect(seen(email)).toBe(1);
      // What paperboy tried: the same, except that the sink offers PIPELINING (RFC 2920), so the
      // next message may already sit on daphne's connection behind her data when it drops. That
      // one never reaches the server, fails with the connection, and is retried: one more attempt.
      const riders = PLANNED.filter((email) => attempts(email) !== seen(email));
      expect(riders.length).toBeLessThanOrEqual(1);
      for (const email of riders) expect(attempts(email)).toBe(seen(email) + 1);
      expect(result.stdout).toMatch(
        new RegExp(
          `^ {2}retried +${4 + riders.length} {2}attempts after a transient failure$`,
          'm',
        ),
      );
      const latest = latestByEmail(lines);
      for (const email of PLANNED) expect(latest.get(email)?.state).toBe('sent');
      // Transient failures that were retried successfully leave no strike.
      expect(existsSync(join(ws.dir, 'data', 'bounces.json'))).toBe(false);
    } finally {
      await sink.close();
    }
  });

  it('records a 550 as failed with a strike that bounces the address, delivers the rest, exits 8', async () => {
    const sink = await startSmtpSink({
      rcpt: (to) =>
        to === 'song@example.org' ? { code: 550, message: '5.1.1 No such user here' } : null,
    });
    try {
      const ws = createWorkspace({ concurrency: 3 });
      const result = await runCli(SEND_ARGS, { cwd: ws.dir, env: ws.env(sink.url) });
      expect(result.code).toBe(8);
      expect(result.stderr).toMatch(/paperboy: 1 of 15 messages failed/);
      expect(result.stdout).toMatch(/^ {2}failed +1 {2}1 address now bounced$/m);
      expect(result.stdout).toMatch(
        /song@example\.org: 550 5\.1\.1 No such user here \(permanent; now bounced\)/,
      );
      expect(sink.received.map((m) => m.to).sort()).toEqual(
        PLANNED.filter((email) => email !== 'song@example.org'),
      );
      // Permanent: tried once, not retried.
      expect(sink.rcptAttempts.get('song@example.org')).toBe(1);
      expect(latestByEmail(ws.ledger()).get('song@example.org')).toMatchObject({
        state: 'failed',
        code: 550,
        permanent: true,
      });
      const strikes = JSON.parse(readFileSync(join(ws.dir, 'data', 'bounces.json'), 'utf8'));
      expect(strikes.subscribers.sub_00000000000000a8).toMatchObject({
        hard: 1,
        soft: 0,
        lastCode: 550,
      });
      const song = ws.subscribers().find((s) => s.email === 'song@example.org');
      expect(song?.status).toBe('bounced');
      // Song's segment received nothing: its papers stay available to it in the history.
      const history = JSON.parse(readFileSync(join(ws.dir, 'data', 'history.json'), 'utf8'));
      const ledger = ws.ledger();
      const songSegment = ledger.find((l) => l.email === 'song@example.org' && l.segmentId);
      const adaSegment = ledger.find((l) => l.email === 'ada@example.org' && l.segmentId);
      expect(Object.keys(history.segments)).not.toContain(songSegment?.segmentId);
      expect(Object.keys(history.segments)).toContain(adaSegment?.segmentId);

      // The next run respects the bounce: nothing more to send, exit 0.
      const again = await runCli(SEND_ARGS, { cwd: ws.dir, env: ws.env(sink.url) });
      expect(again.code).toBe(0);
      expect(sink.rcptAttempts.get('song@example.org')).toBe(1);
      expect(latestByEmail(ws.ledger()).get('song@example.org')).toMatchObject({
        state: 'skipped',
        reason: 'bounced',
      });
    } finally {
      await sink.close();
    }
  });

  it('pauses when too many attempts fail, without striking anyone, and exits 9', async () => {
    const sink = await startSmtpSink({
      rcpt: () => ({ code: 451, message: '4.7.1 Too many messages, slow down' }),
    });
    try {
      const ws = createWorkspace({
        concurrency: 2,
        retries: 3,
        pauseMinAttempts: 5,
        pauseFailureRate: 0.5,
      });
      const result = await runCli(SEND_ARGS, { cwd: ws.dir, env: ws.env(sink.url) });
      expect(result.code).toBe(9);
      expect(result.stdout).toMatch(/^Paused: 5 of the last 5 attempts failed/m);
      expect(result.stdout).toMatch(/^ {2}not sent yet +\d+/m);
      expect(result.stderr).toMatch(/hint: run the same command to resume/);
      const attempts = [...sink.rcptAttempts.values()].reduce((sum, n) => sum + n, 0);
      expect(attempts).toBeLessThanOrEqual(6);
      expect(existsSync(join(ws.dir, 'data', 'bounces.json'))).toBe(false);
      const latest = latestByEmail(ws.ledger());
      expect([...latest.values()].some((l) => l.state === 'sending')).toBe(false);
    } finally {
      await sink.close();
    }
  });
});
