// `paperboy send` end to end: the built CLI, a real SMTP server on loopback, messages read back
// with mailparser. The fixture has 20 subscribers with every status; the plan sends 15 emails in
// 12 segments.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKeyring, verifyToken } from '../../src/tokens/link-token.js';
import {
  BASE_URL,
  createWorkspace,
  latestByEmail,
  NOT_PLANNED,
  PLANNED,
  POSTAL_ADDRESS,
  SECRET,
  SEND_ARGS,
  type Workspace,
} from '../delivery/send-workspace.js';
import { type ReceivedMessage, type SmtpSink, startSmtpSink } from '../delivery/smtp-sink.js';
import { SEED_DATE, SEED_PATH } from '../helpers.js';
import { type CliResult, runCli } from './run-cli.js';

interface PlanJson {
  segments: {
    id: string;
    recipients: { subscriberId: string; email: string }[];
    papers: { title: string }[];
  }[];
  skipped: { email: string; reason: string }[];
}

/** The header block, unfolded, as `name: value` lines. */
function headerLines(raw: Buffer): string[] {
  const text = raw.toString('utf8');
  return text
    .slice(0, text.indexOf('\r\n\r\n'))
    .replace(/\r\n[ \t]+/g, ' ')
    .split('\r\n');
}

function headerValues(raw: Buffer, name: string): string[] {
  const prefix = `${name.toLowerCase()}:`;
  return headerLines(raw)
    .filter((line) => line.toLowerCase().startsWith(prefix))
    .map((line) => line.slice(prefix.length).trim());
}

/** The numbered paper titles of the text part, in order. */
function paperTitles(text: string): string[] {
  return [...text.matchAll(/^\d+\. (.+)$/gm)].map((match) => (match[1] as string).trim());
}

