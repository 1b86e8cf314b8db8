// smtp-server carries a patch (patches/smtp-server+*.patch, applied by `npm ci`): the replies to a
// pipelined group of MAIL FROM and RCPT TO (and to a message, which may start the next group) go
// out in one write with the reply that ends the group, as RFC 2920 3.2 (9) asks, instead of one
// write (one TCP segment, one wake-up of the client) per reply. It serves the tests' and the benchmark's sink. These tests talk SMTP to a real server over
// a raw socket, for both builds of the package, and count the writes the server's socket makes
// (the client shares the test's event loop, so how its reads are chunked would prove nothing).
import { createRequire } from 'node:module';
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';

type ServerClass = typeof import('smtp-server').SMTPServer;

const BUILDS: [string, ServerClass][] = [
  ['esm', (await import('smtp-server')).SMTPServer],
  [
    'cjs',
    (createRequire(import.meta.url)('smtp-server') as typeof import('smtp-server')).SMTPServer,
  ],
];

interface Client {
  /** Writes the lines in one write. */
  send(...lines: string[]): void;
  /** The next chunk the socket reads, once `replies` reply lines have arrived in all. */
  chunks(replies: number): Promise<string[]>;
  close(): void;
}

async function startServer(Server: ServerClass) {
  const server = new Server({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onMailFrom(_address, _session, callback) {
      callback();
    },
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith('nobody@')) {
        callback(Object.assign(new Error('no such user'), { responseCode: 550 }));
      } else callback();
    },
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => callback());
    },
  });
  // Writes the server's sockets hand to the kernel: one per _write or _writev call.
  const writes = { count: 0 };
  server.server.on('connection', (socket: Socket) => {
    const inner = socket as Socket & {
      _write: (...args: unknown[]) => void;
      _writev: (...args: unknown[]) => void;
    };
    for (const method of ['_write', '_writev'] as const) {
      const original = inner[method].bind(inner);
      inner[method] = (...args: unknown[]) => {
        writes.count++;
        original(...args);
      };
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    writes,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function client(port: number): Promise<Client> {
  const socket: Socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  const received: string[] = [];
  let waiter: (() => void) | null = null;
  socket.on('data', (chunk: Buffer) => {
    received.push(chunk.toString('latin1'));
    waiter?.();
  });
  const lines = () => received.join('').split('\r\n').filter(Boolean).length;
  const c: Client = {
    send: (...commands) => socket.write(commands.map((line) => `${line}\r\n`).join('')),
    async chunks(replies) {
      while (lines() < replies) await new Promise<void>((resolve) => (waiter = resolve));
      waiter = null;
      return received.splice(0);
    },
    close: () => socket.destroy(),
  };
  await c.chunks(1); // the greeting
  c.send('EHLO client.example.org');
  const ehlo = (await c.chunks(1)).join('');
  // Multi-line: wait for the last line ("250 " with a space).
  if (!/^250 /m.test(ehlo)) await c.chunks(1);
  return c;
}

/** Sends the lines in one write and gives the codes of the next `replies` reply lines. */
async function replyCodes(c: Client, replies: number, ...lines: string[]): Promise<string[]> {
  c.send(...lines);
  const text = (await c.chunks(replies)).join('');
  return text
    .split('\r\n')
    .filter(Boolean)
    .map((line) => line.slice(0, 3));
}

/** Runs `talk` with a fresh server of this build and a client connected to it, then closes both. */
async function session(
  Server: ServerClass,
  talk: (c: Client, writes: { count: number }) => Promise<void>,
): Promise<void> {
  const server = await startServer(Server);
  const c = await client(server.port);
  try {
    server.writes.count = 0;
    await talk(c, server.writes);
  } finally {
    c.close();
    await server.close();
  }
}

describe.each(BUILDS)('smtp-server replies to pipelined commands (%s build)', (_build, Server) => {
  it('answers MAIL, RCPT and DATA of one group in one write', () =>
    session(Server, async (c, writes) => {
      c.send('MAIL FROM:<a@example.org>', 'RCPT TO:<b@example.org>', 'DATA');
      expect((await c.chunks(3)).join('')).toMatch(/^250 [^\r]*\r\n250 [^\r]*\r\n354 [^\r]*\r\n$/);
      expect(writes.count).toBe(1);
      c.send('Subject: hi', '', 'hello', '.');
      expect((await c.chunks(1)).join('')).toMatch(/^250 /);
      expect(writes.count).toBe(2);
    }));

  it('answers a message and the next envelope sent behind it in one write', () =>
    session(Server, async (c, writes) => {
      c.send('MAIL FROM:<a@example.org>', 'RCPT TO:<b@example.org>', 'DATA');
      await c.chunks(3);
      writes.count = 0;
      // The message, its end, and the next transaction's group, in one write (RFC 2920 lets the
      // message content start a group).
      const codes = await replyCodes(
        c,
        4,
        'Subject: one',
        '',
        'hello',
        '.',
        'MAIL FROM:<a@example.org>',
        'RCPT TO:<c@example.org>',
        'DATA',
      );
      expect(codes).toEqual(['250', '250', '250', '354']);
      expect(writes.count).toBe(1);
      // The last message's reply, with nothing behind it, is not held for long.
      c.send('Subject: two', '', 'hello', '.');
      expect((await c.chunks(1)).join('')).toMatch(/^250 /);
      expect(writes.count).toBe(2);
    }));

  it('answers a command sent on its own without waiting for more', () =>
    session(Server, async (c) => {
      c.send('MAIL FROM:<a@example.org>');
      expect((await c.chunks(1)).join('')).toMatch(/^250 [^\r]*\r\n$/);
      c.send('RCPT TO:<b@example.org>');
      expect((await c.chunks(1)).join('')).toMatch(/^250 [^\r]*\r\n$/);
      c.send('RSET');
      expect((await c.chunks(1)).join('')).toMatch(/^250 /);
    }));

  it('keeps the replies in order when the group has a refused recipient', () =>
    session(Server, async (c, writes) => {
      const codes = await replyCodes(
        c,
        4,
        'MAIL FROM:<a@example.org>',
        'RCPT TO:<nobody@example.org>',
        'RCPT TO:<b@example.org>',
        'DATA',
      );
      expect(codes).toEqual(['250', '550', '250', '354']);
      // The refusal is not held: it goes out with the replies before it; the rest follow.
      expect(writes.count).toBe(2);
      c.send('hello', '.');
      expect((await c.chunks(1)).join('')).toMatch(/^250 /);
    }));
});
