// The PostgreSQL store against a real server (test/global-setup.ts starts one), in a database of
// its own: the shared contract, then what only a shared database has: stores on two pools at
// once, the schema check at first use, closing, the change counter, the whole list, 100,000 rows.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Database, openDatabase } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { PaperboyError } from '../../src/errors.js';
import { createPostgresStore, type PostgresStore } from '../../src/stores/postgres-store.js';
import { readSubscriberFile, sortSubscribers } from '../../src/stores/subscriber-file.js';
import { hashEmail } from '../../src/subscribers/email.js';
import { defaultTopics } from '../../src/topics/default-taxonomy.js';
import type { Subscriber } from '../../src/types.js';
import { ROOT } from '../cli/run-cli.js';
import { createTestDatabase } from '../pg/postgres-server.js';
import { describeStoreContract } from './contract.js';

const TOPIC_IDS = defaultTopics.map((topic) => topic.id);
const EXAMPLE = readFileSync(join(ROOT, 'subscribers.example.json'), 'utf8');

let url: string;
/** The tests' own pool: seeds, inspects and empties the tables. */
let db: Database;

beforeAll(async () => {
  url = await createTestDatabase(inject('pgServerUrl'), 'pg_store');
  await migrate(url);
  db = await openDatabase(url, { name: 'paperboy-test' });
});
afterAll(async () => {
  await db?.end();
});

async function emptyTables(): Promise<void> {
  await db.query('TRUNCATE subscribers, purged_suppressions');
}

describeStoreContract('postgresql', async ({ now }) => {
  await emptyTables();
  return {
    store: createPostgresStore({ db, topicIds: TOPIC_IDS, now }),
    cleanup: async () => {},
  };
});

/** A store on a pool of its own, as another process would have; closed by `use`'s end. */
async function withStores(
  count: number,
  use: (stores: PostgresStore[]) => Promise<void>,
): Promise<void> {
  const stores = Array.from({ length: count }, () =>
    createPostgresStore({ url, topicIds: TOPIC_IDS }),
  );
  try {
    await use(stores);
  } finally {
    await Promise.all(stores.map((store) => store.close()));
  }
}

