import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, type LocalServer, SEED_PATH, seedText, startLocalServer } from '../helpers.js';
import { ROOT, runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'paperboy-cli-'));
const file = (name: string, content: string | Buffer): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

const PAPER_FIELDS = [
  'id',
  'title',
  'abstract',
  'authors',
  'authorsCount',
  'organization',
  'publishedAt',
  'upvotes',
  'comments',
  'links',
  'summary',
  'keywords',
  'topics',
  'matched',
];

interface Output {
  issues: { date: string; papers: Record<string, unknown>[]; warnings: unknown[] }[];
}

/** Whatever went wrong, a user never sees a stack trace for bad input. */
function expectNoStack(stderr: string): void {
  expect(stderr).not.toMatch(/\n\s+at |this is a bug/);
}

let server: LocalServer;
let base: string;
let hits = 0;

beforeAll(async () => {
  server = await startLocalServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/api/daily_papers') {
      hits++;
      // The first request is rate limited, as HF does past ~500 requests / 5 min.
      if (hits === 1) return void res.writeHead(429, { 'retry-after': '0' }).end();
      const body =
        url.searchParams.get('p') === '0' ? fixture('hf-daily-papers.sample.json') : '[]';
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    }
    if (url.pathname === '/seed') return void res.writeHead(200).end(seedText());
    res.writeHead(404).end();
  });
  base = server.base;
});

afterAll(async () => {
  await server.close();
});

describe('paperboy parse', () => {
  it('prints the seed as one issue of 79 papers with exactly the contract fields', async () => {
    const result = await runCli(['parse', SEED_PATH, '--date', '2025-10-31']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const output = JSON.parse(result.stdout) as Output;
    expect(output.issues).toHaveLength(1);
    const [issue] = output.issues;
    expect(issue?.date).toBe('2025-10-31');
    expect(issue?.warnings).toEqual([]);
    expect(issue?.papers).toHaveLength(79);
    for (const paper of issue?.papers ?? []) {
      expect(Object.keys(paper)).toEqual(PAPER_FIELDS);
      expect(Object.keys(paper.links as object)).toEqual([
        'paper',
        'arxiv',
        'pdf',
        'code',
        'project',
      ]);
    }
    const gnn = issue?.papers.find(
      (p) => p.title === 'Local Augmentation for Graph Neural Networks',
    );
    expect(gnn?.topics).toContain('graphs');
    expect((gnn?.matched as Record<string, string[]> | undefined)?.graphs?.length).toBeGreaterThan(
      0,
    );
  });

  it('reads stdin for -', async () => {
    const result = await runCli(['parse', '-', '--date', '2025-10-31'], { stdin: seedText() });
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as Output).issues[0]?.papers).toHaveLength(79);
  });

  it('reads API JSON and HTML, detected from the content', async () => {
    for (const name of ['hf-daily-papers.sample.json', 'hf-papers-page.sample.html']) {
      const result = await runCli(['parse', join(ROOT, 'test/fixtures', name)]);
      expect(result.code).toBe(0);
      const [issue] = (JSON.parse(result.stdout) as Output).issues;
      expect(issue?.papers.map((p) => p.id)).toEqual(['2602.23229', '2603.01234']);
    }
  });

  it('fetches hf:YYYY-MM-DD from PAPERBOY_HF_BASE_URL, retrying a 429', async () => {
    const result = await runCli(['parse', 'hf:2026-03-06'], {
      env: { PAPERBOY_HF_BASE_URL: base },
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/429.*retrying/);
    const [issue] = (JSON.parse(result.stdout) as Output).issues;
    expect(issue?.date).toBe('2026-03-06');
    expect(issue?.papers).toHaveLength(2);
  });

  it('fetches an http URL', async () => {
    const result = await runCli(['parse', `${base}/seed`, '--date', '2025-10-31']);
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as Output).issues[0]?.papers).toHaveLength(79);
  });

  it('keeps the good papers of a partly broken file and warns on stderr with line numbers', async () => {
    const lines = seedText().split('\n');
    const dateLine = lines.indexOf('Sep 8, 2021'); // the second card's date line
    lines.splice(dateLine, 1);
    const path = file('broken.txt', lines.join('\n'));
    const result = await runCli(['parse', path, '--date', '2025-10-31']);
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as Output).issues[0]?.papers).toHaveLength(78);
    expect(result.stderr).toMatch(
      new RegExp(`^warning: ${path}:\\d+: card without a date line`, 'm'),
    );
  });

  it('selects the format with --format', async () => {
    const result = await runCli(['parse', SEED_PATH, '--format', 'hf-json']);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('malformed JSON');
  });
});

describe('paperboy topics', () => {
  it('lists every topic with its name', async () => {
    const result = await runCli(['topics']);
    expect(result.code).toBe(0);
    for (const id of ['llm', 'agents', 'graphs', 'time-series', 'recsys', 'datasets']) {
      expect(result.stdout).toMatch(new RegExp(`^${id}\\s`, 'm'));
    }
  });

  it('counts papers per topic for a source', async () => {
    const result = await runCli(['topics', SEED_PATH, '--date', '2025-10-31', '--json']);
    expect(result.code).toBe(0);
    const { topics, untagged } = JSON.parse(result.stdout) as {
      topics: { id: string; papers: number }[];
      untagged: number;
    };
    expect(topics.find((t) => t.id === 'graphs')?.papers).toBeGreaterThan(5);
    expect(topics.find((t) => t.id === 'detection')?.papers).toBeGreaterThan(5);
    expect(untagged).toBeLessThan(79);
  });
});

