// node-cron's RunCoordinator backed by PostgreSQL, so that of many `paperboy serve` instances on
// one schedule exactly one runs each fire. node-cron asks shouldRun(key) at every fire on every
// instance, with the same key for the same fire (the task name and the scheduled time); the row
// that key names in `schedule_fires` is made by exactly one INSERT, whose instance runs the fire.
// The others get no row back and skip it ("not-elected").
//
// A fire whose instance died before finishing may be taken again once its lease has run out (the
// catch-up at start asks for the same key); a finished fire never runs twice.
import type { RunCoordinator } from 'node-cron';
import type { Queryable } from './queue.js';

export function createPgRunCoordinator(db: Queryable, instance: string): RunCoordinator {
  return {
    async shouldRun(key, ttlMs) {
      const result = await db.query(
        `INSERT INTO schedule_fires AS f (key, fired_by, fired_at, lease_until)
         VALUES ($1, $2, now(), now() + make_interval(secs => $3))
         ON CONFLICT (key) DO UPDATE SET fired_by = EXCLUDED.fired_by,
           fired_at = EXCLUDED.fired_at, lease_until = EXCLUDED.lease_until
         WHERE f.finished_at IS NULL AND f.lease_until < now()
         RETURNING fired_by`,
        [key, instance, ttlMs / 1000],
      );
      return result.rows.length === 1;
    },
    async onComplete(key) {
      await db.query(
        'UPDATE schedule_fires SET finished_at = now() WHERE key = $1 AND fired_by = $2',
        [key, instance],
      );
    },
  };
}
