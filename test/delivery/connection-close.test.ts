// nodemailer's SMTPConnection (patched) must settle every send it was given, whatever ends the
// connection. Paths that know why (a socket error, a 421) fail the waiting sends with that reason;
// any other close must fail them too, or the pool waits on them forever. Found under load: a
// message pipelined behind one whose connection dropped hung the whole send.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { startSmtpSink } from './smtp-sink.js';

type ConnectionClass = typeof import('nodemailer/lib/smtp-connection').default;
const BUILDS: [string, ConnectionClass][] = [
  ['esm', (await import('nodemailer/lib/smtp-connection')).default],
  ['cjs', createRequire(import.meta.url)('nodemailer/lib/smtp-connection') as ConnectionClass],
];

const MESSAGE = Buffer.from(
  'From: a@example.org\r\nTo: b@example.org\r\nSubject: x\r\n\r\nhello\r\n',
);

describe.each(BUILDS)('SMTPConnection closed with sends waiting (%s)', (_build, Connection) => {
  async function connected(port: number) {
    const connection = new Connection({ host: '127.0.0.1', port, logger: false });
    connection.on('error', () => {});
    await new Promise<void>((resolve) => connection.connect(() => resolve()));
    return connection;
  }

  it('fails a message written and waiting for its reply, and one in its envelope', async () => {
    // The sink takes its time to answer a message, so the reply is still to come at the close.
    const sink = await startSmtpSink({ delayMs: 5_000 });
    try {
      const connection = await connected(sink.port);
      const outcome = (envelope: { from: string; to: string[] }) =>
        new Promise<unknown>((resolve) =>
          connection.send(envelope, MESSAGE, (error) => resolve(error)),
        );
      // The first message is written (its 'written' event: the server offers PIPELINING); the
      // second is given then, and is in its envelope when the connection is closed.
      const first = outcome({ from: 'a@example.org', to: ['b@example.org'] });
      await new Promise<void>((resolve) => connection.once('written', () => resolve()));
      const second = outcome({ from: 'a@example.org', to: ['c@example.org'] });
      connection.close();
      expect(await first).toMatchObject({ code: 'ECONNECTION' });
      expect(await second).toMatchObject({ code: 'ECONNECTION' });
    } finally {
      sink.hooks.delayMs = 0;
      await sink.close();
    }
  });
});
