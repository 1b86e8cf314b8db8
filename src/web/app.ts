// The public web endpoints of `paperboy serve`: the links in every email, the web archive and
// the health checks. A Hono app; `paperboy serve` mounts it on its one HTTP server.
//
//   POST /unsubscribe/:token    RFC 8058 one-click: unsubscribes, then answers 200 (idempotent)
//   GET  /unsubscribe/:token    a confirmation page whose button POSTs; changes nothing
//   GET  /preferences/:token    the subscriber's settings form
//   POST /preferences/:token    saves it through the store, shows it again with a confirmation
//   GET  /issues/               archived dates, newest first
//   GET  /issues/:date          that day's emails; ?segment=seg_... the archived email itself
//   GET  /healthz               always 200
//   GET  /readyz                200 when the subscriber store can be read, else 503
//
// The signed token is the capability: no login, no cookie, no CSRF token (a mail provider's
// one-click POST carries none). A token that does not verify, and a valid one for a subscriber
// who is not in the store, get the same 404 page: nothing tells whether an address is listed.
// The token endpoints are rate-limited per client address.
import { getConnInfo } from '@hono/node-server/conninfo';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Config } from '../config.js';
import {
  type ArchiveReader,
  listArchiveDates,
  readArchiveDay,
  readArchivedSegment,
} from '../delivery/archive.js';
import { PaperboyError } from '../errors.js';
import type { SubscriberStore } from '../stores/types.js';
import { createToken, type Keyring, verifyToken } from '../tokens/link-token.js';
import type { Subscriber, Topic } from '../types.js';
import {
  archiveListPage,
  errorPage,
  linkNotFoundPage,
  notFoundPage,
  preferencesPage,
  type Site,
  tooManyRequestsPage,
  unsubscribeConfirmPage,
  unsubscribedPage,
} from './pages.js';
import { parsePreferences, valuesOf } from './preferences-form.js';
import { createRateLimiter, type RateLimitOptions } from './rate-limit.js';

export type WebLog = (event: Record<string, unknown>) => void;

export interface WebAppOptions {
  config: Config;
  topics: Topic[];
  store: SubscriberStore;
  keyring: Keyring;
  /** Where the archive lives (`<dataDir>/archive/`) when no `archive` reader is given. */
  dataDir: string;
  /** Reads the archive elsewhere (with DATABASE_URL: PostgreSQL) instead of `<dataDir>/archive/`. */
  archive?: ArchiveReader;
  /**
   * The public origin (PAPERBOY_BASE_URL). The pages link relatively (they work on any origin the
   * proxy serves them under); kept for what needs absolute links.
   */
  baseUrl: string;
  /** One structured event per unsubscribe, save, rejected token, rate limit, error. */
  log?: WebLog;
  now?: () => Date;
  /** Per client address on the token endpoints; default 30 requests a minute. */
  rateLimit?: RateLimitOptions;
  /**
   * Behind a reverse proxy every request comes from the proxy: with this set, the client address
   * is the last entry of X-Forwarded-For (the one the proxy added).
   */
  trustProxy?: boolean;
}

const MAX_BODY_BYTES = 64 * 1024;

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { windowMs: 60_000, max: 30 };

/** Headers of every page: no caching of personal pages, no token leaking through Referer. */
const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'X-Robots-Tag': 'noindex',
};

