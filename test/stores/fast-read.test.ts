// Reading a large subscriber file fast (the record validator's cache, the file read a piece at a
// time, the sort) must give exactly what the plain zod read gives: the same data, or the same error.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTextPieces } from '../../src/stores/locked-file.js';
import {
  readSubscriberFile,
  readSubscriberFileAt,
  sortSubscribers,
} from '../../src/stores/subscriber-file.js';
import {
  createFileSchema,
  createRecordSchema,
  createRecordValidator,
  VALIDATOR_RECENT_SETTINGS,
} from '../../src/stores/subscriber-schema.js';
import type { Subscriber } from '../../src/types.js';
import { TOPIC_IDS } from './read-valid.js';

const root = mkdtempSync(join(tmpdir(), 'paperboy-fast-read-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
function fileWith(text: string): string {
  const path = join(root, `case-${++counter}`, 'subscribers.json');
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

const BASE = {
  id: 'sub_0123456789abcdef',
  email: 'ada@example.org',
  name: 'Ada Lovelace',
  topics: ['graphs', 'llm'],
  keywords: { include: ['tool use'], exclude: ['survey'] },
  maxPapers: 5,
  frequency: 'weekly',
  weekday: 'monday',
  status: 'active',
  subscribedAt: '2025-09-01T08:00:00.000Z',
  updatedAt: '2025-10-01T08:00:00+02:00',
  unsubscribedAt: null,
};

const VALUES: unknown[] = [
  undefined,
  null,
  0,
  1,
  3.5,
  100,
  101,
  '',
  '  ',
  ' Ada ',
  'x',
  'all',
  'sub_0123',
  'sub_0123456789ABCDEF',
  ' grace@example.org ',
  'ada@example',
  'monday',
  'Monday',
  'daily',
  'unsubscribed',
  'bounced',
  '2025-10-31T08:00:00Z',
  '2025-02-30T08:00:00Z',
  '2025-10-31',
  [],
  [''],
  ['graphs', 'graphs'],
  ['grpahs'],
  [' graphs'],
  {},
  { include: [' tool   use '] },
  { include: [''] },
  { exclude: ['x'], other: [] },
  true,
];

/** The base record with `field` set to `value` (undefined: left out). */
function variant(field: string, value: unknown): Record<string, unknown> {
  const record: Record<string, unknown> = { ...BASE, [field]: value };
  if (value === undefined) delete record[field];
  return record;
}

const RECORDS: unknown[] = [
  BASE,
  { ...BASE, frequency: 'daily', weekday: null, status: 'unsubscribed' },
  null,
  [],
  'x',
  { ...BASE, nmae: 'x' },
  JSON.parse(JSON.stringify(BASE).replace('{', '{"__proto__": "x", ')),
  ...Object.keys(BASE).flatMap((field) => VALUES.map((value) => variant(field, value))),
];

describe('createRecordValidator', () => {
  it('gives what createRecordSchema gives, record by record, with one cache for all', () => {
    const schema = createRecordSchema(TOPIC_IDS);
    const validate = createRecordValidator(TOPIC_IDS);
    // Twice over, so that the second pass is answered from the cache.
    for (const record of [...RECORDS, ...RECORDS]) {
      const expected = schema.safeParse(record);
      expect(validate(record), JSON.stringify(record)).toEqual(
        expected.success ? expected.data : null,
      );
    }
  });

  it('stays right when it has seen more distinct settings than it remembers', () => {
    const schema = createRecordSchema(TOPIC_IDS);
    const validate = createRecordValidator(TOPIC_IDS);
    const records = Array.from({ length: VALIDATOR_RECENT_SETTINGS + 500 }, (_, i) => ({
      ...BASE,
      // Every 7th invalid (a cap over the limit), so forgotten verdicts of both kinds come back.
      keywords: { include: [`term ${i}`], exclude: [] },
      maxPapers: i % 7 === 0 ? 1000 : 5,
    }));
    // The first records are forgotten by the time the second pass reaches them.
    for (const record of [...records, ...records.slice(0, 600)]) {
      const expected = schema.safeParse(record);
      expect(validate(record)).toEqual(expected.success ? expected.data : null);
    }
  });

  it('tells apart numbers that JSON prints alike (1e999 is printed as null, -0 as 0)', () => {
    const validate = createRecordValidator(TOPIC_IDS);
    const parse = (maxPapers: string) =>
      JSON.parse(`{"id": "sub_0123456789abcdef", "email": "ada@example.org", "topics": "all",
        "status": "active", "subscribedAt": "${BASE.subscribedAt}",
        "updatedAt": "${BASE.updatedAt}", "maxPapers": ${maxPapers}}`);
    expect(validate(parse('null'))?.maxPapers).toBeNull();
    expect(validate(parse('1e999'))).toBeNull();
    expect(validate(parse('7'))?.maxPapers).toBe(7);
    expect(validate(parse('7.0'))?.maxPapers).toBe(7);
    expect(validate(parse('-0'))).toBeNull();
  });

  it('tells a missing setting from a null one', () => {
    const validate = createRecordValidator(TOPIC_IDS);
    expect(validate(variant('frequency', undefined))).toBeNull(); // weekday without weekly
    const daily = { ...variant('weekday', undefined), frequency: undefined };
    delete daily.frequency;
    expect(validate(daily)?.frequency).toBe('daily');
    expect(validate({ ...daily, frequency: null })).toBeNull();
  });

  it('gives every record lists of its own, though their settings were checked once', () => {
    const validate = createRecordValidator(TOPIC_IDS);
    const first = validate({ ...BASE }) as Subscriber;
    const second = validate({ ...BASE, id: 'sub_0123456789abcdee', email: 'b@example.org' });
    expect(second).toEqual({ ...first, id: 'sub_0123456789abcdee', email: 'b@example.org' });
    (first.topics as string[]).push('rl');
    first.keywords.include.push('x');
    expect(second?.topics).toEqual(['graphs', 'llm']);
    expect(second?.keywords.include).toEqual(['tool use']);
  });
});

/** A file of `count` subscribers in the layout paperboy writes, with names that are not ASCII. */
function bigFile(count: number, edit?: (record: Record<string, unknown>, index: number) => void) {
  const names = ['Zoë Núñez', 'Søren Müller', '日本 太郎', 'Ада 🦆', null];
  const subscribers = Array.from({ length: count }, (_, index) => {
    const record: Record<string, unknown> = {
      ...BASE,
      id: `sub_${index.toString(16).padStart(16, '0')}`,
      email: `reader${String(index).padStart(6, '0')}@example.org`,
      name: names[index % names.length],
      topics: index % 7 === 0 ? 'all' : ['graphs', 'llm', 'rl'].slice(index % 3),
      maxPapers: index % 11 === 0 ? null : 1 + (index % 20),
    };
    edit?.(record, index);
    return record;
  });
  return `${JSON.stringify({ version: 1, subscribers, suppressions: [] }, null, 2)}\n`;
}

async function outcome<T>(read: () => T | Promise<T>) {
  try {
    return { data: await read() };
  } catch (error) {
    return { error: (error as Error).message, hint: (error as { hint?: string }).hint };
  }
}

describe('readSubscriberFileAt (the file read a piece at a time)', () => {
  it('reads what readSubscriberFile and the zod schema read', async () => {
    const text = bigFile(3000);
    expect(text.length).toBeGreaterThan(3 * 65536);
    const expected = createFileSchema(TOPIC_IDS).parse(JSON.parse(text));
    const path = fileWith(text);
    expect(await readSubscriberFileAt(path, 'f', TOPIC_IDS)).toEqual({
      subscribers: expected.subscribers,
      suppressions: expected.suppressions,
    });
    expect(readSubscriberFile(text, 'f', TOPIC_IDS)).toEqual(
      await readSubscriberFileAt(path, 'f', TOPIC_IDS),
    );
  });

  it.each([
    [
      'a bad topic near the end',
      (r: Record<string, unknown>, i: number) => {
        if (i === 2990) r.topics = ['grpahs'];
      },
    ],
    [
      'a duplicate address',
      (r: Record<string, unknown>, i: number) => {
        if (i === 2500) r.email = 'READER000010@example.org';
      },
    ],
    [
      'two problems far apart',
      (r: Record<string, unknown>, i: number) => {
        if (i === 1) r.status = 'actve';
        if (i === 2999) r.frequency = 'weekly';
        if (i === 2999) r.weekday = undefined;
      },
    ],
  ])('fails as readSubscriberFile does: %s', async (_name, edit) => {
    const text = bigFile(3000, edit);
    const path = fileWith(text);
    const expected = await outcome(() => readSubscriberFile(text, 'subscribers.json', TOPIC_IDS));
    expect(expected.error).toMatch(/subscribers\.json:\d+: subscribers\[/);
    expect(await outcome(() => readSubscriberFileAt(path, 'subscribers.json', TOPIC_IDS))).toEqual(
      expected,
    );
  });

  it('reads a missing file as an empty list, and a blank one', async () => {
    const empty = { subscribers: [], suppressions: [] };
    expect(await readSubscriberFileAt(join(root, 'nope.json'), 'f', TOPIC_IDS)).toEqual(empty);
    expect(await readSubscriberFileAt(fileWith(' \n'), 'f', TOPIC_IDS)).toEqual(empty);
  });
});

describe('readTextPieces', () => {
  it('decodes a character cut between two pieces whole', async () => {
    const text = 'aé日🦆'.repeat(50);
    const path = fileWith(text);
    for (const size of [1, 2, 3, 5, 7]) {
      const pieces: string[] = [];
      const read = await readTextPieces(path, 'f', (piece) => pieces.push(piece) > 0, size);
      expect(read).toBe(true);
      expect(pieces.join('')).toBe(text);
    }
  });

  it('stops when told, and says when there is no file', async () => {
    const path = fileWith('x'.repeat(100));
    let calls = 0;
    expect(await readTextPieces(path, 'f', () => ++calls < 3, 10)).toBe(false);
    expect(calls).toBe(3);
    expect(await readTextPieces(join(root, 'nope.txt'), 'f', () => true)).toBeNull();
  });
});

describe('sortSubscribers', () => {
  const compare = (a: Subscriber, b: Subscriber) => {
    const key = (s: Subscriber) => s.email.trim().normalize('NFC').toLowerCase();
    const text = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
    return text(key(a), key(b)) || text(a.email, b.email) || text(a.id, b.id);
  };
  const people = ['b@x.org', 'A@x.org', 'a@x.org', 'c@x.org', 'B@x.org', 'a@x.org'].map(
    (email, index) => ({ ...(BASE as unknown as Subscriber), email, id: `sub_0000000${index}` }),
  );

  it('sorts by address ignoring case, then as written, then by id', () => {
    const random = [3, 0, 5, 1, 4, 2].map((index) => people[index] as Subscriber);
    const sorted = [...people].sort(compare);
    expect(sortSubscribers(random)).toEqual(sorted);
    expect(sortSubscribers(sorted)).toEqual(sorted);
    expect(sortSubscribers([...sorted].reverse())).toEqual(sorted);
  });

  it('gives a new list, in order, without changing the one given', () => {
    const sorted = [...people].sort(compare);
    const result = sortSubscribers(sorted);
    expect(result).not.toBe(sorted);
    expect(result).toEqual(sorted);
  });
});
