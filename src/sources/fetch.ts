// Network access: one GET-as-text helper with timeout, retries and one-line errors, plus the
// Hugging Face Daily Papers API pager and the "hf:latest" day. Nothing else in paperboy calls fetch.

import { STATUS_CODES } from 'node:http';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { PaperboyError } from '../errors.js';

export interface RetryInfo {
  /** The attempt that just failed, 1-based (1 = the first try). */
  attempt: number;
  /** Attempts allowed in all. */
  attempts: number;
  /** How long paperboy waits before the next attempt. */
  delayMs: number;
  /** Short reason, e.g. "HTTP 429 Too Many Requests", "ECONNRESET", "no answer within 20s". */
  reason: string;
  /** The URL with any credentials redacted. */
  url: string;
}

export interface FetchOptions {
  /** ms per attempt (connect, headers and body); default 20_000 */
  timeoutMs?: number;
  /** attempts in all for 408/429/5xx, timeouts and network resets; default 4 */
  attempts?: number;
  /** base backoff ms (exponential with jitter), default 1000; tests pass small values */
  backoffMs?: number;
  /** upper bound for honouring Retry-After, default 60_000 */
  maxRetryAfterMs?: number;
  /** called before each retry so the CLI can print "retrying in 2s (HTTP 429)" to stderr */
  onRetry?: (info: RetryInfo) => void;
}

export interface FetchedText {
  /** The final URL after redirects, without credentials. */
  url: string;
  body: string;
  contentType: string | null;
}

export const HF_DEFAULT_BASE_URL = 'https://huggingface.co';
/** Items asked for per API page (the API's maximum). */
export const DAILY_PAPERS_PAGE_LIMIT = 100;
/** Safety stop for the pager: 50 pages = 5,000 papers, far above any real day. */
export const DAILY_PAPERS_MAX_PAGES = 50;

const DEFAULTS = { timeoutMs: 20_000, attempts: 4, backoffMs: 1000, maxRetryAfterMs: 60_000 };
const ACCEPT = 'application/json, text/html;q=0.9, text/plain;q=0.8, */*;q=0.5';
const PROJECT_URL = 'https://github.com/paperboy-newsletter/paperboy';

let cachedUserAgent: string | undefined;

/** `paperboy/<version> (+https://github.com/paperboy-newsletter/paperboy)`, read once. */
export function userAgent(): string {
  if (cachedUserAgent === undefined) {
    let version = '0.0.0';
    try {
      // src/sources/fetch.ts and dist/sources/fetch.js are both two levels below the repo root.
      const pkg = createRequire(import.meta.url)('../../package.json') as { version?: unknown };
      if (typeof pkg.version === 'string') version = pkg.version;
    } catch {
      // A missing package.json must not stop a fetch; the User-Agent just loses its version.
    }
    cachedUserAgent = `paperboy/${version} (+${PROJECT_URL})`;
  }
  return cachedUserAgent;
}

/** Replaces `user:pass@` in every URL inside `text` with `***@`. Safe on unparseable text. */
export function redactUrl(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/?#@\s]*@/gi, '$1***@');
}

// ---------------------------------------------------------------------------------------------
// fetchText

interface Target {
  /** What fetch is given: no credentials (undici refuses them in URLs). */
  href: string;
  /** What messages show: credentials replaced by ***. */
  display: string;
  host: string;
  authorization: string | undefined;
}

function prepareTarget(url: string): Target {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new PaperboyError('unreadable', `not a valid URL: ${oneLine(redactUrl(url), 200)}`, {
      hint: 'write it in full, e.g. https://huggingface.co/api/daily_papers?date=2025-10-31',
      cause,
    });
  }
  const display = redactUrl(parsed.href);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new PaperboyError(
      'unreadable',
      `cannot fetch ${display}: only http(s) URLs are supported`,
      {
        hint: 'for a local file, pass its path instead of a URL',
      },
    );
  }
  let authorization: string | undefined;
  if (parsed.username !== '' || parsed.password !== '') {
    const user = safeDecode(parsed.username);
    const pass = safeDecode(parsed.password);
    authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    parsed.username = '';
    parsed.password = '';
  }
  return { href: parsed.href, display, host: parsed.host, authorization };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

interface Resolved {
  timeoutMs: number;
  attempts: number;
  backoffMs: number;
  maxRetryAfterMs: number;
  onRetry: FetchOptions['onRetry'];
}

