// The schedule's run coordinator on a real PostgreSQL: of many instances asking at once for the
// same fire, exactly one is elected; a finished fire is never run again; a fire whose instance died
// (lease run out, never finished) is taken over by one instance, once.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/db/database.js';
import { createPgRunCoordinator } from '../../src/distributed/run-coordinator.js';
import { fireKey } from '../../src/scheduler.js';
import { migratedDatabase, type TestDatabase } from './pg-fixture.js';

let database: TestDatabase;
/** One pool per instance, as separate `serve` processes would have. */
let pools: Database[] = [];
const INSTANCES = 8;

beforeAll(async () => {
  database = await migratedDatabase('coordinator');
  pools = await Promise.all(
    Array.from({ length: INSTANCES }, () => openDatabase(database.url, { max: 2 })),
  );
});
afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()));
  await database?.close();
});

const coordinators = () => pools.map((pool, i) => createPgRunCoordinator(pool, `host-${i}:${i}`));

describe('the PostgreSQL run coordinator', () => {
  it('elects exactly one of many instances for each fire, every time', async () => {
    const instances = coordinators();
    for (let minute = 0; minute < 20; minute++) {
      const key = fireKey(new Date(Date.UTC(2025, 10, 3, 8, minute)));
      const answers = await Promise.all(instances.map((c) => c.shouldRun(key, 600_000)));
      expect(answers.filter(Boolean)).toHaveLength(1);
    }
    const fires = await database.db.query('SELECT count(*)::int AS n FROM schedule_fires');
    expect(fires.rows[0].n).toBe(20);
  });

  it('a finished fire is not run again, not even after its lease', async () => {
    const [first, second] = coordinators() as [
      ReturnType<typeof createPgRunCoordinator>,
      ReturnType<typeof createPgRunCoordinator>,
    ];
    const key = fireKey(new Date(Date.UTC(2025, 10, 4, 8)));
    expect(await first.shouldRun(key, 1)).toBe(true);
    await first.onComplete?.(key);
    await sleep(20);
    expect(await second.shouldRun(key, 600_000)).toBe(false);
    expect(await first.shouldRun(key, 600_000)).toBe(false);
  });

  it('a fire left unfinished is taken over by exactly one instance once its lease runs out', async () => {
    const instances = coordinators();
    const key = fireKey(new Date(Date.UTC(2025, 10, 5, 8)));
    expect(await instances[0]?.shouldRun(key, 600_000)).toBe(true);
    // Still held: nobody else runs it.
    const held = await Promise.all(instances.slice(1).map((c) => c.shouldRun(key, 600_000)));
    expect(held.filter(Boolean)).toHaveLength(0);
    // Its instance died: the lease runs out.
    await database.db.query(
      "UPDATE schedule_fires SET lease_until = now() - interval '1 second' WHERE key = $1",
      [key],
    );
    const takeover = await Promise.all(instances.slice(1).map((c) => c.shouldRun(key, 600_000)));
    expect(takeover.filter(Boolean)).toHaveLength(1);
    const row = await database.db.query('SELECT fired_by FROM schedule_fires WHERE key = $1', [
      key,
    ]);
    expect(row.rows[0].fired_by).not.toBe('host-0:0');
  });
});
