import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { afterAll, describe, expect, it } from 'vitest';
import { PaperboyError } from '../../src/errors.js';
import { createJsonStore } from '../../src/stores/json-store.js';
import { readSubscriberFile, serializeSubscriberFile } from '../../src/stores/subscriber-file.js';
import { hashEmail } from '../../src/subscribers/email.js';
import { defaultTopics } from '../../src/topics/default-taxonomy.js';
import { ROOT } from '../cli/run-cli.js';
import { describeStoreContract } from './contract.js';

const TOPIC_IDS = defaultTopics.map((topic) => topic.id);
const root = mkdtempSync(join(tmpdir(), 'paperboy-json-store-'));
let counter = 0;
const freshPath = (name = 'subscribers.json') => join(root, `case-${++counter}`, name);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describeStoreContract('json file', async ({ now }) => {
  const path = freshPath();
  return {
    store: createJsonStore({ path, topicIds: TOPIC_IDS, now }),
    cleanup: async () => rmSync(path, { force: true }),
  };
});

async function caught(promise: Promise<unknown>): Promise<PaperboyError> {
  const error = await promise.then(
    () => new Error('expected the call to fail'),
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(PaperboyError);
  return error as PaperboyError;
}

/** The 1-based line of the first occurrence of `needle`. */
function lineOf(text: string, needle: string): number {
  const index = text.indexOf(needle);
  expect(index, `${needle} in the file`).toBeGreaterThanOrEqual(0);
  return text.slice(0, index).split('\n').length;
}

describe('the subscriber file', () => {
  it('a missing file is an empty list; reads do not create it; the first write creates folders', async () => {
    const path = join(root, 'nested', 'deeper', 'subscribers.json');
    const store = createJsonStore({ path, topicIds: TOPIC_IDS });
    expect(await store.list()).toEqual([]);
    expect(await store.isSuppressed('ada@example.org')).toBe(false);
    expect(existsSync(join(root, 'nested'))).toBe(false);
    await store.add({ email: 'ada@example.org', topics: ['graphs'] });
    expect(JSON.parse(readFileSync(path, 'utf8')).subscribers).toHaveLength(1);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('a blank file is an empty list', async () => {
    const path = freshPath();
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, '\n  \n');
    expect(await createJsonStore({ path, topicIds: TOPIC_IDS }).list()).toEqual([]);
  });

  it('is written sorted by email, keys in a fixed order, defaults left out, 2-space JSON', async () => {
    const path = freshPath();
    const now = () => new Date('2025-11-03T08:00:00.000Z');
    const store = createJsonStore({ path, topicIds: TOPIC_IDS, now });
    const zoe = await store.add({
      email: 'zoe@example.org',
      topics: ['graphs'],
      keywords: { exclude: ['survey'] },
    });
    const ada = await store.add({
      email: 'Ada@example.org',
      name: 'Ada',
      topics: 'all',
      maxPapers: 3,
      frequency: 'weekly',
      weekday: 'monday',
    });
    await store.remove('zoe@example.org');
    expect(readFileSync(path, 'utf8')).toBe(`{
  "version": 1,
  "subscribers": [
    {
      "id": "${ada.id}",
      "email": "Ada@example.org",
      "name": "Ada",
      "topics": "all",
      "maxPapers": 3,
      "frequency": "weekly",
      "weekday": "monday",
      "status": "active",
      "subscribedAt": "2025-11-03T08:00:00.000Z",
      "updatedAt": "2025-11-03T08:00:00.000Z"
    },
    {
      "id": "${zoe.id}",
      "email": "zoe@example.org",
      "topics": ["graphs"],
      "keywords": { "exclude": ["survey"] },
      "frequency": "daily",
      "status": "unsubscribed",
      "subscribedAt": "2025-11-03T08:00:00.000Z",
      "updatedAt": "2025-11-03T08:00:00.000Z",
      "unsubscribedAt": "2025-11-03T08:00:00.000Z"
    }
  ],
  "suppressions": []
}
`);
  });

  it('is not rewritten when nothing changes', async () => {
    const path = freshPath();
    const store = createJsonStore({ path, topicIds: TOPIC_IDS });
    await store.add({ email: 'ada@example.org', topics: ['graphs'] });
    const before = statSync(path);
    await store.update('ada@example.org', { topics: ['graphs'] });
    await store.remove('nobody@example.org').catch(() => undefined);
    await store.import([{ email: 'ada@example.org', topics: ['graphs'] }]);
    expect(statSync(path).mtimeMs).toBe(before.mtimeMs);
    expect(statSync(path).ino).toBe(before.ino);
  });

  it('keeps hand edits readable: an unsorted, sparse file is read, and sorted by the next write', async () => {
    const path = freshPath();
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(
      path,
      JSON.stringify({
        subscribers: [
          {
            id: 'sub_00000000000000b2',
            email: 'bob@example.org',
            topics: ['llm'],
            status: 'active',
            subscribedAt: '2025-01-01T00:00:00+01:00',
            updatedAt: '2025-01-01T00:00:00Z',
          },
          {
            id: 'sub_00000000000000a1',
            email: 'ada@example.org',
            name: null,
            topics: 'all',
            frequency: 'daily',
            status: 'active',
            subscribedAt: '2025-01-01T00:00:00Z',
            updatedAt: '2025-01-01T00:00:00Z',
          },
        ],
      }),
    );
    const store = createJsonStore({ path, topicIds: TOPIC_IDS });
    expect((await store.list()).map((item) => item.email)).toEqual([
      'ada@example.org',
      'bob@example.org',
    ]);
    await store.add({ email: 'carl@example.org', topics: ['rl'] });
    const text = readFileSync(path, 'utf8');
    expect(text.indexOf('ada@')).toBeLessThan(text.indexOf('bob@'));
    expect(text).not.toContain('"name": null');
    expect(serializeSubscriberFile(readSubscriberFile(text, 'f', TOPIC_IDS))).toBe(text);
  });
});

describe('subscribers.example.json', () => {
  const examplePath = join(ROOT, 'subscribers.example.json');
  const text = readFileSync(examplePath, 'utf8');

  it('is valid and in the exact layout paperboy writes', () => {
    const data = readSubscriberFile(text, 'subscribers.example.json', TOPIC_IDS);
    expect(serializeSubscriberFile(data)).toBe(text);
  });

  it('shows every option', () => {
    const { subscribers, suppressions } = readSubscriberFile(text, 'example', TOPIC_IDS);
    expect(subscribers.length).toBeGreaterThanOrEqual(5);
    expect(subscribers.length).toBeLessThanOrEqual(8);
    expect(subscribers.some((s) => s.name !== null)).toBe(true);
    expect(subscribers.some((s) => s.name === null)).toBe(true);
    expect(subscribers.some((s) => s.topics === 'all')).toBe(true);
    expect(subscribers.some((s) => Array.isArray(s.topics) && s.topics.length > 1)).toBe(true);
    expect(subscribers.some((s) => s.keywords.include.length > 0)).toBe(true);
    expect(subscribers.some((s) => s.keywords.exclude.length > 0)).toBe(true);
    expect(subscribers.some((s) => s.maxPapers !== null)).toBe(true);
    expect(subscribers.some((s) => s.frequency === 'weekly' && s.weekday !== null)).toBe(true);
    expect(subscribers.some((s) => s.status === 'unsubscribed' && s.unsubscribedAt)).toBe(true);
    expect(subscribers.some((s) => s.status === 'bounced')).toBe(true);
    expect(subscribers.some((s) => s.email !== s.email.toLowerCase())).toBe(true);
    expect(suppressions).toHaveLength(1);
    expect(suppressions[0]?.emailSha256).toBe(hashEmail('purged@example.com'));
  });

  it('works as a store', async () => {
    const path = freshPath();
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
    const store = createJsonStore({ path, topicIds: TOPIC_IDS });
    // With a suppression in the file, a scan reads it twice (the second time hashing addresses):
    // everyone once, in the list's order.
    const scanned: string[] = [];
    await store.scan((subscriber) => scanned.push(subscriber.id));
    expect(scanned).toEqual((await store.list()).map((subscriber) => subscriber.id));
    expect(await store.isSuppressed('Purged@Example.com')).toBe(true);
    expect(await store.isSuppressed('barbara@example.org')).toBe(true);
    expect((await store.get('alan.turing@example.org'))?.topics).toBe('all');
    expect((await store.list({ topic: 'graphs', status: 'active' })).map((s) => s.email)).toEqual([
      'ada@example.org',
      'Alan.Turing@Example.org',
      'radia@example.com',
    ]);
  });
});

/** A valid record, with `fields` replacing or adding to it (undefined removes a field). */
function record(fields: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    id: `sub_${String(++counter).padStart(16, '0')}`,
    email: `reader${counter}@example.org`,
    topics: ['graphs'],
    frequency: 'daily',
    status: 'active',
    subscribedAt: '2025-10-01T08:00:00.000Z',
    updatedAt: '2025-10-01T08:00:00.000Z',
    ...fields,
  };
  return Object.fromEntries(Object.entries(base).filter(([, value]) => value !== undefined));
}

const file = (...subscribers: unknown[]) => `${JSON.stringify({ subscribers }, null, 2)}\n`;

interface BadFile {
  name: string;
  text: string;
  /** Each must appear in the message; `@needle` is replaced by the line of `needle`. */
  expected: (text: string) => string[];
  hint?: RegExp;
}

const BAD_FILES: BadFile[] = [
  {
    name: 'malformed JSON (line and column)',
    text: '{\n  "subscribers": [\n    { "email": "ada@example.org", }\n  ]\n}\n',
    expected: () => ['subscribers.json:3:35: malformed JSON: expected a property name'],
  },
  {
    name: 'a bad email address',
    text: file(record(), record({ email: 'ada@example' })),
    expected: (text) => [
      `subscribers.json:${lineOf(text, '"ada@example"')}: subscribers[1].email: invalid email address "ada@example"`,
    ],
  },
  {
    name: 'an unknown topic id, with the closest suggested',
    text: file(record({ topics: ['llm', 'grpahs'] })),
    expected: (text) => [
      `subscribers.json:${lineOf(text, '"grpahs"')}: subscribers[0].topics[1]: unknown topic "grpahs" (did you mean "graphs"?)`,
    ],
    hint: /define them in the config/,
  },
  {
    name: 'duplicate emails (ignoring case and spaces), naming both entries',
    text: file(
      record({ email: 'ada@example.org' }),
      record(),
      record({ email: ' ADA@Example.org' }),
    ),
    expected: (text) => [
      `subscribers.json:${lineOf(text, '" ADA@Example.org"')}: subscribers[2].email: "ADA@Example.org" is already in subscribers[0] (line 3) as "ada@example.org"`,
    ],
  },
  {
    name: 'an unknown field, with the closest known field suggested',
    text: file(record({ nmae: 'Ada' })),
    expected: (text) => [
      `subscribers.json:${lineOf(text, '"nmae"')}: subscribers[0].nmae: unknown field "nmae" (did you mean "name"?)`,
    ],
  },
  {
    name: 'an unknown top-level field',
    text: '{ "subscriber": [] }\n',
    expected: () => [
      'subscribers.json:1: subscriber: unknown field "subscriber" (did you mean "subscribers"?)',
    ],
  },
  {
    name: 'an unknown status',
    text: file(record({ status: 'actve' })),
    expected: (text) => [
      `subscribers.json:${lineOf(text, '"actve"')}: subscribers[0].status: "actve" is not one of active, unsubscribed or bounced; did you mean "active"?`,
    ],
  },
  {
    name: 'weekly without a weekday',
    text: file(record({ frequency: 'weekly' })),
    expected: (text) => [
      `subscribers.json:${lineOf(text, '"weekly"')}: subscribers[0].frequency: weekly needs a weekday ("weekday": one of monday,`,
    ],
  },
  {
    name: 'a weekday that is not one',
    text: file(record({ frequency: 'weekly', weekday: 'munday' })),
    expected: (text) => [
      `subscribers.json:${lineOf(text, '"munday"')}: subscribers[0].weekday: "munday" is not one of monday,`,
      'did you mean "monday"?',
    ],
  },
  {
    name: 'bad timestamps',
    text: file(
      record({ updatedAt: '2025-02-30T08:00:00Z' }),
      record({ subscribedAt: 'yesterday' }),
    ),
    expected: (text) => [
      'subscribers.json: 2 problems:',
      `subscribers.json:${lineOf(text, '"2025-02-30T08:00:00Z"')}: subscribers[0].updatedAt: "2025-02-30T08:00:00Z" is not an ISO 8601 timestamp`,
      `subscribers.json:${lineOf(text, '"yesterday"')}: subscribers[1].subscribedAt: "yesterday" is not an ISO 8601 timestamp`,
    ],
  },
  {
    name: 'duplicate ids',
    text: file(record({ id: 'sub_aaaaaaaaaaaaaaaa' }), record({ id: 'sub_aaaaaaaaaaaaaaaa' })),
    expected: (text) => [
      `subscribers.json:${text.split('\n').findIndex((line, i) => i > 3 && line.includes('sub_aaaa')) + 1}: subscribers[1].id: id "sub_aaaaaaaaaaaaaaaa" is also the id of subscribers[0] (line 3)`,
    ],
  },
  {
    name: 'a missing required field',
    text: file(record({ id: undefined })),
    expected: () => ['subscribers.json:3: subscribers[0].id: missing; expected an id'],
  },
  {
    name: 'a purged address back on the list',
    text: JSON.stringify({
      subscribers: [record({ email: 'ada@example.org' })],
      suppressions: [
        {
          emailSha256: hashEmail('ada@example.org'),
          status: 'unsubscribed',
          suppressedAt: '2025-10-02T08:00:00.000Z',
        },
      ],
    }),
    expected: () => ['subscribers[0].email: "ada@example.org" was purged (suppressions[0]'],
  },
  {
    name: 'not an object',
    text: '[]\n',
    expected: () => ['subscribers.json:1: [] is not an object with "subscribers"'],
  },
  {
    name: 'several problems at once',
    text: file(record({ email: 'x' }), record({ topics: ['robots'], maxPapers: 0 })),
    expected: (text) => [
      'subscribers.json: 3 problems:',
      `subscribers.json:${lineOf(text, '"x"')}: subscribers[0].email`,
      `subscribers.json:${lineOf(text, '"robots"')}: subscribers[1].topics[0]: unknown topic "robots" (did you mean "robotics"?)`,
      `subscribers.json:${lineOf(text, '"maxPapers"')}: subscribers[1].maxPapers: 0 is not a whole number of papers from 1 to 100`,
    ],
  },
];

describe('a broken subscriber file', () => {
  it.each(BAD_FILES)(
    '$name: every command fails (exit 6) and the file is left byte for byte',
    async ({ text, expected, hint }) => {
      const path = freshPath();
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, text);
      const store = createJsonStore({ path, label: 'subscribers.json', topicIds: TOPIC_IDS });
      const listError = await caught(store.list());
      expect(listError.kind).toBe('store');
      for (const part of expected(text)) expect(listError.message).toContain(part);
      expect(listError.hint).toMatch(
        hint ?? /fix subscribers.json by hand.*left the file as it was/,
      );
      const addError = await caught(store.add({ email: 'new@example.org', topics: ['llm'] }));
      expect(addError.message).toBe(listError.message);
      // A scan (planning) fails the same way, wherever in the file the problem is.
      const scanError = await caught(store.scan(() => {}));
      expect(scanError.message).toBe(listError.message);
      await caught(store.remove('reader1@example.org', { purge: true }));
      await caught(store.import([{ email: 'new@example.org', topics: ['llm'] }]));
      expect(readFileSync(path, 'utf8')).toBe(text);
      expect(existsSync(`${path}.lock`)).toBe(false);
    },
  );
});