describe('paperboy send through SMTP', () => {
  let sink: SmtpSink;
  let ws: Workspace;
  let plan: PlanJson;
  let result: CliResult;
  const byRecipient = new Map<string, ReceivedMessage[]>();

  beforeAll(async () => {
    sink = await startSmtpSink();
    ws = createWorkspace({ concurrency: 3 });
    const planned = await runCli(['plan', SEED_PATH, '--date', SEED_DATE, '--json'], {
      cwd: ws.dir,
    });
    plan = JSON.parse(planned.stdout) as PlanJson;
    result = await runCli(SEND_ARGS, { cwd: ws.dir, env: ws.env(sink.url) });
    for (const message of sink.received) {
      byRecipient.set(message.to, [...(byRecipient.get(message.to) ?? []), message]);
    }
  });
  afterAll(() => sink.close());

  it('sends every active planned subscriber exactly one message, and nobody else', () => {
    expect(result.stderr).not.toMatch(/warning/);
    expect(result.code).toBe(0);
    expect([...byRecipient.keys()].sort()).toEqual(PLANNED);
    for (const email of PLANNED) expect(byRecipient.get(email)).toHaveLength(1);
    for (const email of NOT_PLANNED) expect(byRecipient.has(email)).toBe(false);
    expect(plan.skipped.map((s) => s.email).sort()).toEqual(NOT_PLANNED);
  });

  it('gives each reader exactly the papers the plan chose for their segment, in order', async () => {
    for (const segment of plan.segments) {
      for (const recipient of segment.recipients) {
        const [message] = byRecipient.get(recipient.email) ?? [];
        const mail = await simpleParser(message?.raw ?? Buffer.alloc(0));
        expect(paperTitles(mail.text ?? ''), recipient.email).toEqual(
          segment.papers.map((p) => p.title),
        );
        expect(mail.text).toContain(POSTAL_ADDRESS);
      }
    }
  });

  it('sets the headers bulk senders must: one List-Unsubscribe, the Post header, unique ids', async () => {
    const keyring = parseKeyring(SECRET);
    const ids = new Set<string>();
    const recipients = plan.segments.flatMap((segment) => segment.recipients);
    for (const { subscriberId, email } of recipients) {
      const [message] = byRecipient.get(email) ?? [];
      const raw = message?.raw ?? Buffer.alloc(0);
      const unsubscribe = headerValues(raw, 'List-Unsubscribe');
      expect(unsubscribe).toHaveLength(1);
      const url = /^<(https:\/\/[^>]+)>$/.exec(unsubscribe[0] ?? '')?.[1] ?? '';
      expect(url.startsWith(`${BASE_URL}/unsubscribe/`)).toBe(true);
      const token = url.slice(`${BASE_URL}/unsubscribe/`.length);
      expect(verifyToken(keyring, 'unsubscribe', token)).toBe(subscriberId);
      expect(headerValues(raw, 'List-Unsubscribe-Post')).toEqual(['List-Unsubscribe=One-Click']);
      expect(headerValues(raw, 'List-Id')).toEqual(['"Trending Papers" <digest.example.org>']);
      for (const name of ['From', 'To', 'Subject', 'Date', 'Message-ID']) {
        expect(headerValues(raw, name), name).toHaveLength(1);
      }
      expect(headerValues(raw, 'Message-ID')).toEqual([
        `<${SEED_DATE}.${subscriberId}@example.org>`,
      ]);
      ids.add(message?.messageId ?? '');
      expect(message?.from).toBe('papers@example.org');

      const mail = await simpleParser(raw);
      expect(mail.from?.value).toEqual([
        { name: 'Trending Papers', address: 'papers@example.org' },
      ]);
      expect(mail.to && !Array.isArray(mail.to) ? mail.to.value.map((a) => a.address) : []).toEqual(
        [email],
      );
      expect(mail.replyTo?.value[0]?.address).toBe('editor@example.org');
      // multipart/alternative: the text part first, the HTML part (the preferred one) last.
      const body = raw.toString('utf8');
      expect(body).toMatch(/Content-Type: multipart\/alternative/);
      expect(body.indexOf('Content-Type: text/plain')).toBeGreaterThan(0);
      expect(body.indexOf('Content-Type: text/plain')).toBeLessThan(
        body.indexOf('Content-Type: text/html'),
      );
      // The preference link in the body carries its own signed token.
      const preferences = /\/preferences\/([\w.-]+)/.exec(mail.text ?? '')?.[1] ?? '';
      expect(verifyToken(keyring, 'preferences', preferences)).toBe(subscriberId);
    }
    expect(ids.size).toBe(recipients.length);
  });

  it('records every outcome in the ledger, matching what the server received', () => {
    const latest = latestByEmail(ws.ledger());
    for (const message of sink.received) {
      expect(latest.get(message.to)).toMatchObject({ state: 'sent', messageId: message.messageId });
    }
    const reasons = Object.fromEntries(
      NOT_PLANNED.map((email) => [email, latest.get(email)?.reason]),
    );
    expect(reasons).toEqual({
      'barbara@example.org': 'unsubscribed',
      'bounced@example.net': 'bounced',
      'claude@example.org': 'nothing-matched',
      'grace@example.org': 'nothing-matched',
      'john@example.org': 'weekly-not-today',
    });
  });

  it('ends with a summary and records the sent papers in the history', () => {
    expect(result.stdout).toMatch(/sent through smtp:\/\/127\.0\.0\.1:\d+/);
    expect(result.stdout).toMatch(/^ {2}sent +15$/m);
    expect(result.stdout).toMatch(
      /^ {2}skipped +5 {2}unsubscribed 1, bounced 1, weekly-not-today 1, nothing-matched 2$/m,
    );
    expect(result.stdout).toMatch(/^ {2}failed +0$/m);
    expect(result.stdout).toContain(join('data', 'ledger', `${SEED_DATE}.jsonl`));
    const history = JSON.parse(readFileSync(join(ws.dir, 'data', 'history.json'), 'utf8')) as {
      segments: Record<string, Record<string, string>>;
    };
    expect(Object.keys(history.segments).sort()).toEqual(plan.segments.map((s) => s.id).sort());
  });

  it('sends nothing again when rerun; --only with --force resends to one reader', async () => {
    const again = await runCli(SEND_ARGS, { cwd: ws.dir, env: ws.env(sink.url) });
    expect(again.code).toBe(0);
    expect(sink.received).toHaveLength(PLANNED.length);
    expect(again.stdout).toMatch(/^ {2}already sent +15 {2}by an earlier run/m);

    const forced = await runCli([...SEND_ARGS, '--only', 'Ada@Example.org', '--force'], {
      cwd: ws.dir,
      env: ws.env(sink.url),
    });
    expect(forced.code).toBe(0);
    expect(sink.received.map((m) => m.to).slice(PLANNED.length)).toEqual(['ada@example.org']);
    // The same Message-ID: a resend of the same issue is recognisable as one.
    expect(sink.received.at(-1)?.messageId).toBe(
      byRecipient.get('ada@example.org')?.[0]?.messageId,
    );
  });

  it('writes the outbox without SMTP: .eml files that parse, with the same headers', async () => {
    const outboxWs = createWorkspace();
    const outbox = await runCli(SEND_ARGS, { cwd: outboxWs.dir, env: outboxWs.env() });
    expect(outbox.code).toBe(0);
    expect(outbox.stdout).toMatch(/written to the outbox/);
    const dir = join(outboxWs.dir, 'data', 'outbox', SEED_DATE);
    const files = readdirSync(dir).sort();
    const ids = plan.segments.flatMap((s) => s.recipients.map((r) => `${r.subscriberId}.eml`));
    expect(files).toEqual(ids.sort());
    for (const segment of plan.segments) {
      for (const recipient of segment.recipients) {
        const raw = readFileSync(join(dir, `${recipient.subscriberId}.eml`));
        const mail = await simpleParser(raw);
        expect(paperTitles(mail.text ?? '')).toEqual(segment.papers.map((p) => p.title));
        const smtp = byRecipient.get(recipient.email)?.[0]?.raw ?? Buffer.alloc(0);
        for (const name of [
          'From',
          'Reply-To',
          'To',
          'Subject',
          'Message-ID',
          'List-Unsubscribe',
          'List-Unsubscribe-Post',
          'List-Id',
        ]) {
          expect(headerValues(raw, name), name).toEqual(headerValues(smtp, name));
        }
      }
    }
  });
});

