import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PaperboyError } from '../../src/errors.js';
import { loadIssues } from '../../src/sources/index.js';
import {
  fixture,
  type LocalServer,
  SEED_DATE,
  SEED_PATH,
  seedText,
  startLocalServer,
} from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'paperboy-load-'));
const file = (name: string, content: string | Buffer): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

async function rejection(promise: Promise<unknown>): Promise<PaperboyError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PaperboyError);
  return error as PaperboyError;
}

let server: LocalServer;
let base: string;
const requests: string[] = [];

beforeAll(async () => {
  server = await startLocalServer((req, res) => {
    requests.push(req.url ?? '');
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/seed.txt') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(seedText());
    } else if (url.pathname === '/page.html') {
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(fixture('hf-papers-page.sample.html'));
    } else if (url.pathname === '/api/daily_papers') {
      const date = url.searchParams.get('date');
      const body =
        date === '2026-03-06' && url.searchParams.get('p') === '0'
          ? fixture('hf-daily-papers.sample.json')
          : '[]';
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    } else {
      res.writeHead(404).end('not here');
    }
  });
  base = server.base;
});

afterAll(async () => {
  await server.close();
});

describe('loadIssues reads every kind of source', () => {
  it('a file', async () => {
    const [issue] = await loadIssues(SEED_PATH, { date: SEED_DATE });
    expect(issue?.papers).toHaveLength(79);
  });

  it('stdin, for the source -', async () => {
    const [issue] = await loadIssues('-', {
      date: SEED_DATE,
      stdin: Readable.from([Buffer.from(seedText())]),
    });
    expect(issue?.papers).toHaveLength(79);
  });

  it('an http URL, detected like a file', async () => {
    const [text] = await loadIssues(`${base}/seed.txt`, { date: SEED_DATE });
    expect(text?.papers).toHaveLength(79);
    const [html] = await loadIssues(`${base}/page.html`);
    expect(html?.papers.map((p) => p.id)).toEqual(['2602.23229', '2603.01234']);
  });

  it('hf:YYYY-MM-DD from the API at PAPERBOY_HF_BASE_URL', async () => {
    const issues = await loadIssues('hf:2026-03-06', { fetch: { baseUrl: base } });
    expect(issues.map((i) => [i.date, i.papers.length])).toEqual([['2026-03-06', 2]]);
    expect(requests).toContain('/api/daily_papers?date=2026-03-06&limit=100&p=0');
  });

  it('hf:latest asks for the last complete weekday', async () => {
    const now = new Date('2026-03-09T08:00:00Z'); // a Monday
    const issues = await loadIssues('hf:latest', { now, fetch: { baseUrl: base } });
    expect(issues.map((i) => [i.date, i.papers.length])).toEqual([['2026-03-06', 2]]);
  });

  it('a weekend from the API is an empty issue', async () => {
    const issues = await loadIssues('hf:2026-03-07', { fetch: { baseUrl: base } });
    expect(issues).toEqual([{ date: '2026-03-07', papers: [], warnings: [] }]);
  });
});

describe('bad sources get one clear error', () => {
  it.each([
    ['a missing file', () => join(dir, 'nope.txt'), 'unreadable', 'no such file'],
    ['a directory', () => dir, 'unreadable', 'is a directory'],
    ['an empty file', () => file('empty.txt', ''), 'invalidInput', 'empty input'],
    ['only whitespace', () => file('blank.txt', ' \n\n\t\n'), 'invalidInput', 'only whitespace'],
    [
      'a binary file',
      () => file('image.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13, 1, 2])),
      'invalidInput',
      'binary',
    ],
    [
      'malformed JSON',
      () => file('bad.json', '[{"paper": }]'),
      'invalidInput',
      'bad.json:1:12: malformed JSON',
    ],
    ['a bad hf: date', () => 'hf:yesterday', 'usage', 'expected hf:YYYY-MM-DD or hf:latest'],
    ['an unsupported scheme', () => 'ftp://example.org/x', 'usage', 'unsupported URL scheme'],
  ])('%s', async (_name, source, kind, message) => {
    const error = await rejection(loadIssues(source()));
    expect(error.kind).toBe(kind);
    expect(error.message).toContain(message);
  });

  it('a URL that answers 404', async () => {
    const error = await rejection(loadIssues(`${base}/missing`, { fetch: { attempts: 1 } }));
    expect(error.kind).toBe('unreadable');
    expect(error.message).toContain('HTTP 404');
  });
});
