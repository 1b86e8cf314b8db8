// An SMTP server for many messages: counts what it accepts per recipient and keeps nothing else
// (20,000 digests would be a gigabyte), but a few whole messages to look at. A message counts once
// the server answers 250 to its data, as for a real server.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface CountingSink {
  url: string;
  /** Messages accepted per recipient (lower-cased address). */
  counts: Map<string, number>;
  /** All messages accepted. */
  total(): number;
  /** The first few messages, whole. */
  samples: { to: string; raw: Buffer }[];
  /** Resolves when `total()` reaches `n`. */
  reached(n: number): Promise<void>;
  close(): Promise<void>;
}

const SAMPLES = 5;

export async function startCountingSink(): Promise<CountingSink> {
  const counts = new Map<string, number>();
  const samples: { to: string; raw: Buffer }[] = [];
  let total = 0;
  const waiting: { n: number; resolve: () => void }[] = [];
  const server = new SMTPServer({
    hideSTARTTLS: true,
    authOptional: true,
    disableReverseLookup: true,
    logger: false,
    size: 10 * 1024 * 1024,
    onData(stream, session, callback) {
      const keep = samples.length < SAMPLES;
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => {
        if (keep) chunks.push(chunk);
      });
      stream.on('end', () => {
        const to = (session.envelope.rcptTo[0]?.address ?? '').toLowerCase();
        counts.set(to, (counts.get(to) ?? 0) + 1);
        total++;
        if (keep && samples.length < SAMPLES) samples.push({ to, raw: Buffer.concat(chunks) });
        callback();
        for (const waiter of waiting.filter((w) => total >= w.n)) {
          waiting.splice(waiting.indexOf(waiter), 1);
          waiter.resolve();
        }
      });
    },
  });
  // A client killed mid-message (the test's SIGKILL) resets its connections: not the sink's error.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    counts,
    total: () => total,
    samples,
    reached: (n) =>
      total >= n ? Promise.resolve() : new Promise((resolve) => waiting.push({ n, resolve })),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
