// `paperboy db migrate` and `paperboy subscribers` with DATABASE_URL, as a user runs them: the
// built binary against a real PostgreSQL (databases of this file's own). A list moves from the
// JSON file into PostgreSQL and back with nothing lost.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrate } from '../../src/db/migrate.js';
import { createTestDatabase } from '../pg/postgres-server.js';
import { ROOT, runCli } from './run-cli.js';

const EXAMPLE = readFileSync(join(ROOT, 'subscribers.example.json'), 'utf8');
const root = mkdtempSync(join(tmpdir(), 'paperboy-subscribers-pg-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;

/** A working directory with the example list as subscribers.json, and a migrated database. */
async function workspace() {
  const dir = join(root, `ws-${++counter}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'subscribers.json'), EXAMPLE);
  const url = await createTestDatabase(inject('pgServerUrl'), 'cli_subscribers');
  await migrate(url);
  return {
    dir,
    url,
    read: (name: string) => readFileSync(join(dir, name), 'utf8'),
    write: (name: string, text: string) => writeFileSync(join(dir, name), text),
    /** paperboy with DATABASE_URL set. */
    pg: (args: string[]) => runCli(args, { cwd: dir, env: { DATABASE_URL: url } }),
    /** paperboy without it: the JSON file. */
    file: (args: string[]) => runCli(args, { cwd: dir, env: { DATABASE_URL: undefined } }),
  };
}

describe('paperboy db migrate', () => {
  let url: string;
  beforeAll(async () => {
    url = await createTestDatabase(inject('pgServerUrl'), 'cli_migrate');
  });
  const pb = (args: string[]) => runCli(args, { env: { DATABASE_URL: url } });

  it('commands refuse a database never migrated and say what to do; migrate applies once', async () => {
    const before = await pb(['subscribers', 'list']);
    expect(before.code).toBe(6);
    expect(before.stdout).toBe('');
    expect(before.stderr).toMatch(
      /^paperboy: the database schema is behind: \d+ migration\(s\) not applied \(1764201600000_subscribers[^\n]*\)\nhint: run "paperboy db migrate" \(with the same DATABASE_URL\), then try again\n$/,
    );

    const first = await pb(['db', 'migrate']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(
      new RegExp(`^${url}: applied \\d+ migration\\(s\\): 1764201600000_subscribers`),
    );
    expect(first.stderr).toMatch(/^paperboy: applied 1764201600000_subscribers$/m);

    const second = await pb(['db', 'migrate']);
    expect(second).toEqual({ code: 0, stdout: `${url}: the schema is up to date\n`, stderr: '' });
    // The send queue's tables came with it: pg-boss's schema is there for the workers.
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      const queue = await db.query("SELECT to_regclass('pgboss.job') IS NOT NULL AS present");
      expect(queue.rows[0]?.present).toBe(true);
    } finally {
      await db.end();
    }

    const after = await pb(['subscribers', 'list']);
    expect(after.code).toBe(0);
    expect(after.stderr).toBe(`paperboy: no subscribers in ${url}\n`);
  });
});

describe('paperboy subscribers with DATABASE_URL', () => {
  it('moves a list into PostgreSQL and back with nothing lost: ids, timestamps, statuses, purged hashes', async () => {
    const ws = await workspace();
    const restored = await ws.pg(['subscribers', 'import', 'subscribers.json', '--restore']);
    expect(restored).toEqual({
      code: 0,
      stdout: `subscribers.json: restored 7 subscriber(s) (5 active, 1 unsubscribed, 1 bounced) and 1 hashed suppression(s) into ${ws.url}, with their ids and timestamps\n`,
      stderr: '',
    });
    const [fromDatabase, fromFile] = await Promise.all([
      ws.pg(['subscribers', 'list', '--json']),
      ws.file(['subscribers', 'list', '--json']),
    ]);
    expect(fromDatabase.code).toBe(0);
    expect(fromDatabase.stdout).toBe(fromFile.stdout);

    // Back: the export is the subscriber file itself, byte for byte.
    const exported = await ws.pg(['subscribers', 'export']);
    expect(exported).toEqual({ code: 0, stdout: EXAMPLE, stderr: '' });
    ws.write('export.json', exported.stdout);
    const back = await ws.file([
      'subscribers',
      'import',
      'export.json',
      '--restore',
      '--subscribers',
      'back.json',
    ]);
    expect(back.code).toBe(0);
    expect(ws.read('back.json')).toBe(EXAMPLE);
  });

  it('a purge in PostgreSQL travels back to the file: the address stays suppressed', async () => {
    const ws = await workspace();
    await ws.pg(['subscribers', 'import', 'subscribers.json', '--restore']);
    const purged = await ws.pg(['subscribers', 'remove', 'ada@example.org', '--purge']);
    expect(purged.stdout).toMatch(/^purged ada@example.org \(sub_9f2c1a7e5b03d861\)/);
    const exported = await ws.pg(['subscribers', 'export']);
    expect(JSON.parse(exported.stdout).suppressions).toHaveLength(2);
    ws.write('export.json', exported.stdout);
    await ws.file(['subscribers', 'import', 'export.json', '--restore', '--subscribers', 'b.json']);
    const refused = await ws.file([
      'subscribers',
      'add',
      'Ada@Example.org',
      '--topics',
      'llm',
      '--subscribers',
      'b.json',
    ]);
    expect(refused.code).toBe(7);
    expect(refused.stderr).toMatch(/^paperboy: Ada@Example.org was purged \(unsubscribed on /);
  });

  it('a plain import keeps unsubscribes and bounces as suppressions, and says the hashes stay out', async () => {
    const ws = await workspace();
    const imported = await ws.pg(['subscribers', 'import', 'subscribers.json']);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(
      /^added barbara@example.org \(sub_\w+\) as unsubscribed \(a suppression: never mailed\)$/m,
    );
    expect(imported.stdout).toMatch(/^added bounced@example.net \(sub_\w+\) as bounced/m);
    expect(imported.stdout).toMatch(/subscribers.json: 7 added, 0 updated, 0 resubscribed/);
    expect(imported.stderr).toBe(
      'paperboy: subscribers.json: 1 hashed suppression(s) (purged addresses) not imported; --restore moves a whole list, hashes included, into an empty one\n',
    );
    const refused = await ws.pg(['subscribers', 'add', 'barbara@example.org', '--topics', 'llm']);
    expect(refused.code).toBe(7);
    // Its own dates: an import is not a restore.
    expect(refused.stderr).toMatch(
      /^paperboy: barbara@example.org unsubscribed on \d{4}-\d\d-\d\d \(sub_\w+\); not re-activated\n/,
    );

    // --restore fills only an empty list.
    const again = await ws.pg(['subscribers', 'import', 'subscribers.json', '--restore']);
    expect(again.code).toBe(7);
    expect(again.stderr).toMatch(
      /is not empty \(7 subscriber\(s\), 0 purged address\(es\)\): --restore only fills an empty list\nhint: /,
    );
  });

  it('--subscribers FILE with DATABASE_URL is a config error; plan reads the database', async () => {
    const ws = await workspace();
    const both = await ws.pg(['subscribers', 'list', '--subscribers', 'subscribers.json']);
    expect(both.code).toBe(5);
    expect(both.stderr).toBe(
      `paperboy: --subscribers subscribers.json: DATABASE_URL is set, so the subscribers are in PostgreSQL (${ws.url}), not in a file\nhint: leave out --subscribers to use the database, or unset DATABASE_URL to use the file\n`,
    );

    await ws.pg(['subscribers', 'import', 'subscribers.json', '--restore']);
    await ws.pg(['subscribers', 'remove', 'grace@example.org']);
    const [database, file] = await Promise.all([
      ws.pg(['plan', join(ROOT, 'examples/hf-papers-2025-10-31.txt'), '--date', '2025-10-31']),
      ws.file(['plan', join(ROOT, 'examples/hf-papers-2025-10-31.txt'), '--date', '2025-10-31']),
    ]);
    expect(database.code).toBe(0);
    expect(file.code).toBe(0);
    // Grace unsubscribed in the database only.
    expect(database.stdout).toMatch(/^ {4}grace@example.org: unsubscribed on \d{4}-\d\d-\d\d$/m);
    expect(file.stdout).not.toMatch(/grace@example.org: unsubscribed/);
  });

  it('--restore takes only our subscriber file, only into an empty list, and not with --overwrite', async () => {
    const ws = await workspace();
    ws.write('people.csv', 'email,topics\nada@example.org,llm\n');
    const csv = await ws.pg(['subscribers', 'import', 'people.csv', '--restore']);
    expect(csv.code).toBe(4);
    expect(csv.stderr).toMatch(/^paperboy: people.csv: --restore reads a subscriber file/);
    const both = await ws.pg([
      'subscribers',
      'import',
      'subscribers.json',
      '--restore',
      '--overwrite',
    ]);
    expect(both.code).toBe(2);
    // The file store too: only into an empty list, and the file is left as it was.
    const intoFile = await ws.file(['subscribers', 'import', 'subscribers.json', '--restore']);
    expect(intoFile.code).toBe(7);
    expect(intoFile.stderr).toMatch(
      /^paperboy: subscribers.json is not empty \(7 subscriber\(s\), 1 purged address\(es\)\)/,
    );
    expect(ws.read('subscribers.json')).toBe(EXAMPLE);
    expect((await ws.pg(['subscribers', 'list', '--json'])).stdout).toBe(
      '{\n  "subscribers": []\n}\n',
    );
  });
});