describe('locking', () => {
  it('a write waits for the lock, then gives up with a clear error; reads go on', async () => {
    const path = freshPath();
    const store = createJsonStore({ path, topicIds: TOPIC_IDS, lockWaitMs: 300 });
    await store.add({ email: 'ada@example.org', topics: ['graphs'] });
    const before = readFileSync(path, 'utf8');
    const release = await lockfile.lock(path, { realpath: false, lockfilePath: `${path}.lock` });
    try {
      const error = await caught(store.add({ email: 'grace@example.org', topics: ['llm'] }));
      expect(error.kind).toBe('store');
      expect(error.message).toMatch(
        /^could not lock .*subscribers\.json: another paperboy is writing it/,
      );
      expect(error.hint).toMatch(/taken over after 10 s/);
      expect((await store.list()).map((item) => item.email)).toEqual(['ada@example.org']);
    } finally {
      await release();
    }
    expect(readFileSync(path, 'utf8')).toBe(before);
    await store.add({ email: 'grace@example.org', topics: ['llm'] });
  });

  it("takes over a dead process's lock once it is stale", async () => {
    const path = freshPath();
    const store = createJsonStore({ path, topicIds: TOPIC_IDS, lockWaitMs: 300 });
    await store.add({ email: 'ada@example.org', topics: ['graphs'] });
    // What a killed paperboy leaves: the lock folder, no longer refreshed.
    mkdirSync(`${path}.lock`);
    const longAgo = new Date(Date.now() - 60_000);
    utimesSync(`${path}.lock`, longAgo, longAgo);
    await store.add({ email: 'grace@example.org', topics: ['llm'] });
    expect(await store.list()).toHaveLength(2);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });
});
