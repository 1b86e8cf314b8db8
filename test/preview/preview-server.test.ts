// The preview server over real HTTP, started in process on a free port with a temporary copy of
// the templates, so a test can edit them and watch the page reload.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPreviewServer } from '../../src/commands/preview.js';
import type { PreviewServer } from '../../src/preview/start-preview-server.js';
import { BUNDLED_TEMPLATES_DIR } from '../../src/render/index.js';
import { ROOT } from '../cli/run-cli.js';
import { SEED_DATE, SEED_PATH } from '../helpers.js';

const BASE_URL = 'https://papers.example.org';

let dir: string;
let templates: string;
let server: PreviewServer;
let stderr = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'paperboy-preview-server-'));
  templates = join(dir, 'templates');
  cpSync(BUNDLED_TEMPLATES_DIR, templates, { recursive: true });
  const config = join(dir, 'paperboy.config.json');
  writeFileSync(
    config,
    JSON.stringify({
      templatesDir: templates,
      baseUrl: BASE_URL,
      dataDir: join(dir, 'data'),
      sender: {
        name: 'Trending Papers',
        address: 'papers@example.org',
        postalAddress: '548 Market St #12345, San Francisco, CA 94104',
      },
    }),
  );
  const log = new PassThrough().setEncoding('utf8');
  log.on('data', (chunk: string) => {
    stderr += chunk;
  });
  server = await openPreviewServer(
    SEED_PATH,
    {
      date: SEED_DATE,
      config,
      subscribers: join(ROOT, 'subscribers.example.json'),
      port: 0,
    },
    log,
  );
});

afterAll(async () => {
  await server?.close();
});

async function get(path: string): Promise<{ status: number; type: string; body: string }> {
  const response = await fetch(new URL(path, server.url));
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    body: await response.text(),
  };
}

interface Segments {
  date: string;
  segments: { key: string; kind: string; label: string; papers: number; recipients: string[] }[];
  skipped: { email: string; reason: string }[];
}

/** Reads server-sent events until one named `name` arrives; returns its data. */
async function nextEvent(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  name: string,
  buffer: { text: string },
): Promise<string> {
  const decoder = new TextDecoder();
  for (;;) {
    const end = buffer.text.indexOf('\n\n');
    if (end !== -1) {
      const block = buffer.text.slice(0, end);
      buffer.text = buffer.text.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      if (event === name) return /^data: (.*)$/m.exec(block)?.[1] ?? '';
      continue;
    }
    const { value, done } = await reader.read();
    if (done) throw new Error(`the event stream ended before a "${name}" event`);
    buffer.text += decoder.decode(value, { stream: true });
  }
}

describe('paperboy preview --serve', () => {
  it('listens on loopback and lists the issue previews and the plan segments', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const { segments, skipped } = JSON.parse((await get('/segments.json')).body) as Segments;
    expect(segments[0]).toMatchObject({ key: 'all', kind: 'all', label: 'All topics' });
    const topics = segments.filter((s) => s.kind === 'topic');
    expect(topics.map((s) => s.key)).toContain('topic-graphs');
    expect(topics.every((s) => s.papers > 0)).toBe(true);
    const plan = segments.filter((s) => s.kind === 'segment');
    expect(plan.flatMap((s) => s.recipients)).toContain('ada@example.org');
    expect(skipped.map((s) => s.email)).toContain('Alan.Turing@Example.org');
  });

  it('serves the page: navigation, the email frame, toggles, text part and headers', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/^text\/html/);
    expect(page.body).toContain('<nav aria-label="Emails">');
    expect(page.body).toMatch(/<a href="\/s\/all" aria-current="page">/);
    expect(page.body).toContain('<iframe id="email"');
    expect(page.body).toContain('src="/s/all/email.html"');
    expect(page.body).toMatch(/<input type="radio" name="width" value="phone">/);
    expect(page.body).toMatch(/<input type="radio" name="scheme" value="dark">/);
    expect(page.body).toContain(
      'List-Unsubscribe: &lt;https://papers.example.org/unsubscribe/preview&gt;',
    );
    expect(page.body).toContain(
      'Manage your topics: https://papers.example.org/preferences/preview',
    );
    expect(page.body).toContain("new EventSource('/events')");
    // A configured sender: no warnings on the page.
    expect(page.body).not.toContain('class="notice"');
  });

  it('renders a plan segment for its subscriber, by name', async () => {
    const { segments } = JSON.parse((await get('/segments.json')).body) as Segments;
    const ada = segments.find((s) => s.recipients.includes('ada@example.org'));
    const html = await get(`/s/${ada?.key}/email.html`);
    expect(html.status).toBe(200);
    expect(html.body).toContain('Hi Ada Lovelace,');
    const eml = await fetch(new URL(`/s/${ada?.key}/email.eml`, server.url));
    expect(eml.headers.get('content-type')).toBe('message/rfc822');
    const mail = await simpleParser(Buffer.from(await eml.arrayBuffer()));
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value : null).toEqual([
      { name: 'Ada Lovelace', address: 'ada@example.org' },
    ]);
    expect(mail.headers.get('list')).toMatchObject({
      unsubscribe: { url: `${BASE_URL}/unsubscribe/preview` },
    });
    const text = await get(`/s/${ada?.key}/email.txt`);
    expect(text.type).toMatch(/^text\/plain/);
    expect(text.body).toBe(mail.text);
  });

  it('refuses a Host header other than its own (DNS rebinding)', async () => {
    const status = (host: string) =>
      new Promise<number | undefined>((resolve, reject) => {
        const req = request(new URL('/segments.json', server.url), { headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode);
        });
        req.on('error', reject).end();
      });
    const { port } = new URL(server.url);
    expect(await status(`evil.example:${port}`)).toBe(403);
    expect(await status(`localhost:${port}`)).toBe(200);
  });

  it('answers 404 for an unknown email', async () => {
    expect((await get('/s/seg_000000000000')).status).toBe(404);
    expect((await get('/s/nope/email.html')).status).toBe(404);
  });

  it('tells open pages to reload when a template changes, and renders the change', async () => {
    const response = await fetch(new URL('/events', server.url));
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const buffer = { text: '' };
    expect(await nextEvent(reader, 'ready', buffer)).toBe(templates);
    const file = join(templates, 'digest.mjml');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace('{{title}}</mj-text>', '{{title}} (edited)</mj-text>'));
    expect(await nextEvent(reader, 'reload', buffer)).toContain('digest.mjml');
    expect((await get('/s/all/email.html')).body).toContain('Trending papers (edited)');
    expect(stderr).toContain('digest.mjml changed');

    // A broken template is an error page naming it, not a crash; fixing it brings the email back.
    writeFileSync(file, original.replace('{{/each}}', ''));
    await nextEvent(reader, 'reload', buffer);
    const broken = await get('/');
    expect(broken.status).toBe(500);
    expect(broken.body).toContain('role="alert"');
    expect(broken.body).toContain(`In <code>${file}</code>`);
    expect(broken.body).toContain('<nav aria-label="Emails">');
    const frame = await get('/s/all/email.html');
    expect(frame.status).toBe(500);
    expect(frame.body).toContain(file);
    writeFileSync(file, original);
    await nextEvent(reader, 'reload', buffer);
    expect((await get('/')).status).toBe(200);
    // Left open: the next test closes the server with this page still connected.
  });

  it('closes promptly with pages still connected', async () => {
    const response = await fetch(new URL('/events', server.url));
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await nextEvent(reader, 'ready', { text: '' });
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(500);
    expect((await reader.read()).done).toBe(true);
  });
});