function resolveOptions(o: FetchOptions): Resolved {
  const num = (v: number | undefined, fallback: number, min: number) =>
    typeof v === 'number' && Number.isFinite(v) ? Math.max(min, v) : fallback;
  return {
    timeoutMs: num(o.timeoutMs, DEFAULTS.timeoutMs, 1),
    attempts: Math.floor(num(o.attempts, DEFAULTS.attempts, 1)),
    backoffMs: num(o.backoffMs, DEFAULTS.backoffMs, 0),
    maxRetryAfterMs: num(o.maxRetryAfterMs, DEFAULTS.maxRetryAfterMs, 0),
    onRetry: o.onRetry,
  };
}

/** Per-status hints a caller (fetchDailyPapers) can supply; undefined = the generic hint. */
type HintFor = (status: number) => string | undefined;

type Outcome =
  | { kind: 'done'; value: FetchedText }
  | { kind: 'fatal'; error: PaperboyError }
  | {
      kind: 'transient';
      reason: string;
      /** Server-requested wait (Retry-After), if any. */
      retryAfter: { ms: number; until: Date } | undefined;
      /** Builds the final error, given the attempts made. */
      error: (attempts: number) => PaperboyError;
    };

/**
 * GET a URL as text with timeout, retries on 408/429/5xx (honouring Retry-After: seconds or HTTP
 * date), timeouts and network resets, and a User-Agent naming paperboy. Every failure is a
 * one-line PaperboyError('unreadable') naming the URL (credentials redacted), with a hint.
 */
export function fetchText(url: string, options: FetchOptions = {}): Promise<FetchedText> {
  return fetchTextWith(url, options, undefined);
}

async function fetchTextWith(
  url: string,
  options: FetchOptions,
  hintFor: HintFor | undefined,
): Promise<FetchedText> {
  const target = prepareTarget(url);
  const o = resolveOptions(options);
  for (let attempt = 1; ; attempt++) {
    const outcome = await attemptOnce(target, o, hintFor);
    if (outcome.kind === 'done') return outcome.value;
    if (outcome.kind === 'fatal') throw outcome.error;
    if (attempt >= o.attempts) throw outcome.error(attempt);

    let delayMs: number;
    if (outcome.retryAfter !== undefined) {
      if (outcome.retryAfter.ms > o.maxRetryAfterMs) {
        throw new PaperboyError(
          'unreadable',
          `${outcome.reason} from ${target.display}: the server asks to wait ` +
            `${formatDuration(outcome.retryAfter.ms)} (Retry-After), more than the ` +
            `${formatDuration(o.maxRetryAfterMs)} paperboy waits`,
          {
            hint: `try again after ${outcome.retryAfter.until.toISOString().replace(/\.\d{3}Z$/, 'Z')}`,
          },
        );
      }
      delayMs = outcome.retryAfter.ms;
    } else {
      delayMs = backoffDelay(o.backoffMs, attempt, o.maxRetryAfterMs);
    }
    o.onRetry?.({
      attempt,
      attempts: o.attempts,
      delayMs,
      reason: outcome.reason,
      url: target.display,
    });
    if (delayMs > 0) await sleep(delayMs);
  }
}

async function attemptOnce(
  target: Target,
  o: Resolved,
  hintFor: HintFor | undefined,
): Promise<Outcome> {
  const signal = AbortSignal.timeout(o.timeoutMs);
  const headers: Record<string, string> = { 'User-Agent': userAgent(), Accept: ACCEPT };
  if (target.authorization !== undefined) headers.Authorization = target.authorization;
  let response: Response;
  try {
    response = await fetch(target.href, { headers, signal, redirect: 'follow' });
    if (response.ok) {
      const body = await response.text();
      return {
        kind: 'done',
        value: {
          url: redactUrl(response.url || target.href),
          body,
          contentType: response.headers.get('content-type'),
        },
      };
    }
  } catch (err) {
    return networkOutcome(err, target, o, signal);
  }
  return statusOutcome(response, target, hintFor);
}

