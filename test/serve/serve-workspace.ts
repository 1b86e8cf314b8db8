// A working folder for `paperboy serve` run as a child process (the built CLI): a config with a
// short schedule, a subscriber file, a local HTTP server standing in for the HF API (it serves the
// sample JSON for whatever day is asked) and live access to the JSON log lines on stdout.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../cli/run-cli.js';
import { BASE_URL, POSTAL_ADDRESS, SECRET } from '../delivery/send-workspace.js';
import { fixture, type LocalServer, startLocalServer } from '../helpers.js';

export { BASE_URL, SECRET };

/** The sample's two papers: one multimodal, one graphs/time-series/efficiency. */
export async function startHfStub(): Promise<LocalServer & { requests: string[] }> {
  const body = fixture('hf-daily-papers.sample.json');
  const requests: string[] = [];
  const server = await startLocalServer((req, res) => {
    requests.push(req.url ?? '');
    const page = new URL(req.url ?? '/', 'http://x').searchParams.get('p');
    res.writeHead(200, { 'content-type': 'application/json' });
    // One page holds every paper; later pages are empty.
    res.end(page && page !== '0' ? '[]' : body);
  });
  return Object.assign(server, { requests });
}

export interface TestSubscriber {
  id: string;
  email: string;
  topics: string[];
}

export function subscribers(count: number, topics = ['graphs']): TestSubscriber[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `sub_${(0xb0 + i).toString(16).padStart(16, '0')}`,
    email: `reader${i + 1}@example.org`,
    topics,
  }));
}

export interface ServeWorkspace {
  dir: string;
  ledgerFile(date: string): string;
  ledger(date: string): { email: string; state: string; reason?: string }[];
  status(email: string): string | undefined;
}

export function createServeWorkspace(
  schedule: Record<string, unknown>,
  people: TestSubscriber[],
  extra: Record<string, unknown> = {},
): ServeWorkspace {
  const dir = mkdtempSync(join(tmpdir(), 'paperboy-serve-'));
  const now = '2025-09-01T08:00:00.000Z';
  writeFileSync(
    join(dir, 'subscribers.json'),
    JSON.stringify({
      version: 1,
      subscribers: people.map((p) => ({
        ...p,
        frequency: 'daily',
        status: 'active',
        subscribedAt: now,
        updatedAt: now,
      })),
    }),
  );
  writeFileSync(
    join(dir, 'paperboy.config.json'),
    JSON.stringify({
      sender: {
        name: 'Trending Papers',
        address: 'papers@example.org',
        postalAddress: POSTAL_ADDRESS,
      },
      baseUrl: BASE_URL,
      delivery: { backoffMs: 10 },
      schedule: { timezone: 'UTC', source: 'hf:latest', ...schedule },
      ...extra,
    }),
  );
  const ledgerFile = (date: string) => join(dir, 'data', 'ledger', `${date}.jsonl`);
  return {
    dir,
    ledgerFile,
    ledger: (date) =>
      existsSync(ledgerFile(date))
        ? readFileSync(ledgerFile(date), 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line))
        : [],
    status: (email) =>
      (
        JSON.parse(readFileSync(join(dir, 'subscribers.json'), 'utf8')) as {
          subscribers: { email: string; status: string }[];
        }
      ).subscribers.find((s) => s.email === email)?.status,
  };
}

export interface LogLine {
  time: string;
  level: string;
  event: string;
  [field: string]: unknown;
}

export interface ServeProcess {
  child: ChildProcess;
  logs: LogLine[];
  stderr(): string;
  /** Resolves with the first log line (from `from` on) that matches; rejects after timeoutMs. */
  waitForLog(
    match: (line: LogLine) => boolean,
    timeoutMs?: number,
    from?: number,
  ): Promise<LogLine>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The HTTP server's origin, from the serve.started line. */
  origin(): Promise<string>;
}

export function startServe(dir: string, env: Record<string, string | undefined>): ServeProcess {
  return startLogging(['serve', '--port', '0'], dir, env);
}

/**
 * The built CLI with `args` as a child process in `dir` whose stdout is JSON log lines (serve,
 * worker), with the environment's paperboy variables cleared but those in `env`.
 */
export function startLogging(
  args: string[],
  dir: string,
  env: Record<string, string | undefined>,
): ServeProcess {
  const merged: Record<string, string | undefined> = {
    ...process.env,
    PAPERBOY_CONFIG: undefined,
    PAPERBOY_BASE_URL: undefined,
    SMTP_URL: undefined,
    DATABASE_URL: undefined,
    ...env,
  };
  const child = spawn(process.execPath, [join(ROOT, 'dist/cli.js'), ...args], {
    cwd: dir,
    env: Object.fromEntries(
      Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== undefined),
    ),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  let pending = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      logs.push(JSON.parse(line) as LogLine);
    }
    for (const wake of waiters) wake();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
    (resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => {
        for (const wake of waiters) wake();
        resolve({ code, signal });
      });
    },
  );
  const waitForLog: ServeProcess['waitForLog'] = (match, timeoutMs = 30_000, from = 0) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const found = logs.slice(from).find(match);
        if (found) {
          done();
          resolve(found);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          done();
          reject(new Error(`${args[0]} exited before the log line; stderr: ${stderr}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(
            `no matching log line within ${timeoutMs} ms; logs:\n${logs.map((l) => JSON.stringify(l)).join('\n')}\nstderr: ${stderr}`,
          ),
        );
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  return {
    child,
    logs,
    stderr: () => stderr,
    waitForLog,
    exited,
    origin: async () => {
      const started = await waitForLog((l) => l.event === 'serve.started');
      return new URL(started.url as string).origin;
    },
  };
}
