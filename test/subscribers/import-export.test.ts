import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PaperboyError } from '../../src/errors.js';
import { readSubscriberFile } from '../../src/stores/subscriber-file.js';
import { formatExport } from '../../src/subscribers/format-export.js';
import { parseImportFile } from '../../src/subscribers/parse-import.js';
import { defaultTopics } from '../../src/topics/default-taxonomy.js';
import type { Subscriber } from '../../src/types.js';
import { ROOT } from '../cli/run-cli.js';

const TOPIC_IDS = defaultTopics.map((topic) => topic.id);
const EXAMPLE = readFileSync(join(ROOT, 'subscribers.example.json'), 'utf8');

function importError(text: string, label = 'people.csv'): PaperboyError {
  try {
    parseImportFile(text, label, TOPIC_IDS);
  } catch (error) {
    expect(error).toBeInstanceOf(PaperboyError);
    return error as PaperboyError;
  }
  throw new Error('expected the import to be refused');
}

/** What an import keeps of a subscriber: its settings and status, not its id or timestamps. */
function settings(subscriber: Subscriber) {
  const { id: _id, subscribedAt: _s, updatedAt: _u, unsubscribedAt: _x, ...rest } = subscriber;
  return rest;
}

describe('CSV import', () => {
  it('reads the header row email,name,topics with topics split on ; spaces or commas', () => {
    const parsed = parseImportFile(
      [
        'email,name,topics',
        'ada@example.org,Ada Lovelace,graphs;time-series',
        'grace@example.org,,"llm, agents"',
        '',
        ' alan@example.org , Alan , all ',
        'katherine@example.org,"Johnson, Katherine",detection vision',
      ].join('\r\n'),
      'people.csv',
      TOPIC_IDS,
    );
    expect(parsed.format).toBe('csv');
    expect(parsed.entries.map(({ email, name, topics }) => ({ email, name, topics }))).toEqual([
      { email: 'ada@example.org', name: 'Ada Lovelace', topics: ['graphs', 'time-series'] },
      { email: 'grace@example.org', name: null, topics: ['llm', 'agents'] },
      { email: 'alan@example.org', name: 'Alan', topics: 'all' },
      {
        email: 'katherine@example.org',
        name: 'Johnson, Katherine',
        topics: ['detection', 'vision'],
      },
    ]);
    expect(parsed.entries[0]).toMatchObject({
      keywords: { include: [], exclude: [] },
      maxPapers: null,
      frequency: 'daily',
      weekday: null,
      status: 'active',
    });
  });

  it('reads the optional columns in the flags syntax, whatever their case or spelling', () => {
    const parsed = parseImportFile(
      '\uFEFFEmail,Topics,Keywords,Frequency,Max Papers,status\nada@example.org,graphs,"gnn, -survey",weekly:mon,5,bounced\n',
      'people.csv',
      TOPIC_IDS,
    );
    expect(parsed.entries).toEqual([
      {
        email: 'ada@example.org',
        name: null,
        topics: ['graphs'],
        keywords: { include: ['gnn'], exclude: ['survey'] },
        maxPapers: 5,
        frequency: 'weekly',
        weekday: 'monday',
        status: 'bounced',
      },
    ]);
  });

  it('names the line of every bad row, and imports nothing', () => {
    const error = importError(
      [
        'email,name,topics,frequency',
        'ada@example.org,Ada,graphs,daily',
        'grace@,Grace,llm,daily',
        '"alan@example.org","Alan',
        'Turing",grpahs,daily',
        'bob@example.org,,llm,weekly',
        'ADA@example.org,,llm,daily',
        'carl@example.org,,,daily',
      ].join('\n'),
    );
    expect(error.kind).toBe('invalidInput');
    expect(error.message).toBe(
      [
        'people.csv: 5 problems:',
        '  people.csv:3: email: invalid email address "grace@"',
        '  people.csv:4: topics: unknown topic "grpahs" (did you mean "graphs"?)',
        '  people.csv:6: frequency: weekly needs a weekday, e.g. weekly:monday',
        '  people.csv:7: email: "ADA@example.org" duplicates line 2 (addresses are compared ignoring case)',
        '  people.csv:8: topics: expected at least one topic id, or "all"',
      ].join('\n'),
    );
    expect(error.hint).toMatch(/known topics: /);
  });

  it('an unknown topic alone is a config problem (exit 5): the topic may be in a config', () => {
    const error = importError('email,topics\nada@example.org,quantum\n');
    expect(error.kind).toBe('config');
    expect(error.message).toBe('people.csv:2: topics: unknown topic "quantum"');
  });

  it.each([
    [
      'an unknown column',
      'email,nmae,topics\n',
      /people.csv:1: unknown column "nmae" \(did you mean "name"\?\)/,
    ],
    ['no topics column', 'email,name\nada@example.org,Ada\n', /people.csv:1: no "topics" column/],
    ['a header-less file', 'ada@example.org,Ada,graphs\n', /unknown column "ada@example.org"/],
    [
      'a row of the wrong length',
      'email,topics\nada@example.org,llm,extra\n',
      /people.csv:2: malformed CSV: Invalid Record Length: expect 2, got 3/,
    ],
    [
      'an unclosed quote',
      'email,topics\n"ada@example.org,llm\n',
      /people.csv:\d: malformed CSV: Quote Not Closed/,
    ],
    ['an empty file', '  \n', /people.csv: empty file/],
  ])('refuses %s', (_name, text, message) => {
    const error = importError(text);
    expect(error.kind).toBe('invalidInput');
    expect(error.message).toMatch(message);
  });
});