async function statusOutcome(
  response: Response,
  target: Target,
  hintFor: HintFor | undefined,
): Promise<Outcome> {
  const { status } = response;
  const statusLine = `HTTP ${status}${statusText(response)}`;
  if (isRetryableStatus(status)) {
    await response.body?.cancel().catch(() => {});
    const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
    const hint = hintFor?.(status) ?? genericStatusHint(status);
    return {
      kind: 'transient',
      reason: statusLine,
      retryAfter:
        retryAfter === undefined
          ? undefined
          : { ms: retryAfter, until: new Date(Date.now() + retryAfter) },
      error: (attempts) =>
        new PaperboyError(
          'unreadable',
          `${statusLine} from ${target.display}${afterAttempts(attempts)}`,
          { hint },
        ),
    };
  }
  const serverMessage = await readServerMessage(response);
  const detail = serverMessage === undefined ? '' : `: "${serverMessage}"`;
  return {
    kind: 'fatal',
    error: new PaperboyError('unreadable', `${statusLine} from ${target.display}${detail}`, {
      hint: hintFor?.(status) ?? genericStatusHint(status),
    }),
  };
}

function statusText(response: Response): string {
  const text = response.statusText || STATUS_CODES[response.status] || '';
  return text === '' ? '' : ` ${oneLine(text, 60)}`;
}

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

function genericStatusHint(status: number): string {
  if (status === 429) {
    return 'the server is rate-limiting (Hugging Face allows about 500 requests per 5 minutes); wait a few minutes and run again';
  }
  if (status >= 500) return 'the server is having trouble; try again later';
  if (status === 401 || status === 403) {
    return 'the server refused access; the URL may be private or need credentials';
  }
  if (status === 404 || status === 410) return 'check the URL: nothing is served there';
  if (status === 408) return 'the server gave up waiting; try again later';
  return 'the server rejected the request; check the URL';
}

/** A short message from an error body: JSON {"error"|"message": "..."} or short plain text. */
async function readServerMessage(response: Response): Promise<string | undefined> {
  let text: string;
  try {
    text = await response.text();
  } catch {
    return undefined;
  }
  const type = response.headers.get('content-type') ?? '';
  if (/json/i.test(type) || /^\s*[{"]/.test(text)) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'string') return nonEmpty(oneLine(parsed, 200));
      if (typeof parsed === 'object' && parsed !== null) {
        const record = parsed as Record<string, unknown>;
        for (const key of ['error', 'message', 'detail']) {
          const value = record[key];
          if (typeof value === 'string') return nonEmpty(oneLine(value, 200));
        }
      }
      return undefined;
    } catch {
      // not JSON after all; fall through to the plain-text rule
    }
  }
  if (/^text\/plain/i.test(type) && text.trim().length > 0) return oneLine(text, 200);
  return undefined;
}

function nonEmpty(s: string): string | undefined {
  return s === '' ? undefined : s;
}

/** Network codes worth another attempt: the connection broke, not "there is nothing there". */
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

function networkOutcome(err: unknown, target: Target, o: Resolved, signal: AbortSignal): Outcome {
  if (signal.aborted || (err instanceof Error && err.name === 'TimeoutError')) {
    const within = formatDuration(o.timeoutMs);
    return {
      kind: 'transient',
      reason: `no answer within ${within}`,
      retryAfter: undefined,
      error: (attempts) =>
        new PaperboyError(
          'unreadable',
          `no answer from ${target.display} within ${within}${afterAttempts(attempts)}`,
          {
            hint: 'the server or your connection is slow; try again later or raise the timeout',
            cause: err,
          },
        ),
    };
  }
  const code = findErrorCode(err);
  const host = target.host;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    const error = new PaperboyError(
      'unreadable',
      `could not reach ${host} (${code}) for ${target.display}`,
      {
        hint: 'are you offline? check your connection, DNS and the host name',
        cause: err,
      },
    );
    // EAI_AGAIN is a temporary DNS failure: worth retrying. ENOTFOUND is a definite "no such host".
    return code === 'EAI_AGAIN'
      ? { kind: 'transient', reason: code, retryAfter: undefined, error: () => error }
      : { kind: 'fatal', error };
  }
  if (code === 'ECONNREFUSED' || code === 'ENETUNREACH' || code === 'EHOSTUNREACH') {
    return {
      kind: 'fatal',
      error: new PaperboyError(
        'unreadable',
        `could not connect to ${host} (${code}) for ${target.display}`,
        {
          hint:
            code === 'ECONNREFUSED'
              ? 'nothing is listening there: check the host and port (and PAPERBOY_HF_BASE_URL if set)'
              : 'are you offline? check your connection',
          cause: err,
        },
      ),
    };
  }
  if (code !== undefined && isTlsCode(code)) {
    return {
      kind: 'fatal',
      error: new PaperboyError(
        'unreadable',
        `TLS certificate problem (${code}) with ${host} for ${target.display}`,
        {
          hint: 'a proxy or firewall may be intercepting HTTPS; NODE_EXTRA_CA_CERTS can add its CA',
          cause: err,
        },
      ),
    };
  }
  const what = code ?? describeCause(err);
  // No code at all means fetch refused the request itself (e.g. "bad port"): retrying is useless.
  if (code === undefined || !TRANSIENT_CODES.has(code)) {
    return {
      kind: 'fatal',
      error: new PaperboyError('unreadable', `could not fetch ${target.display} (${what})`, {
        hint: 'check the URL and your connection',
        cause: err,
      }),
    };
  }
  // Resets, sockets closed mid-body, transient DNS trouble: worth another attempt.
  return {
    kind: 'transient',
    reason: what,
    retryAfter: undefined,
    error: (attempts) =>
      new PaperboyError(
        'unreadable',
        `connection to ${host} failed (${what}) for ${target.display}${afterAttempts(attempts)}`,
        { hint: 'the connection keeps breaking; try again later', cause: err },
      ),
  };
}

