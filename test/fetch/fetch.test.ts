import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PaperboyError } from '../../src/errors.js';
import {
  DAILY_PAPERS_PAGE_LIMIT,
  type FetchOptions,
  fetchDailyPapers,
  fetchText,
  HF_DEFAULT_BASE_URL,
  hfBaseUrl,
  latestCompleteDay,
  parseRetryAfter,
  type RetryInfo,
  redactUrl,
} from '../../src/sources/fetch.js';

// A real local HTTP server; each test uses its own key in the path so counters never collide.

interface Seen {
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
}

const seen = new Map<string, Seen[]>();
let server: Server;
let base: string;

function record(key: string, req: IncomingMessage, url: URL): number {
  const list = seen.get(key) ?? [];
  list.push({ path: url.pathname, query: url.searchParams, headers: req.headers });
  seen.set(key, list);
  return list.length;
}

function requests(key: string): Seen[] {
  return seen.get(key) ?? [];
}

function json(res: ServerResponse, status: number, value: unknown): undefined {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(value));
}

function item(i: number): unknown {
  return { paper: { id: `2510.${String(i).padStart(5, '0')}`, upvotes: 1000 - i }, numComments: i };
}

function handle(req: IncomingMessage, res: ServerResponse): undefined {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const parts = url.pathname.split('/').filter(Boolean);
  const q = url.searchParams;
  const [route, a, b] = parts;

  // /papers/<total>/api/daily_papers: `total` items served `limit` at a time.
  // /papers/endless/..: always a full page (distinct per p); /papers/ignore-p/..: same page always.
  if (route === 'papers' && a !== undefined && parts.slice(2).join('/') === 'api/daily_papers') {
    record(`papers/${a}`, req, url);
    const limit = Number(q.get('limit'));
    const page = Number(q.get('p'));
    if (a === 'endless') {
      return json(
        res,
        200,
        Array.from({ length: limit }, (_, i) => item(page * limit + i)),
      );
    }
    if (a === 'ignore-p')
      return json(
        res,
        200,
        Array.from({ length: limit }, (_, i) => item(i)),
      );
    const total = Number(a);
    const items = Array.from({ length: total }, (_, i) => item(i));
    return json(res, 200, items.slice(page * limit, page * limit + limit));
  }
  // Bodies that are not what the API returns.
  if (parts.slice(1).join('/') === 'api/daily_papers' && route !== undefined) {
    record(route, req, url);
    if (route === 'html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      return void res.end('<!doctype html><html><body>Sign in</body></html>');
    }
    if (route === 'object') return json(res, 200, { error: 'Invalid date' });
    if (route === 'empty') return void res.writeHead(200).end();
    if (route === 'reject400') return json(res, 400, { error: 'Date must not be in the future' });
    if (route === 'gone404') return json(res, 404, { error: 'Not Found' });
  }
  // /echo: the request headers as JSON.
  if (route === 'echo') {
    record(`echo/${a ?? ''}`, req, url);
    return json(res, 200, req.headers);
  }
  if (route === 'redirect') {
    record('redirect', req, url);
    res.writeHead(302, { location: '/echo/redirected' });
    return void res.end();
  }
  // /flaky/<key>?status=429&times=1&retryAfter=1: fails `times` times, then 200 "ok".
  if (route === 'flaky' && a !== undefined) {
    const n = record(`flaky/${a}`, req, url);
    if (n <= Number(q.get('times') ?? '1')) {
      const headers: Record<string, string> = { 'content-type': 'text/html' };
      const retryAfter = q.get('retryAfter');
      if (retryAfter !== null) headers['retry-after'] = retryAfter;
      res.writeHead(Number(q.get('status') ?? '503'), headers);
      return void res.end('<html>busy</html>');
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    return void res.end(`ok after ${n}`);
  }
  // /status/<code>/<key>?retryAfter=..: always that status.
  if (route === 'status' && a !== undefined && b !== undefined) {
    record(`status/${b}`, req, url);
    const headers: Record<string, string> = { 'content-type': 'text/html' };
    const retryAfter = q.get('retryAfter');
    if (retryAfter !== null) headers['retry-after'] = retryAfter;
    res.writeHead(Number(a), headers);
    return void res.end('<html>nope</html>');
  }
  // /reset/<key>?times=1: destroys the socket `times` times, then 200 "ok".
  if (route === 'reset' && a !== undefined) {
    const n = record(`reset/${a}`, req, url);
    if (n <= Number(q.get('times') ?? '1')) {
      if (q.get('mid') === null) return void req.socket.destroy();
      // Headers and part of the promised body, then the connection drops.
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' });
      res.write('partial');
      return void setTimeout(() => req.socket.destroy(), 20);
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    return void res.end('ok');
  }
  // /hang/<key>: never answers. /hang-body/<key>: headers and half a body, then nothing.
  if (route === 'hang') {
    record(`hang/${a ?? ''}`, req, url);
    return;
  }
  if (route === 'hang-body') {
    record(`hang-body/${a ?? ''}`, req, url);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('[{"paper":');
    return;
  }
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('no such route');
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Fast retries for every test. */
const fast: FetchOptions = { backoffMs: 5, timeoutMs: 5_000 };

async function failure(promise: Promise<unknown>): Promise<PaperboyError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(PaperboyError);
    const error = err as PaperboyError;
    expect(error.message).not.toContain('\n');
    return error;
  }
  throw new Error('expected a PaperboyError, got success');
}

function retries(): { calls: RetryInfo[]; onRetry: (info: RetryInfo) => void } {
  const calls: RetryInfo[] = [];
  return { calls, onRetry: (info) => calls.push(info) };
}

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

describe('fetchDailyPapers paging', () => {
  it.each([
    { total: 230, pages: [0, 1, 2] },
    { total: 100, pages: [0, 1] },
    { total: 200, pages: [0, 1, 2] },
    { total: 99, pages: [0] },
    { total: 0, pages: [0] },
  ])('$total items -> pages $pages', async ({ total, pages }) => {
    const items = await fetchDailyPapers('2025-10-31', {
      ...fast,
      baseUrl: `${base}/papers/${total}`,
    });
    expect(items).toHaveLength(total);
    expect(items).toEqual(Array.from({ length: total }, (_, i) => item(i)));
    const asked = requests(`papers/${total}`);
    expect(asked.map((r) => r.query.get('p'))).toEqual(pages.map(String));
    for (const r of asked) {
      expect(r.path).toBe(`/papers/${total}/api/daily_papers`);
      expect(r.query.get('date')).toBe('2025-10-31');
      expect(r.query.get('limit')).toBe(String(DAILY_PAPERS_PAGE_LIMIT));
      expect(r.headers['user-agent']).toMatch(/^paperboy\//);
    }
  });

  it('stops when the server ignores p (same full page twice)', async () => {
    const items = await fetchDailyPapers('2025-10-31', {
      ...fast,
      baseUrl: `${base}/papers/ignore-p/`,
    });
    expect(items).toHaveLength(100);
    expect(requests('papers/ignore-p')).toHaveLength(2);
  });

  it('stops at maxPages', async () => {
    const items = await fetchDailyPapers('2025-10-31', {
      ...fast,
      baseUrl: `${base}/papers/endless`,
      maxPages: 3,
    });
    expect(items).toHaveLength(300);
    expect(requests('papers/endless')).toHaveLength(3);
  });

  it.each([
    {
      route: 'html',
      message: /api\/daily_papers\?date=2025-10-31&limit=100&p=0 did not return JSON .*doctype/,
    },
    { route: 'empty', message: /p=0 did not return JSON \(empty body\)/ },
    {
      route: 'object',
      message: /expected a JSON array from .*p=0, got an error object: "Invalid date"/,
    },
  ])('a $route page -> invalidInput naming the URL', async ({ route, message }) => {
    const error = await failure(
      fetchDailyPapers('2025-10-31', { ...fast, baseUrl: `${base}/${route}` }),
    );
    expect(error.kind).toBe('invalidInput');
    expect(error.message).toContain(`${base}/${route}/api/daily_papers`);
    expect(error.message).toMatch(message);
    expect(error.hint).toMatch(/JSON array/);
  });

  it('400 for a future date -> unreadable with the server message and a future-date hint', async () => {
    const error = await failure(
      fetchDailyPapers('2999-01-01', { ...fast, baseUrl: `${base}/reject400` }),
    );
    expect(error.kind).toBe('unreadable');
    expect(error.message).toMatch(
      /^HTTP 400 Bad Request from .*date=2999-01-01.*: "Date must not be in the future"$/,
    );
    expect(error.hint).toMatch(/2999-01-01 is in the future .*hf:latest \(\d{4}-\d{2}-\d{2}\)/);
    expect(requests('reject400')).toHaveLength(1);
  });

  it('400 for a past date -> a hint about the date', async () => {
    const error = await failure(
      fetchDailyPapers('2001-01-01', { ...fast, baseUrl: `${base}/reject400` }),
    );
    expect(error.hint).toMatch(/rejected date=2001-01-01/);
  });

  it('404 with a custom base URL -> hint names the base URL', async () => {
    const error = await failure(
      fetchDailyPapers('2025-10-31', { ...fast, baseUrl: `${base}/gone404` }),
    );
    expect(error.message).toMatch(/^HTTP 404 Not Found from .*: "Not Found"$/);
    expect(error.hint).toContain(`${base}/gone404`);
    expect(error.hint).toContain('PAPERBOY_HF_BASE_URL');
  });

  it.each(['2025-13-01', '2025-02-30', '31/10/2025', '', 'hf:latest'])(
    'rejects the date %j as a usage error without fetching',
    async (date) => {
      const error = await failure(fetchDailyPapers(date, { baseUrl: 'http://127.0.0.1:1' }));
      expect(error.kind).toBe('usage');
    },
  );
});

describe('fetchText', () => {
  it('sends a User-Agent naming paperboy and its version, and an Accept header', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    const got = await fetchText(`${base}/echo/ua`, fast);
    const headers = JSON.parse(got.body) as Record<string, string>;
    expect(headers['user-agent']).toBe(
      `paperboy/${pkg.version} (+https://github.com/paperboy-newsletter/paperboy)`,
    );
    expect(headers.accept).toMatch(/^application\/json/);
    expect(got.contentType).toBe('application/json; charset=utf-8');
    expect(got.url).toBe(`${base}/echo/ua`);
  });

  it('follows redirects and reports the final URL', async () => {
    const got = await fetchText(`${base}/redirect`, fast);
    expect(got.url).toBe(`${base}/echo/redirected`);
  });

  it('honours Retry-After: 1 on a 429, then succeeds', async () => {
    const { calls, onRetry } = retries();
    const started = Date.now();
    const got = await fetchText(`${base}/flaky/ra1?status=429&times=1&retryAfter=1`, {
      ...fast,
      onRetry,
    });
    const elapsed = Date.now() - started;
    expect(got.body).toBe('ok after 2');
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(3000);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ attempt: 1, attempts: 4, delayMs: 1000 });
    expect(calls[0]?.reason).toMatch(/429/);
    expect(calls[0]?.url).toBe(`${base}/flaky/ra1?status=429&times=1&retryAfter=1`);
  });

  it.each([
    { name: '503 then success', status: 503, times: 1 },
    { name: 'two 502s then success', status: 502, times: 2 },
    { name: '408 then success', status: 408, times: 1 },
    { name: '429 without Retry-After', status: 429, times: 1 },
  ])('$name (backoff)', async ({ name, status, times }) => {
    const key = name.replace(/\W+/g, '-');
    const { calls, onRetry } = retries();
    const got = await fetchText(`${base}/flaky/${key}?status=${status}&times=${times}`, {
      ...fast,
      onRetry,
    });
    expect(got.body).toBe(`ok after ${times + 1}`);
    expect(calls.map((c) => c.attempt)).toEqual(Array.from({ length: times }, (_, i) => i + 1));
    for (const c of calls) {
      expect(c.reason).toContain(`HTTP ${status}`);
      expect(c.delayMs).toBeGreaterThanOrEqual(0);
      expect(c.delayMs).toBeLessThanOrEqual(5 * 2 ** (c.attempt - 1));
    }
  });

  it('a Retry-After HTTP date in the past means retry at once', async () => {
    const { calls, onRetry } = retries();
    const past = encodeURIComponent(new Date(Date.now() - 60_000).toUTCString());
    const got = await fetchText(`${base}/flaky/date?status=503&times=1&retryAfter=${past}`, {
      ...fast,
      onRetry,
    });
    expect(got.body).toBe('ok after 2');
    expect(calls[0]?.delayMs).toBe(0);
  });

  it('500 forever -> error after N attempts naming the status', async () => {
    const { calls, onRetry } = retries();
    const error = await failure(
      fetchText(`${base}/status/500/forever`, { ...fast, attempts: 3, onRetry }),
    );
    expect(error.kind).toBe('unreadable');
    expect(error.message).toBe(
      `HTTP 500 Internal Server Error from ${base}/status/500/forever after 3 attempts`,
    );
    expect(error.hint).toMatch(/try again later/);
    expect(requests('status/forever')).toHaveLength(3);
    expect(calls).toHaveLength(2);
  });

  it('429 on the only attempt -> no "after 1 attempts", a rate-limit hint', async () => {
    const error = await failure(fetchText(`${base}/status/429/once`, { ...fast, attempts: 1 }));
    expect(error.message).toBe(`HTTP 429 Too Many Requests from ${base}/status/429/once`);
    expect(error.hint).toMatch(/rate-limit/);
  });

  it.each([
    { name: 'seconds', retryAfter: '3600', wait: /wait 60 min / },
    {
      name: 'HTTP date',
      retryAfter: new Date(Date.now() + 3 * 3_600_000).toUTCString(),
      wait: /wait 3 h /,
    },
  ])('Retry-After too large ($name) -> immediate error', async ({ name, retryAfter, wait }) => {
    const { calls, onRetry } = retries();
    const key = `too-large-${name.replace(/\W+/g, '-')}`;
    const started = Date.now();
    const error = await failure(
      fetchText(`${base}/status/429/${key}?retryAfter=${encodeURIComponent(retryAfter)}`, {
        ...fast,
        onRetry,
      }),
    );
    expect(Date.now() - started).toBeLessThan(1000);
    expect(error.kind).toBe('unreadable');
    expect(error.message).toMatch(/^HTTP 429 Too Many Requests from .*Retry-After.*60s/);
    expect(error.message).toMatch(wait);
    expect(error.hint).toMatch(/^try again after \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(requests(`status/${key}`)).toHaveLength(1);
    expect(calls).toHaveLength(0);
  });

  it.each([
    { route: 'hang', attempts: 1, suffix: '' },
    { route: 'hang', attempts: 2, suffix: ' after 2 attempts' },
    { route: 'hang-body', attempts: 1, suffix: '' },
  ])(
    '$route with timeoutMs 200, $attempts attempt(s) -> timeout error',
    async ({ route, attempts, suffix }) => {
      const { calls, onRetry } = retries();
      const key = `${route}/${attempts}`;
      const started = Date.now();
      const error = await failure(
        fetchText(`${base}/${key}`, { timeoutMs: 200, backoffMs: 5, attempts, onRetry }),
      );
      expect(Date.now() - started).toBeLessThan(2000);
      expect(error.kind).toBe('unreadable');
      expect(error.message).toBe(`no answer from ${base}/${key} within 0.2s${suffix}`);
      expect(error.hint).toMatch(/timeout/);
      expect(requests(key)).toHaveLength(attempts);
      expect(calls.map((c) => c.reason)).toEqual(
        Array.from({ length: attempts - 1 }, () => 'no answer within 0.2s'),
      );
    },
  );

  it.each([
    { name: 'before the headers', key: 'once', query: 'times=1' },
    { name: 'in the middle of the body', key: 'mid', query: 'times=1&mid=1' },
  ])('a connection reset $name is retried', async ({ key, query }) => {
    const { calls, onRetry } = retries();
    const got = await fetchText(`${base}/reset/${key}?${query}`, { ...fast, onRetry });
    expect(got.body).toBe('ok');
    expect(requests(`reset/${key}`)).toHaveLength(2);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.reason).toMatch(/^[A-Z_]+$/);
  });

  it('a connection that keeps resetting fails after N attempts', async () => {
    const error = await failure(
      fetchText(`${base}/reset/always?times=99`, { ...fast, attempts: 2 }),
    );
    expect(error.message).toMatch(
      new RegExp(
        `^connection to 127\\.0\\.0\\.1:\\d+ failed \\(.+\\) for ${base}/reset/always\\?times=99 after 2 attempts$`,
      ),
    );
  });

  it('connection refused -> immediate error naming host and port, with a hint', async () => {
    const port = await closedPort();
    const { calls, onRetry } = retries();
    const error = await failure(
      fetchText(`http://127.0.0.1:${port}/api/daily_papers`, { ...fast, onRetry }),
    );
    expect(error.kind).toBe('unreadable');
    expect(error.message).toBe(
      `could not connect to 127.0.0.1:${port} (ECONNREFUSED) for http://127.0.0.1:${port}/api/daily_papers`,
    );
    expect(error.hint).toMatch(/nothing is listening/);
    expect(calls).toHaveLength(0);
  });

  it('a request fetch itself refuses (a blocked port) is not retried', async () => {
    const { calls, onRetry } = retries();
    const error = await failure(fetchText('http://127.0.0.1:1/x', { ...fast, onRetry }));
    expect(error.message).toBe('could not fetch http://127.0.0.1:1/x (bad port)');
    expect(calls).toHaveLength(0);
  });

  it('unknown host -> "could not reach" with an offline hint', async () => {
    const error = await failure(
      fetchText('http://paperboy-test.invalid/api/daily_papers', { ...fast, attempts: 1 }),
    );
    expect(error.kind).toBe('unreadable');
    expect(error.message).toMatch(
      /^could not reach paperboy-test\.invalid \((ENOTFOUND|EAI_AGAIN)\) for http:\/\/paperboy-test\.invalid\/api\/daily_papers$/,
    );
    expect(error.hint).toMatch(/offline/);
  });

  it.each([400, 401, 403, 404, 410])('HTTP %i is not retried', async (status) => {
    const { calls, onRetry } = retries();
    const key = `no-retry-${status}`;
    const error = await failure(fetchText(`${base}/status/${status}/${key}`, { ...fast, onRetry }));
    expect(error.kind).toBe('unreadable');
    expect(error.message).toMatch(
      new RegExp(`^HTTP ${status} [A-Z][\\w ]+ from ${base}/status/${status}/${key}$`),
    );
    expect(error.hint).toBeTruthy();
    expect(requests(`status/${key}`)).toHaveLength(1);
    expect(calls).toHaveLength(0);
  });

  it('404 message is exactly "HTTP 404 Not Found from URL"', async () => {
    const error = await failure(fetchText(`${base}/status/404/exact`, fast));
    expect(error.message).toBe(`HTTP 404 Not Found from ${base}/status/404/exact`);
  });

  it.each(['ftp://example.com/x', 'file:///etc/passwd', 'not a url', 'http://'])(
    'rejects %j without fetching',
    async (url) => {
      const error = await failure(fetchText(url, fast));
      expect(error.kind).toBe('unreadable');
    },
  );
});