async function rejection(promise: Promise<unknown>): Promise<PaperboyError> {
  const error = await promise.then(
    () => new Error('expected the call to fail'),
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(PaperboyError);
  return error as PaperboyError;
}

describe('two stores on two pools at once', () => {
  it('adding the same new address: exactly one wins, the other is told it is taken', async () => {
    await emptyTables();
    await withStores(2, async ([a, b]) => {
      if (!a || !b) throw new Error('two stores');
      for (let round = 0; round < 10; round++) {
        const email = `reader${round}@example.org`;
        const outcomes = await Promise.allSettled([
          a.add({ email, topics: ['llm'] }),
          b.add({ email: email.toUpperCase(), topics: ['graphs'] }),
        ]);
        const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
        const lost = outcomes.flatMap((outcome) =>
          outcome.status === 'rejected' ? [outcome.reason as unknown] : [],
        );
        expect(won, `round ${round}`).toHaveLength(1);
        expect(lost[0]).toBeInstanceOf(PaperboyError);
        expect((lost[0] as PaperboyError).kind).toBe('conflict');
        expect((lost[0] as PaperboyError).message).toMatch(/is already subscribed \(sub_/);
      }
      expect(await a.list()).toHaveLength(10);
    });
  });

  it('function patches at once lose nothing: each sees the record as the last one left it', async () => {
    await emptyTables();
    await withStores(2, async (stores) => {
      const [a] = stores;
      await a?.add({ email: 'ada@example.org', topics: ['graphs'] });
      const phrases = stores.flatMap((_, which) =>
        Array.from({ length: 12 }, (_, index) => `phrase ${which}-${index}`),
      );
      await Promise.all(
        phrases.map((phrase, index) =>
          stores[index % stores.length]?.update('ada@example.org', (current) => ({
            keywords: { ...current.keywords, include: [...current.keywords.include, phrase] },
          })),
        ),
      );
      const ada = await a?.get('ada@example.org');
      expect(ada?.keywords.include).toHaveLength(phrases.length);
      expect([...(ada?.keywords.include ?? [])].sort()).toEqual([...phrases].sort());
    });
  });

  it('overlapping imports at once both succeed, and every address is added once', async () => {
    await emptyTables();
    await withStores(2, async ([a, b]) => {
      if (!a || !b) throw new Error('two stores');
      const entries = (from: number, to: number) =>
        Array.from({ length: to - from }, (_, index) => ({
          email: `reader${from + index}@example.org`,
          topics: ['llm'],
        }));
      const [first, second] = await Promise.all([
        a.import(entries(0, 30)),
        b.import(entries(15, 45)),
      ]);
      const list = await a.list();
      expect(list).toHaveLength(45);
      // Each shared address is added by one import and found by the other.
      for (let index = 15; index < 30; index++) {
        const outcomes = [first.results[index], second.results[index - 15]].map(
          (result) => result?.outcome,
        );
        expect(outcomes.sort()).toEqual(['added', 'unchanged']);
      }
    });
  });
});

describe('opening and closing', () => {
  it('is made without touching the database; the first call checks the schema, and says what to do', async () => {
    const fresh = await createTestDatabase(inject('pgServerUrl'), 'pg_behind');
    const store = createPostgresStore({ url: fresh, topicIds: TOPIC_IDS });
    try {
      const error = await rejection(store.list());
      expect(error.kind).toBe('store');
      expect(error.message).toMatch(
        /^the database schema is behind: \d+ migration\(s\) not applied \(1764201600000_subscribers/,
      );
      expect(error.hint).toMatch(/run "paperboy db migrate"/);
      // A failed opening is tried again: once migrated, the same store works.
      await migrate(fresh);
      expect(await store.list()).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('an unreachable server is a store error naming the database without its password', async () => {
    const store = createPostgresStore({
      url: 'postgres://me:secret@127.0.0.1:1/nothing',
      topicIds: TOPIC_IDS,
    });
    const error = await rejection(store.get('ada@example.org'));
    expect(error.kind).toBe('store');
    expect(error.message).toBe(
      'cannot use the database at postgres://me@127.0.0.1:1/nothing (ECONNREFUSED)',
    );
    await store.close();
  });

  it('close() ends the pool the store opened, and leaves one it was given alone', async () => {
    const connections = async () => {
      const { rows } = await db.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM pg_stat_activity
         WHERE datname = current_database() AND application_name = 'paperboy'`,
      );
      return rows[0]?.count ?? 0;
    };
    const store = createPostgresStore({ url, topicIds: TOPIC_IDS });
    // The stores of the tests above have closed; their server processes end a moment later.
    await expect.poll(connections, { timeout: 5000 }).toBe(0);
    await store.list();
    expect(await connections()).toBeGreaterThan(0);
    await store.close();
    await expect.poll(connections, { timeout: 5000 }).toBe(0);

    const given = createPostgresStore({ db, topicIds: TOPIC_IDS });
    await given.list();
    await given.close();
    expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });
});

describe('the change counter', () => {
  it('moves with a change made by hand, not with one rolled back', async () => {
    await emptyTables();
    const store = createPostgresStore({ db, topicIds: TOPIC_IDS });
    await store.add({ email: 'ada@example.org', topics: ['graphs'] });
    const before = await store.changeToken();
    const client = await db.connect();
    try {
      await client.query('BEGIN');
      await client.query(`UPDATE subscribers SET name = 'Ada'`);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    expect(await store.changeToken()).toBe(before);
    await db.query(`UPDATE subscribers SET name = 'Ada'`);
    expect(await store.changeToken()).not.toBe(before);
    expect((await store.get('ada@example.org'))?.name).toBe('Ada');
  });
});

describe('the whole list', () => {
  it('a restore keeps every record as it is and every hashed suppression', async () => {
    await emptyTables();
    const store = createPostgresStore({ db, topicIds: TOPIC_IDS });
    const example = readSubscriberFile(EXAMPLE, 'example', TOPIC_IDS);
    const gone = { emailSha256: hashEmail('gone@example.org'), status: 'bounced' as const };
    const data = {
      subscribers: example.subscribers,
      suppressions: [
        ...example.suppressions,
        { ...gone, suppressedAt: '2025-10-05T09:30:00.000Z' },
      ],
    };
    expect(await store.restoreWholeList(data)).toEqual({
      subscribers: example.subscribers.length,
      suppressions: 2,
    });
    expect(await store.readWholeList()).toEqual(data);
    expect(await store.list()).toEqual(example.subscribers);
    expect(await store.isSuppressed('Gone@Example.org')).toBe(true);
    const refused = await rejection(store.add({ email: 'gone@example.org', topics: ['llm'] }));
    expect(refused.message).toBe(
      'gone@example.org was purged (bounced on 2025-10-05); not re-activated',
    );
  });

  it('only into an empty list; a refused or invalid restore writes nothing', async () => {
    await emptyTables();
    const store = createPostgresStore({ db, topicIds: TOPIC_IDS });
    const example = readSubscriberFile(EXAMPLE, 'example', TOPIC_IDS);
    await store.add({ email: 'ada@example.org', topics: ['graphs'] });
    const notEmpty = await rejection(store.restoreWholeList(example));
    expect(notEmpty.kind).toBe('conflict');
    expect(notEmpty.message).toMatch(
      /is not empty \(1 subscriber\(s\), 0 purged address\(es\)\): --restore only fills an empty list$/,
    );
    expect((await store.list()).map((subscriber) => subscriber.email)).toEqual(['ada@example.org']);

    await emptyTables();
    const token = await store.changeToken();
    const invalid = await rejection(
      store.restoreWholeList({
        subscribers: example.subscribers.map((subscriber, index) =>
          index === 0 ? { ...subscriber, topics: ['grpahs'] } : subscriber,
        ),
        suppressions: [],
      }),
    );
    expect(invalid.message).toMatch(/subscribers\[0\]\.topics\[0\]: unknown topic "grpahs"/);
    expect(await store.list()).toEqual([]);
    expect(await store.changeToken()).toBe(token);
  });
});

describe('a list of 100,000', () => {
  it('list() reads it in one query, in the file store order, every field mapped', async () => {
    await emptyTables();
    // Seeded by SQL (the store's own writes are tested above): mixed case, every shape of row.
    await db.query(`
      INSERT INTO subscribers (id, email, email_key, name, all_topics, topics, keywords_include,
        keywords_exclude, max_papers, frequency, weekday, status, subscribed_at, updated_at,
        unsubscribed_at)
      SELECT 'sub_' || lpad(to_hex(i), 16, '0'),
        CASE WHEN i % 2 = 0 THEN 'Reader' ELSE 'reader' END || i || '@example.org',
        'reader' || i || '@example.org',
        CASE WHEN i % 3 = 0 THEN NULL ELSE 'Reader ' || i END,
        i % 10 = 0,
        CASE WHEN i % 10 = 0 THEN '{}'::text[] ELSE ARRAY['graphs', 'llm'] END,
        CASE WHEN i % 5 = 0 THEN ARRAY['tool use'] ELSE '{}'::text[] END,
        '{}', CASE WHEN i % 4 = 0 THEN 5 END,
        CASE WHEN i % 7 = 0 THEN 'weekly' ELSE 'daily' END,
        CASE WHEN i % 7 = 0 THEN 'monday' END,
        CASE WHEN i % 11 = 0 THEN 'unsubscribed' ELSE 'active' END,
        '2025-09-01T08:00:00Z', '2025-09-02T08:00:00Z',
        CASE WHEN i % 11 = 0 THEN '2025-10-01T08:00:00Z'::timestamptz END
      FROM generate_series(1, 100000) AS i`);
    const store = createPostgresStore({ db, topicIds: TOPIC_IDS });
    const started = performance.now();
    const list = await store.list();
    const elapsed = performance.now() - started;
    expect(list).toHaveLength(100_000);
    expect(sortSubscribers(list)).toEqual(list);
    expect(list.find((subscriber) => subscriber.id === 'sub_0000000000000046')).toEqual({
      id: 'sub_0000000000000046',
      email: 'Reader70@example.org',
      name: 'Reader 70',
      topics: 'all',
      keywords: { include: ['tool use'], exclude: [] },
      maxPapers: null,
      frequency: 'weekly',
      weekday: 'monday',
      status: 'active',
      subscribedAt: '2025-09-01T08:00:00.000Z',
      updatedAt: '2025-09-02T08:00:00.000Z',
      unsubscribedAt: null,
    });
    // About a second here; a query per row would take minutes.
    expect(elapsed).toBeLessThan(10_000);
    const graphs = await store.list({ topic: 'graphs', status: 'active' });
    expect(graphs.length).toBeGreaterThan(80_000);
    expect(graphs.every((subscriber) => subscriber.status === 'active')).toBe(true);
    // scan (planning): the same records, 5,000 a statement (20 full pages, then an empty one).
    const scanned: Subscriber[] = [];
    await store.scan((subscriber) => scanned.push(subscriber));
    expect(sortSubscribers(scanned)).toEqual(list);
  }, 60_000);

  it('scan reads page after page by id: every subscriber once, whatever the page size', async () => {
    for (const rows of [20, 21]) {
      await emptyTables();
      const store = createPostgresStore({ db, topicIds: TOPIC_IDS, scanPage: 7 });
      for (let n = 0; n < rows; n++) {
        await store.add({ email: `reader${n}@example.org`, topics: ['graphs'] });
      }
      const ids: string[] = [];
      await store.scan((subscriber) => ids.push(subscriber.id));
      expect(ids).toHaveLength(rows);
      expect(new Set(ids).size).toBe(rows);
      expect(ids).toEqual((await store.list()).map((subscriber) => subscriber.id).sort());
    }
  });
});
