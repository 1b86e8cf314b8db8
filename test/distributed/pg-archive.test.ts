// The web archive with DATABASE_URL: pages written through the PostgreSQL writer are listed and
// served by the web app (real HTTP), the same pages the file archive would keep; a rewrite
// replaces a page; nothing personal is stored. And end to end: `paperboy send` (its in-process
// worker) writes the archive into the database, not into its data folder, and a `paperboy serve`
// started in another folder (another machine) serves it.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createArchiveWriter,
  listArchiveDates,
  readArchiveDay,
  readArchivedSegment,
} from '../../src/delivery/archive.js';
import { createPgArchiveReader, createPgArchiveWriter } from '../../src/distributed/pg-archive.js';
import type { Plan } from '../../src/plan/index.js';
import type { RenderedSegment } from '../../src/render/index.js';
import { createToken, parseKeyring } from '../../src/tokens/link-token.js';
import type { Issue } from '../../src/types.js';
import { ROOT, runCli } from '../cli/run-cli.js';
import { type SmtpSink, startSmtpSink } from '../delivery/smtp-sink.js';
import {
  BASE_URL,
  createSeedRenderer,
  loadSeedIssue,
  makeSubscriber,
  planFor,
} from '../render/seed-digest.js';
import { type ServeProcess, startServe } from '../serve/serve-workspace.js';
import { startWebServer, type WebServer } from '../web/web-server.js';
import { migratedDatabase, type TestDatabase } from './pg-fixture.js';

const keyring = parseKeyring('k2:new-secret-0123456789abcdef');
const readers = [
  makeSubscriber('ada', ['graphs'], { name: 'Ada Lovelace' }),
  makeSubscriber('grace', ['llm', 'agents'], { name: 'Grace Hopper' }),
  makeSubscriber('alan', ['llm', 'agents'], { name: 'Alan Turing' }),
];

let database: TestDatabase;
let issue: Issue;
let plan: Plan;
let rendered: RenderedSegment[];
let fileDataDir: string;
let web: WebServer;

const get = async (path: string) => {
  const response = await fetch(`${web.url}${path}`);
  return { status: response.status, headers: response.headers, body: await response.text() };
};

beforeAll(async () => {
  database = await migratedDatabase('pg_archive', 4);
  issue = await loadSeedIssue();
  plan = planFor(issue, readers);
  const seed = createSeedRenderer();
  rendered = await Promise.all(plan.segments.map((_, i) => seed.render(plan, issue, i)));
  const pg = createPgArchiveWriter(database.db, { baseUrl: BASE_URL });
  // The same segments through the file writer too: both archives must keep the same pages.
  fileDataDir = join(mkdtempSync(join(tmpdir(), 'paperboy-pg-archive-')), 'data');
  const file = createArchiveWriter({ dataDir: fileDataDir, baseUrl: BASE_URL });
  for (const [i, segment] of plan.segments.entries()) {
    await pg.write(plan.date, segment, rendered[i] as RenderedSegment);
    await file.write(plan.date, segment, rendered[i] as RenderedSegment);
  }
  await pg.flush();
  await file.flush();
  // An empty data folder: every page must come from the database.
  web = await startWebServer({ archive: createPgArchiveReader(database.db) });
});

afterAll(async () => {
  await web?.close();
  await database?.close();
});

