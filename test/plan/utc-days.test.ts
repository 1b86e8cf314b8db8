import { describe, expect, it } from 'vitest';
import { addDays, daysBetween, nextWeekday, weekdayOf } from '../../src/plan/utc-days.js';

describe('UTC day arithmetic', () => {
  it.each([
    ['2025-10-31', 1, '2025-11-01'],
    ['2025-10-31', -6, '2025-10-25'],
    ['2025-03-30', 1, '2025-03-31'], // a DST change in Europe: still one day
    ['2024-02-28', 1, '2024-02-29'],
    ['2025-12-31', 1, '2026-01-01'],
  ])('%s + %i = %s', (day, days, expected) => {
    expect(addDays(day, days)).toBe(expected);
    expect(daysBetween(day, expected)).toBe(days);
  });

  it.each([
    ['2025-10-31', 'friday'],
    ['2025-11-01', 'saturday'],
    ['2025-11-02', 'sunday'],
    ['2025-11-03', 'monday'],
  ])('%s is a %s', (day, weekday) => {
    expect(weekdayOf(day)).toBe(weekday);
  });

  it.each([
    ['2025-10-31', 'monday', '2025-11-03'],
    ['2025-10-31', 'saturday', '2025-11-01'],
    ['2025-10-31', 'friday', '2025-11-07'],
    ['2025-11-02', 'sunday', '2025-11-09'],
  ] as const)('after %s, the next %s is %s', (day, weekday, expected) => {
    expect(nextWeekday(day, weekday)).toBe(expected);
  });

  it('refuses what is not a date', () => {
    expect(() => addDays('2025-13-01', 1)).toThrow(/YYYY-MM-DD/);
    expect(() => weekdayOf('Oct 31')).toThrow(/YYYY-MM-DD/);
  });
});
