// One end-to-end `paperboy send`, the built CLI in its own process exactly as a user runs it,
// through SMTP to the sink: wall time, peak RSS, and what its summary says.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface SendRun {
  wallMs: number;
  exitCode: number | null;
  maxRssBytes: number | null;
  /** CPU time the sender used (user and system, every thread), in ms. */
  cpuMs: number | null;
  stdout: string;
  stderr: string;
}

export interface SendRunInput {
  source: string;
  date: string;
  subscribersPath: string;
  configPath: string;
  smtpUrl: string;
  secret: string;
  /** Where the RSS report goes (a temporary file). */
  rssFile: string;
  /** More environment for the sender (the allocator setting measured beside the default). */
  env?: Record<string, string>;
}

export async function runSend(input: SendRunInput): Promise<SendRun> {
  rmSync(input.rssFile, { force: true });
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      '--import',
      join(ROOT, 'bench/report-rss.mjs'),
      join(ROOT, 'dist/cli.js'),
      'send',
      input.source,
      '--date',
      input.date,
      '--subscribers',
      input.subscribersPath,
      '--config',
      input.configPath,
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        SMTP_URL: input.smtpUrl,
        PAPERBOY_SECRET: input.secret,
        PAPERBOY_BENCH_RSS_FILE: input.rssFile,
        ...input.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exitCode = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const wallMs = performance.now() - started;
  let maxRssBytes: number | null = null;
  let cpuMs: number | null = null;
  try {
    const usage = JSON.parse(readFileSync(input.rssFile, 'utf8')) as {
      maxRssBytes: number;
      cpuMicros: number;
    };
    maxRssBytes = usage.maxRssBytes;
    cpuMs = usage.cpuMicros / 1000;
  } catch {
    // The sender died before it could write the file: the figures are unknown.
  }
  return { wallMs, exitCode, maxRssBytes, cpuMs, stdout, stderr };
}
