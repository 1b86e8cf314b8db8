// When `paperboy serve` sends: the node-cron schedule from the config (explicit time zone,
// noOverlap), its next run times, and whether today's run was missed. The scheduler keeps no state
// of its own: what was sent is in the ledger, and every run asks it.
//
// With many instances on one schedule (DATABASE_URL), node-cron's distributed mode asks a run
// coordinator at every fire whether this instance runs it: exactly one does (the coordinator is
// src/distributed/run-coordinator.ts, a row per fire in PostgreSQL), the others skip it.
import cron, { type RunCoordinator, type ScheduledTask, type SkipReason } from 'node-cron';
import { PaperboyError } from './errors.js';

export const SCHEDULE_TASK_NAME = 'paperboy-send';

/** A PaperboyError('config') unless node-cron accepts the expression. */
export function checkCronExpression(expression: string): void {
  const result = cron.validateDetailed(expression);
  if (result.valid) return;
  const why = result.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
  throw new PaperboyError('config', `schedule.cron "${expression}" is not valid (${why})`, {
    hint: 'five fields (minute hour day month weekday), or six with seconds first, e.g. "0 8 * * 1-5"',
  });
}

/**
 * The next `count` run times of `expression` read in `timezone`, after now (Date.now(), so fake
 * timers move it). node-cron computes them, wall-clock times across DST changes included.
 */
export function nextRunTimes(expression: string, timezone: string, count: number): Date[] {
  const task = cron.createTask(expression, () => {}, { timezone, name: 'paperboy-next-runs' });
  try {
    return task.getNextRuns(count);
  } finally {
    void task.destroy();
  }
}

/** The calendar day of `date` in `timezone`, as YYYY-MM-DD. */
export function dayIn(date: Date, timezone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(date);
}

/**
 * The latest time today (the calendar day of `now` in `timezone`) the schedule fired or should
 * have, at or before `now`; null when it has no time today before `now`. Walks back a second at a
 * time, or a minute when the expression fires on one second only (five fields).
 */
export function lastRunToday(expression: string, timezone: string, now: Date): Date | null {
  const task = cron.createTask(expression, () => {}, { timezone, name: 'paperboy-last-run' });
  try {
    const seconds = cron.parse(expression).second;
    const today = dayIn(now, timezone);
    let at = Math.floor(now.getTime() / 1000) * 1000;
    let step = 1000;
    if (seconds.length === 1) {
      // Align to that second, at or before now, then go a minute at a time.
      const second = seconds[0] as number;
      const current = new Date(at).getUTCSeconds();
      at -= ((current - second + 60) % 60) * 1000;
      step = 60_000;
    }
    // 25 hours covers the longest day (a DST change); the day check ends the walk sooner.
    for (let i = 0, limit = (25 * 3_600_000) / step; i <= limit; i++, at -= step) {
      const candidate = new Date(at);
      if (dayIn(candidate, timezone) !== today) return null;
      if (task.match(candidate)) return candidate;
    }
    return null;
  } finally {
    void task.destroy();
  }
}

export interface Schedule {
  task: ScheduledTask;
  /** Stops the schedule: no tick starts after this. */
  stop(): Promise<void>;
}

/**
 * How long a fire is held by the instance running it: if that instance dies before finishing,
 * another may take the fire over after this (its catch-up at start asks for the same fire).
 */
export const FIRE_LEASE_MS = 10 * 60_000;

/** The coordinator's key of a fire: the one node-cron uses (task name and scheduled time). */
export function fireKey(slot: Date): string {
  return `${SCHEDULE_TASK_NAME}:${slot.toISOString()}`;
}

export interface ScheduleOptions {
  /** Several instances share the schedule: each fire runs on the one this coordinator elects. */
  coordinator?: RunCoordinator;
  /** A fire this instance does not run: another was elected, or the coordinator failed. */
  onSkipped?(slot: Date, reason: SkipReason): void;
}

/**
 * Starts the daily schedule: `tick` runs at every matching time (`slot`), never two at once, and
 * with a coordinator on one instance only.
 */
export function startSchedule(
  expression: string,
  timezone: string,
  tick: (slot: Date) => Promise<void>,
  options: ScheduleOptions = {},
): Schedule {
  const task = cron.schedule(expression, (context) => tick(context.date), {
    name: SCHEDULE_TASK_NAME,
    timezone,
    noOverlap: true,
    ...(options.coordinator
      ? {
          distributed: true,
          runCoordinator: options.coordinator,
          distributedLease: FIRE_LEASE_MS,
        }
      : {}),
  });
  if (options.onSkipped) {
    const onSkipped = options.onSkipped;
    task.on('execution:skipped', (context) =>
      onSkipped(context.date, context.reason ?? 'not-elected'),
    );
  }
  return {
    task,
    async stop() {
      await task.stop();
      await task.destroy();
    },
  };
}
