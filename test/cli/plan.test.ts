import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SEED_PATH } from '../helpers.js';
import { ROOT, runCli } from './run-cli.js';

const EXAMPLE = join(ROOT, 'subscribers.example.json');

interface PlanJson {
  date: string;
  segments: {
    id: string;
    recipients: { email: string }[];
    papers: { paperId: string; title: string }[];
  }[];
  skipped: { email: string; reason: string }[];
  totals: { subscribers: number; recipients: number; skipped: number };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'paperboy-plan-'));
}

async function planJson(args: string[], cwd?: string): Promise<PlanJson> {
  const result = await runCli(['plan', SEED_PATH, '--date', '2025-10-31', '--json', ...args], {
    cwd,
  });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as PlanJson;
}

describe('paperboy plan', () => {
  it('plans the example subscribers on the seed: segments, papers and who is skipped', async () => {
    const result = await runCli([
      'plan',
      SEED_PATH,
      '--date',
      '2025-10-31',
      '--subscribers',
      EXAMPLE,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^Plan for Friday, October 31, 2025 · \d+ emails? in \d+ segments?/,
    );
    expect(result.stdout).toContain('ada@example.org');
    expect(result.stdout).toMatch(/unsubscribed[\s\S]*barbara@example\.org/);
    expect(result.stdout).toMatch(/bounced[\s\S]*bounced@example\.net/);
  });

  it('prints JSON with every subscriber either planned or skipped', async () => {
    const plan = await planJson(['--subscribers', EXAMPLE]);
    expect(plan.date).toBe('2025-10-31');
    const planned = plan.segments.flatMap((segment) => segment.recipients.map((r) => r.email));
    expect(planned.length + plan.skipped.length).toBe(plan.totals.subscribers);
    expect(plan.totals.recipients).toBe(planned.length);
    const ada = plan.segments.find((segment) =>
      segment.recipients.some((r) => r.email === 'ada@example.org'),
    );
    expect(ada?.papers.map((p) => p.title)).toContain(
      'Graph Deep Learning for Time Series Forecasting',
    );
  });

  it('does not plan a paper the segment got recently (history in the data folder)', async () => {
    const dir = tempDir();
    const first = await planJson(['--subscribers', EXAMPLE], dir);
    const ada = first.segments.find((s) => s.recipients.some((r) => r.email === 'ada@example.org'));
    const sent = ada?.papers[0]?.paperId as string;
    writeFileSync(
      join(dir, 'paperboy.config.json'),
      JSON.stringify({ dataDir: 'state', plan: { historyDays: 30 } }),
    );
    mkdirSync(join(dir, 'state'));
    writeFileSync(
      join(dir, 'state', 'history.json'),
      JSON.stringify({ version: 1, segments: { [ada?.id as string]: { [sent]: '2025-10-28' } } }),
    );
    const second = await planJson(['--subscribers', EXAMPLE], dir);
    const again = second.segments.find((s) => s.id === ada?.id);
    expect(again?.papers.map((p) => p.paperId)).not.toContain(sent);
    expect(again?.papers.length).toBe(ada?.papers.length);
  });

  it('says so when there are no subscribers', async () => {
    const dir = tempDir();
    const result = await runCli(['plan', SEED_PATH, '--date', '2025-10-31'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/subscribers\.json has no subscribers; add one with/);
    expect(result.stdout).toContain('Nobody gets an email');
  });

  it('refuses a broken history file and names its line', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data', 'history.json'), '{\n  "version": 1,\n  "segments": {,}\n}\n');
    const result = await runCli(
      ['plan', SEED_PATH, '--date', '2025-10-31', '--subscribers', EXAMPLE],
      {
        cwd: dir,
      },
    );
    expect(result.code).toBe(6);
    expect(result.stderr).toMatch(/history\.json:3:\d+: malformed JSON/);
  });

  it('refuses a broken subscriber file', async () => {
    const dir = tempDir();
    const file = join(dir, 'subs.json');
    writeFileSync(file, '{ "subscribers": [ { "email": "x" } ] }');
    const result = await runCli(['plan', SEED_PATH, '--date', '2025-10-31', '--subscribers', file]);
    expect(result.code).toBe(6);
    expect(result.stderr).toContain('subs.json');
  });
});

describe('weekly digests merge the days earlier runs kept', () => {
  it('a weekly reader on their weekday gets the kept days of the week too', async () => {
    const dir = tempDir();
    // What `send` keeps for each day it runs: the classified issue, in <dataDir>/issues/.
    const parsed = await runCli(['parse', join(ROOT, 'test/fixtures/hf-daily-papers.sample.json')]);
    const [kept] = (JSON.parse(parsed.stdout) as { issues: Record<string, unknown>[] }).issues;
    mkdirSync(join(dir, 'data', 'issues'), { recursive: true });
    writeFileSync(
      join(dir, 'data', 'issues', '2025-10-30.json'),
      JSON.stringify({ ...kept, date: '2025-10-30' }),
    );
    const subscribers = join(dir, 'subscribers.json');
    writeFileSync(
      subscribers,
      JSON.stringify({
        subscribers: [
          {
            id: 'sub_00000000000000aa',
            email: 'weekly@example.org',
            topics: ['time-series'],
            frequency: 'weekly',
            weekday: 'friday',
            status: 'active',
            subscribedAt: '2025-09-01T00:00:00.000Z',
            updatedAt: '2025-09-01T00:00:00.000Z',
          },
        ],
      }),
    );
    const plan = await planJson(['--subscribers', subscribers], dir);
    const [segment] = plan.segments;
    expect(plan.segments).toHaveLength(1);
    const titles = segment?.papers.map((p) => p.title) ?? [];
    expect(titles).toContain('Sparse Pruning of Graph Neural Networks for Time Series Forecasting');
    expect(titles).toContain(
      'TimesNet: Temporal 2D-Variation Modeling for General Time Series Analysis',
    );
  });
});
