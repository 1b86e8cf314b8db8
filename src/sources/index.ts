// The one entry point for input: read any source (file, stdin, URL, live HF API), detect its
// format and parse it into issues. `parseIssue` is the pure part; `loadIssues` adds the I/O.
import { readFile } from 'node:fs/promises';
import { PaperboyError } from '../errors.js';
import type { ParsedIssue } from '../types.js';
import { parseYmd, todayUtc } from './dates.js';
import { assertReadableText, detectFormat, type SourceFormat } from './detect.js';
import {
  type DailyPapersOptions,
  fetchDailyPapers,
  fetchText,
  latestCompleteDay,
} from './fetch.js';
import { parseHfHtml } from './hf-html.js';
import { parseHfJson } from './hf-json.js';
import { parseJsonText } from './parse-json-text.js';
import { parseText } from './text.js';

export { SOURCE_FORMATS, type SourceFormat } from './detect.js';

export const SOURCE_HELP =
  'a file path, - for stdin, an http(s):// URL, hf:YYYY-MM-DD or hf:latest (the live HF API)';

export interface ParseOptions {
  /** `auto` (default) detects the format from the content. */
  format?: SourceFormat | 'auto';
  /** YYYY-MM-DD (--date): the issue date when the source carries no year or date. */
  date?: string;
  /** Today's date, YYYY-MM-DD, for resolving year-less headers without --date. */
  today?: string;
  /** Where the content came from, for messages. */
  label?: string;
  contentType?: string | null;
}

/** Parses content in any supported format. Pure: no I/O, the clock comes in as `today`. */
export function parseIssue(content: string, options: ParseOptions = {}): ParsedIssue[] {
  const label = options.label ?? 'input';
  const format =
    !options.format || options.format === 'auto'
      ? detectFormat(content, options.contentType ?? null)
      : options.format;
  const dates = { anchorDate: options.date, today: options.today ?? todayUtc() };
  switch (format) {
    case 'text':
      return parseText(content, dates);
    case 'hf-json':
      return parseHfJson(parseJsonText(content, label), dates);
    case 'hf-html':
      return parseHfHtml(content, dates);
  }
}

export interface LoadOptions extends Omit<ParseOptions, 'label' | 'contentType'> {
  /** Network settings; `baseUrl` defaults to PAPERBOY_HF_BASE_URL or https://huggingface.co. */
  fetch?: DailyPapersOptions;
  /** Read by the source `-`. */
  stdin?: AsyncIterable<Uint8Array | string>;
  now?: Date;
}

async function readStdin(stdin: AsyncIterable<Uint8Array | string>): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

async function readFileBytes(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory, not a file'
          : code === 'EACCES' || code === 'EPERM'
            ? 'permission denied'
            : `cannot be read (${code ?? (error as Error).message})`;
    throw new PaperboyError('unreadable', `${path}: ${reason}`, {
      hint: code === 'ENOENT' ? `a source is ${SOURCE_HELP}` : undefined,
      cause: error,
    });
  }
}

/** Reads a source and parses it. Throws PaperboyError with a clear message on any failure. */
export async function loadIssues(
  source: string,
  options: LoadOptions = {},
): Promise<ParsedIssue[]> {
  const today = options.today ?? todayUtc(options.now);
  if (source.startsWith('hf:')) {
    const spec = source.slice(3);
    const date = spec === 'latest' ? latestCompleteDay(options.now ?? new Date()) : parseYmd(spec);
    if (!date) {
      throw new PaperboyError('usage', `${source}: expected hf:YYYY-MM-DD or hf:latest`);
    }
    const items = await fetchDailyPapers(date, options.fetch);
    return parseHfJson(items, { date });
  }
  if (/^https?:\/\//i.test(source)) {
    const fetched = await fetchText(source, options.fetch);
    const text = assertReadableText(new TextEncoder().encode(fetched.body), fetched.url);
    return parseIssue(text, {
      ...options,
      today,
      label: fetched.url,
      contentType: fetched.contentType,
    });
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) {
    throw new PaperboyError('usage', `${source}: unsupported URL scheme`, {
      hint: `a source is ${SOURCE_HELP}`,
    });
  }
  const label = source === '-' ? 'stdin' : source;
  const bytes =
    source === '-' ? await readStdin(options.stdin ?? process.stdin) : await readFileBytes(source);
  return parseIssue(assertReadableText(bytes, label), { ...options, today, label });
}