describe('paperboy send --dry-run', () => {
  it('builds every message and reports them, sending and writing nothing', async () => {
    const sink = await startSmtpSink();
    try {
      const ws = createWorkspace();
      const result = await runCli([...SEND_ARGS, '--dry-run'], {
        cwd: ws.dir,
        env: ws.env(sink.url),
      });
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/dry run: built, nothing sent, no ledger written/);
      expect(result.stdout).toMatch(/^ {2}would send +15$/m);
      expect(sink.received).toHaveLength(0);
      expect(sink.rcptAttempts.size).toBe(0);
      expect(existsSync(join(ws.dir, 'data'))).toBe(false);
    } finally {
      await sink.close();
    }
  });
});

describe('paperboy send refuses what would be unlawful or unsafe', () => {
  it('refuses SMTP without PAPERBOY_SECRET, a postal address or a real base URL (exit 5)', async () => {
    const ws = createWorkspace();
    const noSecret = await runCli(SEND_ARGS, {
      cwd: ws.dir,
      env: { SMTP_URL: 'smtp://127.0.0.1:9', PAPERBOY_SECRET: undefined },
    });
    expect(noSecret.code).toBe(5);
    expect(noSecret.stderr).toMatch(/PAPERBOY_SECRET is not set/);

    const bare = createWorkspace({}, { sender: { name: 'Trending Papers' } });
    const noAddress = await runCli(SEND_ARGS, {
      cwd: bare.dir,
      env: bare.env('smtp://127.0.0.1:9'),
    });
    expect(noAddress.code).toBe(5);
    expect(noAddress.stderr).toMatch(/sender\.postalAddress is not set/);

    const placeholder = await runCli(SEND_ARGS, {
      cwd: ws.dir,
      env: { ...ws.env('smtp://127.0.0.1:9'), PAPERBOY_BASE_URL: 'https://paperboy.example.org' },
    });
    expect(placeholder.code).toBe(5);
    expect(placeholder.stderr).toMatch(/placeholder/);
    expect(existsSync(join(ws.dir, 'data'))).toBe(false);
  });

  it('never prints the SMTP password, and sends nothing when the login fails (exit 8)', async () => {
    const sink = await startSmtpSink({ rejectAuth: true });
    try {
      const ws = createWorkspace();
      const result = await runCli(SEND_ARGS, {
        cwd: ws.dir,
        env: ws.env(`smtp://mailer:hunter2-secret@127.0.0.1:${sink.port}`),
      });
      expect(result.code).toBe(8);
      expect(result.stderr).toMatch(/smtp:\/\/127\.0\.0\.1:\d+: .*nothing was sent/);
      expect(`${result.stdout}${result.stderr}`).not.toContain('hunter2');
      expect(sink.received).toHaveLength(0);
    } finally {
      await sink.close();
    }
  });

  it('exits 7 for --only with an address that is not on the list', async () => {
    const ws = createWorkspace();
    const result = await runCli([...SEND_ARGS, '--only', 'nobody@example.org'], {
      cwd: ws.dir,
      env: ws.env(),
    });
    expect(result.code).toBe(7);
    expect(result.stderr).toMatch(/no subscriber nobody@example\.org/);
  });
});
