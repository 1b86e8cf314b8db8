// The benchmark's PostgreSQL mode (npm run bench -- --postgres): distributed sending on this
// machine. For each worker count (1, 2 and 4), a fresh database: `paperboy db migrate`, the
// synthetic list restored into it, the issue planned and queued (`paperboy send --enqueue-only`),
// then that many `paperboy worker` processes (the built CLI, as users run it) send it to the
// loopback sink. Measured: messages per second between the sink's first and last message, the
// time to plan and queue, and each worker's peak RSS. Checked: the sink got every queued message
// once, and `paperboy status` agrees with it.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
// The tests' throwaway cluster (initdb + pg_ctl on a free port): one way to start PostgreSQL for
// both, rather than two copies of it.
import { createTestDatabase, startPostgres } from '../test/pg/postgres-server.js';
import { startSink } from './sink-client.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist/cli.js');

export interface PostgresWorkersResult {
  workers: number;
  /** Per worker: jobs (and so SMTP connections) at once. */
  concurrencyPerWorker: number;
  queued: number;
  sinkMessages: number;
  duplicates: number;
  /** Plan + enqueue (`paperboy send --enqueue-only`), wall time. */
  enqueueMs: number;
  /** From the workers' start to the sink's last message. */
  sendMs: number;
  sustainedPerSecond: number | null;
  peakRssMB: (number | null)[];
  problems: string[];
}

export interface PostgresResults {
  generatedAt: string;
  command: string;
  subscribers: number;
  runs: PostgresWorkersResult[];
}

