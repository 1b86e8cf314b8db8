// Dates as the HF page prints them ("Oct 31", "Jul 28, 2023") resolved to YYYY-MM-DD in UTC.
// Per-function entry points: the package root loads all of date-fns (~200 ms per process).
import { format } from 'date-fns/format';
import { isValid } from 'date-fns/isValid';
import { parse } from 'date-fns/parse';

const MONTHS = [
  'jan',
  'feb',
  'mar',
  'apr',
  'may',
  'jun',
  'jul',
  'aug',
  'sep',
  'oct',
  'nov',
  'dec',
] as const;

/** "Oct 31", "October 31", "Sept 3", "Jul 28, 2023". Month names in English, as HF prints them. */
export const DAY_PATTERN_SOURCE =
  '(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\\.? (\\d{1,2})(?:, (\\d{4}))?';

export interface MonthDay {
  /** 1-12 */
  month: number;
  day: number;
  year: number | null;
}

/** Reads the captures of DAY_PATTERN_SOURCE; null when the day cannot exist in that month. */
export function toMonthDay(
  monthName: string,
  day: string,
  year: string | undefined,
): MonthDay | null {
  const month = MONTHS.indexOf(monthName.slice(0, 3).toLowerCase() as (typeof MONTHS)[number]) + 1;
  const result = { month, day: Number(day), year: year ? Number(year) : null };
  // Feb 29 is valid in some year; check against a leap year when the year is unknown.
  if (!isValidDate(result.year ?? 2024, month, result.day)) return null;
  return result;
}

function isValidDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

export function formatYmd(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * The most recent date with this month and day that is not after `anchor` (YYYY-MM-DD).
 * An explicit year wins. This is how the page's year-less header and year-less card dates
 * resolve: "Jan 17" on an Oct 31, 2025 page is 2025-01-17; "Dec 30" on it is 2024-12-30.
 */
export function resolveMonthDay(value: MonthDay, anchor: string): string {
  if (value.year !== null) return formatYmd(value.year, value.month, value.day);
  let year = Number(anchor.slice(0, 4));
  for (;;) {
    if (isValidDate(year, value.month, value.day)) {
      const candidate = formatYmd(year, value.month, value.day);
      if (candidate <= anchor) return candidate;
    }
    year -= 1;
  }
}

/** Today's date in UTC, YYYY-MM-DD. */
export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** Validates a YYYY-MM-DD string given by a user; returns it or null. */
export function parseYmd(text: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  const date = parse(text, 'yyyy-MM-dd', new Date(0));
  return isValid(date) && format(date, 'yyyy-MM-dd') === text ? text : null;
}

/** The UTC calendar day of an ISO timestamp (`2026-03-06T03:55:12.777Z` -> 2026-03-06). */
export function isoToUtcDay(iso: string): string | null {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return null;
  return new Date(time).toISOString().slice(0, 10);
}
