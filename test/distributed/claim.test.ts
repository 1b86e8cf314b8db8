// The ledger's claim against a real PostgreSQL: two workers claiming the same rows at once each
// get a row at most once, and every row goes to one of them; suppression is applied by the claim
// itself; a later try of the same job takes back what an earlier (dead) try held, nobody else
// does until the claim is abandoned; `sent` is final; planning again never undoes a send.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/db/database.js';
import {
  type Claim,
  claimDeliveries,
  recordPlanDeliveries,
  recordSent,
  releaseClaims,
} from '../../src/distributed/pg-ledger.js';
import { seededRandom } from '../helpers.js';
import {
  deliveryStates,
  migratedDatabase,
  type PlannedSeed,
  planSeed,
  readers,
  type TestDatabase,
} from './pg-fixture.js';

let database: TestDatabase;
/** Two more pools: two workers, each with its own connections. */
let workerA: Database;
let workerB: Database;
let seed: PlannedSeed;
let recipients: string[];
const HOUR = 3600;

beforeAll(async () => {
  database = await migratedDatabase('claim');
  await database.store.import(readers(600));
  seed = await planSeed(database);
  recipients = seed.plan.segments.flatMap((s) => Array.from(s.recipients, (r) => r.subscriberId));
  workerA = await openDatabase(database.url, { max: 4 });
  workerB = await openDatabase(database.url, { max: 4 });
}, 60_000);
afterAll(async () => {
  await workerA?.end();
  await workerB?.end();
  await database?.close();
});

const claimOf = (worker: string, job: string, attempt = 0): Claim => ({
  worker,
  job,
  try: attempt,
});

async function resetToPending(): Promise<void> {
  await database.db.query(
    `UPDATE deliveries SET state = 'pending', claimed_at = NULL, claimed_by = NULL, claim_job = NULL,
       claim_try = NULL WHERE issue = $1 AND recipient`,
    [seed.plan.date],
  );
}