export interface PostgresBenchInput {
  work: string;
  subscribers: number;
  workerCounts: number[];
  concurrencyPerWorker: number;
  /** Writes the synthetic subscriber file and the config; returns their paths. */
  workspace(dir: string): { configPath: string; subscribersPath: string };
  source: string;
  date: string;
  secret: string;
  log(line: string): void;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

async function mustRun(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const result = await run(args, env);
  if (result.code !== 0) {
    throw new Error(
      `paperboy ${args.join(' ')} exited ${result.code}: ${result.stderr.trim().split('\n').slice(-3).join(' / ')}`,
    );
  }
  return result;
}

function startWorker(
  env: NodeJS.ProcessEnv,
  concurrency: number,
  rssFile: string,
): { child: ChildProcess; exited: Promise<number | null> } {
  const child = spawn(
    process.execPath,
    [
      '--import',
      join(ROOT, 'bench/report-rss.mjs'),
      CLI,
      'worker',
      '--concurrency',
      String(concurrency),
    ],
    {
      cwd: ROOT,
      env: { ...env, PAPERBOY_BENCH_RSS_FILE: rssFile },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  return { child, exited: new Promise((resolve) => child.on('exit', resolve)) };
}

function readRss(file: string): number | null {
  try {
    return (
      (JSON.parse(readFileSync(file, 'utf8')) as { maxRssBytes: number }).maxRssBytes / 2 ** 20
    );
  } catch {
    return null;
  }
}

async function measureWorkers(
  input: PostgresBenchInput,
  serverUrl: string,
  workers: number,
): Promise<PostgresWorkersResult> {
  const dir = join(input.work, `postgres-${workers}`);
  mkdirSync(dir, { recursive: true });
  const { configPath, subscribersPath } = input.workspace(dir);
  const databaseUrl = await createTestDatabase(serverUrl, `bench${workers}`);
  const sink = await startSink();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    SMTP_URL: sink.url,
    PAPERBOY_SECRET: input.secret,
    PAPERBOY_CONFIG: configPath,
  };
  const problems: string[] = [];
  try {
    await mustRun(['db', 'migrate'], env);
    await mustRun(['subscribers', 'import', subscribersPath, '--restore'], env);
    const enqueueStarted = performance.now();
    await mustRun(['send', input.source, '--date', input.date, '--enqueue-only'], env);
    const enqueueMs = performance.now() - enqueueStarted;
    const status = async () =>
      JSON.parse((await mustRun(['status', '--date', input.date, '--json'], env)).stdout) as {
        totals: { pending: number; sent: number; failed: number };
      };
    const queued = (await status()).totals.pending;
    input.log(
      `postgres, ${workers} worker(s): ${queued} messages queued in ${(enqueueMs / 1000).toFixed(1)} s`,
    );

    const started = performance.now();
    const running = Array.from({ length: workers }, (_, i) =>
      startWorker(env, input.concurrencyPerWorker, join(dir, `rss-${i}.json`)),
    );
    // Done when the sink has every queued message, or nothing arrived for a minute.
    let last = -1;
    let stalledSince = performance.now();
    for (;;) {
      await sleep(1000);
      const { messages } = await sink.report();
      if (messages >= queued) break;
      if (messages !== last) {
        last = messages;
        stalledSince = performance.now();
      } else if (performance.now() - stalledSince > 60_000) {
        problems.push(`no progress for a minute at ${messages} of ${queued} messages`);
        break;
      }
    }
    for (const { child } of running) child.kill('SIGTERM');
    const codes = await Promise.all(running.map((r) => r.exited));
    codes.forEach((code, i) => {
      if (code !== 0) problems.push(`worker ${i + 1} exited ${code}`);
    });
    const received = await sink.report();
    const duplicates = Object.values(received.perRecipient).filter((n) => n > 1).length;
    const sendMs =
      (received.lastAt ?? performance.timeOrigin + started) - (performance.timeOrigin + started);
    const after = await status();
    if (received.messages !== queued) {
      problems.push(`the sink counted ${received.messages} messages; ${queued} were queued`);
    }
    if (duplicates > 0) problems.push(`${duplicates} recipients got more than one message`);
    if (after.totals.sent !== received.messages) {
      problems.push(
        `paperboy status says ${after.totals.sent} sent; the sink counted ${received.messages}`,
      );
    }
    return {
      workers,
      concurrencyPerWorker: input.concurrencyPerWorker,
      queued,
      sinkMessages: received.messages,
      duplicates,
      enqueueMs,
      sendMs,
      sustainedPerSecond:
        received.firstAt !== null && received.lastAt !== null && received.lastAt > received.firstAt
          ? received.messages / ((received.lastAt - received.firstAt) / 1000)
          : null,
      peakRssMB: running.map((_, i) => readRss(join(dir, `rss-${i}.json`))),
      problems,
    };
  } finally {
    sink.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runPostgresBench(input: PostgresBenchInput): Promise<PostgresResults> {
  const given = process.env.PAPERBOY_TEST_DATABASE_URL?.trim();
  const server = given ? null : await startPostgres();
  const serverUrl = given ?? (server?.url as string);
  try {
    const runs: PostgresWorkersResult[] = [];
    for (const workers of input.workerCounts) {
      runs.push(await measureWorkers(input, serverUrl, workers));
    }
    return {
      generatedAt: new Date().toISOString(),
      command: 'npm run bench -- --postgres',
      subscribers: input.subscribers,
      runs,
    };
  } finally {
    server?.stop();
  }
}

const n = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function formatPostgresMarkdown(results: PostgresResults, machine: string): string {
  const rows = results.runs.map((r) => {
    const rss = r.peakRssMB.map((mb) => (mb === null ? '?' : n(mb))).join(' / ');
    return `| ${r.workers} × ${r.concurrencyPerWorker} | ${n(r.queued)} | ${n(r.enqueueMs / 1000, 1)} s | ${n(r.sendMs / 1000, 1)} s | ${r.sustainedPerSecond === null ? '?' : n(r.sustainedPerSecond)} | ${rss} | ${r.problems.length === 0 ? `${n(r.sinkMessages)}, no duplicate` : r.problems.join('; ')} |`;
  });
  return [
    `\`${results.command}\` on ${machine}, ${results.generatedAt.slice(0, 10)}: ${n(results.subscribers)} subscribers in PostgreSQL 15 on the same machine, workers sending to the loopback sink.`,
    '',
    '| workers × connections | queued | plan + queue | send | messages/s | peak RSS per worker (MB) | sink count |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

const BEGIN =
  '<!-- bench-postgres:begin (written by npm run bench -- --postgres; do not edit by hand) -->';
const END = '<!-- bench-postgres:end -->';

/** Replaces the README's PostgreSQL benchmark table with these results. */
export function updateReadmePostgres(path: string, markdown: string): void {
  const readme = readFileSync(path, 'utf8');
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (start === -1 || end < start) {
    throw new Error(`${path}: no "${BEGIN}" ... "${END}" section to write the results into`);
  }
  writeFileSync(path, `${readme.slice(0, start + BEGIN.length)}\n${markdown}${readme.slice(end)}`);
}