/** The archived emails show paper images from the web; still no scripts. */
const ARCHIVE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; font-src https: data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export function createWebApp(options: WebAppOptions): Hono {
  const { store, keyring, topics, config } = options;
  const now = options.now ?? (() => new Date());
  const log: WebLog = options.log ?? (() => undefined);
  const limiter = createRateLimiter(options.rateLimit ?? DEFAULT_RATE_LIMIT, now);
  const site: Site = { name: config.sender.name };
  const topicIds = topics.map((t) => t.id);

  function clientAddress(c: Context): string {
    if (options.trustProxy) {
      const forwarded = c.req.header('x-forwarded-for');
      const last = forwarded?.split(',').at(-1)?.trim();
      if (last) return last;
    }
    try {
      return getConnInfo(c).remote.address ?? 'unknown';
    } catch {
      return 'unknown';
    }
  }

  /** The subscriber a token opens, or null (bad signature, unknown key, not in the store). */
  async function open(
    purpose: 'unsubscribe' | 'preferences',
    token: string,
  ): Promise<Subscriber | null> {
    const id = verifyToken(keyring, purpose, token);
    if (id === null) {
      log({ event: 'token.rejected', purpose, reason: 'signature' });
      return null;
    }
    const subscriber = await store.get(id);
    if (!subscriber || subscriber.id !== id) {
      log({ event: 'token.rejected', purpose, reason: 'unknown-subscriber' });
      return null;
    }
    return subscriber;
  }

  const linkNotFound = (c: Context) => c.html(linkNotFoundPage(site), 404);
  const preferencesPath = (id: string) => `/preferences/${createToken(keyring, 'preferences', id)}`;

  const app = new Hono();

  app.use(async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
      if (!c.res.headers.has(name)) c.header(name, value);
    }
  });

  // The token endpoints: rate-limited, never cached.
  for (const path of ['/unsubscribe/*', '/preferences/*']) {
    app.use(path, async (c, next) => {
      const decision = limiter.hit(clientAddress(c));
      if (!decision.allowed) {
        log({ event: 'rate-limited', path: c.req.path.split('/')[1] });
        c.header('Retry-After', String(decision.retryAfterSeconds));
        c.header('Cache-Control', 'no-store');
        return c.html(tooManyRequestsPage(site, decision.retryAfterSeconds), 429);
      }
      await next();
      c.header('Cache-Control', 'no-store');
    });
    // A form is a few kilobytes; nothing bigger is read.
    app.use(
      path,
      bodyLimit({
        maxSize: MAX_BODY_BYTES,
        onError: (c) => c.html(errorPage(site), 413),
      }),
    );
  }

  app.get('/unsubscribe/:token', async (c) => {
    const token = c.req.param('token');
    const subscriber = await open('unsubscribe', token);
    if (!subscriber) return linkNotFound(c);
    return c.html(
      unsubscribeConfirmPage(
        site,
        subscriber,
        `/unsubscribe/${token}`,
        preferencesPath(subscriber.id),
      ),
    );
  });

  app.post('/unsubscribe/:token', async (c) => {
    // RFC 8058: the body is `List-Unsubscribe=One-Click` (urlencoded or multipart). The token is
    // the capability and a POST is never a prefetch, so any POST to a valid link unsubscribes.
    try {
      await c.req.parseBody();
    } catch {
      // An unreadable body does not stop an unsubscribe.
    }
    const subscriber = await open('unsubscribe', c.req.param('token'));
    if (!subscriber) return linkNotFound(c);
    let outcome: string;
    try {
      outcome = (await store.remove(subscriber.id)).outcome;
    } catch (error) {
      // Purged between the lookup and now: nothing left to unsubscribe.
      if (error instanceof PaperboyError && error.kind === 'conflict') return linkNotFound(c);
      throw error;
    }
    log({ event: 'unsubscribe', subscriberId: subscriber.id, outcome });
    return c.html(unsubscribedPage(site, preferencesPath(subscriber.id)), 200);
  });

  const showPreferences = (
    subscriber: Subscriber,
    token: string,
    extra: Partial<Pick<Parameters<typeof preferencesPage>[0], 'values' | 'errors' | 'notice'>>,
  ) =>
    preferencesPage({
      site,
      subscriber,
      topics,
      values: extra.values ?? valuesOf(subscriber),
      errors: extra.errors ?? {},
      notice: extra.notice ?? null,
      action: `/preferences/${token}`,
      defaultMaxPapers: config.plan.maxPapers,
    });

  app.get('/preferences/:token', async (c) => {
    const token = c.req.param('token');
    const subscriber = await open('preferences', token);
    if (!subscriber) return linkNotFound(c);
    return c.html(showPreferences(subscriber, token, {}));
  });

  app.post('/preferences/:token', async (c) => {
    const token = c.req.param('token');
    const subscriber = await open('preferences', token);
    if (!subscriber) return linkNotFound(c);
    let body: Awaited<ReturnType<typeof c.req.parseBody>>;
    try {
      body = await c.req.parseBody({ all: true });
    } catch {
      body = {};
    }
    const parsed = parsePreferences(body, topicIds);
    if (!parsed.patch) {
      return c.html(
        showPreferences(subscriber, token, { values: parsed.values, errors: parsed.errors }),
        400,
      );
    }
    let saved: Subscriber;
    try {
      saved = await store.update(subscriber.id, parsed.patch);
      if (parsed.values.unsubscribeAll && saved.status === 'active') {
        saved = (await store.remove(subscriber.id)).subscriber ?? saved;
      } else if (!parsed.values.unsubscribeAll && saved.status === 'unsubscribed') {
        // Unticking "unsubscribe from everything" on their own page is an explicit re-activation.
        saved = await store.setStatus(subscriber.id, 'active');
      }
    } catch (error) {
      if (error instanceof PaperboyError && error.kind === 'conflict') return linkNotFound(c);
      if (
        error instanceof PaperboyError &&
        (error.kind === 'invalidInput' || error.kind === 'config')
      ) {
        return c.html(
          showPreferences(subscriber, token, {
            values: parsed.values,
            errors: { topics: 'These settings could not be saved; please check them.' },
          }),
          400,
        );
      }
      throw error;
    }
    log({
      event: 'preferences.saved',
      subscriberId: saved.id,
      status: saved.status,
      topics: saved.topics,
      frequency: saved.frequency,
    });
    const notice =
      saved.status === 'unsubscribed'
        ? 'Saved. You are unsubscribed and will get no more emails.'
        : 'Saved. Your next email follows these settings.';
    return c.html(showPreferences(saved, token, { notice }));
  });

  // The web archive.
  const archive: ArchiveReader = options.archive ?? {
    listDates: () => listArchiveDates(options.dataDir),
    readDay: (date) => readArchiveDay(options.dataDir, date),
    readSegment: (date, segmentId) => readArchivedSegment(options.dataDir, date, segmentId),
  };
  const archiveHeaders = (c: Context) => {
    c.header('Cache-Control', 'public, max-age=300');
  };

  const listIssues = async (c: Context) => {
    const dates = await archive.listDates();
    archiveHeaders(c);
    return c.html(
      archiveListPage(
        site,
        'Past issues',
        `Every email ${site.name} sent, as it was sent.`,
        dates.map((date) => ({ href: `/issues/${date}`, label: date })),
        null,
      ),
    );
  };
  app.get('/issues', listIssues);
  app.get('/issues/', listIssues);

  app.get('/issues/:date', async (c) => {
    const date = c.req.param('date');
    const segment = c.req.query('segment');
    if (segment !== undefined) {
      const html = await archive.readSegment(date, segment);
      if (html === null) return c.html(notFoundPage(site), 404);
      archiveHeaders(c);
      c.header('Content-Security-Policy', ARCHIVE_CSP);
      return c.html(html);
    }
    const day = await archive.readDay(date);
    if (!day) return c.html(notFoundPage(site), 404);
    const topicName = new Map(topics.map((t) => [t.id, t.name]));
    archiveHeaders(c);
    return c.html(
      archiveListPage(
        site,
        `Issue of ${date}`,
        'Each email went to the readers of the topics it names.',
        day.segments.map((s) => ({
          href: `/issues/${date}?segment=${encodeURIComponent(s.id)}`,
          label: s.subject,
          detail:
            s.topics === 'all'
              ? 'every topic'
              : s.topics.map((id) => topicName.get(id) ?? id).join(', '),
        })),
        '/issues/',
      ),
    );
  });

  app.get('/healthz', (c) => c.text('ok\n'));

  app.get('/readyz', async (c) => {
    c.header('Cache-Control', 'no-store');
    try {
      await store.get('sub_readiness_probe');
      return c.text('ready\n');
    } catch (error) {
      log({ event: 'readyz.failed', error: (error as Error).message });
      return c.text('not ready: the subscriber store cannot be read\n', 503);
    }
  });

  app.notFound((c) => c.html(notFoundPage(site), 404));
  app.onError((error, c) => {
    log({ event: 'web.error', path: c.req.path.split('/')[1] ?? '', error: error.message });
    c.header('Cache-Control', 'no-store');
    return c.html(errorPage(site), 500);
  });
  return app;
}
