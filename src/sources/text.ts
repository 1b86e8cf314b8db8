// The plain-text copy of the HF papers page (the seed format). See CONTEXT.md, "Text copy".
//
// A card ends with a line holding only "·" followed by its date line; everything between the
// previous card's date line and the "·" is [day header] [upvotes] title, abstract lines, byline.
// Anchoring on "·" keeps one malformed card from swallowing its neighbours.
import type { ParsedIssue, ParsedPaper, ParseWarning } from '../types.js';
import {
  DAY_PATTERN_SOURCE,
  type MonthDay,
  resolveMonthDay,
  todayUtc,
  toMonthDay,
} from './dates.js';
import { cleanAbstract, collapseWhitespace } from './latex.js';
import { buildLinks, findCodeUrl, findProjectUrl } from './links.js';
import { mergeIssues } from './merge-issues.js';
import { titleId } from './paper-id.js';

export interface TextParseOptions {
  /**
   * YYYY-MM-DD given by the user (--date): the issue date when there is no header, and the date
   * a year-less header resolves against (the most recent such day not after it).
   */
  anchorDate?: string;
  /** YYYY-MM-DD used in place of anchorDate when none was given; defaults to today (UTC). */
  today?: string;
}

interface Line {
  /** 1-based line number in the input. */
  number: number;
  text: string;
}

const SEPARATOR = '\u00b7';
const DAY_LINE = new RegExp(`^${DAY_PATTERN_SOURCE}$`, 'i');
/** A card's date line: a day, then optionally the comment count. */
const CARD_DATE_LINE = new RegExp(`^${DAY_PATTERN_SOURCE}(?:\\s+(\\d[\\d,]*))?$`, 'i');
const UPVOTE_LINE = /^(?:\d{1,3}(?:,\d{3})+|\d+|-)$/;
const AUTHORS_BYLINE = /^(?:(.*?)\s*)?[•·]\s*(\d[\d,]*)\s+authors?$/i;
/** Lines of page chrome around the cards, compared in lower case. */
const CHROME = new Set([
  'new',
  'get trending papers in your email inbox!',
  'subscribe',
  'daily papers',
  'byak and the research community',
  'submit',
  'search',
  'previous',
  'next',
]);

function toNumber(text: string): number {
  return Number(text.replace(/,/g, ''));
}

/**
 * The longest CHROME entry. Lower-casing never shortens a string, so longer lines cannot be chrome
 * and skip the lower-cased copy that every abstract line used to get.
 */
const CHROME_MAX_LENGTH = Math.max(...[...CHROME].map((entry) => entry.length));

function isChrome(text: string): boolean {
  return text.length <= CHROME_MAX_LENGTH && CHROME.has(text.toLowerCase());
}

/** Spaces a browser copy may hold that read as plain ones. */
const NO_BREAK_SPACES = ['\u00a0', '\u2007', '\u202f'];

function splitLines(text: string): Line[] {
  let content = text.replace(/^\uFEFF/, '');
  // Over the whole copy at once, not per line; a plain search finds whether there is any
  // several times faster than a regex scan, and most copies hold none.
  if (NO_BREAK_SPACES.some((space) => content.includes(space))) {
    content = content.replace(/[\u00a0\u2007\u202f]/g, ' ');
  }
  // Splitting on a string is faster than on a regex; without a CR only "\n" can end a line.
  const raw = content.includes('\r') ? content.split(/\r\n|\r|\n/) : content.split('\n');
  const lines: Line[] = [];
  for (let index = 0; index < raw.length; index++) {
    const trimmed = (raw[index] as string).trim();
    if (trimmed !== '') lines.push({ number: index + 1, text: trimmed });
  }
  return lines;
}

function matchDay(text: string): MonthDay | null {
  const match = DAY_LINE.exec(text);
  return match ? toMonthDay(match[1] as string, match[2] as string, match[3]) : null;
}

interface Section {
  /** Where the day header was, or null for cards before any header. */
  headerLine: number | null;
  day: MonthDay | null;
  cards: RawCard[];
}

interface RawCard {
  body: Line[];
  byline: Line;
  dateLine: Line | undefined;
}