describe('the archive in PostgreSQL', () => {
  it('keeps one row per segment with its subject, topics and papers, and nothing personal', async () => {
    expect(plan.segments).toHaveLength(2);
    const { rows } = await database.db.query<{
      segment_id: string;
      subject: string;
      papers: number;
      html: string;
    }>('SELECT * FROM archive_pages WHERE issue = $1 ORDER BY segment_id', [plan.date]);
    expect(rows.map((r) => r.segment_id)).toEqual(plan.segments.map((s) => s.id).sort());
    for (const row of rows) {
      expect(row.subject).toMatch(/Trending papers/);
      const i = plan.segments.findIndex((s) => s.id === row.segment_id);
      expect(row.papers).toBe(rendered[i]?.paperIds.length);
      const everything = JSON.stringify(row);
      expect(everything).not.toMatch(/pbslot/);
      for (const reader of readers) {
        for (const purpose of ['unsubscribe', 'preferences'] as const) {
          expect(everything).not.toContain(createToken(keyring, purpose, reader.id));
        }
        expect(everything).not.toContain(reader.id);
        expect(everything).not.toContain(reader.name as string);
        expect(everything).not.toContain(reader.email);
      }
      expect(row.html).not.toMatch(/\/unsubscribe\/|\/preferences\//);
      expect(row.html).toContain(`href="${BASE_URL}/issues/"`);
    }
  });

  it('reads back what the file archive keeps: the day, its segments and their pages', async () => {
    const reader = createPgArchiveReader(database.db);
    expect(await reader.listDates()).toEqual(await listArchiveDates(fileDataDir));
    expect(await reader.readDay(plan.date)).toEqual(await readArchiveDay(fileDataDir, plan.date));
    expect(await reader.readDay('2020-01-01')).toBeNull();
    expect(await reader.readSegment(plan.date, 'seg_nope')).toBeNull();
  });

  it('GET /issues/ and /issues/:date list what the database holds', async () => {
    const list = await get('/issues/');
    expect(list.status).toBe(200);
    expect(list.body).toContain(`href="/issues/${plan.date}"`);
    const day = await get(`/issues/${plan.date}`);
    expect(day.status).toBe(200);
    for (const segment of plan.segments) {
      expect(day.body).toContain(`href="/issues/${plan.date}?segment=${segment.id}"`);
    }
    expect(day.body).toContain('Graph');
    expect(day.body).toContain('Language models');
  });

  it('GET /issues/:date?segment= serves the page, the same as the file archive keeps', async () => {
    for (const segment of plan.segments) {
      const page = await get(`/issues/${plan.date}?segment=${segment.id}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      expect(page.headers.get('content-security-policy')).toBeTruthy();
      expect(page.body).toBe(await readArchivedSegment(fileDataDir, plan.date, segment.id));
    }
  });

  it('unknown dates and segments, and path tricks, are 404', async () => {
    for (const path of [
      '/issues/2020-01-01',
      `/issues/${plan.date}?segment=seg_nope`,
      `/issues/${plan.date}?segment=..%2F..%2Fsecret`,
      '/issues/..%2F..%2Fsecret',
      '/issues/not-a-date',
    ]) {
      expect((await get(path)).status, path).toBe(404);
    }
  });

  it('a rewrite (a rerun of the issue) replaces the page', async () => {
    const segment = plan.segments[0];
    if (!segment) throw new Error('no segment');
    const first = rendered[0] as RenderedSegment;
    const again: RenderedSegment = {
      ...first,
      subject: `${first.subject} (again)`,
      html: { ...first.html, parts: [...first.html.parts.slice(0, -1), '<p>rewritten</p>'] },
    };
    await createPgArchiveWriter(database.db, { baseUrl: BASE_URL }).write(
      plan.date,
      segment,
      again,
    );
    const { rows } = await database.db.query(
      'SELECT 1 FROM archive_pages WHERE issue = $1 AND segment_id = $2',
      [plan.date, segment.id],
    );
    expect(rows).toHaveLength(1);
    const page = await get(`/issues/${plan.date}?segment=${segment.id}`);
    expect(page.body).toContain('<p>rewritten</p>');
    expect((await get(`/issues/${plan.date}`)).body).toContain('(again)');
  });
});

describe('paperboy send and serve with DATABASE_URL', () => {
  let sink: SmtpSink;
  let e2e: TestDatabase;
  let serve: ServeProcess | undefined;
  afterAll(async () => {
    serve?.child.kill('SIGKILL');
    await serve?.exited;
    await sink?.close();
    await e2e?.close();
  });

  it('the worker writes the archive to the database; a serve elsewhere shows it', async () => {
    sink = await startSmtpSink();
    e2e = await migratedDatabase('pg_archive_cli', 4);
    const config = JSON.stringify({
      sender: { name: 'Trending Papers', address: 'papers@example.org', postalAddress: '548 Mkt' },
      baseUrl: 'https://papers.example.org',
      // Never due today: this serve only answers the pages.
      schedule: { cron: '0 59 23 31 12 *', timezone: 'UTC', source: 'hf:latest' },
    });
    const sender = mkdtempSync(join(tmpdir(), 'paperboy-pg-archive-worker-'));
    const web = mkdtempSync(join(tmpdir(), 'paperboy-pg-archive-serve-'));
    writeFileSync(join(sender, 'paperboy.config.json'), config);
    writeFileSync(join(web, 'paperboy.config.json'), config);
    const env = {
      DATABASE_URL: e2e.url,
      SMTP_URL: sink.url,
      PAPERBOY_SECRET: 'test-secret-0123456789abcdef',
    };
    const imported = await runCli(
      ['subscribers', 'import', join(ROOT, 'subscribers.example.json')],
      { cwd: sender, env },
    );
    expect(imported.code, imported.stderr).toBe(0);
    const source = join(ROOT, 'examples/hf-papers-2025-10-31.txt');
    const sent = await runCli(['send', source, '--date', '2025-10-31'], { cwd: sender, env });
    expect(sent.code, sent.stderr).toBe(0);
    expect(`${sent.stdout}${sent.stderr}`).not.toContain('archive.failed');

    const { rows } = await e2e.db.query<{ segment_id: string }>(
      'SELECT segment_id FROM archive_pages WHERE issue = $1',
      ['2025-10-31'],
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(existsSync(join(sender, 'data', 'archive'))).toBe(false);

    serve = startServe(web, env);
    const origin = await serve.origin();
    const list = await fetch(`${origin}/issues/`);
    expect(await list.text()).toContain('href="/issues/2025-10-31"');
    for (const { segment_id: id } of rows) {
      const page = await fetch(`${origin}/issues/2025-10-31?segment=${id}`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('https://papers.example.org/issues/');
      expect(html).not.toMatch(/\/unsubscribe\/|\/preferences\//);
    }
  });
});
