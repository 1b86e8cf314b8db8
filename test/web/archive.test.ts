// The web archive: `send` (the delivery loop) keeps each rendered segment without anything
// personal, appended to the day's pages.pack with a line in pages.idx, and GET /issues/ serves it
// over real HTTP. The tests read the two files on their own, not through archive.ts's reader.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createArchiveWriter,
  readArchiveDay,
  readArchivedSegment,
} from '../../src/delivery/archive.js';
import { createMessageBuilder } from '../../src/delivery/build-message.js';
import { deliverIssue } from '../../src/delivery/deliver-issue.js';
import type { LedgerEntry } from '../../src/delivery/ledger.js';
import type { Plan, Segment } from '../../src/plan/index.js';
import type { RenderedSegment } from '../../src/render/index.js';
import { createToken, parseKeyring } from '../../src/tokens/link-token.js';
import type { Issue } from '../../src/types.js';
import {
  BASE_URL,
  createSeedRenderer,
  loadSeedIssue,
  makeSubscriber,
  planFor,
} from '../render/seed-digest.js';
import { startWebServer, type WebServer } from './web-server.js';

const keyring = parseKeyring('k2:new-secret-0123456789abcdef');
const readers = [
  makeSubscriber('ada', ['graphs'], { name: 'Ada Lovelace' }),
  makeSubscriber('grace', ['llm', 'agents'], { name: 'Grace Hopper' }),
  makeSubscriber('alan', ['llm', 'agents'], { name: 'Alan Turing' }),
];

async function send(plan: Plan, issue: Issue, dataDir: string, dryRun: boolean) {
  const seed = createSeedRenderer();
  const ledger: LedgerEntry[] = [];
  const sent: string[] = [];
  const archiveErrors: unknown[] = [];
  const report = await deliverIssue({
    plan,
    prior: new Map(),
    options: {
      concurrency: 2,
      retries: 0,
      backoffMs: 1,
      pauseFailureRate: 1,
      pauseMinAttempts: 1000,
      force: false,
    },
    renderSegment: (segment) =>
      seed.render(
        plan,
        issue,
        plan.segments.findIndex((s) => s.id === segment.id),
      ),
    archive: createArchiveWriter({ dataDir, baseUrl: BASE_URL }),
    onArchiveError: (error) => archiveErrors.push(error),
    buildMessage: createMessageBuilder({
      date: plan.date,
      sender: { name: 'Trending Papers', address: 'papers@example.org' },
      baseUrl: BASE_URL,
      keyring,
    }),
    transport: {
      kind: 'smtp',
      label: 'memory',
      async verify() {},
      async send(message) {
        sent.push(message.raw.toString('utf8'));
      },
      close() {},
    },
    checkRecipient: async ({ subscriberId: id }) => ({
      status: 'active',
      name: readers.find((r) => r.id === id)?.name ?? null,
    }),
    ledger: dryRun
      ? null
      : {
          append: (entry) => ledger.push(entry),
          commit() {},
          committed: async () => {},
          flush() {},
          close() {},
        },
    strike: async () => false,
    delivered: async () => {},
  });
  return { report, sent, archiveErrors };
}

/** A day's pages as the files have them: each pages.idx line (newline-ended) and its bytes. */
function packedPages(dir: string): Map<string, string>[] {
  const pack = readFileSync(join(dir, 'pages.pack'));
  const lines = readFileSync(join(dir, 'pages.idx'), 'latin1').split('\n');
  lines.pop();
  return lines.map((line) => {
    const [id, offset, length] = line.split(' ');
    const page = pack.subarray(Number(offset), Number(offset) + Number(length)).toString('utf8');
    return new Map([[id as string, page]]);
  });
}

/** The newest copy of each page. */
function latestPages(dir: string): Map<string, string> {
  return new Map(packedPages(dir).flatMap((entry) => [...entry]));
}

let issue: Issue;
let plan: Plan;
let dataDir: string;
let web: WebServer;

beforeAll(async () => {
  issue = await loadSeedIssue();
  plan = planFor(issue, readers);
  dataDir = join(mkdtempSync(join(tmpdir(), 'paperboy-archive-')), 'data');
  const { report, archiveErrors } = await send(plan, issue, dataDir, false);
  expect(report.sent).toBe(3);
  expect(archiveErrors).toEqual([]);
  web = await startWebServer({ dataDir });
});

afterAll(async () => {
  await web?.close();
});