/** Parses a text copy into one issue per day section. Never throws on malformed cards. */
export function parseText(text: string, options: TextParseOptions = {}): ParsedIssue[] {
  const anchor = options.anchorDate ?? options.today ?? todayUtc();
  const lines = splitLines(text);
  const warnings: ParseWarning[] = [];
  const sections: Section[] = [{ headerLine: null, day: null, cards: [] }];
  let start = 0;

  for (let i = 0; i < lines.length; i++) {
    if ((lines[i] as Line).text !== SEPARATOR) continue;
    const separator = lines[i] as Line;
    const dateLine = lines[i + 1];
    const validDate = dateLine && CARD_DATE_LINE.test(dateLine.text) ? dateLine : undefined;
    const bodyStart = start;
    // Without a date line, the next line may already belong to the next card.
    start = validDate ? i + 2 : i + 1;
    if (i - 1 < bodyStart) {
      warnings.push({
        line: separator.number,
        message: '"·" line without a card before it; ignored',
      });
      continue;
    }
    const byline = lines[i - 1] as Line;
    let body = lines.slice(bodyStart, i - 1);
    // A day header (a bare date not preceded by "·") opens a new section; chrome goes with it.
    const headerIndex = body.findLastIndex((line) => matchDay(line.text) !== null);
    if (headerIndex >= 0) {
      const header = body[headerIndex] as Line;
      const stray = body.slice(0, headerIndex).filter((l) => !isChrome(l.text));
      if (stray.length > 0) {
        warnings.push({
          line: (stray[0] as Line).number,
          message: `${stray.length} line(s) before the day header on line ${header.number} are not part of a card; ignored`,
        });
      }
      sections.push({ headerLine: header.number, day: matchDay(header.text), cards: [] });
      body = body.slice(headerIndex + 1);
    }
    body = body.filter((line) => !isChrome(line.text));
    (sections.at(-1) as Section).cards.push({ body, byline, dateLine: validDate });
  }

  const trailing = lines.slice(start).filter((line) => !isChrome(line.text));
  if (trailing.some((line) => matchDay(line.text) === null)) {
    const first = trailing[0] as Line;
    warnings.push({
      line: first.number,
      message: `text after the last card has no "·" and date line; ignored (an incomplete card?)`,
    });
  }

  const issues: ParsedIssue[] = [];
  for (const section of sections) {
    if (section.cards.length === 0 && section.headerLine === null) continue;
    const sectionWarnings: ParseWarning[] = [];
    const date = sectionDate(section, anchor, options.anchorDate !== undefined, sectionWarnings);
    const papers: ParsedPaper[] = [];
    for (const card of section.cards) {
      const paper = parseCard(card, date, sectionWarnings);
      if (paper) papers.push(paper);
    }
    issues.push({ date, papers, warnings: sectionWarnings });
  }
  const first = issues[0] ?? { date: anchor, papers: [], warnings: [] };
  if (issues.length === 0) issues.push(first);
  first.warnings = [...warnings, ...first.warnings];
  return mergeIssues(issues);
}

function sectionDate(
  section: Section,
  anchor: string,
  anchorGiven: boolean,
  warnings: ParseWarning[],
): string {
  if (section.day === null) {
    warnings.push({
      line: null,
      message: anchorGiven
        ? `no day header before the first card; using --date ${anchor}`
        : `no day header before the first card; assuming today (${anchor}): pass --date to set it`,
    });
    return anchor;
  }
  const date = resolveMonthDay(section.day, anchor);
  if (anchorGiven && date !== anchor && section.day.year === null) {
    warnings.push({
      line: section.headerLine,
      message: `the day header says ${date.slice(5)}, not ${anchor.slice(5)}; --date only sets the year, so the issue date is ${date}`,
    });
  }
  return date;
}

function parseCard(card: RawCard, issueDate: string, warnings: ParseWarning[]): ParsedPaper | null {
  const { byline } = card;
  let body = card.body;
  const firstLine = body[0]?.number ?? byline.number;
  if (!card.dateLine) {
    warnings.push({ line: firstLine, message: 'card without a date line after "·"; skipped' });
    return null;
  }
  const dateMatch = CARD_DATE_LINE.exec(card.dateLine.text) as RegExpExecArray;
  const day = toMonthDay(dateMatch[1] as string, dateMatch[2] as string, dateMatch[3]);
  if (!day) {
    warnings.push({
      line: card.dateLine.number,
      message: `"${card.dateLine.text}" is not a calendar date; card skipped`,
    });
    return null;
  }
  const comments = dateMatch[4] ? toNumber(dateMatch[4]) : 0;

  let upvotes: number | null = null;
  const first = body[0];
  if (first && UPVOTE_LINE.test(first.text) && body.length > 1) {
    upvotes = first.text === '-' ? 0 : toNumber(first.text);
    body = body.slice(1);
  }

  let authorsCount: number | null = null;
  let organization: string | null = null;
  const authors = AUTHORS_BYLINE.exec(byline.text);
  if (authors) {
    authorsCount = toNumber(authors[2] as string);
    organization = authors[1] ? authors[1] : null;
  } else if (byline.text.length <= 80 && !/[.!?]$/.test(byline.text)) {
    organization = byline.text;
  } else {
    // No byline: the line before "·" is the end of the abstract.
    body = [...body, byline];
    warnings.push({
      line: byline.number,
      message: 'card without a byline (authors or organization)',
    });
  }

  const [titleLine, ...abstractLines] = body;
  if (!titleLine) {
    warnings.push({ line: byline.number, message: 'card without a title; skipped' });
    return null;
  }
  if (abstractLines.length === 0) {
    warnings.push({ line: titleLine.number, message: 'card without an abstract' });
  }
  const title = collapseWhitespace(titleLine.text);
  const rawAbstract = abstractLines.map((line) => line.text).join('\n');
  const id = titleId(title);
  return {
    id,
    title,
    abstract: cleanAbstract(rawAbstract),
    authors: [],
    authorsCount,
    organization,
    publishedAt: resolveMonthDay(day, issueDate),
    upvotes,
    comments,
    links: buildLinks({
      id,
      title,
      code: findCodeUrl(rawAbstract),
      project: findProjectUrl(rawAbstract),
    }),
    summary: null,
    keywords: [],
  };
}
