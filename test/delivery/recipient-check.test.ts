import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRecipientCheck, snapshotBuilder } from '../../src/delivery/recipient-check.js';
import { createJsonStore } from '../../src/stores/json-store.js';
import type { SubscriberStore } from '../../src/stores/types.js';

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

describe('the send-time suppression check', () => {
  it('sees an unsubscribe or a purge that happened after the plan', async () => {
    const { store, ada } = await storeWithAda();
    let clock = 0;
    const check = createRecipientCheck(store, { maxAgeMs: 1000, now: () => clock });
    expect(await check(ada.id)).toEqual({ status: 'active', name: 'Ada' });
    await store.setStatus(ada.id, 'unsubscribed');
    clock += 1001;
    expect((await check(ada.id)).status).toBe('unsubscribed');
    await store.remove(ada.id, { purge: true });
    clock += 1001;
    expect((await check(ada.id)).status).toBe('removed');
  });

  it('re-reads the store at most every maxAgeMs', async () => {
    const { store, ada } = await storeWithAda();
    let clock = 0;
    const check = createRecipientCheck(store, { maxAgeMs: 1000, now: () => clock });
    expect((await check(ada.id)).status).toBe('active');
    await store.setStatus(ada.id, 'bounced');
    clock = 500;
    expect((await check(ada.id)).status).toBe('active');
    clock = 1501;
    expect((await check(ada.id)).status).toBe('bounced');
  });

  it('reads the list again only when the store changed, however long the run', async () => {
    const { store, ada } = await storeWithAda();
    const counted = countingScans(store);
    let clock = 0;
    const check = createRecipientCheck(counted.store, { maxAgeMs: 1000, now: () => clock });
    for (clock = 0; clock < 60_000; clock += 700)
      expect((await check(ada.id)).status).toBe('active');
    expect(counted.reads()).toBe(1);
    await store.update(ada.id, { name: 'Ada L.' });
    clock += 1001;
    expect(await check(ada.id)).toEqual({ status: 'active', name: 'Ada L.' });
    expect(counted.reads()).toBe(2);
  });

  it('starts from the plan’s read of the list, and reads again only once the store changed', async () => {
    const { store, ada } = await storeWithAda();
    // The plan's read: the same scan, before the check exists.
    const planRead = snapshotBuilder(await store.changeToken());
    await store.scan(planRead.add);
    const initial = planRead.snapshot;
    const counted = countingScans(store);
    let clock = 0;
    const check = createRecipientCheck(counted.store, {
      maxAgeMs: 1000,
      now: () => clock,
      initial,
    });
    for (clock = 0; clock < 10_000; clock += 700)
      expect(await check(ada.id)).toEqual({ status: 'active', name: 'Ada' });
    expect(counted.reads()).toBe(0);
    await store.setStatus(ada.id, 'unsubscribed');
    clock += 1001;
    expect((await check(ada.id)).status).toBe('unsubscribed');
    expect(counted.reads()).toBe(1);
  });
});
