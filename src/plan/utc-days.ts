// Calendar arithmetic on YYYY-MM-DD strings in UTC. Issue dates are UTC days (README, "Dates"), so
// the local time zone and its DST changes must not move a weekday or a history window.
import { WEEKDAYS, type Weekday } from '../types.js';

const DAY_MS = 86_400_000;

function toTime(day: string): number {
  const time = Date.parse(`${day}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(time)) {
    throw new Error(`expected a date as YYYY-MM-DD, got "${day}"`);
  }
  return time;
}

/** `day` plus `days` (which may be negative). */
export function addDays(day: string, days: number): string {
  return new Date(toTime(day) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to`: positive when `to` is later. */
export function daysBetween(from: string, to: string): number {
  return Math.round((toTime(to) - toTime(from)) / DAY_MS);
}

export function weekdayOf(day: string): Weekday {
  // getUTCDay counts from Sunday; WEEKDAYS starts on Monday.
  return WEEKDAYS[(new Date(toTime(day)).getUTCDay() + 6) % 7] as Weekday;
}

/** The first day after `day` that falls on `weekday` (1 to 7 days later). */
export function nextWeekday(day: string, weekday: Weekday): string {
  const from = WEEKDAYS.indexOf(weekdayOf(day));
  const to = WEEKDAYS.indexOf(weekday);
  return addDays(day, ((to - from + 6) % 7) + 1);
}
