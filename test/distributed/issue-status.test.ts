// `paperboy status`'s counts: the pure summary of the GROUP BY rows, and the same read back from a
// real ledger after a few outcomes, per segment and in total.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CountRow,
  readIssueStatus,
  summarizeDeliveries,
} from '../../src/distributed/issue-status.js';
import {
  type Claim,
  claimDeliveries,
  recordFailed,
  recordSent,
} from '../../src/distributed/pg-ledger.js';
import {
  migratedDatabase,
  type PlannedSeed,
  planSeed,
  readers,
  type TestDatabase,
} from './pg-fixture.js';

const row = (
  segmentId: string | null,
  state: CountRow['state'],
  count: number,
  extra: Partial<CountRow> = {},
): CountRow => ({
  segmentId,
  recipient: true,
  state,
  reason: null,
  permanent: null,
  count,
  retried: 0,
  ...extra,
});

describe('summarizing the deliveries', () => {
  it('counts recipients by state, per segment, and the plan skips apart', () => {
    const summary = summarizeDeliveries([
      row('seg_a', 'sent', 5, { retried: 2 }),
      row('seg_a', 'failed', 2, { permanent: true }),
      row('seg_a', 'failed', 1, { permanent: false }),
      row('seg_b', 'pending', 3),
      row('seg_b', 'sending', 1),
      row('seg_b', 'skipped', 1, { reason: 'unsubscribed' }),
      row(null, 'skipped', 4, { recipient: false, reason: 'weekly-not-today' }),
      row('seg_c', 'skipped', 2, { recipient: false, reason: 'nothing-matched' }),
    ]);
    expect(summary.totals).toEqual({
      planned: 13,
      sent: 5,
      failed: 3,
      permanent: 2,
      skipped: 1,
      pending: 3,
      sending: 1,
    });
    expect(summary.skippedBy).toEqual({ unsubscribed: 1 });
    expect(summary.notPlanned).toEqual({ 'weekly-not-today': 4, 'nothing-matched': 2 });
    expect(summary.retried).toBe(2);
    expect(summary.segments.map((s) => [s.id, s.planned, s.sent, s.pending])).toEqual([
      ['seg_a', 8, 5, 0],
      ['seg_b', 5, 0, 3],
    ]);
  });
});

describe('reading an issue status from the ledger', () => {
  let database: TestDatabase;
  let seed: PlannedSeed;
  beforeAll(async () => {
    database = await migratedDatabase('status');
    await database.store.import(readers(100));
    await database.store.remove('reader7@example.org');
    seed = await planSeed(database);
  }, 60_000);
  afterAll(async () => {
    await database?.close();
  });

  it('agrees with what was recorded', async () => {
    const date = seed.plan.date;
    const ids = seed.plan.segments.flatMap((s) => Array.from(s.recipients, (r) => r.subscriberId));
    const claim: Claim = { worker: 'test:1', job: 'job-status', try: 0 };
    await claimDeliveries(database.db, date, ids.slice(0, 10), claim, 600);
    for (const id of ids.slice(0, 6)) await recordSent(database.db, date, id, `<${id}@x>`);
    await recordFailed(database.db, date, ids[6] as string, claim, {
      code: 550,
      response: '550 no such user',
      permanent: true,
      messageId: '<x@x>',
    });
    // A reader unsubscribed after the plan: the next claim skips them.
    await database.store.remove(ids[20] as string);
    await claimDeliveries(database.db, date, [ids[20] as string], claim, 600);

    const status = await readIssueStatus(database.db, date);
    expect(status?.totals).toEqual({
      planned: ids.length,
      sent: 6,
      failed: 1,
      permanent: 1,
      skipped: 1,
      pending: ids.length - 6 - 1 - 1 - 3,
      sending: 3,
    });
    expect(status?.skippedBy).toEqual({ unsubscribed: 1 });
    expect(status?.notPlanned).toEqual({ unsubscribed: 1 });
    expect(status?.segments.reduce((sum, s) => sum + s.planned, 0)).toBe(ids.length);
    expect(status?.plannedBy).toBe('test');
    expect(await readIssueStatus(database.db, '1999-01-01')).toBeNull();
  });
});
