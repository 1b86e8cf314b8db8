// A working folder for running the built `paperboy send` against the seed issue and the
// 20-subscriber fixture (every status, 12 segments, 15 emails), and reading back what it left.
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from '../cli/run-cli.js';
import { SEED_DATE, SEED_PATH } from '../helpers.js';

export const FIXTURE_SUBSCRIBERS = fileURLToPath(new URL('./subscribers-20.json', import.meta.url));
export const SECRET = 'test-secret-0123456789abcdef';
export const BASE_URL = 'https://papers.example.org';
export const POSTAL_ADDRESS = '548 Market St #12345, San Francisco, CA 94104';

/** The fixture's active subscribers the plan sends the seed issue to. */
export const PLANNED = [
  'ada@example.org',
  'alan@example.org',
  'daphne@example.org',
  'edsger@example.org',
  'emilie@example.org',
  'fei-fei@example.org',
  'kaiming@example.org',
  'linus@example.org',
  'richard@example.org',
  'ross@example.org',
  'ruslan@example.org',
  'shafi@example.org',
  'song@example.org',
  'xavier@example.org',
  'yann@example.org',
];
export const NOT_PLANNED = [
  'barbara@example.org',
  'bounced@example.net',
  'claude@example.org',
  'grace@example.org',
  'john@example.org',
];

export interface Workspace {
  dir: string;
  /** Environment for a send through `smtpUrl` (none: the outbox). */
  env(smtpUrl?: string): Record<string, string | undefined>;
  ledgerFile: string;
  ledger(): LedgerLine[];
  subscribers(): { id: string; email: string; status: string }[];
}

export interface LedgerLine {
  subscriberId: string;
  email: string;
  state: string;
  messageId?: string;
  segmentId?: string;
  code?: number | null;
  response?: string;
  permanent?: boolean;
  reason?: string;
  attempt?: number;
}

export function createWorkspace(delivery: Record<string, unknown> = {}, extra = {}): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'paperboy-send-'));
  copyFileSync(FIXTURE_SUBSCRIBERS, join(dir, 'subscribers.json'));
  writeFileSync(
    join(dir, 'paperboy.config.json'),
    JSON.stringify({
      sender: {
        name: 'Trending Papers',
        address: 'papers@example.org',
        replyTo: 'editor@example.org',
        postalAddress: POSTAL_ADDRESS,
      },
      baseUrl: BASE_URL,
      delivery: { backoffMs: 10, ...delivery },
      ...extra,
    }),
  );
  const ledgerFile = join(dir, 'data', 'ledger', `${SEED_DATE}.jsonl`);
  return {
    dir,
    env: (smtpUrl) => ({ SMTP_URL: smtpUrl, PAPERBOY_SECRET: SECRET }),
    ledgerFile,
    ledger: () =>
      existsSync(ledgerFile)
        ? readFileSync(ledgerFile, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line) as LedgerLine)
        : [],
    subscribers: () =>
      (
        JSON.parse(readFileSync(join(dir, 'subscribers.json'), 'utf8')) as {
          subscribers: { id: string; email: string; status: string }[];
        }
      ).subscribers,
  };
}

/** The last ledger line per email. */
export function latestByEmail(lines: readonly LedgerLine[]): Map<string, LedgerLine> {
  return new Map(lines.map((line) => [line.email.toLowerCase(), line]));
}

export const SEND_ARGS = ['send', SEED_PATH, '--date', SEED_DATE];

export interface Running {
  child: ChildProcess;
  done: Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>;
}

/** Starts the built CLI in the workspace, for tests that signal or kill it part-way. */
export function startCli(
  args: string[],
  cwd: string,
  env: Record<string, string | undefined>,
): Running {
  const merged: Record<string, string | undefined> = {
    ...process.env,
    PAPERBOY_CONFIG: undefined,
    SMTP_URL: undefined,
    ...env,
  };
  const child = spawn(process.execPath, [join(ROOT, 'dist/cli.js'), ...args], {
    cwd,
    env: Object.fromEntries(
      Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== undefined),
    ),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const done = new Promise<Awaited<Running['done']>>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}