describe('JSON import', () => {
  it('reads the subscriber file format, ignoring ids and timestamps, keeping statuses', () => {
    const parsed = parseImportFile(EXAMPLE, 'subscribers.example.json', TOPIC_IDS);
    const file = readSubscriberFile(EXAMPLE, 'example', TOPIC_IDS);
    expect(parsed.format).toBe('json');
    expect(parsed.entries).toEqual(file.subscribers.map(settings));
    expect(parsed.skippedSuppressions).toBe(1);
  });

  it('reads a bare list of entries', () => {
    const parsed = parseImportFile(
      '[{ "email": "ada@example.org", "topics": ["graphs"] }]',
      'people.json',
      TOPIC_IDS,
    );
    expect(parsed.entries.map((entry) => entry.email)).toEqual(['ada@example.org']);
  });

  it('names the line and JSON path of every problem', () => {
    const text = `{
  "subscribers": [
    { "email": "ada@example.org", "topics": ["graphs"] },
    { "email": "grace@example.org", "topics": ["llm"], "frequncy": "daily" },
    { "email": "Ada@Example.org", "topics": ["agents"] }
  ]
}`;
    const error = importError(text, 'people.json');
    expect(error.message).toBe(
      [
        'people.json: 2 problems:',
        '  people.json:4: subscribers[1].frequncy: unknown field "frequncy" (did you mean "frequency"?)',
        '  people.json:5: subscribers[2].email: "Ada@Example.org" duplicates subscribers[0] on line 3 (addresses are compared ignoring case)',
      ].join('\n'),
    );
  });

  it.each([
    ['malformed JSON', '{ "subscribers": [ }', /people.json:1:20: malformed JSON/],
    [
      'an unknown top-level field',
      '{ "subscribers": [], "suppresions": [] }',
      /unknown field "suppresions" \(did you mean "suppressions"\?\)/,
    ],
    ['another shape', '{ "people": [] }', /expected \{ "subscribers": \[...\] \}/],
  ])('refuses %s', (_name, text, message) => {
    expect(importError(text, 'people.json').message).toMatch(message);
  });
});

describe('export', () => {
  const subscribers = readSubscriberFile(EXAMPLE, 'example', TOPIC_IDS).subscribers;

  it('JSON is the subscriber file format without the suppressions, and imports back', () => {
    const json = formatExport(subscribers, 'json');
    expect(json).toBe(EXAMPLE.replace(/,\n {2}"suppressions": \[[\s\S]*\]\n\}\n$/, '\n}\n'));
    const back = parseImportFile(json, 'export.json', TOPIC_IDS);
    expect(back.entries).toEqual(subscribers.map(settings));
    expect(back.skippedSuppressions).toBe(0);
  });

  it('CSV has a header row and one row a subscriber, and imports back', () => {
    const csv = formatExport(subscribers, 'csv');
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'email,name,topics,keywords,frequency,maxPapers,status,id,subscribedAt,updatedAt,unsubscribedAt',
    );
    expect(lines).toHaveLength(subscribers.length + 1);
    expect(csv).toContain(
      'grace@example.org,Grace Hopper,llm agents,"retrieval-augmented generation, tool use, -survey",daily,5,active,',
    );
    // A cell a spreadsheet would run as a formula is escaped; import reads it back.
    expect(csv).toContain(",'-click-through rate,weekly:friday,");
    const back = parseImportFile(csv, 'export.csv', TOPIC_IDS);
    expect(back.entries).toEqual(subscribers.map(settings));
  });
});