describe('credentials in URLs', () => {
  it('are sent as Basic auth and never shown', async () => {
    const got = await fetchText(`${base.replace('//', '//alice:s%40cret@')}/echo/creds`, fast);
    const headers = JSON.parse(got.body) as Record<string, string>;
    expect(headers.authorization).toBe(`Basic ${Buffer.from('alice:s@cret').toString('base64')}`);
    expect(got.url).toBe(`${base}/echo/creds`);
  });

  it.each([
    { name: '404', path: '/status/404/creds' },
    { name: 'retried 503', path: '/status/503/creds' },
    { name: 'timeout', path: '/hang/creds' },
  ])('are redacted from errors ($name)', async ({ path }) => {
    const { calls, onRetry } = retries();
    const url = `${base.replace('//', '//alice:s3cret@')}${path}`;
    const error = await failure(fetchText(url, { ...fast, timeoutMs: 200, attempts: 2, onRetry }));
    for (const text of [error.message, error.hint ?? '', ...calls.map((c) => c.url)]) {
      expect(text).not.toContain('s3cret');
      expect(text).not.toContain('alice');
    }
    expect(error.message).toContain(`http://***@127.0.0.1:`);
  });

  it('are redacted when the connection is refused', async () => {
    const port = await closedPort();
    const error = await failure(fetchText(`http://bob:hunter2@127.0.0.1:${port}/x`, fast));
    expect(error.message).toBe(
      `could not connect to 127.0.0.1:${port} (ECONNREFUSED) for http://***@127.0.0.1:${port}/x`,
    );
  });

  it('are redacted from invalid URLs and from PAPERBOY_HF_BASE_URL errors', async () => {
    const error = await failure(fetchText('http://bob:hunter2@[bad/x', fast));
    expect(error.message).not.toContain('hunter2');
    expect(() => hfBaseUrl({ PAPERBOY_HF_BASE_URL: 'ftp://bob:hunter2@host/' })).toThrow(
      /^PAPERBOY_HF_BASE_URL is not an http\(s\) URL: "ftp:\/\/\*\*\*@host\/"$/,
    );
  });

  it.each([
    ['https://u:p@huggingface.co/api', 'https://***@huggingface.co/api'],
    [
      'see http://user@host:8080/x and https://a:b@c/d',
      'see http://***@host:8080/x and https://***@c/d',
    ],
    ['https://huggingface.co/papers?q=a@b', 'https://huggingface.co/papers?q=a@b'],
    ['no url here', 'no url here'],
  ])('redactUrl(%j) = %j', (input, output) => {
    expect(redactUrl(input)).toBe(output);
  });
});

