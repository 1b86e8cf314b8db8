// Both ends of SMTP DATA carry a speed patch (patches/*.patch, applied by `npm ci`):
// - nodemailer's DataStream (dot-stuffing and line-end repair, the sending side) finds line ends
//   with indexOf instead of testing every byte in JavaScript, and hands a chunk with nothing to
//   insert (CRLF line ends only, no line starting with a dot) on as it is; and its SMTPConnection
//   writes a whole message with nothing to insert straight to the socket, end mark included, in
//   one write, without the DataStream;
// - smtp-server's SMTPStream (un-stuffing and the end of the data, the receiving side: the tests'
//   and the benchmark's sink) finds dots that start a line with indexOf the same way.
// These tests hold both patched streams to what SMTP requires, on random input split into random
// chunks, and through a real SMTP server.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { PassThrough, Transform, Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createSmtpPool } from '../../src/delivery/smtp-pool.js';
import { seededRandom } from '../helpers.js';
import { startSmtpSink } from './smtp-sink.js';

type DataStreamClass = new () => Transform & { inByteCount: number; outByteCount: number };
type ConnectionClass = typeof import('nodemailer/lib/smtp-connection').default;
/** The parts of smtp-server's SMTPStream the receiving tests drive. */
type SmtpStreamClass = new () => Writable & {
  oncommand(command: Buffer, callback?: () => void): void;
  startDataMode(maxBytes?: number): PassThrough;
  continue(): void;
};

// Not in nodemailer's exports map: loaded by path, both builds (paperboy runs the ES module one).
const esmPath = fileURLToPath(import.meta.resolve('nodemailer')).replace(
  /nodemailer\.js$/,
  'smtp-connection/data-stream.js',
);
const cjsPath = esmPath.replace('/dist/esm/', '/dist/cjs/');
const BUILDS: [string, DataStreamClass][] = [
  ['esm', ((await import(pathToFileURL(esmPath).href)) as { default: DataStreamClass }).default],
  ['cjs', (createRequire(import.meta.url)(cjsPath) as { default: DataStreamClass }).default],
];

const CONNECTION_BUILDS: [string, ConnectionClass][] = [
  ['esm', (await import('nodemailer/lib/smtp-connection')).default],
  ['cjs', createRequire(import.meta.url)('nodemailer/lib/smtp-connection') as ConnectionClass],
];

const serverEsmPath = fileURLToPath(import.meta.resolve('smtp-server')).replace(
  /smtp-server\.js$/,
  'smtp-stream.js',
);
const serverCjsPath = serverEsmPath.replace('/dist/esm/', '/dist/cjs/');
const SERVER_BUILDS: [string, SmtpStreamClass][] = [
  [
    'esm',
    ((await import(pathToFileURL(serverEsmPath).href)) as { SMTPStream: SmtpStreamClass })
      .SMTPStream,
  ],
  [
    'cjs',
    (createRequire(import.meta.url)(serverCjsPath) as { SMTPStream: SmtpStreamClass }).SMTPStream,
  ],
];

/** RFC 5321 4.5.2 by the book: every line end CRLF, a leading dot doubled, ended by CRLF.CRLF. */
function reference(input: Buffer): Buffer {
  const lines = input.toString('latin1').replace(/\r\n|\r|\n/g, '\r\n');
  const stuffed = lines.replace(/(^|\r\n)\./g, '$1..');
  return Buffer.from(`${stuffed}${stuffed.endsWith('\r\n') ? '' : '\r\n'}.\r\n`, 'latin1');
}

function randomInput(next: () => number, length: number): Buffer {
  const alphabet = [0x0d, 0x0a, 0x2e, 0x61, 0x20];
  return Buffer.from(Array.from({ length }, () => alphabet[Math.floor(next() * 5)] as number));
}

