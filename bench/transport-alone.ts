// The transport alone: finished messages (the sink's sample of what `paperboy send` just sent) sent
// again through the same SMTP pool (src/delivery/smtp-pool.ts), with the same connections, to the
// same sink, in a process of their own, with no planning, rendering, building or ledger. It is
// what the chosen parts (nodemailer's client, smtp-server, the loopback) cost per message on this
// machine, so the benchmark can say how much of the delivery budget is left for the rest.
//
// Imported: runTransportAlone spawns this file. Run: sends and prints one JSON line.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createSmtpPool } from '../src/delivery/smtp-pool.js';

export interface TransportAloneInput {
  /** Folder of .eml files (the sink's sample), sent in turn. */
  sampleDir: string;
  messages: number;
  connections: number;
  maxMessages: number;
  smtpUrl: string;
}

/** The rate is the sink's to measure, as for the send: first to last message received. */
export interface TransportAlone {
  messages: number;
  failed: number;
  /** Distinct messages sent in turn, and their average size. */
  distinct: number;
  averageBytes: number;
  /** CPU the sending process used while sending (user and system, every thread), in ms. */
  cpuMs: number;
}

/** Runs the measurement in a child process; rejects if it fails. */
export function runTransportAlone(input: TransportAloneInput): Promise<TransportAlone> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), JSON.stringify(input)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => {
      if (code === 0) resolve(JSON.parse(stdout) as TransportAlone);
      else reject(new Error(`the transport-alone run exited ${code}`));
    }),
  );
}

async function main(input: TransportAloneInput): Promise<TransportAlone> {
  const files = readdirSync(input.sampleDir).filter((name) => name.endsWith('.eml'));
  if (files.length === 0) throw new Error(`${input.sampleDir}: no sampled message to send`);
  const messages = files.map((name) => readFileSync(join(input.sampleDir, name)));
  const pool = createSmtpPool({
    url: input.smtpUrl,
    maxConnections: input.connections,
    maxMessages: input.maxMessages,
    timeoutMs: 60_000,
    rateLimit: null,
    rateDelta: 1000,
  });
  let next = 0;
  let failed = 0;
  // As the delivery loop does: one lane per connection, each sending its next message when the
  // last one is accepted.
  const lane = async () => {
    while (next < input.messages) {
      const at = next++;
      await pool
        .send(
          { from: 'bench@example.org', to: `alone-${at}@example.com` },
          messages[at % messages.length] as Buffer,
        )
        .catch(() => failed++);
    }
  };
  const cpu = process.cpuUsage();
  await Promise.all(Array.from({ length: input.connections }, lane));
  const used = process.cpuUsage(cpu);
  pool.close();
  return {
    messages: input.messages,
    failed,
    distinct: messages.length,
    averageBytes: messages.reduce((sum, m) => sum + m.length, 0) / messages.length,
    cpuMs: (used.user + used.system) / 1000,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(JSON.parse(process.argv[2] as string) as TransportAloneInput).then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result)}\n`);
    },
    (error: unknown) => {
      process.stderr.write(`transport-alone: ${(error as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