describe('paperboy digest (the main job until sending exists)', () => {
  it('shows the bundled sample grouped by topic', async () => {
    const result = await runCli(['digest']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Trending papers · Friday, October 31, 2025 · 79 papers/);
    expect(result.stdout).toMatch(/\[graphs\] · \d+/);
    expect(result.stdout).toContain('Local Augmentation for Graph Neural Networks');
  });

  it('shows only the chosen topics', async () => {
    const result = await runCli(['digest', '--topic', 'graphs']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('[graphs]');
    expect(result.stdout).not.toContain('[detection]');
  });
});

describe('the quick start', () => {
  it('npm start runs the whole pipeline on the bundled sample into the outbox, once', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    // The script as written, with its relative paths resolved against the repo, run elsewhere
    // so the data folder it creates is a temporary one.
    const [node, cli, ...args] = pkg.scripts.start?.split(' ') ?? [];
    expect([node, cli]).toEqual(['node', 'dist/cli.js']);
    const absolute = args.map((arg) => (/\.(txt|json)$/.test(arg) ? join(ROOT, arg) : arg));
    const cwd = mkdtempSync(join(tmpdir(), 'paperboy-start-'));
    const first = await runCli(absolute, { cwd });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^\s+sent\s+3$/m);
    expect(readdirSync(join(cwd, 'data/outbox/2025-10-31'))).toHaveLength(3);
    const again = await runCli(absolute, { cwd });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^\s+sent\s+0$/m);
  });
});

describe('help', () => {
  it.each([[[]], [['parse']], [['topics']], [['digest']]])('--help for %j', async (command) => {
    const result = await runCli([...command, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: paperboy');
    expect(result.stdout).toContain('hf:latest');
  });

  it('lists the exit codes', async () => {
    const result = await runCli(['--help']);
    expect(result.stdout).toMatch(/Exit codes:[\s\S]*3 {2}a file, URL or the network/);
  });

  it('prints the version', async () => {
    const result = await runCli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('bad input: one clear message, a documented exit code, no stack trace', () => {
  it.each([
    ['a missing file', () => ['parse', join(dir, 'missing.txt')], 3, /missing\.txt: no such file/],
    ['an empty file', () => ['parse', file('empty.txt', '')], 4, /empty input/],
    ['a binary file', () => ['parse', file('x.bin', Buffer.from([1, 2, 0, 3, 4]))], 4, /binary/],
    [
      'JSON of the wrong shape',
      () => ['parse', file('shape.json', '[{"paper": {"id": "1", "title": 3}}]')],
      4,
      /\[0\]\.paper\.title: expected a string/,
    ],
    [
      'text with no cards',
      () => ['parse', file('notes.txt', 'shopping list\neggs\n'), '--date', '2025-10-31'],
      4,
      /no papers found/,
    ],
    [
      'an impossible --date',
      () => ['parse', SEED_PATH, '--date', '2025-02-30'],
      2,
      /--date 2025-02-30: expected a calendar date/,
    ],
    [
      'an unknown option',
      () => ['parse', SEED_PATH, '--dat', '2025-10-31'],
      2,
      /unknown option '--dat'/,
    ],
    ['an unknown command', () => ['prase'], 2, /unknown command 'prase'/],
    ['a missing source', () => ['parse'], 2, /missing required argument 'source'/],
    ['a bad --format', () => ['parse', SEED_PATH, '--format', 'pdf'], 2, /--format.*pdf/],
    [
      'an unknown topic',
      () => ['digest', '--topic', 'grpahs'],
      5,
      /unknown topic "grpahs"[\s\S]*did you mean "graphs"/,
    ],
    [
      'an unreachable host',
      () => ['parse', 'http://127.0.0.1:9/x'],
      3,
      /could not connect|could not reach|bad port/,
    ],
  ])('%s', async (_name, args, code, message) => {
    const result = await runCli(args());
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
    expectNoStack(result.stderr);
  });

  it('a broken config file names the file, line and column', async () => {
    const config = file(
      'paperboy.config.json',
      '{\n  "topics": {\n    "graphs": { "terms": ["x"], }\n  }\n}',
    );
    const result = await runCli(['topics', '--config', config]);
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/paperboy\.config\.json:3:\d+: malformed JSON/);
    expectNoStack(result.stderr);
  });

  it('a config with an unknown field is rejected with every problem listed', async () => {
    const config = file('bad-fields.json', JSON.stringify({ topicz: {}, plan: { maxPapers: 0 } }));
    const result = await runCli(['topics', '--config', config]);
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/2 problem\(s\)/);
    expect(result.stderr).toMatch(/topicz/);
    expect(result.stderr).toMatch(/plan\.maxPapers/);
  });

  it('a topic override of the wrong shape names the field', async () => {
    const config = file('bad-topic.json', JSON.stringify({ topics: { graphs: { terms: 'x' } } }));
    const result = await runCli(['topics', '--config', config]);
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/topics\.graphs\.terms: expected a list of strings/);
  });

  it('config can add a topic, and the topic is used', async () => {
    const config = file(
      'quantum.json',
      JSON.stringify({
        topics: {
          'multi-task': {
            name: 'Multi-task learning',
            description: 'one model, many tasks',
            terms: ['multi-task'],
          },
        },
      }),
    );
    const result = await runCli([
      'topics',
      SEED_PATH,
      '--date',
      '2025-10-31',
      '--config',
      config,
      '--json',
    ]);
    expect(result.code).toBe(0);
    const { topics } = JSON.parse(result.stdout) as { topics: { id: string; papers: number }[] };
    expect(topics.find((t) => t.id === 'multi-task')?.papers).toBeGreaterThan(0);
  });
});
