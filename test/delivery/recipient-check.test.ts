import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRecipientCheck } from '../../src/delivery/recipient-check.js';
import type { Recipient } from '../../src/plan/index.js';
import { createJsonStore } from '../../src/stores/json-store.js';
import type { SubscriberStore } from '../../src/stores/types.js';
import type { Subscriber } from '../../src/types.js';

/** A subscriber as the plan recorded them. */
function planned(subscriber: Subscriber): Recipient {
  return { subscriberId: subscriber.id, email: subscriber.email, name: subscriber.name };
}

async function storeWithAda() {
  const path = join(mkdtempSync(join(tmpdir(), 'paperboy-check-')), 'subscribers.json');
  const store = createJsonStore({ path, topicIds: ['graphs'] });
  const ada = await store.add({ email: 'ada@example.org', name: 'Ada', topics: ['graphs'] });
  return { store, ada };
}

/** The real store, with its reads of the list (scans) counted. */
function countingScans(store: SubscriberStore): { store: SubscriberStore; reads(): number } {
  let reads = 0;
  return {
    store: {
      ...store,
      scan: (...args: Parameters<typeof store.scan>) => {
        reads++;
        return store.scan(...args);
      },
    },
    reads: () => reads,
  };
}

/**
 * A check started from the token a plan read before its scan of the list, on a store whose reads
 * are counted, with a clock the test moves.
 */
async function checkFromPlan(store: SubscriberStore) {
  const plannedAt = await store.changeToken();
  const counted = countingScans(store);
  const clock = { now: 0 };
  const check = createRecipientCheck(counted.store, {
    maxAgeMs: 1000,
    now: () => clock.now,
    plannedAt,
  });
  return { check, reads: counted.reads, clock };
}

describe('the send-time suppression check', () => {
  it('sees an unsubscribe or a purge that happened after the plan', async () => {
    const { store, ada } = await storeWithAda();
    let clock = 0;
    const check = createRecipientCheck(store, { maxAgeMs: 1000, now: () => clock });
    expect(await check(planned(ada))).toEqual({ status: 'active', name: 'Ada' });
    await store.setStatus(ada.id, 'unsubscribed');
    clock += 1001;
    expect((await check(planned(ada))).status).toBe('unsubscribed');
    await store.remove(ada.id, { purge: true });
    clock += 1001;
    expect((await check(planned(ada))).status).toBe('removed');
  });

  it('re-reads the store at most every maxAgeMs', async () => {
    const { store, ada } = await storeWithAda();
    let clock = 0;
    const check = createRecipientCheck(store, { maxAgeMs: 1000, now: () => clock });
    expect((await check(planned(ada))).status).toBe('active');
    await store.setStatus(ada.id, 'bounced');
    clock = 500;
    expect((await check(planned(ada))).status).toBe('active');
    clock = 1501;
    expect((await check(planned(ada))).status).toBe('bounced');
  });

  it('reads the list again only when the store changed, however long the run', async () => {
    const { store, ada } = await storeWithAda();
    const counted = countingScans(store);
    let clock = 0;
    const check = createRecipientCheck(counted.store, { maxAgeMs: 1000, now: () => clock });
    for (clock = 0; clock < 60_000; clock += 700)
      expect((await check(planned(ada))).status).toBe('active');
    expect(counted.reads()).toBe(1);
    await store.update(ada.id, { name: 'Ada L.' });
    clock += 1001;
    expect(await check(planned(ada))).toEqual({ status: 'active', name: 'Ada L.' });
    expect(counted.reads()).toBe(2);
  });

  it('starts from the plan’s read of the list, and reads again only once the store changed', async () => {
    const { store, ada } = await storeWithAda();
    const { check, reads, clock } = await checkFromPlan(store);
    for (clock.now = 0; clock.now < 10_000; clock.now += 700)
      expect(await check(planned(ada))).toEqual({ status: 'active', name: 'Ada' });
    expect(reads()).toBe(0);
    await store.setStatus(ada.id, 'unsubscribed');
    clock.now += 1001;
    expect((await check(planned(ada))).status).toBe('unsubscribed');
    expect(reads()).toBe(1);
  });

  it('holds nothing per subscriber while the list is as planned: the plan’s name, then the new one', async () => {
    const { store, ada } = await storeWithAda();
    const { check, reads, clock } = await checkFromPlan(store);
    // The plan's copy of Ada, named as the plan read her: that name is used, nothing is read.
    const asPlanned = { subscriberId: ada.id, email: ada.email, name: 'Ada (as planned)' };
    expect(await check(asPlanned)).toEqual({ status: 'active', name: 'Ada (as planned)' });
    expect(reads()).toBe(0);
    await store.update(ada.id, { name: 'Ada King' });
    clock.now += 1001;
    expect(await check(asPlanned)).toEqual({ status: 'active', name: 'Ada King' });
    expect(reads()).toBe(1);
    // Someone the list no longer has (the plan's copy of a purged subscriber) is `removed`.
    const gone = { subscriberId: 'sub_gone', email: 'gone@example.org', name: null };
    expect((await check(gone)).status).toBe('removed');
  });
});