describe('archive files', () => {
  it('keeps each segment once, with an index, and nothing personal', () => {
    expect(plan.segments).toHaveLength(2);
    const dir = join(dataDir, 'archive', plan.date);
    expect(readdirSync(dir).sort()).toEqual(['index.json', 'pages.idx', 'pages.pack']);
    // One page per segment, back to back: the pack holds nothing else.
    const entries = packedPages(dir);
    expect(entries.map((entry) => [...entry.keys()][0]).sort()).toEqual(
      plan.segments.map((s) => s.id).sort(),
    );
    const pages = latestPages(dir);
    expect(readFileSync(join(dir, 'pages.pack')).length).toBe(
      [...pages.values()].reduce((sum, page) => sum + Buffer.byteLength(page), 0),
    );
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
    expect(index.date).toBe(plan.date);
    expect(index.segments.map((s: { id: string }) => s.id).sort()).toEqual(
      plan.segments.map((s) => s.id).sort(),
    );
    for (const segment of index.segments) {
      expect(segment.subject).toMatch(/Trending papers/);
      expect(segment.papers).toBeGreaterThanOrEqual(0);
    }
    for (const segment of plan.segments) {
      const html = pages.get(segment.id) as string;
      expect(html).toMatch(/^<!doctype html>/i);
      expect(html).toMatch(/<\/html>\s*$/);
      expect(html).not.toMatch(/pbslot/);
      for (const reader of readers) {
        for (const purpose of ['unsubscribe', 'preferences'] as const) {
          expect(html).not.toContain(createToken(keyring, purpose, reader.id));
        }
        expect(html).not.toContain(reader.id);
        expect(html).not.toContain(reader.name as string);
      }
      expect(html).not.toMatch(/\/unsubscribe\/|\/preferences\//);
      expect(html).toContain(`href="${BASE_URL}/issues/"`);
      // The "View in browser" link (Handlebars writes `=` as `&#x3D;`).
      expect(html).toContain(`${BASE_URL}/issues/${plan.date}?segment&#x3D;${segment.id}`);
    }
  });

  it('a page that cannot be written is reported, and every reader still gets the issue', async () => {
    // A file where the archive folder should be: every page write fails, and each is tried and
    // reported (an earlier failure once made the next page be skipped).
    const broken = join(mkdtempSync(join(tmpdir(), 'paperboy-archive-')), 'data');
    mkdirSync(broken, { recursive: true });
    writeFileSync(join(broken, 'archive'), 'not a folder');
    const { report, archiveErrors } = await send(plan, issue, broken, false);
    expect(report.sent).toBe(3);
    expect(archiveErrors).toHaveLength(plan.segments.length);
    expect(String(archiveErrors[0])).toMatch(/ENOTDIR|EEXIST/);
    expect(readFileSync(join(broken, 'archive'), 'utf8')).toBe('not a folder');
  });

  it('a dry run archives nothing', async () => {
    const dryDir = join(mkdtempSync(join(tmpdir(), 'paperboy-archive-dry-')), 'data');
    await send(plan, issue, dryDir, true);
    expect(existsSync(join(dryDir, 'archive'))).toBe(false);
  });
});

describe('the pack across runs and crashes', () => {
  /** A rendered segment whose page is `html`, for writing pages of known content. */
  const pageOf = (html: string): RenderedSegment => ({
    ...({} as RenderedSegment),
    subject: 'Trending papers',
    paperIds: [],
    html: { parts: [html], slots: [] },
  });
  const segmentOf = (id: string) =>
    ({ ...plan.segments[0], id, settings: { topics: ['llm'] } }) as unknown as Segment;
  const freshDay = () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'paperboy-archive-pack-')), 'data');
    return { dataDir: dir, day: join(dir, 'archive', plan.date) };
  };

  it('a second send appends its pages, and the newest copy is the one served', async () => {
    const { dataDir: dir, day } = freshDay();
    const first = createArchiveWriter({ dataDir: dir, baseUrl: BASE_URL });
    await first.write(plan.date, segmentOf('seg_a'), pageOf('<p>a, first</p>'));
    await first.write(plan.date, segmentOf('seg_b'), pageOf('<p>b, only</p>'));
    await first.flush();
    const second = createArchiveWriter({ dataDir: dir, baseUrl: BASE_URL });
    await second.write(plan.date, segmentOf('seg_a'), pageOf('<p>a, second</p>'));
    await second.flush();

    expect(packedPages(day).map((entry) => [...entry])).toEqual([
      [['seg_a', '<p>a, first</p>']],
      [['seg_b', '<p>b, only</p>']],
      [['seg_a', '<p>a, second</p>']],
    ]);
    expect(await readArchivedSegment(dir, plan.date, 'seg_a')).toBe('<p>a, second</p>');
    expect(await readArchivedSegment(dir, plan.date, 'seg_b')).toBe('<p>b, only</p>');
    const listed = await readArchiveDay(dir, plan.date);
    expect(listed?.segments.map((s) => s.id)).toEqual(['seg_a', 'seg_b']);
    expect(listed?.segments[0]?.subject).toBe('Trending papers');
  });

  it('a page a crash tore is never served, and the next run appends readable pages', async () => {
    const { dataDir: dir, day } = freshDay();
    mkdirSync(day, { recursive: true });
    // seg_a whole; seg_b's bytes cut short and its line torn; seg_c's line past the pack's end.
    writeFileSync(join(day, 'pages.pack'), '<p>a</p><p>b, cut sh');
    writeFileSync(join(day, 'pages.idx'), 'seg_a 0 8\nseg_c 8 900\nseg_b 8 1');
    expect(await readArchivedSegment(dir, plan.date, 'seg_a')).toBe('<p>a</p>');
    expect(await readArchivedSegment(dir, plan.date, 'seg_b')).toBeNull();
    expect(await readArchivedSegment(dir, plan.date, 'seg_c')).toBeNull();
    expect((await readArchiveDay(dir, plan.date))?.segments.map((s) => s.id)).toEqual(['seg_a']);

    const next = createArchiveWriter({ dataDir: dir, baseUrl: BASE_URL });
    await next.write(plan.date, segmentOf('seg_d'), pageOf('<p>d</p>'));
    await next.flush();
    expect(await readArchivedSegment(dir, plan.date, 'seg_d')).toBe('<p>d</p>');
    expect(await readArchivedSegment(dir, plan.date, 'seg_a')).toBe('<p>a</p>');
    expect(await readArchivedSegment(dir, plan.date, 'seg_b')).toBeNull();
    // The torn line was cut off, not ended: "seg_b 8 1" could be the start of "seg_b 8 12".
    expect(readFileSync(join(day, 'pages.idx'), 'latin1')).toBe(
      'seg_a 0 8\nseg_c 8 900\nseg_d 20 8\n',
    );
  });

  it('pages archived one file each, before the pack, are still listed and served', async () => {
    const { dataDir: dir, day } = freshDay();
    mkdirSync(day, { recursive: true });
    writeFileSync(join(day, 'seg_old.html'), '<p>old</p>');
    const writer = createArchiveWriter({ dataDir: dir, baseUrl: BASE_URL });
    await writer.write(plan.date, segmentOf('seg_new'), pageOf('<p>new</p>'));
    await writer.flush();
    expect(await readArchivedSegment(dir, plan.date, 'seg_old')).toBe('<p>old</p>');
    expect(await readArchivedSegment(dir, plan.date, 'seg_new')).toBe('<p>new</p>');
    expect((await readArchiveDay(dir, plan.date))?.segments.map((s) => s.id).sort()).toEqual([
      'seg_new',
      'seg_old',
    ]);
  });
});

describe('archive routes', () => {
  const get = async (path: string) => {
    const response = await fetch(`${web.url}${path}`);
    return { status: response.status, headers: response.headers, body: await response.text() };
  };

  it('GET /issues/ lists the dates', async () => {
    for (const path of ['/issues/', '/issues']) {
      const page = await get(path);
      expect(page.status).toBe(200);
      expect(page.body).toContain(`href="/issues/${plan.date}"`);
    }
  });

  it('GET /issues/:date lists the segments with their subjects and topics', async () => {
    const page = await get(`/issues/${plan.date}`);
    expect(page.status).toBe(200);
    for (const segment of plan.segments) {
      expect(page.body).toContain(`href="/issues/${plan.date}?segment=${segment.id}"`);
    }
    expect(page.body).toContain('Graph');
    expect(page.body).toContain('Language models');
  });

  it('GET /issues/:date?segment= serves the archived email, the same as the file', async () => {
    for (const segment of plan.segments) {
      const page = await get(`/issues/${plan.date}?segment=${segment.id}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      expect(page.body).toBe(latestPages(join(dataDir, 'archive', plan.date)).get(segment.id));
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
});