function isTlsCode(code: string): boolean {
  return (
    code.startsWith('CERT_') ||
    code.startsWith('ERR_TLS_') ||
    code.startsWith('ERR_SSL_') ||
    code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' ||
    code === 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' ||
    code === 'SELF_SIGNED_CERT_IN_CHAIN' ||
    code === 'DEPTH_ZERO_SELF_SIGNED_CERT'
  );
}

/** undici wraps the system error: TypeError('fetch failed') { cause: Error { code } }. */
function findErrorCode(err: unknown, depth = 0): string | undefined {
  if (depth > 6 || typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && e.code !== '') return e.code;
  const fromCause = findErrorCode(e.cause, depth + 1);
  if (fromCause !== undefined) return fromCause;
  if (Array.isArray(e.errors)) {
    for (const inner of e.errors) {
      const code = findErrorCode(inner, depth + 1);
      if (code !== undefined) return code;
    }
  }
  return undefined;
}

function describeCause(err: unknown): string {
  let current: unknown = err;
  let message = 'network error';
  for (let depth = 0; depth < 6 && current instanceof Error; depth++) {
    if (current.message !== '' && current.message !== 'fetch failed') message = current.message;
    current = current.cause;
  }
  return oneLine(redactUrl(message), 120);
}

function afterAttempts(attempts: number): string {
  return attempts > 1 ? ` after ${attempts} attempts` : '';
}

/** Exponential backoff with "equal jitter": half fixed, half random. */
function backoffDelay(baseMs: number, failedAttempt: number, capMs: number): number {
  const exp = Math.min(baseMs * 2 ** (failedAttempt - 1), Math.max(capMs, baseMs));
  return Math.round(exp / 2 + Math.random() * (exp / 2));
}

/**
 * Retry-After as a delay in ms: delta-seconds ("120") or an HTTP date (a past date = 0).
 * undefined when absent or unparseable.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  nowMs: number = Date.now(),
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

function formatDuration(ms: number): string {
  if (ms < 1000) return `${Number((ms / 1000).toFixed(3))}s`;
  if (ms < 120_000) return `${Number((ms / 1000).toFixed(1))}s`;
  if (ms < 7_200_000) return `${Number((ms / 60_000).toFixed(1))} min`;
  return `${Number((ms / 3_600_000).toFixed(1))} h`;
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

// ---------------------------------------------------------------------------------------------
// Hugging Face

/**
 * The HF base URL: env PAPERBOY_HF_BASE_URL (trailing slashes trimmed, must be an http(s) URL
 * without query or fragment, else PaperboyError 'config') or https://huggingface.co.
 */
export function hfBaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const raw = env.PAPERBOY_HF_BASE_URL?.trim();
  if (raw === undefined || raw === '') return HF_DEFAULT_BASE_URL;
  const bad = (why: string) =>
    new PaperboyError(
      'config',
      `PAPERBOY_HF_BASE_URL is ${why}: "${oneLine(redactUrl(raw), 200)}"`,
      { hint: `use an http(s) URL such as ${HF_DEFAULT_BASE_URL}, or unset it` },
    );
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw bad('not a valid URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw bad('not an http(s) URL');
  if (parsed.search !== '' || parsed.hash !== '') throw bad('not a base URL (it has a ? or #)');
  return parsed.href.replace(/\/+$/, '');
}

