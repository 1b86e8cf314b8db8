// The one contract every subscriber store driver passes (the JSON file now, PostgreSQL later).
// A driver's test file calls describeStoreContract with a factory for a fresh, empty store that
// knows the default taxonomy's topic ids and takes its clock from `now`.
import { beforeEach, describe, expect, it } from 'vitest';
import { PaperboyError } from '../../src/errors.js';
import type { SubscriberStore } from '../../src/stores/types.js';

export interface StoreFixture {
  store: SubscriberStore;
  cleanup(): Promise<void>;
}

export interface StoreFactoryOptions {
  /** The store's clock: every timestamp it writes comes from here. */
  now: () => Date;
}

export type MakeStore = (options: StoreFactoryOptions) => Promise<StoreFixture>;

/** Rejects with a PaperboyError of this kind whose message matches. */
async function expectError(
  promise: Promise<unknown>,
  kind: PaperboyError['kind'],
  message?: RegExp,
): Promise<PaperboyError> {
  const error = await promise.then(
    () => {
      throw new Error(`expected a PaperboyError('${kind}'), but the call succeeded`);
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PaperboyError);
  const paperboyError = error as PaperboyError;
  expect(paperboyError.kind, paperboyError.message).toBe(kind);
  if (message) expect(paperboyError.message).toMatch(message);
  return paperboyError;
}

export function describeStoreContract(name: string, makeStore: MakeStore): void {
  describe(`SubscriberStore contract: ${name}`, () => {
    let store: SubscriberStore;
    let clock: Date;
    const tick = (ms = 60_000) => {
      clock = new Date(clock.getTime() + ms);
      return clock.toISOString();
    };

    beforeEach(async () => {
      clock = new Date('2025-11-03T08:00:00.000Z');
      const fixture = await makeStore({ now: () => clock });
      store = fixture.store;
      return async () => {
        await store.close();
        await fixture.cleanup();
      };
    });

    describe('an empty store', () => {
      it('lists nothing, finds nothing, suppresses nothing', async () => {
        expect(await store.list()).toEqual([]);
        expect(await store.get('ada@example.org')).toBeNull();
        expect(await store.get('sub_0123456789abcdef')).toBeNull();
        expect(await store.isSuppressed('ada@example.org')).toBe(false);
      });
    });

    describe('changeToken', () => {
      it('stays the same while nothing changes, and changes with every write', async () => {
        const empty = await store.changeToken();
        expect(await store.changeToken()).toBe(empty);
        await store.list();
        expect(await store.changeToken()).toBe(empty);
        tick();
        const ada = await store.add({ email: 'ada@example.org', topics: ['graphs'] });
        const added = await store.changeToken();
        expect(added).not.toBe(empty);
        tick();
        await store.update(ada.id, { topics: ['rl'] });
        const updated = await store.changeToken();
        expect(updated).not.toBe(added);
        tick();
        await store.setStatus(ada.id, 'unsubscribed');
        expect(await store.changeToken()).not.toBe(updated);
      });

      it('moves with every kind of change, and not with reads, calls that change nothing, or failed calls', async () => {
        let token = await store.changeToken();
        /** Whether the token moved during `call`. */
        const moved = async (call: Promise<unknown>) => {
          await call;
          const next = await store.changeToken();
          const result = next !== token;
          token = next;
          tick();
          return result;
        };
        const changes = {
          add: () => store.add({ email: 'ada@example.org', topics: ['graphs'] }),
          'add another': () => store.add({ email: 'bob@example.org', topics: ['llm'] }),
          update: () => store.update('ada@example.org', { topics: ['rl'] }),
          'function patch': () => store.update('ada@example.org', () => ({ maxPapers: 3 })),
          setStatus: () => store.setStatus('bob@example.org', 'bounced'),
          remove: () => store.remove('ada@example.org'),
          resubscribe: () =>
            store.add({ email: 'ada@example.org', topics: ['llm'] }, { resubscribe: true }),
          purge: () => store.remove('ada@example.org', { purge: true }),
          'import a new address': () =>
            store.import([{ email: 'carl@example.org', topics: ['llm'] }]),
          'import, overwrite': () =>
            store.import([{ email: 'carl@example.org', topics: ['rl'] }], { overwrite: true }),
          'import, resubscribe a purged address': () =>
            store.import([{ email: 'ada@example.org', topics: ['llm'] }], { resubscribe: true }),
        };
        for (const [name, call] of Object.entries(changes)) {
          expect(await moved(call()), name).toBe(true);
        }
        const noChanges = {
          list: () => store.list({ topic: 'llm' }),
          get: () => store.get('ada@example.org'),
          isSuppressed: () => store.isSuppressed('bob@example.org'),
          'update to the same settings': () => store.update('carl@example.org', { topics: ['rl'] }),
          'the same status': () => store.setStatus('bob@example.org', 'bounced'),
          'remove a bounced address': () => store.remove('bob@example.org'),
          'import an address already there': () =>
            store.import([{ email: 'carl@example.org', topics: ['graphs'] }]),
          'import a suppressed address': () =>
            store.import([{ email: 'bob@example.org', topics: ['rl'] }], { overwrite: true }),
        };
        for (const [name, call] of Object.entries(noChanges)) {
          expect(await moved(call()), name).toBe(false);
        }
        await expectError(store.add({ email: 'carl@example.org', topics: ['llm'] }), 'conflict');
        await expectError(
          store.update('carl@example.org', () => {
            throw new PaperboyError('usage', 'refused by the caller');
          }),
          'usage',
        );
        await expectError(
          store.import([
            { email: 'dan@example.org', topics: ['llm'] },
            { email: 'not-an-address', topics: ['llm'] },
          ]),
          'invalidInput',
        );
        await expectError(store.remove('nobody@example.org'), 'conflict');
        expect(await store.changeToken()).toBe(token);
      });
    });

    describe('add', () => {
      it('returns the full subscriber with every default filled in', async () => {
        const added = await store.add({ email: '  Ada@Example.org ', topics: ['graphs'] });
        expect(added).toEqual({
          id: expect.stringMatching(/^sub_[0-9a-f]{16}$/),
          email: 'Ada@Example.org',
          name: null,
          topics: ['graphs'],
          keywords: { include: [], exclude: [] },
          maxPapers: null,
          frequency: 'daily',
          weekday: null,
          status: 'active',
          subscribedAt: '2025-11-03T08:00:00.000Z',
          updatedAt: '2025-11-03T08:00:00.000Z',
          unsubscribedAt: null,
        });
        expect(await store.get(added.id)).toEqual(added);
      });

      it('keeps every setting given', async () => {
        const added = await store.add({
          email: 'grace@example.org',
          name: 'Grace Hopper',
          topics: 'all',
          keywords: { include: ['tool use'], exclude: ['survey'] },
          maxPapers: 5,
          frequency: 'weekly',
          weekday: 'friday',
        });
        expect(added).toMatchObject({
          name: 'Grace Hopper',
          topics: 'all',
          keywords: { include: ['tool use'], exclude: ['survey'] },
          maxPapers: 5,
          frequency: 'weekly',
          weekday: 'friday',
        });
        expect(await store.get('grace@example.org')).toEqual(added);
      });

      it('fills a missing keyword list and drops repeated topics', async () => {
        const added = await store.add({
          email: 'ada@example.org',
          topics: ['graphs', 'graphs', 'llm'],
          keywords: { include: ['GNN'] },
        });
        expect(added.keywords).toEqual({ include: ['GNN'], exclude: [] });
        expect(added.topics).toEqual(['graphs', 'llm']);
      });

      it('gives every subscriber its own id', async () => {
        const ids = new Set<string>();
        for (let index = 0; index < 12; index++) {
          ids.add((await store.add({ email: `reader${index}@example.org`, topics: ['llm'] })).id);
        }
        expect(ids.size).toBe(12);
      });

      it('refuses an address already on the list, compared ignoring case and spaces', async () => {
        const ada = await store.add({ email: 'ada@example.org', topics: ['graphs'] });
        await expectError(
          store.add({ email: ' ADA@example.ORG', topics: ['llm'] }),
          'conflict',
          /ada@example.org is already subscribed/i,
        );
        expect(await store.list()).toEqual([ada]);
      });

      it('refuses invalid input and changes nothing', async () => {
        const ada = await store.add({ email: 'ada@example.org', topics: ['graphs'] });
        await expectError(
          store.add({ email: 'not-an-address', topics: ['llm'] }),
          'invalidInput',
          /invalid email address "not-an-address"/,
        );
        const unknownTopic = await expectError(
          store.add({ email: 'grace@example.org', topics: ['llm', 'grpahs'] }),
          'config',
          /unknown topic "grpahs" \(did you mean "graphs"\?\)/,
        );
        expect(unknownTopic.hint).toMatch(/known topics: .*graphs/);
        await expectError(
          store.add({ email: 'grace@example.org', topics: [] }),
          'invalidInput',
          /at least one topic/,
        );
        await expectError(
          store.add({ email: 'grace@example.org', topics: ['llm'], frequency: 'weekly' }),
          'invalidInput',
          /weekly needs a weekday/,
        );
        await expectError(
          store.add({ email: 'grace@example.org', topics: ['llm'], maxPapers: 0 }),
          'invalidInput',
          /maxPapers/,
        );
        expect(await store.list()).toEqual([ada]);
      });
    });

    describe('get and list', () => {
      it('finds a subscriber by id, or by email ignoring case and spaces', async () => {
        const ada = await store.add({ email: 'Ada@Example.org', topics: ['graphs'] });
        expect(await store.get(ada.id)).toEqual(ada);
        expect(await store.get('ada@example.org')).toEqual(ada);
        expect(await store.get(' ADA@EXAMPLE.ORG ')).toEqual(ada);
        expect(await store.get('grace@example.org')).toBeNull();
      });

      it('lists by email ignoring case, filtered by status and by topic ("all" included)', async () => {
        await store.add({ email: 'zoe@example.org', topics: ['graphs'] });
        await store.add({ email: 'Bob@example.org', topics: 'all' });
        await store.add({ email: 'ada@example.org', topics: ['llm', 'agents'] });
        await store.add({ email: 'carl@example.org', topics: ['graphs'] });
        await store.setStatus('carl@example.org', 'bounced');
        const emails = (list: { email: string }[]) => list.map((item) => item.email);
        expect(emails(await store.list())).toEqual([
          'ada@example.org',
          'Bob@example.org',
          'carl@example.org',
          'zoe@example.org',
        ]);
        expect(emails(await store.list({ topic: 'graphs' }))).toEqual([
          'Bob@example.org',
          'carl@example.org',
          'zoe@example.org',
        ]);
        expect(emails(await store.list({ topic: 'graphs', status: 'active' }))).toEqual([
          'Bob@example.org',
          'zoe@example.org',
        ]);
        expect(emails(await store.list({ status: 'bounced' }))).toEqual(['carl@example.org']);
        expect(await store.list({ topic: 'robotics', status: 'unsubscribed' })).toEqual([]);
      });

      it('scan hands over every subscriber once, as list has them', async () => {
        const visited: string[] = [];
        await store.scan((subscriber) => visited.push(subscriber.id));
        expect(visited).toEqual([]);
        for (let n = 0; n < 7; n++) {
          await store.add({ email: `reader${n}@example.org`, topics: ['graphs'] });
        }
        await store.setStatus('reader3@example.org', 'unsubscribed');
        await store.remove('reader5@example.org', { purge: true });
        const scanned = new Map<string, unknown>();
        await store.scan((subscriber) => {
          expect(scanned.has(subscriber.id)).toBe(false);
          scanned.set(subscriber.id, subscriber);
        });
        const listed = await store.list();
        expect(listed).toHaveLength(6);
        expect(scanned.size).toBe(listed.length);
        for (const subscriber of listed) expect(scanned.get(subscriber.id)).toEqual(subscriber);
      });

      it('sorts by the lower-cased address in byte order: punctuation and digits count', async () => {
        const emails = [
          'b@example.org',
          'A_b@example.org',
          'a.b@example.org',
          'AB@example.org',
          'a-b@example.org',
          'a+b@example.org',
          'a@example.org',
          'Z@example.org',
          '_@example.org',
          '1@example.org',
        ];
        await store.import(emails.map((email) => ({ email, topics: ['llm'] })));
        // Not a language's collation, which would skip the punctuation (a.b next to ab).
        expect((await store.list()).map((subscriber) => subscriber.email)).toEqual([
          '1@example.org',
          '_@example.org',
          'a+b@example.org',
          'a-b@example.org',
          'a.b@example.org',
          'a@example.org',
          'A_b@example.org',
          'AB@example.org',
          'b@example.org',
          'Z@example.org',
        ]);
      });
    });

    describe('update', () => {
      it('changes settings and bumps updatedAt, and only then', async () => {
        const ada = await store.add({ email: 'ada@example.org', topics: ['graphs'] });
        const later = tick();
        const updated = await store.update('ADA@example.org', {
          name: 'Ada',
          topics: ['graphs', 'time-series'],
          maxPapers: 3,
          frequency: 'weekly',
          weekday: 'monday',
        });
        expect(updated).toEqual({
          ...ada,
          name: 'Ada',
          topics: ['graphs', 'time-series'],
          maxPapers: 3,
          frequency: 'weekly',
          weekday: 'monday',
          updatedAt: later,
        });
        tick();
        expect(await store.update(ada.id, { topics: ['graphs', 'time-series'] })).toEqual(updated);
        expect(await store.get(ada.id)).toEqual(updated);
      });

      it('drops the weekday when switching to daily', async () => {
        await store.add({
          email: 'ada@example.org',
          topics: ['graphs'],
          frequency: 'weekly',
          weekday: 'monday',
        });
        const daily = await store.update('ada@example.org', { frequency: 'daily' });
        expect(daily).toMatchObject({ frequency: 'daily', weekday: null });
      });

      it('applies a function patch to the current record', async () => {
        await store.add({ email: 'ada@example.org', topics: ['graphs'] });
        const updated = await store.update('ada@example.org', (current) => ({
          topics: [...(current.topics as string[]), 'llm'],
        }));
        expect(updated.topics).toEqual(['graphs', 'llm']);
      });

      it('refuses unknown subscribers and invalid settings, changing nothing', async () => {
        const ada = await store.add({ email: 'ada@example.org', topics: ['graphs'] });
        await expectError(
          store.update('grace@example.org', { name: 'G' }),
          'conflict',
          /no subscriber/,
        );
        await expectError(store.update(ada.id, { topics: ['graph'] }), 'config', /"graphs"/);
        await expectError(store.update(ada.id, { frequency: 'weekly' }), 'invalidInput', /weekday/);
        await expectError(
          store.update(ada.id, () => {
            throw new PaperboyError('usage', 'refused by the caller');
          }),
          'usage',
          /refused by the caller/,
        );
        expect(await store.list()).toEqual([ada]);
      });
    });

    describe('setStatus', () => {
      it('sets unsubscribedAt on unsubscribe, clears it on re-activation, bumps updatedAt', async () => {
        const ada = await store.add({ email: 'ada@example.org', topics: ['graphs'] });
        const at = tick();
        const unsubscribed = await store.setStatus(ada.id, 'unsubscribed');
        expect(unsubscribed).toEqual({
          ...ada,
          status: 'unsubscribed',
          updatedAt: at,
          unsubscribedAt: at,
        });
        tick();
        expect(await store.setStatus(ada.id, 'unsubscribed')).toEqual(unsubscribed);
        const back = tick();
        expect(await store.setStatus('ada@example.org', 'active')).toEqual({
          ...ada,
          updatedAt: back,
        });
        const bounced = tick();
        expect(await store.setStatus(ada.id, 'bounced')).toMatchObject({
          status: 'bounced',
          updatedAt: bounced,
        });
        expect(await store.isSuppressed('ada@example.org')).toBe(true);
      });

      it('refuses an unknown subscriber', async () => {
        await expectError(store.setStatus('nobody@example.org', 'bounced'), 'conflict');
      });
    });

    describe('remove', () => {
      it('marks unsubscribed and keeps the record as a suppression', async () => {
        const ada = await store.add({ email: 'ada@example.org', topics: ['graphs'] });
        const at = tick();
        const result = await store.remove('Ada@Example.org');
        expect(result).toEqual({
          outcome: 'unsubscribed',
          subscriber: { ...ada, status: 'unsubscribed', updatedAt: at, unsubscribedAt: at },
        });
        expect(await store.get(ada.id)).toEqual(result.subscriber);
        expect(await store.isSuppressed('ADA@example.org')).toBe(true);
        tick();
        expect(await store.remove(ada.id)).toEqual({
          outcome: 'unchanged',
          subscriber: result.subscriber,
        });
      });

      it('refuses an unknown address', async () => {
        await expectError(store.remove('nobody@example.org'), 'conflict', /no subscriber/);
      });

      it('purges: the record is gone, a suppression remains', async () => {
        const ada = await store.add({ email: 'ada@example.org', name: 'Ada', topics: ['graphs'] });
        await store.add({ email: 'grace@example.org', topics: ['llm'] });
        const result = await store.remove('ada@example.org', { purge: true });
        expect(result).toEqual({ outcome: 'purged', subscriber: ada });
        expect(await store.get('ada@example.org')).toBeNull();
        expect(await store.get(ada.id)).toBeNull();
        expect((await store.list()).map((item) => item.email)).toEqual(['grace@example.org']);
        expect(await store.isSuppressed(' Ada@EXAMPLE.org')).toBe(true);
        expect(await store.remove('ada@example.org', { purge: true })).toEqual({
          outcome: 'unchanged',
          subscriber: null,
        });
        expect(await store.remove('ada@example.org')).toEqual({
          outcome: 'unchanged',
          subscriber: null,
        });
      });

      it('purges an unsubscribed or bounced record too', async () => {
        await store.add({ email: 'ada@example.org', topics: ['graphs'] });
        await store.setStatus('ada@example.org', 'bounced');
        expect((await store.remove('ada@example.org', { purge: true })).outcome).toBe('purged');
        expect(await store.isSuppressed('ada@example.org')).toBe(true);
        expect(await store.list()).toEqual([]);
      });
    });

    describe('suppression', () => {
      it('add refuses an unsubscribed or bounced address unless resubscribe', async () => {
        const ada = await store.add({ email: 'ada@example.org', topics: ['graphs'] });
        await store.add({ email: 'bob@example.org', topics: ['llm'] });
        await store.remove('ada@example.org');
        await store.setStatus('bob@example.org', 'bounced');
        await expectError(
          store.add({ email: 'ADA@example.org', topics: ['llm'] }),
          'conflict',
          /unsubscribed.*not re-activated/,
        );
        await expectError(
          store.add({ email: 'bob@example.org', topics: ['llm'] }),
          'conflict',
          /bounced.*not re-activated/,
        );
        const back = tick();
        const resubscribed = await store.add(
          { email: 'ada@example.org', topics: ['llm'], name: 'Ada' },
          { resubscribe: true },
        );
        expect(resubscribed).toEqual({
          ...ada,
          name: 'Ada',
          topics: ['llm'],
          subscribedAt: back,
          updatedAt: back,
        });
        expect(await store.isSuppressed('ada@example.org')).toBe(false);
      });

      it('a purged address comes back only with resubscribe, under a new id', async () => {
        const ada = await store.add({ email: 'ada@example.org', topics: ['graphs'] });
        await store.remove(ada.id, { purge: true });
        await expectError(
          store.add({ email: 'Ada@example.org', topics: ['graphs'] }),
          'conflict',
          /purged/,
        );
        const back = await store.add(
          { email: 'ada@example.org', topics: ['graphs'] },
          { resubscribe: true },
        );
        expect(back.id).not.toBe(ada.id);
        expect(back.status).toBe('active');
        expect(await store.isSuppressed('ada@example.org')).toBe(false);
        // Purged again later: still one suppression, and one way back.
        await store.remove(back.id, { purge: true });
        expect(await store.isSuppressed('ada@example.org')).toBe(true);
      });

      it('isSuppressed is false for unknown and active addresses', async () => {
        await store.add({ email: 'ada@example.org', topics: ['graphs'] });
        expect(await store.isSuppressed('ada@example.org')).toBe(false);
        expect(await store.isSuppressed('nobody@example.org')).toBe(false);
      });
    });

    describe('import', () => {
      it('adds new addresses and leaves existing ones as they are', async () => {
        const ada = await store.add({ email: 'ada@example.org', topics: ['graphs'] });
        const report = await store.import([
          { email: 'grace@example.org', topics: ['llm'], name: 'Grace' },
          { email: 'ADA@example.org', topics: ['llm'] },
        ]);
        const grace = await store.get('grace@example.org');
        expect(report.results).toEqual([
          { email: 'grace@example.org', outcome: 'added', id: grace?.id, status: 'active' },
          { email: 'ADA@example.org', outcome: 'unchanged', id: ada.id, status: 'active' },
        ]);
        expect(grace).toMatchObject({ name: 'Grace', topics: ['llm'], status: 'active' });
        expect(await store.get(ada.id)).toEqual(ada);
      });

      it('overwrite replaces the settings of existing subscribers', async () => {
        const ada = await store.add({ email: 'ada@example.org', topics: ['graphs'] });
        await store.add({ email: 'bob@example.org', topics: ['llm'] });
        const at = tick();
        const report = await store.import(
          [
            { email: 'ada@example.org', topics: ['llm'], maxPapers: 4 },
            { email: 'bob@example.org', topics: ['llm'] },
          ],
          { overwrite: true },
        );
        expect(report.results.map((result) => result.outcome)).toEqual(['updated', 'unchanged']);
        expect(await store.get(ada.id)).toEqual({
          ...ada,
          topics: ['llm'],
          maxPapers: 4,
          updatedAt: at,
        });
      });

      it('keeps suppressed addresses suppressed unless resubscribe', async () => {
        await store.add({ email: 'ada@example.org', topics: ['graphs'] });
        await store.add({ email: 'bob@example.org', topics: ['graphs'] });
        await store.remove('ada@example.org');
        await store.remove('bob@example.org', { purge: true });
        const entries = [
          { email: 'ada@example.org', topics: ['llm'] },
          { email: 'bob@example.org', topics: ['llm'] },
        ];
        const refused = await store.import(entries, { overwrite: true });
        expect(refused.results.map((result) => [result.outcome, result.status])).toEqual([
          ['suppressed', 'unsubscribed'],
          ['suppressed', null],
        ]);
        expect(await store.isSuppressed('ada@example.org')).toBe(true);
        expect(await store.isSuppressed('bob@example.org')).toBe(true);
        const back = await store.import(entries, { resubscribe: true });
        expect(back.results.map((result) => [result.outcome, result.status])).toEqual([
          ['resubscribed', 'active'],
          ['resubscribed', 'active'],
        ]);
        expect((await store.list({ status: 'active' })).map((item) => item.topics)).toEqual([
          ['llm'],
          ['llm'],
        ]);
      });

      it("keeps another list's unsubscribes as suppressions", async () => {
        const report = await store.import([
          { email: 'ada@example.org', topics: ['graphs'], status: 'unsubscribed' },
          { email: 'bob@example.org', topics: ['graphs'], status: 'bounced' },
        ]);
        expect(report.results.map((result) => [result.outcome, result.status])).toEqual([
          ['added', 'unsubscribed'],
          ['added', 'bounced'],
        ]);
        expect(await store.get('ada@example.org')).toMatchObject({
          status: 'unsubscribed',
          unsubscribedAt: '2025-11-03T08:00:00.000Z',
        });
        expect(await store.isSuppressed('bob@example.org')).toBe(true);
        // Even with resubscribe: an unsubscribed entry is not a request to come back.
        const again = await store.import(
          [{ email: 'ada@example.org', topics: ['graphs'], status: 'unsubscribed' }],
          { resubscribe: true },
        );
        expect(again.results[0]?.outcome).toBe('suppressed');
      });

      it('is all or nothing: one bad entry, or one address twice, and nothing is imported', async () => {
        const ada = await store.add({ email: 'ada@example.org', topics: ['graphs'] });
        const bad = await expectError(
          store.import([
            { email: 'grace@example.org', topics: ['llm'] },
            { email: 'bob@', topics: ['llm'] },
            { email: 'carl@example.org', topics: ['grpahs'] },
          ]),
          'invalidInput',
        );
        expect(bad.message).toMatch(/\[1\]\.email: invalid email address "bob@"/);
        expect(bad.message).toMatch(/\[2\]\.topics\[0\]: unknown topic "grpahs"/);
        await expectError(
          store.import([
            { email: 'grace@example.org', topics: ['llm'] },
            { email: 'Grace@Example.org', topics: ['graphs'] },
          ]),
          'invalidInput',
          /\[1\]\.email: "Grace@Example.org" duplicates \[0\]/,
        );
        expect(await store.list()).toEqual([ada]);
      });
    });
  });
}
