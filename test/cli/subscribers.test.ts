// `paperboy subscribers ...` as a user runs it: the built binary, real files. Lists are set up
// through the store in-process (a process start costs ~0.6 s); every command under test is a
// real process.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { registerSubscribersCommand } from '../../src/commands/subscribers.js';
import { createJsonStore } from '../../src/stores/json-store.js';
import { hashEmail } from '../../src/subscribers/email.js';
import { defaultTopics } from '../../src/topics/default-taxonomy.js';
import type { Subscriber } from '../../src/types.js';
import { ROOT, runCli } from './run-cli.js';

const TOPIC_IDS = defaultTopics.map((topic) => topic.id);
const EXAMPLE = readFileSync(join(ROOT, 'subscribers.example.json'), 'utf8');
const root = mkdtempSync(join(tmpdir(), 'paperboy-subscribers-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;

/** A fresh working directory; `pb` runs `paperboy subscribers ...` in it. */
function workspace() {
  const dir = join(root, `ws-${++counter}`);
  mkdirSync(dir);
  const file = join(dir, 'subscribers.json');
  return {
    dir,
    file,
    store: () => createJsonStore({ path: file, topicIds: TOPIC_IDS }),
    read: () => readFileSync(file, 'utf8'),
    write: (name: string, content: string) => {
      writeFileSync(join(dir, name), content);
      return join(dir, name);
    },
    pb: (args: string[], stdin?: string) => runCli(['subscribers', ...args], { cwd: dir, stdin }),
  };
}

const ID = 'sub_[0-9a-f]{16}';

/** Whatever went wrong, a user never sees a stack trace. */
function expectNoStack(stderr: string): void {
  expect(stderr).not.toMatch(/\n\s+at |this is a bug/);
}

describe('paperboy subscribers --help', () => {
  it('each subcommand explains itself with an example', () => {
    const program = new Command('paperboy');
    registerSubscribersCommand(program);
    const group = program.commands.find((command) => command.name() === 'subscribers');
    const commands = ['list', 'show', 'add', 'topics', 'remove', 'import', 'export'];
    expect(group?.commands.map((command) => command.name())).toEqual(commands);
    const help = (command: Command) => {
      let text = '';
      command.configureOutput({
        writeOut: (chunk) => {
          text += chunk;
        },
      });
      command.outputHelp();
      return text;
    };
    expect(help(group as Command)).toMatch(/safe to edit by hand/);
    for (const command of group?.commands ?? []) {
      const text = help(command);
      expect(text).toContain(`Usage: paperboy subscribers ${command.name()}`);
      expect(text).toContain('--subscribers <file>');
      expect(text).toContain('--config <file>');
      expect(text).toMatch(
        new RegExp(`Examples:\\n {2}\\$ paperboy subscribers ${command.name()} `),
      );
    }
    const [, , add, , remove, importCommand] = group?.commands ?? [];
    expect(help(add as Command)).toContain('--frequency weekly:monday');
    expect(help(remove as Command)).toMatch(/plain sha256/);
    expect(help(importCommand as Command)).toContain('email,name,topics');
  });

  it('is wired into the paperboy binary', async () => {
    const result = await runCli(['subscribers', 'add', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Usage: paperboy subscribers add \[options\] <email>/);
    expect(result.stdout).toContain('Examples:');
  });
});

describe('paperboy subscribers add', () => {
  it('adds, prints what it added, and creates ./subscribers.json', async () => {
    const ws = workspace();
    const [ada, alan] = await Promise.all([
      ws.pb(['add', 'ada@example.org', '--topics', 'graphs,time-series', '--name', 'Ada Lovelace']),
      ws.pb([
        'add',
        'alan@example.org',
        '--topics',
        'all',
        '--frequency',
        'weekly:monday',
        '--max-papers',
        '20',
        '--keywords',
        'graph neural network, -survey',
      ]),
    ]);
    expect(ada).toMatchObject({ code: 0, stderr: '' });
    expect(ada.stdout).toMatch(
      new RegExp(`^added ada@example.org \\(${ID}\\) topics: graphs, time-series\\n$`),
    );
    expect(alan).toMatchObject({ code: 0, stderr: '' });
    expect(alan.stdout).toMatch(
      new RegExp(
        `^added alan@example.org \\(${ID}\\) topics: all; weekly:monday; max 20 papers; keywords: graph neural network, -survey\\n$`,
      ),
    );
    const { subscribers } = JSON.parse(ws.read());
    expect(subscribers).toEqual([
      expect.objectContaining({ email: 'ada@example.org', name: 'Ada Lovelace' }),
      expect.objectContaining({
        email: 'alan@example.org',
        topics: 'all',
        keywords: { include: ['graph neural network'], exclude: ['survey'] },
        maxPapers: 20,
        frequency: 'weekly',
        weekday: 'monday',
      }),
    ]);
  });

  it('refuses, changing nothing: an existing address (7), an unknown topic (5), bad flags (2)', async () => {
    const ws = workspace();
    await ws.store().add({ email: 'ada@example.org', topics: ['graphs'] });
    const before = ws.read();
    const [existing, topic, email, weekly, missing] = await Promise.all([
      ws.pb(['add', ' ADA@Example.org', '--topics', 'llm']),
      ws.pb(['add', 'grace@example.org', '--topics', 'llm,agnets']),
      ws.pb(['add', 'grace@', '--topics', 'llm']),
      ws.pb(['add', 'grace@example.org', '--topics', 'llm', '--frequency', 'weekly']),
      ws.pb(['add', 'grace@example.org']),
    ]);
    expect(existing.code).toBe(7);
    expect(existing.stderr).toMatch(
      new RegExp(`^paperboy: ADA@Example.org is already subscribed \\(${ID}\\)\\nhint: `),
    );
    expect(topic.code).toBe(5);
    expect(topic.stderr).toMatch(
      /^paperboy: unknown topic "agnets" in --topics\nhint: did you mean "agents"\?/,
    );
    expect(email).toMatchObject({
      code: 2,
      stderr: 'paperboy: "grace@" is not an email address\n',
    });
    expect(weekly.code).toBe(2);
    expect(weekly.stderr).toMatch(/weekly needs a weekday, e.g. weekly:monday/);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/required option '--topics <ids>' not specified/);
    for (const result of [existing, topic, email, weekly, missing]) {
      expect(result.stdout).toBe('');
      expectNoStack(result.stderr);
    }
    expect(ws.read()).toBe(before);
  });

  it('takes topic ids and the subscriber file from the config', async () => {
    const ws = workspace();
    ws.write(
      'paperboy.config.json',
      JSON.stringify({
        subscribers: 'lists/readers.json',
        topics: { quantum: { name: 'Quantum ML', terms: ['quantum'] } },
      }),
    );
    const other = ws.write('other.config.json', '{}');
    const withConfig = await ws.pb(['add', 'ada@example.org', '--topics', 'quantum,graphs']);
    expect(withConfig.code).toBe(0);
    const readers = JSON.parse(readFileSync(join(ws.dir, 'lists/readers.json'), 'utf8'));
    expect(readers.subscribers[0].topics).toEqual(['quantum', 'graphs']);
    // Without the topic, the file that uses it is broken for this taxonomy: exit 6.
    const broken = await ws.pb(['list', '--config', other, '--subscribers', 'lists/readers.json']);
    expect(broken.code).toBe(6);
    expect(broken.stderr).toMatch(
      /^paperboy: lists\/readers.json:\d+: subscribers\[0\]\.topics\[0\]: unknown topic "quantum"\nhint: .*define them in the config \(--config\)/,
    );
  });
});

describe('paperboy subscribers list and show', () => {
  it('lists as a table or JSON, filtered by topic and status; shows one subscriber', async () => {
    const ws = workspace();
    ws.write('subscribers.json', EXAMPLE);
    const [table, json, filtered, show] = await Promise.all([
      ws.pb(['list']),
      ws.pb(['list', '--json']),
      ws.pb(['list', '--topic', 'graphs', '--status', 'active']),
      ws.pb(['show', 'GRACE@example.org']),
    ]);
    for (const result of [table, json, filtered, show]) {
      expect(result).toMatchObject({ code: 0, stderr: '' });
    }
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^EMAIL\s+NAME\s+STATUS\s+FREQUENCY\s+ID\s+TOPICS$/);
    expect(lines).toHaveLength(8);
    expect(lines[1]).toMatch(
      /^ada@example.org\s+Ada Lovelace\s+active\s+daily\s+sub_9f2c1a7e5b03d861\s+graphs, time-series$/,
    );
    expect(lines[2]).toMatch(/^Alan.Turing@Example.org\s+-\s+active\s+weekly:monday\s+\S+\s+all$/);
    const listed = JSON.parse(json.stdout).subscribers;
    expect(listed).toHaveLength(7);
    expect(listed[0]).toMatchObject({
      name: 'Ada Lovelace',
      maxPapers: null,
      unsubscribedAt: null,
    });
    const emails = filtered.stdout
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((line) => line.split(/\s+/)[0]);
    expect(emails).toEqual(['ada@example.org', 'Alan.Turing@Example.org', 'radia@example.com']);
    expect(show.stdout).toContain('email:         grace@example.org\n');
    expect(show.stdout).toContain('keywords:      retrieval-augmented generation, tool use\n');
    expect(show.stdout).toContain('excluded:      survey\n');
    expect(show.stdout).toContain('max papers:    5\n');
  });

  it('refuses an unknown topic (5) or address (7); a missing file lists nothing', async () => {
    const ws = workspace();
    const [topic, unknown, empty] = await Promise.all([
      ws.pb(['list', '--topic', 'grpahs']),
      ws.pb(['show', 'nobody@example.org']),
      ws.pb(['list']),
    ]);
    expect(topic.code).toBe(5);
    expect(topic.stderr).toMatch(/did you mean "graphs"/);
    expect(unknown).toMatchObject({
      code: 7,
      stdout: '',
      stderr: 'paperboy: no subscriber nobody@example.org\nhint: see "paperboy subscribers list"\n',
    });
    expect(empty).toMatchObject({
      code: 0,
      stdout: '',
      stderr: 'paperboy: no subscribers in subscribers.json\n',
    });
    expect(existsSync(ws.file)).toBe(false);
  });
});

describe('paperboy subscribers topics', () => {
  it('adds, removes and sets topics, printing before and after', async () => {
    const ws = workspace();
    await ws.store().add({ email: 'ada@example.org', topics: ['graphs'] });
    const add = await ws.pb(['topics', 'ADA@example.org', '--add', 'llm,time-series']);
    expect(add).toMatchObject({ code: 0, stderr: '' });
    expect(add.stdout).toMatch(
      new RegExp(`^ada@example.org \\(${ID}\\) topics: graphs -> graphs, llm, time-series\\n$`),
    );
    const remove = await ws.pb(['topics', 'ada@example.org', '--remove', 'graphs']);
    expect(remove.stdout).toMatch(/topics: graphs, llm, time-series -> llm, time-series\n$/);
    const set = await ws.pb(['topics', 'ada@example.org', '--set', 'all']);
    expect(set.stdout).toMatch(/topics: llm, time-series -> all\n$/);
    expect(JSON.parse(ws.read()).subscribers[0].topics).toBe('all');
  });

  it('refuses, changing nothing', async () => {
    const ws = workspace();
    await ws.store().add({ email: 'ada@example.org', topics: ['graphs'] });
    const before = ws.read();
    const [none, last, unknown] = await Promise.all([
      ws.pb(['topics', 'ada@example.org']),
      ws.pb(['topics', 'ada@example.org', '--remove', 'graphs']),
      ws.pb(['topics', 'nobody@example.org', '--add', 'llm']),
    ]);
    expect(none).toMatchObject({
      code: 2,
      stderr: 'paperboy: give one of --set, --add or --remove\n',
    });
    expect(last.code).toBe(2);
    expect(last.stderr).toBe(
      'paperboy: ada@example.org would be left without topics\nhint: to unsubscribe: paperboy subscribers remove ada@example.org\n',
    );
    expect(unknown.code).toBe(7);
    expect(ws.read()).toBe(before);
  });
});

describe('paperboy subscribers remove', () => {
  it('unsubscribes by default; the address is refused by add unless --resubscribe', async () => {
    const ws = workspace();
    await ws.store().add({ email: 'ada@example.org', topics: ['graphs'] });
    const unsubscribe = await ws.pb(['remove', 'Ada@Example.org']);
    expect(unsubscribe).toMatchObject({ code: 0, stderr: '' });
    expect(unsubscribe.stdout).toMatch(new RegExp(`^unsubscribed ada@example.org \\(${ID}\\)\\n$`));
    const readd = await ws.pb(['add', 'ada@example.org', '--topics', 'graphs']);
    expect(readd.code).toBe(7);
    expect(readd.stderr).toMatch(
      /^paperboy: ada@example.org unsubscribed on \d{4}-\d\d-\d\d \(sub_\w+\); not re-activated\nhint: .*--resubscribe/,
    );
  });

  it('--purge deletes the personal data and keeps a hashed suppression', async () => {
    const ws = workspace();
    await ws.store().add({ email: 'ada@example.org', name: 'Ada Lovelace', topics: ['graphs'] });
    const purge = await ws.pb(['remove', 'ada@example.org', '--purge']);
    expect(purge.stdout).toMatch(
      /^purged ada@example.org \(sub_\w+\): record deleted, a sha256 hash of the address kept as a suppression\n$/,
    );
    const text = ws.read();
    expect(text).not.toMatch(/ada@example|Ada Lovelace/);
    expect(JSON.parse(text).suppressions).toEqual([
      {
        emailSha256: hashEmail('ada@example.org'),
        status: 'unsubscribed',
        suppressedAt: expect.any(String),
      },
    ]);
    const refused = await ws.pb(['add', 'ADA@example.org', '--topics', 'graphs']);
    expect(refused.code).toBe(7);
    expect(refused.stderr).toMatch(/^paperboy: ADA@example.org was purged \(unsubscribed on /);
    const back = await ws.pb(['add', 'ada@example.org', '--topics', 'graphs', '--resubscribe']);
    expect(back.stdout).toMatch(
      new RegExp(`^resubscribed ada@example.org \\(${ID}\\) topics: graphs\\n$`),
    );
    expect(JSON.parse(ws.read()).suppressions).toEqual([]);
  });
});

describe('paperboy subscribers import and export', () => {
  it('imports CSV, reporting each address, leaving existing and suppressed ones alone', async () => {
    const ws = workspace();
    const store = ws.store();
    await store.import([
      { email: 'ada@example.org', topics: ['graphs'] },
      { email: 'bob@example.org', topics: ['graphs'], status: 'unsubscribed' },
    ]);
    const csv = ws.write(
      'people.csv',
      'email,name,topics\nada@example.org,Ada,llm\ngrace@example.org,Grace Hopper,"llm, agents"\nbob@example.org,,rl\nalan@example.org,,all\n',
    );
    const result = await ws.pb(['import', csv]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(
      /^skipped ada@example.org \(sub_\w+\): already on the list \(--overwrite replaces their settings\)$/,
    );
    expect(lines[1]).toMatch(/^added grace@example.org \(sub_\w+\) topics: llm, agents$/);
    expect(lines[2]).toMatch(
      /^skipped bob@example.org \(sub_\w+\): unsubscribed here \(--resubscribe re-activates/,
    );
    expect(lines[3]).toMatch(/^added alan@example.org \(sub_\w+\) topics: all$/);
    expect(lines[4]).toBe(`${csv}: 2 added, 0 updated, 0 resubscribed, 2 skipped`);

    const overwrite = await ws.pb(['import', csv, '--overwrite', '--resubscribe']);
    expect(overwrite.stdout).toMatch(/^updated ada@example.org \(sub_\w+\) topics: llm$/m);
    expect(overwrite.stdout).toMatch(/^unchanged grace@example.org \(sub_\w+\): same settings$/m);
    expect(overwrite.stdout).toMatch(/^resubscribed bob@example.org \(sub_\w+\) topics: rl$/m);
    expect(overwrite.stdout).toMatch(/: 0 added, 1 updated, 1 resubscribed, 2 skipped\n$/);
  });

  it('a bad import names its lines, exits 4 (3 for a missing file), and imports nothing', async () => {
    const ws = workspace();
    await ws.store().add({ email: 'ada@example.org', topics: ['graphs'] });
    const before = ws.read();
    const csv = ws.write(
      'bad.csv',
      'email,name,topics\ngrace@example.org,Grace,llm\nbob@,Bob,llm\nalan@example.org,Alan,grpahs\n',
    );
    const [bad, missing] = await Promise.all([
      ws.pb(['import', csv]),
      ws.pb(['import', join(ws.dir, 'nope.csv')]),
    ]);
    expect(bad.code).toBe(4);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toBe(
      `paperboy: ${csv}: 2 problems:\n  ${csv}:3: email: invalid email address "bob@"\n  ${csv}:4: topics: unknown topic "grpahs" (did you mean "graphs"?)\nhint: known topics: ${TOPIC_IDS.join(', ')}\n`,
    );
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/nope.csv: file not found/);
    expect(ws.read()).toBe(before);
  });

  it('JSON and CSV exports import back into another file as the same list', async () => {
    const ws = workspace();
    ws.write('subscribers.json', EXAMPLE);
    const [json, csv] = await Promise.all([
      ws.pb(['export']),
      ws.pb(['export', '--format', 'csv']),
    ]);
    expect(json).toMatchObject({ code: 0, stderr: '' });
    expect(csv).toMatchObject({ code: 0, stderr: '' });
    const jsonFile = ws.write('export.json', json.stdout);

    const [fromJson, fromCsv] = await Promise.all([
      ws.pb(['import', jsonFile, '--subscribers', 'from-json.json']),
      ws.pb(['import', '-', '--subscribers', 'from-csv.json'], csv.stdout),
    ]);
    expect(fromJson.stdout).toMatch(
      /export.json: 7 added, 0 updated, 0 resubscribed, 0 skipped\n$/,
    );
    expect(fromJson.stdout).toMatch(
      /^added barbara@example.org \(sub_\w+\) as unsubscribed \(a suppression: never mailed\)$/m,
    );
    expect(fromCsv.stdout).toMatch(/stdin: 7 added/);

    // The same people, settings and statuses; their own ids and timestamps.
    const original = await ws.store().list();
    const settings = (list: Subscriber[]) =>
      list.map(({ id: _id, subscribedAt: _s, updatedAt: _u, unsubscribedAt: _x, ...rest }) => rest);
    for (const copy of ['from-json.json', 'from-csv.json']) {
      const store = createJsonStore({ path: join(ws.dir, copy), topicIds: TOPIC_IDS });
      expect(settings(await store.list())).toEqual(settings(original));
    }
  });
});

describe('a broken subscriber file', () => {
  it('fails every command with exit 6, naming the line, and is left byte for byte', async () => {
    const ws = workspace();
    const text = `{
  "subscribers": [
    {
      "id": "sub_0000000000000001",
      "email": "ada@example.org",
      "topics": ["graphs"],
      "status": "actve",
      "subscribedAt": "2025-10-01T08:00:00.000Z",
      "updatedAt": "2025-10-01T08:00:00.000Z"
    }
  ]
}
`;
    ws.write('subscribers.json', text);
    const malformed = '{ "subscribers": [\n  { "email": "ada@example.org" ]\n}\n';
    const malformedFile = ws.write('malformed.json', malformed);
    const results = await Promise.all([
      ws.pb(['add', 'grace@example.org', '--topics', 'llm']),
      ws.pb(['remove', 'ada@example.org', '--purge']),
      ws.pb(['import', ws.write('people.csv', 'email,topics\ngrace@example.org,llm\n')]),
      ws.pb(['add', 'grace@example.org', '--topics', 'llm', '--subscribers', 'malformed.json']),
    ]);
    for (const result of results.slice(0, 3)) {
      expect(result).toMatchObject({
        code: 6,
        stdout: '',
        stderr:
          'paperboy: subscribers.json:7: subscribers[0].status: "actve" is not one of active, unsubscribed or bounced; did you mean "active"?\nhint: fix subscribers.json by hand and run the command again; paperboy left the file as it was\n',
      });
    }
    expect(results[3]?.code).toBe(6);
    expect(results[3]?.stderr).toMatch(
      /^paperboy: malformed.json:2:32: malformed JSON: expected ','\nhint: fix malformed.json by hand/,
    );
    expect(ws.read()).toBe(text);
    expect(readFileSync(malformedFile, 'utf8')).toBe(malformed);
  });
});