describe('claiming deliveries', () => {
  it('plans every active reader as pending and nobody twice', async () => {
    const states = await deliveryStates(database.db, seed.plan.date);
    expect(recipients.length).toBe(600);
    expect(new Set(recipients).size).toBe(600);
    for (const id of recipients) expect(states.get(id)?.state).toBe('pending');
  });

  it('two workers claiming the same rows at once: each row claimed exactly once', async () => {
    const random = seededRandom(8);
    for (let round = 0; round < 10; round++) {
      await resetToPending();
      // Overlapping batches in different orders, claimed concurrently in chunks.
      const shuffled = [...recipients].sort(() => random() - 0.5);
      const chunks = (ids: string[]) =>
        Array.from({ length: 6 }, (_, i) => ids.slice(i * 100, (i + 1) * 100));
      const [a, b] = await Promise.all([
        Promise.all(
          chunks(recipients).map((ids, i) =>
            claimDeliveries(
              workerA,
              seed.plan.date,
              ids,
              claimOf('a', `job-a-${round}-${i}`),
              HOUR,
            ),
          ),
        ),
        Promise.all(
          chunks(shuffled).map((ids, i) =>
            claimDeliveries(
              workerB,
              seed.plan.date,
              ids,
              claimOf('b', `job-b-${round}-${i}`),
              HOUR,
            ),
          ),
        ),
      ]);
      const byA = a.flatMap((r) => r.sending.map((d) => d.subscriberId));
      const byB = b.flatMap((r) => r.sending.map((d) => d.subscriberId));
      const both = byA.filter((id) => new Set(byB).has(id));
      expect(both).toEqual([]);
      expect(new Set([...byA, ...byB]).size).toBe(600);
      expect(byA.length + byB.length).toBe(600);
    }
  });

  it('skips a subscriber who is no longer active in the claim itself', async () => {
    await resetToPending();
    const [first, second, third] = recipients as [string, string, string];
    await database.store.remove(first);
    await database.store.remove(second, { purge: true });
    const result = await claimDeliveries(
      database.db,
      seed.plan.date,
      [first, second, third],
      claimOf('a', 'job-suppressed'),
      HOUR,
    );
    expect(result.sending.map((d) => d.subscriberId)).toEqual([third]);
    expect(new Map(result.skipped.map((s) => [s.subscriberId, s.reason]))).toEqual(
      new Map([
        [first, 'unsubscribed'],
        [second, 'removed'],
      ]),
    );
    const states = await deliveryStates(database.db, seed.plan.date);
    expect(states.get(first)).toEqual({ state: 'skipped', reason: 'unsubscribed' });
    expect(states.get(second)).toEqual({ state: 'skipped', reason: 'removed' });
  });

  it('a dead try’s rows go to the next try of its job, not to another job, and sent stays sent', async () => {
    await resetToPending();
    const batch = recipients.slice(10, 20);
    const dead = claimOf('a', 'job-x', 0);
    const first = await claimDeliveries(workerA, seed.plan.date, batch, dead, HOUR);
    expect(first.sending).toHaveLength(10);
    // The dead worker got one message out and recorded it.
    await recordSent(workerA, seed.plan.date, batch[0] as string, '<x@example.org>');

    const other = await claimDeliveries(
      workerB,
      seed.plan.date,
      batch,
      claimOf('b', 'job-y'),
      HOUR,
    );
    expect(other.sending).toEqual([]);

    const retry = await claimDeliveries(
      workerB,
      seed.plan.date,
      batch,
      claimOf('b', 'job-x', 1),
      HOUR,
    );
    expect(retry.sending.map((d) => d.subscriberId)).toEqual(batch.slice(1));

    // Given back (a worker stopping), anyone may claim them again; the sent one never.
    await releaseClaims(workerB, seed.plan.date, batch, claimOf('b', 'job-x', 1));
    const again = await claimDeliveries(
      workerA,
      seed.plan.date,
      batch,
      claimOf('a', 'job-z'),
      HOUR,
    );
    expect(again.sending.map((d) => d.subscriberId)).toEqual(batch.slice(1));
    const states = await deliveryStates(database.db, seed.plan.date);
    expect(states.get(batch[0] as string)?.state).toBe('sent');
  });

  it('an abandoned claim (older than the job timeout) may be taken by anyone', async () => {
    await resetToPending();
    const batch = recipients.slice(30, 35);
    await claimDeliveries(workerA, seed.plan.date, batch, claimOf('a', 'job-old'), HOUR);
    await database.db.query(
      `UPDATE deliveries SET claimed_at = now() - interval '2 hours' WHERE issue = $1 AND subscriber_id = ANY($2)`,
      [seed.plan.date, batch],
    );
    const taken = await claimDeliveries(
      workerB,
      seed.plan.date,
      batch,
      claimOf('b', 'job-new'),
      HOUR,
    );
    expect(taken.sending).toHaveLength(5);
  });

  it('planning again leaves sent and claimed rows alone and makes the rest pending', async () => {
    await resetToPending();
    const [sent, claimed, failed] = recipients.slice(40, 43) as [string, string, string];
    await recordSent(database.db, seed.plan.date, sent, '<s@example.org>');
    await claimDeliveries(workerA, seed.plan.date, [claimed], claimOf('a', 'job-held'), HOUR);
    await database.db.query(
      `UPDATE deliveries SET state = 'failed', permanent = true WHERE issue = $1 AND subscriber_id = $2`,
      [seed.plan.date, failed],
    );
    await recordPlanDeliveries(database.db, seed.plan);
    const states = await deliveryStates(database.db, seed.plan.date);
    expect(states.get(sent)?.state).toBe('sent');
    expect(states.get(claimed)?.state).toBe('sending');
    expect(states.get(failed)?.state).toBe('pending');
  });
});
