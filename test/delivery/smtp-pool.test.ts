import { generateKeyPairSync } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
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

interface ServerOptions {
  user?: string;
  pass?: string;
  socketTimeout?: number;
  /** Leave PIPELINING out of the EHLO reply. */
  hidePipelining?: boolean;
  /** For a message's data: refuse it with this code, or cut the connection. */
  data?(to: string): number | 'drop' | null;
}

/**
 * A real SMTP server that records which connection each message came over, and every chunk its
 * sockets read (`reads`, as latin1 text): what went over the wire together.
 */
async function startServer(options: ServerOptions) {
  const taken: Taken[] = [];
  const reads: string[] = [];
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
    ...(options.hidePipelining ? { hidePIPELINING: true } : {}),
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
        const outcome = options.data?.(session.envelope.rcptTo[0]?.address ?? '') ?? null;
        if (outcome === 'drop') {
          for (const c of (server as unknown as { connections: Set<unknown> }).connections) {
            const connection = c as { id: string; _socket: { destroy(): void } };
            if (connection.id === session.id) connection._socket.destroy();
          }
          return;
        }
        if (outcome !== null) {
          callback(Object.assign(new Error('refused'), { responseCode: outcome }));
          return;
        }
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
  server.server.on('connection', (socket: Socket) =>
    socket.on('data', (chunk: Buffer) => reads.push(chunk.toString('latin1'))),
  );
  // A connection the test's server cut is reported as an error: expected here.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  closers.push(close);
  return { port, taken, reads, connections, mostLive: () => mostLive };
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

/** A message with nothing to dot-stuff (CRLF line ends, no line starting with a dot), in pieces. */
function cleanPieces(n: number, size: number): [string, Buffer] {
  const body = Array.from({ length: size }, (_, i) => String.fromCharCode(97 + ((i * 7 + n) % 26)))
    .join('')
    .replace(/(.{70})/g, '$1\r\n');
  return [
    `From: papers@example.org\r\nTo: r${n}@example.org\r\nSubject: ${n}\r\n\r\n`,
    Buffer.from(`${body}\r\nend of ${n}\r\n`),
  ];
}

/** Reads in which a message's end came with the next message's envelope: pipelined. */
const ENVELOPE_AFTER_MESSAGE = /\r\n\.\r\nMAIL FROM:/;

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

describe('createSmtpPool: pipelining across messages', () => {
  const to = (n: number) => `r${n}@example.org`;
  const sendAll = (smtp: ReturnType<typeof pool>, count: number, size: (n: number) => number) =>
    Promise.allSettled(
      Array.from({ length: count }, (_, n) =>
        smtp.send({ from: 'papers@example.org', to: to(n) }, cleanPieces(n, size(n))),
      ),
    );

  it('gives a connection its next message before the reply: one write, each message intact', async () => {
    const server = await startServer({});
    const smtp = pool(server.port, { maxConnections: 4 });
    // Sizes up and down: a connection joins the next message while the last may still wait in
    // its socket, so a buffer reused too early would show in the messages.
    const size = (n: number) => [40, 60_000, 300, 25_000, 5][n % 5] as number;
    // As the delivery loop sends: 4 workers, a message each at a time.
    let next = 0;
    const failures: unknown[] = [];
    const worker = async () => {
      for (let n = next++; n < 200; n = next++) {
        await smtp
          .send({ from: 'papers@example.org', to: to(n) }, cleanPieces(n, size(n)))
          .catch((error: unknown) => failures.push(error));
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    smtp.close();
    expect(failures).toEqual([]);
    const got = new Map(server.taken.map((t) => [t.to, t.raw]));
    for (let n = 0; n < 200; n++) {
      expect(got.get(to(n)), to(n)).toBe(cleanPieces(n, size(n)).join(''));
    }
    // Most messages went with the next envelope right behind them...
    const pipelined = server.reads.filter((read) => ENVELOPE_AFTER_MESSAGE.test(read)).length;
    expect(pipelined).toBeGreaterThan(100);
    // ...over at most maxConnections connections, and half as many once they pipelined: two
    // messages a connection carry as many in flight.
    expect(server.mostLive()).toBeLessThanOrEqual(4);
    expect(new Set(server.taken.slice(-100).map((t) => t.session)).size).toBe(2);
  });

  it('a message refused after its data fails alone; the next is delivered, with no RSET', async () => {
    const server = await startServer({ data: (address) => (address === to(3) ? 554 : null) });
    const smtp = pool(server.port, { maxConnections: 2 });
    const results = await sendAll(smtp, 12, () => 500);
    smtp.close();
    const refused = results.flatMap((r, n) => (r.status === 'rejected' ? [[n, r.reason]] : []));
    expect(refused).toHaveLength(1);
    expect(refused[0]?.[0]).toBe(3);
    expect(refused[0]?.[1]).toMatchObject({ code: 'EMESSAGE', responseCode: 554 });
    expect(server.taken.map((t) => t.to).sort()).toEqual(
      Array.from({ length: 12 }, (_, n) => to(n))
        .filter((address) => address !== to(3))
        .sort(),
    );
    // The reply to the data ended the transaction: nothing to reset, and an RSET would have
    // landed in the middle of the message pipelined behind it.
    expect(server.reads.some((read) => read.includes('RSET'))).toBe(false);
    expect(server.reads.some((read) => ENVELOPE_AFTER_MESSAGE.test(read))).toBe(true);
  });

  it('a connection cut with two messages on it fails both; the others go on', async () => {
    const server = await startServer({ data: (address) => (address === to(5) ? 'drop' : null) });
    const smtp = pool(server.port, { maxConnections: 2 });
    const results = await sendAll(smtp, 20, () => 500);
    smtp.close();
    const failed = results.flatMap((r, n) => (r.status === 'rejected' ? [n] : []));
    // The message the server cut the connection over, and at most the one written behind it.
    expect(failed).toContain(5);
    expect(failed.length).toBeLessThanOrEqual(2);
    for (const n of failed) {
      expect((results[n] as PromiseRejectedResult).reason).toMatchObject({ code: 'ECONNECTION' });
    }
    expect(server.taken.map((t) => t.to).sort()).toEqual(
      Array.from({ length: 20 }, (_, n) => n)
        .filter((n) => !failed.includes(n))
        .map(to)
        .sort(),
    );
  });

  it('with a server that does not offer PIPELINING, nothing is sent before its reply', async () => {
    const server = await startServer({ hidePipelining: true });
    const smtp = pool(server.port, { maxConnections: 2 });
    const results = await sendAll(smtp, 30, () => 500);
    smtp.close();
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(server.taken).toHaveLength(30);
    expect(server.reads.some((read) => ENVELOPE_AFTER_MESSAGE.test(read))).toBe(false);
    // Each command waited for the reply to the one before: one command per read.
    const commands = server.reads.filter((read) => /^(MAIL|RCPT|DATA)/.test(read));
    expect(commands.every((read) => read.trimEnd().split('\r\n').length === 1)).toBe(true);
  });
});
