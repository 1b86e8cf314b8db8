// The shared rate limit on a real PostgreSQL: several workers (each its own pool and limiter)
// taking tokens as fast as they can never start more than the limit in any window, counted both
// by the database and by the times the tokens were used.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/db/database.js';
import { chunkSize, createSharedRateLimit } from '../../src/distributed/shared-rate-limit.js';
import { migratedDatabase, type TestDatabase } from './pg-fixture.js';

let database: TestDatabase;
let pools: Database[] = [];
const WORKERS = 4;

beforeAll(async () => {
  database = await migratedDatabase('rate');
  pools = await Promise.all(
    Array.from({ length: WORKERS }, () => openDatabase(database.url, { max: 2 })),
  );
});
afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()));
  await database?.close();
});

describe('the shared rate limit', () => {
  it('asks for a small share of the limit at a time', () => {
    expect([1, 10, 20, 100, 1000, 100_000].map(chunkSize)).toEqual([1, 1, 1, 5, 50, 50]);
  });

  it('holds across concurrent workers: never more than the limit in a window', async () => {
    const limit = 40;
    const windowMs = 200;
    const windows = 8;
    const stop = AbortSignal.timeout(windows * windowMs);
    const used: number[] = [];
    // Each worker runs 3 senders at once, as a worker runs several jobs.
    await Promise.all(
      pools.map(async (pool) => {
        const rate = createSharedRateLimit(pool, { limit, windowMs, bucket: 'test' });
        await Promise.all(
          Array.from({ length: 3 }, async () => {
            for (;;) {
              try {
                await rate.take(stop);
              } catch {
                return;
              }
              used.push(Date.now());
            }
          }),
        );
      }),
    );
    const perWindow = new Map<number, number>();
    for (const at of used) {
      const slot = Math.floor(at / windowMs);
      perWindow.set(slot, (perWindow.get(slot) ?? 0) + 1);
    }
    expect(Math.max(...perWindow.values())).toBeLessThanOrEqual(limit);
    // The workers did contend: more were wanted than one window allows.
    expect(used.length).toBeGreaterThan(limit);

    const rows = await database.db.query<{ slot: string; used: number }>(
      "SELECT slot, used FROM send_rate WHERE bucket = 'test'",
    );
    for (const row of rows.rows) expect(row.used).toBeLessThanOrEqual(limit);
    // Every token used was granted (some granted at a window's end go unused).
    expect(used.length).toBeLessThanOrEqual(rows.rows.reduce((sum, row) => sum + row.used, 0));
  });
});