describe('hfBaseUrl', () => {
  it.each([
    [undefined, HF_DEFAULT_BASE_URL],
    ['', HF_DEFAULT_BASE_URL],
    ['   ', HF_DEFAULT_BASE_URL],
    ['https://huggingface.co', 'https://huggingface.co'],
    ['http://127.0.0.1:8080/', 'http://127.0.0.1:8080'],
    ['http://localhost:8080/mirror///', 'http://localhost:8080/mirror'],
    [' https://HF.example.com/ ', 'https://hf.example.com'],
  ])('%j -> %j', (value, expected) => {
    const env = value === undefined ? {} : { PAPERBOY_HF_BASE_URL: value };
    expect(hfBaseUrl(env)).toBe(expected);
  });

  it.each([
    ['huggingface.co', /not a valid URL/],
    ['ftp://huggingface.co', /not an http\(s\) URL/],
    ['https://huggingface.co/?x=1', /has a \? or #/],
    ['http://', /not a valid URL/],
  ])('%j -> config error', (value, message) => {
    let caught: unknown;
    try {
      hfBaseUrl({ PAPERBOY_HF_BASE_URL: value });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(PaperboyError);
    expect((caught as PaperboyError).kind).toBe('config');
    expect((caught as PaperboyError).message).toMatch(message);
    expect((caught as PaperboyError).hint).toMatch(/http\(s\) URL/);
  });

  it('defaults to process.env', () => {
    const saved = process.env.PAPERBOY_HF_BASE_URL;
    try {
      process.env.PAPERBOY_HF_BASE_URL = 'http://127.0.0.1:9/';
      expect(hfBaseUrl()).toBe('http://127.0.0.1:9');
    } finally {
      if (saved === undefined) delete process.env.PAPERBOY_HF_BASE_URL;
      else process.env.PAPERBOY_HF_BASE_URL = saved;
    }
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-11-03T12:00:00Z');
  it.each([
    ['1', 1000],
    [' 120 ', 120_000],
    ['0', 0],
    ['Mon, 03 Nov 2025 12:00:30 GMT', 30_000],
    ['Mon, 03 Nov 2025 11:00:00 GMT', 0],
    ['-5', undefined],
    ['1.5', undefined],
    ['soon', undefined],
    ['', undefined],
    [null, undefined],
  ])('%j -> %j', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});

describe('latestCompleteDay', () => {
  it.each([
    // A plain week: 2025-11-03 is a Monday.
    ['2025-11-03T12:00:00Z', '2025-10-31'], // Mon -> Fri
    ['2025-11-04T12:00:00Z', '2025-11-03'], // Tue -> Mon
    ['2025-11-05T12:00:00Z', '2025-11-04'], // Wed -> Tue
    ['2025-11-06T12:00:00Z', '2025-11-05'], // Thu -> Wed
    ['2025-11-07T12:00:00Z', '2025-11-06'], // Fri -> Thu
    ['2025-11-08T12:00:00Z', '2025-11-07'], // Sat -> Fri
    ['2025-11-09T12:00:00Z', '2025-11-07'], // Sun -> Fri
    // Day edges in UTC.
    ['2025-11-04T00:00:00Z', '2025-11-03'],
    ['2025-11-03T23:59:59.999Z', '2025-10-31'],
    // Month and year boundaries: 2026-01-01 is a Thursday, 2024-03-01 a Friday, 2025-09-01 a Monday.
    ['2026-01-01T08:00:00Z', '2025-12-31'],
    ['2026-01-02T08:00:00Z', '2026-01-01'],
    ['2026-01-05T08:00:00Z', '2026-01-02'],
    ['2024-03-01T08:00:00Z', '2024-02-29'],
    ['2025-09-01T08:00:00Z', '2025-08-29'],
    ['2023-01-01T08:00:00Z', '2022-12-30'], // Sun -> Fri of the previous year
    // Late evening at a negative offset is already the next day in UTC.
    ['2025-11-03T21:00:00-05:00', '2025-11-03'], // Mon 21:00 in New York = Tue 02:00 UTC
    ['2025-11-02T20:00:00-08:00', '2025-10-31'], // Sun 20:00 in LA = Mon 04:00 UTC
    ['2025-11-07T22:30:00-04:00', '2025-11-07'], // Fri 22:30 = Sat 02:30 UTC
    // Early morning at a positive offset is still the previous day in UTC.
    ['2025-11-04T05:00:00+09:00', '2025-10-31'], // Tue 05:00 in Tokyo = Mon 20:00 UTC
  ])('%s -> %s', (iso, expected) => {
    expect(latestCompleteDay(new Date(iso))).toBe(expected);
  });

  it('does not depend on the local time zone', () => {
    const saved = process.env.TZ;
    const instants = ['2025-11-03T23:30:00Z', '2025-11-04T00:30:00Z', '2025-11-08T23:59:00Z'];
    const expected = instants.map((iso) => latestCompleteDay(new Date(iso)));
    try {
      for (const tz of ['America/Los_Angeles', 'Pacific/Kiritimati', 'Asia/Kolkata', 'UTC']) {
        process.env.TZ = tz;
        expect(instants.map((iso) => latestCompleteDay(new Date(iso)))).toEqual(expected);
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
    expect(expected).toEqual(['2025-10-31', '2025-11-03', '2025-11-07']);
  });

  it('rejects an invalid Date', () => {
    expect(() => latestCompleteDay(new Date('nope'))).toThrow(RangeError);
  });
});