export interface DailyPapersOptions extends FetchOptions {
  /** Default: hfBaseUrl() (env PAPERBOY_HF_BASE_URL or https://huggingface.co). */
  baseUrl?: string;
  /** Safety stop; default DAILY_PAPERS_MAX_PAGES (50). */
  maxPages?: number;
}

/**
 * Every raw item of /api/daily_papers?date=YYYY-MM-DD&limit=100&p=0,1,2... until a page has
 * fewer than 100 items (or repeats the previous page, or maxPages is reached). A page that is
 * not a JSON array is a PaperboyError('invalidInput') naming its URL.
 */
export async function fetchDailyPapers(
  date: string,
  options: DailyPapersOptions = {},
): Promise<unknown[]> {
  assertIsoDay(date);
  const base = (options.baseUrl ?? hfBaseUrl()).replace(/\/+$/, '');
  const maxPages = Math.max(1, Math.floor(options.maxPages ?? DAILY_PAPERS_MAX_PAGES));
  const hintFor: HintFor = (status) => dailyPapersHint(date, base, status);
  const items: unknown[] = [];
  let previousBody: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const url = `${base}/api/daily_papers?date=${date}&limit=${DAILY_PAPERS_PAGE_LIMIT}&p=${page}`;
    const fetched = await fetchTextWith(url, options, hintFor);
    // The server ignoring `p` would hand back the same full page forever.
    if (page > 0 && fetched.body === previousBody) break;
    previousBody = fetched.body;
    const pageItems = parsePage(fetched.body, redactUrl(url));
    for (const item of pageItems) items.push(item);
    if (pageItems.length < DAILY_PAPERS_PAGE_LIMIT) break;
  }
  return items;
}

function parsePage(body: string, displayUrl: string): unknown[] {
  const hint =
    'the Daily Papers API answers with a bare JSON array; is PAPERBOY_HF_BASE_URL pointing at Hugging Face?';
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (cause) {
    const start = oneLine(body, 40);
    throw new PaperboyError(
      'invalidInput',
      `${displayUrl} did not return JSON (${start === '' ? 'empty body' : `it starts "${start}"`})`,
      { hint, cause },
    );
  }
  if (Array.isArray(parsed)) return parsed;
  let got: string = parsed === null ? 'null' : typeof parsed;
  if (typeof parsed === 'object' && parsed !== null) {
    const error = (parsed as Record<string, unknown>).error;
    if (typeof error === 'string') got = `an error object: "${oneLine(error, 120)}"`;
    else got = 'an object';
  }
  throw new PaperboyError('invalidInput', `expected a JSON array from ${displayUrl}, got ${got}`, {
    hint,
  });
}

function dailyPapersHint(date: string, base: string, status: number): string | undefined {
  if (status === 400 || status === 422) {
    const today = utcDay(new Date());
    if (date > today) {
      return `${date} is in the future (today is ${today} in UTC); Daily Papers only lists past days, the newest complete one is hf:latest (${latestCompleteDay(new Date())})`;
    }
    return `the API rejected date=${date}; check that it is a real, past day`;
  }
  if (status === 404 && base !== HF_DEFAULT_BASE_URL) {
    return `check the base URL ${redactUrl(base)} (PAPERBOY_HF_BASE_URL)`;
  }
  return undefined;
}

function assertIsoDay(date: string): void {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const valid =
    m !== null && utcDay(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))) === date;
  if (!valid) {
    throw new PaperboyError('usage', `not a day: "${oneLine(date, 40)}"`, {
      hint: 'write dates as YYYY-MM-DD, e.g. 2025-10-31',
    });
  }
}

function utcDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

const DAY_MS = 86_400_000;

/**
 * hf:latest = the most recent weekday strictly before `now`'s UTC day (Tue -> Mon, Mon/Sat/Sun ->
 * the previous Fri), as YYYY-MM-DD. Independent of the local time zone.
 */
export function latestCompleteDay(now: Date): string {
  const t = now.getTime();
  if (Number.isNaN(t)) throw new RangeError('latestCompleteDay: invalid Date');
  let day = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - DAY_MS;
  for (;;) {
    const weekday = new Date(day).getUTCDay();
    if (weekday !== 0 && weekday !== 6) break;
    day -= DAY_MS;
  }
  return utcDay(new Date(day));
}
