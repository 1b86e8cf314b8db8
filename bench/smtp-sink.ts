// The benchmark's SMTP sink, run as its own process (bench/run.ts forks it) so that receiving
// does not share the sender's event loop. It accepts every message, discards the data, counts
// messages per recipient and keeps a sample of whole messages on disk for the correctness checks.
//
// IPC protocol: sends { kind: 'ready', port } once listening; answers { kind: 'report' } with a
// SinkReport and { kind: 'reset' } by forgetting the counts (between runs).
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';

export interface SinkReport {
  messages: number;
  /** Recipients and how many messages each got. */
  perRecipient: Record<string, number>;
  /** performance.timeOrigin-based ms of the first and last message received. */
  firstAt: number | null;
  lastAt: number | null;
  sampled: number;
  /** Bytes of message data received (as read: after the server undid the dot-stuffing). */
  bytes: number;
  /** CPU time the sink used since it started or was last reset (user and system), in ms. */
  cpuMs: number;
}

const sampleDir = process.env.SINK_SAMPLE_DIR ?? null;
/** Keep one message in SINK_SAMPLE_EVERY (by recipient hash), when a sample folder is given. */
const sampleEvery = Number(process.env.SINK_SAMPLE_EVERY ?? 500);

let perRecipient = new Map<string, number>();
let messages = 0;
let firstAt: number | null = null;
let lastAt: number | null = null;
let sampled = 0;
let bytes = 0;
let cpuSince = process.cpuUsage();

function sampledRecipient(address: string): boolean {
  if (!sampleDir) return false;
  const digest = createHash('sha1').update(address).digest();
  return digest.readUInt32BE(0) % sampleEvery === 0;
}

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  size: 0,
  // Nothing to check: answering at once (smtp-server's defaults wait for setImmediate) lets the
  // replies to a pipelined MAIL FROM, RCPT TO and DATA go out together.
  onMailFrom(_address, _session, callback) {
    callback();
  },
  onRcptTo(_address, _session, callback) {
    callback();
  },
  onData(stream, session, callback) {
    const to = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
    const keep = sampleDir !== null && to.some(sampledRecipient);
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (keep) chunks.push(chunk);
    });
    stream.on('end', () => {
      const now = performance.timeOrigin + performance.now();
      firstAt ??= now;
      lastAt = now;
      messages++;
      for (const address of to) perRecipient.set(address, (perRecipient.get(address) ?? 0) + 1);
      if (keep && sampleDir) {
        writeFileSync(
          join(sampleDir, `${to[0]}.${perRecipient.get(to[0] as string)}.eml`),
          Buffer.concat(chunks),
        );
        sampled++;
      }
      callback();
    });
  },
});

function cpuMillis(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

// A sender that dies mid-dialogue resets its connection, which smtp-server reports as an 'error'
// event; without a listener it would kill the sink. The counts already say what arrived.
server.on('error', () => {});

if (sampleDir) mkdirSync(sampleDir, { recursive: true });
server.listen(0, '127.0.0.1', () => {
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.send?.({ kind: 'ready', port });
});

process.on('message', (message: { kind: string }) => {
  if (message.kind === 'report') {
    const report: SinkReport = {
      messages,
      perRecipient: Object.fromEntries(perRecipient),
      firstAt,
      lastAt,
      sampled,
      bytes,
      cpuMs: cpuMillis(process.cpuUsage(cpuSince)),
    };
    process.send?.({ kind: 'report', report });
  } else if (message.kind === 'reset') {
    perRecipient = new Map();
    messages = 0;
    firstAt = lastAt = null;
    sampled = 0;
    bytes = 0;
    cpuSince = process.cpuUsage();
    process.send?.({ kind: 'reset' });
  }
});
// The parent going away (a crash, ^C) must not leave the sink listening.
process.on('disconnect', () => process.exit(0));