function randomChunks(next: () => number, input: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < input.length; ) {
    const size = 1 + Math.floor(next() * 6);
    chunks.push(input.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

async function stuff(DataStream: DataStreamClass, chunks: Buffer[]): Promise<Buffer> {
  const stream = new DataStream();
  const out: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => out.push(chunk));
  const ended = new Promise((resolve) => stream.on('end', resolve));
  for (const chunk of chunks) stream.write(chunk);
  stream.end();
  await ended;
  return Buffer.concat(out);
}

describe('SMTP dot-stuffing (nodemailer DataStream, patched for speed)', () => {
  it.each(BUILDS)(
    'matches the RFC on 20,000 random inputs, however chunked (%s)',
    async (_, DataStream) => {
      const next = seededRandom(7);
      for (let n = 0; n < 20_000; n++) {
        const input = randomInput(next, Math.floor(next() * 16));
        const got = await stuff(DataStream, randomChunks(next, input));
        if (!got.equals(reference(input))) {
          expect(JSON.stringify(got.toString('latin1'))).toBe(
            JSON.stringify(reference(input).toString('latin1')),
          );
        }
      }
    },
  );

  it.each(BUILDS)(
    'matches the RFC on 5,000 mostly clean texts, where the no-copy path is taken (%s)',
    async (_, DataStream) => {
      // CRLF lines of plain text with, now and then, one thing to stuff or repair: the path for
      // a clean chunk must hand it over as it is, and must not miss the odd one.
      const next = seededRandom(13);
      const odd = ['.', '\r', '\n', '\r\n.', '\n.', '\r.', '..'];
      let clean = 0;
      for (let n = 0; n < 5_000; n++) {
        const lines = Array.from({ length: 1 + Math.floor(next() * 8) }, () =>
          'ab c'.repeat(Math.floor(next() * 5)),
        );
        let text = lines.join('\r\n');
        if (next() < 0.5) {
          const at = Math.floor(next() * (text.length + 1));
          const insert = odd[Math.floor(next() * odd.length)] as string;
          text = text.slice(0, at) + insert + text.slice(at);
        }
        const input = Buffer.from(text, 'latin1');
        // Whole, or in two chunks split anywhere (a CRLF or a dot across the split).
        const cut = Math.floor(next() * (input.length + 1));
        const chunks = next() < 0.5 ? [input] : [input.subarray(0, cut), input.subarray(cut)];
        const want = reference(input);
        const got = await stuff(DataStream, chunks);
        if (got.equals(Buffer.concat([input, want.subarray(input.length)]))) clean++;
        if (!got.equals(want)) {
          expect(JSON.stringify(got.toString('latin1'))).toBe(
            JSON.stringify(want.toString('latin1')),
          );
        }
      }
      // Most texts had nothing to stuff (and came out as they went in, plus the final dot).
      expect(clean).toBeGreaterThan(2_000);
    },
  );

  it('delivers lines that start with dots, bare CRs and bare LFs through a real server', async () => {
    const sink = await startSmtpSink();
    const pool = createSmtpPool({
      url: sink.url,
      maxConnections: 2,
      maxMessages: 1000,
      timeoutMs: 5000,
      rateDelta: 1000,
    });
    const next = seededRandom(11);
    const bodies = Array.from({ length: 50 }, () => randomInput(next, 200));
    try {
      for (const [n, body] of bodies.entries()) {
        const head = Buffer.from(
          `From: a@example.org\r\nTo: r${n}@example.org\r\nSubject: ${n}\r\n\r\n`,
        );
        await pool.send(
          { from: 'a@example.org', to: `r${n}@example.org` },
          Buffer.concat([head, body]),
        );
      }
    } finally {
      pool.close();
      await sink.close();
    }
    for (const [n, body] of bodies.entries()) {
      const got = sink.received.find((m) => m.to === `r${n}@example.org`)?.raw.toString('latin1');
      // What the server hands over is the message with CRLF line ends, un-stuffed.
      const want = body.toString('latin1').replace(/\r\n|\r|\n/g, '\r\n');
      expect(got?.slice(got.indexOf('\r\n\r\n') + 4)).toBe(
        want.endsWith('\r\n') || want === '' ? want : `${want}\r\n`,
      );
    }
  });

  it.each(CONNECTION_BUILDS)(
    'writes a message with nothing to stuff in one write, end mark included; others stream (%s)',
    async (_, SMTPConnection) => {
      const sink = await startSmtpSink();
      const connection = new SMTPConnection({ port: Number(new URL(sink.url).port) });
      const send = (to: string, message: Buffer) =>
        new Promise<{ messageSize?: number }>((resolve, reject) =>
          connection.send({ from: 'a@example.org', to: [to] }, message, (error, info) =>
            error ? reject(error) : resolve(info),
          ),
        );
      const head = (to: string) => `From: a@example.org\r\nTo: ${to}\r\n\r\n`;
      // [message, what the server hands over, writes the client's socket makes for it]
      const cases: [string, string, string, number | null][] = [
        ['clean@example.org', 'one\r\ntwo\r\n', 'one\r\ntwo\r\n', 2],
        ['no-final-crlf@example.org', 'one\r\ntwo', 'one\r\ntwo\r\n', 2],
        ['dots@example.org', 'one\r\n.two\r\n..\r\n', 'one\r\n.two\r\n..\r\n', null],
        ['bare-lf@example.org', 'one\ntwo\r\n', 'one\r\ntwo\r\n', null],
      ];
      try {
        await new Promise<void>((resolve, reject) => {
          connection.once('error', reject);
          connection.connect(() => resolve());
        });
        // Writes the client's socket hands to the kernel: one per _write or _writev call.
        const socket = (connection as unknown as { _socket: Record<string, unknown> })._socket;
        let writes = 0;
        for (const method of ['_write', '_writev']) {
          const original = (socket[method] as (...args: unknown[]) => void).bind(socket);
          socket[method] = (...args: unknown[]) => {
            writes++;
            original(...args);
          };
        }
        for (const [to, body, , expectedWrites] of cases) {
          const message = Buffer.from(head(to) + body, 'latin1');
          writes = 0;
          const info = await send(to, message);
          if (expectedWrites === null) {
            // The DataStream's way: the stuffed data, then the end mark on its own.
            expect(writes, to).toBeGreaterThanOrEqual(3);
          } else {
            // MAIL FROM, RCPT TO and DATA in one write (PIPELINING); the message and "." in one.
            expect(writes, to).toBe(expectedWrites);
            expect(info.messageSize, to).toBe(message.length + (body.endsWith('\r\n') ? 3 : 5));
          }
        }
      } finally {
        connection.close();
        await sink.close();
      }
      for (const [to, , handed] of cases) {
        const got = sink.received.find((m) => m.to === to)?.raw.toString('latin1');
        expect(got, to).toBe(head(to) + handed);
      }
    },
  );

  it.each([esmPath, cjsPath])(
    'is the patched stream: the patch was applied at install (%s)',
    (path) => {
      expect(readFileSync(path, 'utf8')).toContain('indexOf(0x0a');
    },
  );
});

/** Random CRLF lines of dots, letters and spaces: what a receiver is handed after un-stuffing. */
function randomLines(next: () => number, lines: number): string {
  const alphabet = ['.', '.', 'a', ' '];
  let text = '';
  for (let n = 0; n < lines; n++) {
    const length = Math.floor(next() * 5);
    for (let i = 0; i < length; i++) text += alphabet[Math.floor(next() * alphabet.length)];
    text += '\r\n';
  }
  return text;
}

/**
 * Feeds `chunks` to an SMTPStream that is in data mode, as the server does after DATA; resolves
 * with the data it handed over and the commands it read after the data ended.
 */
async function receive(
  SMTPStream: SmtpStreamClass,
  chunks: Buffer[],
): Promise<{ data: string; commands: string[] }> {
  const stream = new SMTPStream();
  const commands: string[] = [];
  stream.oncommand = (command, callback) => {
    commands.push(command.toString('latin1'));
    callback?.();
  };
  const dataStream = stream.startDataMode();
  const out: Buffer[] = [];
  dataStream.on('data', (chunk: Buffer) => out.push(chunk));
  const ended = new Promise<void>((resolve) =>
    dataStream.on('end', () => {
      // What the server does once the message is handled: read what came after it.
      stream.continue();
      resolve();
    }),
  );
  for (const chunk of chunks) {
    await new Promise<void>((resolve, reject) =>
      stream.write(chunk, (error) => (error ? reject(error) : resolve())),
    );
  }
  await ended;
  // Commands pipelined behind the data are read on the next turns of the event loop.
  await new Promise((resolve) => setImmediate(resolve));
  return { data: Buffer.concat(out).toString('latin1'), commands };
}

describe('SMTP un-stuffing (smtp-server SMTPStream, patched for speed)', () => {
  it.each(SERVER_BUILDS)(
    'hands over the data un-stuffed and ends at CRLF.CRLF, however chunked (%s)',
    async (_, SMTPStream) => {
      const next = seededRandom(13);
      for (let n = 0; n < 3_000; n++) {
        const text = randomLines(next, Math.floor(next() * 8));
        const stuffed = text.replace(/(^|\r\n)\./g, '$1..');
        const wire = Buffer.from(`${stuffed}.\r\nNOOP\r\n`, 'latin1');
        // Small random chunks, or the whole data at once (the indexOf path over long runs).
        const chunks = n % 4 === 0 ? [wire] : randomChunks(next, wire);
        const got = await receive(SMTPStream, chunks);
        if (got.data !== text || got.commands.join() !== 'NOOP') {
          expect({ data: JSON.stringify(got.data), commands: got.commands }).toEqual({
            data: JSON.stringify(text),
            commands: ['NOOP'],
          });
        }
      }
    },
  );

  it.each([serverEsmPath, serverCjsPath])(
    'is the patched stream: the patch was applied at install (%s)',
    (path) => {
      expect(readFileSync(path, 'utf8')).toContain('indexOf(LF_DOT');
    },
  );
});
