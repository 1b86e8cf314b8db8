import { generateKeyPairSync } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { createSmtpPool, type SmtpPoolOptions } from '../../src/delivery/smtp-pool.js';

interface Taken {
  to: string;
  raw: string;
  /** The SMTP session (connection) it came over. */
  session: string;
  at: number;
}

/** A real SMTP server that records which connection each message came over. */
async function startServer(options: { user?: string; pass?: string; socketTimeout?: number }) {
  const taken: Taken[] = [];
  const connections = new Set<string>();
  let live = 0;
  let mostLive = 0;
  const server = new SMTPServer({
    hideSTARTTLS: true,
    authOptional: !options.user,
    allowInsecureAuth: true,
    disableReverseLookup: true,
    logger: false,
    ...(options.socketTimeout ? { socketTimeout: options.socketTimeout } : {}),
    onConnect(session, callback) {
      connections.add(session.id);
      live++;
      mostLive = Math.max(mostLive, live);
      callback();
    },
    onClose() {
      live--;
    },
    onAuth(auth, _session, callback) {
      if (auth.username === options.user && auth.password === options.pass) {
        callback(null, { user: auth.username });
      } else {
        callback(Object.assign(new Error('Authentication failed'), { responseCode: 535 }));
      }
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        taken.push({
          to: session.envelope.rcptTo[0]?.address ?? '',
          raw: Buffer.concat(chunks).toString('utf8'),
          session: session.id,
          at: Date.now(),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  closers.push(close);
  return { port, taken, connections, mostLive: () => mostLive };
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

function message(n: number): Buffer {
  return Buffer.from(
    `From: papers@example.org\r\nTo: r${n}@example.org\r\nSubject: ${n}\r\n\r\n.a dot line\r\nbody ${n}\r\n`,
  );
}

function pool(port: number, overrides: Partial<SmtpPoolOptions> = {}) {
  return createSmtpPool({
    url: `smtp://127.0.0.1:${port}`,
    maxConnections: 2,
    maxMessages: 100,
    timeoutMs: 5000,
    rateDelta: 1000,
    ...overrides,
  });
}

describe('createSmtpPool', () => {
  it('delivers each message once, over at most maxConnections connections, dots intact', async () => {
    const server = await startServer({});
    const smtp = pool(server.port, { maxConnections: 3 });
    await Promise.all(
      Array.from({ length: 30 }, (_, n) =>
        smtp.send({ from: 'papers@example.org', to: `r${n}@example.org` }, message(n)),
      ),
    );
    smtp.close();
    expect(server.taken.map((t) => t.to).sort()).toEqual(
      Array.from({ length: 30 }, (_, n) => `r${n}@example.org`).sort(),
    );
    expect(server.mostLive()).toBeLessThanOrEqual(3);
    expect(server.taken[0]?.raw).toContain('\r\n\r\n.a dot line\r\n');
  });

  it('joins a message given in pieces, byte for byte, while one connection reuses its buffer', async () => {
    const server = await startServer({});
    const smtp = pool(server.port, { maxConnections: 1 });
    // Sizes up and down, so the connection's buffer grows, is reused, and holds a longer message's
    // tail behind a shorter one: each must arrive exactly as given.
    const sizes = [10, 200_000, 3_000, 90_000, 0, 250_000, 17];
    const sent: string[] = [];
    for (const [n, size] of sizes.entries()) {
      const body = Array.from({ length: size }, (_, i) =>
        String.fromCharCode(97 + ((i * 7 + n) % 26)),
      )
        .join('')
        .replace(/(.{70})/g, '$1\r\n');
      const whole = `${message(n).toString('utf8')}${body}\r\n`;
      sent.push(whole);
      const bytes = Buffer.from(whole);
      const pieces = [
        bytes.subarray(0, 7),
        bytes.subarray(7, 7 + (size >> 1)),
        bytes.subarray(7 + (size >> 1)),
      ];
      await smtp.send({ from: 'papers@example.org', to: `r${n}@example.org` }, pieces);
    }
    smtp.close();
    expect(new Set(server.taken.map((t) => t.session)).size).toBe(1);
    expect(server.taken.map((t) => t.raw)).toEqual(sent);
  });

  it('replaces a connection after maxMessages', async () => {
    const server = await startServer({});
    const smtp = pool(server.port, { maxConnections: 1, maxMessages: 2 });
    for (let n = 0; n < 5; n++) {
      await smtp.send({ from: 'papers@example.org', to: `r${n}@example.org` }, message(n));
    }
    smtp.close();
    const perSession = new Map<string, number>();
    for (const t of server.taken) perSession.set(t.session, (perSession.get(t.session) ?? 0) + 1);
    expect([...perSession.values()]).toEqual([2, 2, 1]);
  });

  it('starts at most rateLimit messages per rateDelta', async () => {
    const server = await startServer({});
    const smtp = pool(server.port, { maxConnections: 4, rateLimit: 3, rateDelta: 300 });
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 7 }, (_, n) =>
        smtp.send({ from: 'papers@example.org', to: `r${n}@example.org` }, message(n)),
      ),
    );
    smtp.close();
    const times = server.taken.map((t) => t.at - started).sort((a, b) => a - b);
    expect(times).toHaveLength(7);
    // Messages 1-3 may start at once; the 4th waits for the second window, the 7th for the third.
    expect(times[3]).toBeGreaterThanOrEqual(300);
    expect(times[6]).toBeGreaterThanOrEqual(600);
  });

  it('logs in with the URL credentials; a wrong password fails verify with EAUTH', async () => {
    const server = await startServer({ user: 'mailer', pass: 's3cret/!' });
    const url = `smtp://mailer:${encodeURIComponent('s3cret/!')}@127.0.0.1:${server.port}`;
    const smtp = createSmtpPool({
      url,
      maxConnections: 1,
      maxMessages: 10,
      timeoutMs: 5000,
      rateDelta: 1000,
    });
    await smtp.verify();
    await smtp.send({ from: 'papers@example.org', to: 'r1@example.org' }, message(1));
    smtp.close();
    expect(server.taken).toHaveLength(1);
    const wrong = createSmtpPool({
      url: `smtp://mailer:nope@127.0.0.1:${server.port}`,
      maxConnections: 1,
      maxMessages: 10,
      timeoutMs: 5000,
      rateDelta: 1000,
    });
    await expect(wrong.verify()).rejects.toMatchObject({ code: 'EAUTH' });
    wrong.close();
  });

  it('opens a new connection when the server dropped an idle one', async () => {
    const server = await startServer({ socketTimeout: 200 });
    const smtp = pool(server.port, { maxConnections: 1 });
    await smtp.send({ from: 'papers@example.org', to: 'r1@example.org' }, message(1));
    await new Promise((resolve) => setTimeout(resolve, 600));
    await smtp.send({ from: 'papers@example.org', to: 'r2@example.org' }, message(2));
    smtp.close();
    expect(server.taken.map((t) => t.to)).toEqual(['r1@example.org', 'r2@example.org']);
    expect(new Set(server.taken.map((t) => t.session)).size).toBe(2);
  });

  it('signs with DKIM when configured', async () => {
    const server = await startServer({});
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const smtp = pool(server.port, {
      dkim: {
        domainName: 'example.org',
        keySelector: 'pb',
        privateKey: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
      },
    });
    await smtp.send({ from: 'papers@example.org', to: 'r1@example.org' }, message(1));
    smtp.close();
    expect(server.taken[0]?.raw).toMatch(
      /^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed\/relaxed; d=example.org;/,
    );
  });

  it('refuses new messages once closed', async () => {
    const server = await startServer({});
    const smtp = pool(server.port);
    smtp.close();
    await expect(
      smtp.send({ from: 'papers@example.org', to: 'r1@example.org' }, message(1)),
    ).rejects.toThrow(/closed/);
    expect(server.taken).toHaveLength(0);
  });
});
