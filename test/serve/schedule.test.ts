// The schedule's arithmetic without waiting for it: next run times from node-cron under a fixed
// clock (fake Date), across DST changes, and the "was today's run missed?" walk back.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { PaperboyError } from '../../src/errors.js';
import { formatLogLine } from '../../src/log.js';
import { checkCronExpression, dayIn, lastRunToday, nextRunTimes } from '../../src/scheduler.js';

afterEach(() => {
  vi.useRealTimers();
});

function at(iso: string): void {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(iso));
}

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

describe('next run times across a DST change', () => {
  it('Europe/Berlin, weekdays at 08:00: 07:00Z before the spring change, 06:00Z after', () => {
    // Summer time starts on Sunday 2026-03-29 at 02:00 CET.
    at('2026-03-26T12:00:00Z');
    expect(iso(nextRunTimes('0 8 * * 1-5', 'Europe/Berlin', 4))).toEqual([
      '2026-03-27T07:00:00.000Z',
      '2026-03-30T06:00:00.000Z',
      '2026-03-31T06:00:00.000Z',
      '2026-04-01T06:00:00.000Z',
    ]);
  });

  it('Europe/Berlin, autumn: 06:00Z before the change, 07:00Z after', () => {
    // Winter time starts on Sunday 2026-10-25 at 03:00 CEST.
    at('2026-10-22T12:00:00Z');
    expect(iso(nextRunTimes('0 8 * * 1-5', 'Europe/Berlin', 3))).toEqual([
      '2026-10-23T06:00:00.000Z',
      '2026-10-26T07:00:00.000Z',
      '2026-10-27T07:00:00.000Z',
    ]);
  });

  it('America/New_York, daily at 08:00: the UTC time moves by an hour on the change day', () => {
    // Standard time starts on Sunday 2026-11-01 at 02:00 EDT.
    at('2026-10-30T00:00:00Z');
    expect(iso(nextRunTimes('0 8 * * *', 'America/New_York', 4))).toEqual([
      '2026-10-30T12:00:00.000Z',
      '2026-10-31T12:00:00.000Z',
      '2026-11-01T13:00:00.000Z',
      '2026-11-02T13:00:00.000Z',
    ]);
  });

  it('UTC does not move', () => {
    at('2026-03-27T09:00:00Z');
    expect(iso(nextRunTimes('0 8 * * 1-5', 'UTC', 2))).toEqual([
      '2026-03-30T08:00:00.000Z',
      '2026-03-31T08:00:00.000Z',
    ]);
  });
});

describe('lastRunToday (catch-up)', () => {
  it("finds today's time once it has passed, in the schedule's time zone", () => {
    // Monday after the spring change: 08:00 CEST is 06:00Z.
    expect(
      lastRunToday('0 8 * * 1-5', 'Europe/Berlin', new Date('2026-03-30T07:30:00Z'))?.toISOString(),
    ).toBe('2026-03-30T06:00:00.000Z');
    expect(lastRunToday('0 8 * * 1-5', 'Europe/Berlin', new Date('2026-03-30T05:59:00Z'))).toBe(
      null,
    );
  });

  it('is null on a day the schedule skips (a Saturday)', () => {
    expect(lastRunToday('0 8 * * 1-5', 'UTC', new Date('2026-03-28T12:00:00Z'))).toBe(null);
  });

  it("uses the zone's calendar day: 23:30Z on Monday is already Tuesday in Berlin", () => {
    const now = new Date('2026-03-30T23:30:00Z');
    expect(dayIn(now, 'Europe/Berlin')).toBe('2026-03-31');
    expect(lastRunToday('0 8 * * 1-5', 'Europe/Berlin', now)).toBe(null);
    expect(lastRunToday('0 8 * * 1-5', 'UTC', now)?.toISOString()).toBe('2026-03-30T08:00:00.000Z');
  });

  it('handles six-field expressions with seconds', () => {
    expect(
      lastRunToday('*/5 * * * * *', 'UTC', new Date('2026-03-30T10:00:07.500Z'))?.toISOString(),
    ).toBe('2026-03-30T10:00:05.000Z');
    expect(
      lastRunToday('30 15 9 * * *', 'UTC', new Date('2026-03-30T10:00:00Z'))?.toISOString(),
    ).toBe('2026-03-30T09:15:30.000Z');
  });
});

describe('schedule config', () => {
  it('defaults to weekdays at 08:00 UTC from hf:latest', () => {
    const { config } = loadConfig(undefined, { PAPERBOY_CONFIG: undefined });
    expect(config.schedule).toEqual({ cron: '0 8 * * 1-5', timezone: 'UTC', source: 'hf:latest' });
  });

  it('refuses an unknown time zone and a broken cron expression', () => {
    expect(() => checkCronExpression('0 8 * * 1-5')).not.toThrow();
    expect(() => checkCronExpression('61 8 * * *')).toThrow(PaperboyError);
    const dir = mkdtempSync(join(tmpdir(), 'paperboy-schedule-'));
    const file = join(dir, 'paperboy.config.json');
    writeFileSync(file, JSON.stringify({ schedule: { timezone: 'Europe/Berlinn' } }));
    expect(() => loadConfig(file, {})).toThrow(/schedule\.timezone.*IANA time zone/s);
    writeFileSync(file, JSON.stringify({ schedule: { timezone: 'America/New_York' } }));
    expect(loadConfig(file, {}).config.schedule.timezone).toBe('America/New_York');
  });
});

describe('log lines', () => {
  const time = new Date('2026-03-30T06:00:00.000Z');

  it('are one JSON object a line when not on a terminal', () => {
    const line = formatLogLine(
      'error',
      'run.failed',
      { run: 1, error: new Error('boom') },
      time,
      true,
    );
    expect(line.endsWith('\n')).toBe(true);
    expect(line.trim().includes('\n')).toBe(false);
    expect(JSON.parse(line)).toEqual({
      time: '2026-03-30T06:00:00.000Z',
      level: 'error',
      event: 'run.failed',
      run: 1,
      error: 'boom',
    });
  });

  it('are key=value on a terminal', () => {
    expect(formatLogLine('info', 'run.started', { run: 2, source: 'hf:latest' }, time, false)).toBe(
      '06:00:00 info  run.started run=2 source=hf:latest\n',
    );
  });
});
