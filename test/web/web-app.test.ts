// The web endpoints over real HTTP: one-click unsubscribe (RFC 8058), the confirmation page,
// tokens (tampered, unknown, rotated keys), the rate limit, the preference form, health checks.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKeyring } from '../../src/tokens/link-token.js';
import { ADA, GRACE, OLD_SECRET, startWebServer, type WebServer } from './web-server.js';

let web: WebServer;

beforeAll(async () => {
  web = await startWebServer({ rateLimit: { windowMs: 60_000, max: 1000 } });
});

afterAll(async () => {
  await web?.close();
});

async function request(
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; headers: Headers; body: string }> {
  const response = await fetch(`${web.url}${path}`, { redirect: 'manual', ...init });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

const oneClickUrlencoded = (): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: 'List-Unsubscribe=One-Click',
});

const oneClickMultipart = (): RequestInit => {
  const form = new FormData();
  form.set('List-Unsubscribe', 'One-Click');
  return { method: 'POST', body: form };
};

/** Changes one character of the signature. */
function tamper(token: string): string {
  const last = token.at(-1) === 'A' ? 'B' : 'A';
  return `${token.slice(0, -1)}${last}`;
}

describe('one-click unsubscribe', () => {
  it('GET shows a confirmation page whose button POSTs, and changes nothing', async () => {
    const token = web.token('unsubscribe', ADA);
    const before = readFileSync(web.subscribersPath, 'utf8');
    for (let i = 0; i < 3; i++) {
      const page = await request(`/unsubscribe/${token}`);
      expect(page.status).toBe(200);
      expect(page.body).toContain(`<form method="post" action="/unsubscribe/${token}">`);
      expect(page.body).toContain('name="List-Unsubscribe" value="One-Click"');
      expect(page.body).toContain('ada@example.org');
      expect(page.headers.get('set-cookie')).toBeNull();
      expect(page.headers.get('cache-control')).toBe('no-store');
      expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    }
    const head = await request(`/unsubscribe/${token}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(readFileSync(web.subscribersPath, 'utf8')).toBe(before);
    expect((await web.read(ADA))?.status).toBe('active');
  });

  it('a urlencoded POST unsubscribes before answering 200, with no redirect and no cookie; again is harmless', async () => {
    const token = web.token('unsubscribe', ADA);
    const first = await request(`/unsubscribe/${token}`, oneClickUrlencoded());
    expect(first.status).toBe(200);
    expect(first.headers.get('location')).toBeNull();
    expect(first.headers.get('set-cookie')).toBeNull();
    expect(first.body).toContain('You are unsubscribed');
    const stored = await web.read(ADA);
    expect(stored?.status).toBe('unsubscribed');
    const unsubscribedAt = stored?.unsubscribedAt;
    expect(unsubscribedAt).toBeTruthy();

    const file = readFileSync(web.subscribersPath, 'utf8');
    for (const init of [oneClickUrlencoded(), oneClickMultipart()]) {
      const again = await request(`/unsubscribe/${token}`, init);
      expect(again.status).toBe(200);
      expect(again.body).toBe(first.body);
    }
    expect(readFileSync(web.subscribersPath, 'utf8')).toBe(file);
    expect((await web.read(ADA))?.unsubscribedAt).toBe(unsubscribedAt);
    expect(web.events).toContainEqual({
      event: 'unsubscribe',
      subscriberId: ADA,
      outcome: 'unchanged',
    });
  });

  it('a multipart POST unsubscribes too', async () => {
    const response = await request(
      `/unsubscribe/${web.token('unsubscribe', GRACE)}`,
      oneClickMultipart(),
    );
    expect(response.status).toBe(200);
    expect((await web.read(GRACE))?.status).toBe('unsubscribed');
  });

  it('a token signed with a rotated-out key still works', async () => {
    const oldRing = parseKeyring(OLD_SECRET);
    const turing = 'sub_c41e0b9277d0a3f1';
    const token = web.token('unsubscribe', turing, oldRing);
    expect(token.startsWith('k1.')).toBe(true);
    const response = await request(`/unsubscribe/${token}`, oneClickUrlencoded());
    expect(response.status).toBe(200);
    expect((await web.read(turing))?.status).toBe('unsubscribed');
    // And a key that was never in the keyring does not.
    const stranger = parseKeyring('k1:a-different-secret-0123456789');
    const forged = await request(
      `/unsubscribe/${web.token('unsubscribe', GRACE, stranger)}`,
      oneClickUrlencoded(),
    );
    expect(forged.status).toBe(404);
  });

  it('tampered and unknown tokens get the same 404 page and change nothing', async () => {
    const before = readFileSync(web.subscribersPath, 'utf8');
    const valid = web.token('unsubscribe', 'sub_71f6b2aa0e5d9c34');
    const tampered = tamper(valid);
    const unknown = web.token('unsubscribe', 'sub_0000000000000000');
    const wrongPurpose = web.token('preferences', 'sub_71f6b2aa0e5d9c34');
    const answers = [];
    for (const token of [tampered, unknown, wrongPurpose, 'garbage', 'a.b.c']) {
      for (const init of [{}, oneClickUrlencoded()]) {
        answers.push(await request(`/unsubscribe/${token}`, init));
      }
    }
    // The preference page: an unsubscribe token is the wrong purpose there.
    for (const token of [tamper(web.token('preferences', GRACE)), valid, 'garbage']) {
      answers.push(await request(`/preferences/${token}`));
      answers.push(
        await request(`/preferences/${token}`, {
          method: 'POST',
          body: new URLSearchParams({ frequency: 'daily', allTopics: '1' }),
        }),
      );
    }
    for (const answer of answers) {
      expect(answer.status).toBe(404);
      expect(answer.body).toBe(answers[0]?.body);
      expect(answer.body).not.toContain('bounced@example.net');
      expect(answer.headers.get('set-cookie')).toBeNull();
    }
    expect(readFileSync(web.subscribersPath, 'utf8')).toBe(before);
  });
});

describe('the preference page', () => {
  it('shows every topic with its description, and the subscriber’s settings, escaped', async () => {
    await web.store.update(GRACE, {
      keywords: { include: ['<script>alert(1)</script>'], exclude: [] },
    });
    const page = await request(`/preferences/${web.token('preferences', GRACE)}`);
    expect(page.status).toBe(200);
    for (const topic of web.topics) {
      expect(page.body).toContain(`value="${topic.id}"`);
    }
    expect(page.body).toContain(`id="topic-llm" checked`);
    expect(page.body).toContain(`id="topic-agents" checked`);
    expect(page.body).not.toContain('<script>');
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.body).toMatch(/<label for="maxPapers">/);
    expect(page.body).toContain('<fieldset');
    expect(page.body).not.toMatch(/<script|https?:\/\/(?!papers\.example\.org)[^"]*\.(css|js)/);
  });

  it('a POST saves through the store and shows a confirmation', async () => {
    const token = web.token('preferences', ADA);
    const form = new URLSearchParams();
    form.append('topics', 'graphs');
    form.append('topics', 'rl');
    form.set('include', 'diffusion, world models');
    form.set('exclude', 'survey');
    form.set('frequency', 'weekly');
    form.set('weekday', 'friday');
    form.set('maxPapers', '7');
    const saved = await request(`/preferences/${token}`, { method: 'POST', body: form });
    expect(saved.status).toBe(200);
    expect(saved.body).toContain('Saved.');
    const ada = await web.read(ADA);
    expect(ada).toMatchObject({
      topics: expect.arrayContaining(['graphs', 'rl']),
      keywords: { include: ['diffusion', 'world models'], exclude: ['survey'] },
      frequency: 'weekly',
      weekday: 'friday',
      maxPapers: 7,
      // Ada unsubscribed above; saving with the box unticked re-activates her.
      status: 'active',
    });
    const page = await request(`/preferences/${token}`);
    expect(page.body).toContain('id="topic-rl" checked');
    expect(page.body).toContain('<option value="friday" selected>');
  });

  it('"unsubscribe from everything" unsubscribes and keeps the topics', async () => {
    const token = web.token('preferences', ADA);
    const form = new URLSearchParams({ frequency: 'daily', unsubscribeAll: '1' });
    const saved = await request(`/preferences/${token}`, { method: 'POST', body: form });
    expect(saved.status).toBe(200);
    expect(saved.body).toContain('You are unsubscribed');
    expect(await web.read(ADA)).toMatchObject({
      status: 'unsubscribed',
      topics: expect.arrayContaining(['graphs', 'rl']),
    });
  });

  it('validation errors show the form again with messages and change nothing', async () => {
    const before = readFileSync(web.subscribersPath, 'utf8');
    const form = new URLSearchParams({
      frequency: 'weekly',
      maxPapers: '1000',
      include: 'x'.repeat(200),
    });
    const page = await request(`/preferences/${web.token('preferences', ADA)}`, {
      method: 'POST',
      body: form,
    });
    expect(page.status).toBe(400);
    expect(page.body).toContain('role="alert"');
    expect(page.body).toContain('Choose at least one topic');
    expect(page.body).toContain('Choose the day of your weekly email');
    expect(page.body).toContain('Enter a whole number from 1 to 100');
    expect(page.body).toContain('at most 100 characters');
    expect(page.body).toContain('value="1000"');
    expect(readFileSync(web.subscribersPath, 'utf8')).toBe(before);
  });
});

describe('limits', () => {
  it('a body over 64 KB is refused with 413 and changes nothing', async () => {
    const before = readFileSync(web.subscribersPath, 'utf8');
    const response = await request(`/preferences/${web.token('preferences', ADA)}`, {
      method: 'POST',
      body: new URLSearchParams({
        frequency: 'daily',
        allTopics: '1',
        include: 'x'.repeat(70_000),
      }),
    });
    expect(response.status).toBe(413);
    expect(readFileSync(web.subscribersPath, 'utf8')).toBe(before);
  });
});

describe('health', () => {
  it('healthz is always 200; readyz is 200 while the store reads, 503 when it does not', async () => {
    expect((await request('/healthz')).status).toBe(200);
    expect((await request('/readyz')).status).toBe(200);
    const good = readFileSync(web.subscribersPath, 'utf8');
    writeFileSync(web.subscribersPath, '{ not json');
    try {
      expect((await request('/readyz')).status).toBe(503);
      expect((await request('/healthz')).status).toBe(200);
    } finally {
      writeFileSync(web.subscribersPath, good);
    }
    expect((await request('/readyz')).status).toBe(200);
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After past the limit, per client, on the token endpoints only', async () => {
    const limited = await startWebServer(
      { rateLimit: { windowMs: 60_000, max: 3 } },
      'paperboy-web-limit-',
    );
    try {
      const token = limited.token('unsubscribe', ADA);
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        statuses.push((await fetch(`${limited.url}/unsubscribe/${token}`)).status);
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      const blocked = await fetch(`${limited.url}/unsubscribe/${token}`, oneClickUrlencoded());
      expect(blocked.status).toBe(429);
      const retryAfter = Number(blocked.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      // Refused before anything was looked at: Ada is still subscribed.
      expect((await limited.read(ADA))?.status).toBe('active');
      expect((await fetch(`${limited.url}/preferences/${token}`)).status).toBe(429);
      expect((await fetch(`${limited.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${limited.url}/issues/`)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('the window ends', async () => {
    let time = Date.parse('2026-01-01T00:00:00Z');
    const limited = await startWebServer(
      { rateLimit: { windowMs: 10_000, max: 1 }, now: () => new Date(time) },
      'paperboy-web-window-',
    );
    try {
      const url = `${limited.url}/unsubscribe/${limited.token('unsubscribe', ADA)}`;
      expect((await fetch(url)).status).toBe(200);
      time += 4_000;
      const blocked = await fetch(url);
      expect(blocked.status).toBe(429);
      expect(blocked.headers.get('retry-after')).toBe('6');
      time += 6_000;
      expect((await fetch(url)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
