// One queued batch worked end to end, without the queue: real PostgreSQL, real SMTP (smtp-server on
// loopback), the real renderer. What the single-process send does per recipient holds here too:
// every outcome in the ledger, a permanent refusal strikes (and bounces) the address, a transient
// one is left for the job's next try (and strikes only on the last), someone who unsubscribes
// during the batch is skipped, a fatal failure stops the batch and gives the rest back, and the
// segment's papers go into the send history.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createFailureWatch } from '../../src/delivery/failure-watch.js';
import { createSmtpTransport } from '../../src/delivery/smtp-transport.js';
import type { Transport } from '../../src/delivery/transport.js';
import { readSendHistory } from '../../src/distributed/pg-history.js';
import { createPgStrikeBook } from '../../src/distributed/pg-strikes.js';
import { createSegmentCache } from '../../src/distributed/segment-cache.js';
import { type BatchContext, workBatch } from '../../src/distributed/work-batch.js';
import type { Recipient } from '../../src/plan/index.js';
import {
  BUNDLED_TEMPLATES_DIR,
  compileSubject,
  createRenderer,
  loadTemplates,
} from '../../src/render/index.js';
import { parseKeyring } from '../../src/tokens/link-token.js';
import { type SinkHooks, type SmtpSink, startSmtpSink } from '../delivery/smtp-sink.js';
import { FIXTURE_TOPICS } from '../render-fixture.js';
import {
  deliveryStates,
  migratedDatabase,
  type PlannedSeed,
  planSeed,
  readers,
  type TestDatabase,
} from './pg-fixture.js';

const { config } = loadConfig(undefined, {});
const delivery = { ...config.delivery, hardBounceLimit: 1, softBounceLimit: 1 };

let database: TestDatabase;
let seed: PlannedSeed;
let sink: SmtpSink;
let transport: Transport;
const hooks: SinkHooks = {};

beforeAll(async () => {
  database = await migratedDatabase('batch');
  await database.store.import(readers(200));
  seed = await planSeed(database);
  sink = await startSmtpSink(hooks);
  transport = createSmtpTransport(sink.url, { ...delivery, concurrency: 1 });
}, 60_000);
afterAll(async () => {
  transport?.close();
  await sink?.close();
  await database?.close();
});
afterEach(() => {
  delete hooks.rcpt;
  delete hooks.onReceived;
});

function context(overrides: Partial<BatchContext> = {}): BatchContext {
  return {
    db: database.db,
    worker: 'test:1',
    segments: createSegmentCache({
      db: database.db,
      renderer: createRenderer(loadTemplates(BUNDLED_TEMPLATES_DIR)),
      topics: FIXTURE_TOPICS,
      sender: { name: 'Trending Papers', postalAddress: '548 Market St, San Francisco' },
      baseUrl: 'https://papers.example.org',
      subject: compileSubject(config.email.subject),
      message: {
        sender: { name: 'Trending Papers', address: 'papers@example.org' },
        baseUrl: 'https://papers.example.org',
        keyring: parseKeyring('test-secret-0123456789abcdef'),
      },
    }),
    transportFor: async () => transport,
    rate: null,
    store: database.store,
    strikes: createPgStrikeBook(database.db),
    limits: delivery,
    watch: createFailureWatch({ rate: 1, minAttempts: 1000 }),
    abandonedAfterSeconds: 600,
    ...overrides,
  };
}

/** The first `n` recipients of the plan's segment number `index` (most recipients first). */
function batchOf(n: number, index: number) {
  const segment = seed.plan.segments[index];
  if (!segment || segment.recipients.length < n) throw new Error(`no segment ${index} of ${n}`);
  const recipients = [...segment.recipients].slice(0, n);
  return {
    segment,
    recipients,
    data: {
      issue: seed.plan.date,
      revision: seed.revision,
      segmentId: segment.id,
      subscriberIds: recipients.map((r) => r.subscriberId),
    },
  };
}

const job = (
  id: string,
  data: ReturnType<typeof batchOf>['data'],
  attempt = 0,
  lastTry = false,
) => ({
  id,
  try: attempt,
  lastTry,
  data,
  signal: new AbortController().signal,
});

describe('working one batch', () => {
  it('sends to each recipient once, records each outcome, strikes and skips as the file path does', async () => {
    const { segment, recipients, data } = batchOf(5, 0);
    const [first, refused, throttled, leaving, last] = recipients as [
      Recipient,
      Recipient,
      Recipient,
      Recipient,
      Recipient,
    ];
    hooks.rcpt = (address) =>
      address === refused.email.toLowerCase()
        ? { code: 550, message: '5.1.1 no such user' }
        : address === throttled.email.toLowerCase()
          ? { code: 451, message: '4.7.1 try again later' }
          : null;
    // Someone unsubscribes while the batch is going: once the first message is taken.
    let removed = false;
    const leavingMidway: Transport = {
      ...transport,
      async send(message) {
        await transport.send(message);
        if (!removed) {
          removed = true;
          await database.store.remove(leaving.subscriberId);
        }
      },
    };
    const before = sink.received.length;
    const result = await workBatch(
      context({ transportFor: async () => leavingMidway, recheckMs: 0 }),
      job('job-1', data),
    );

    expect(result).toMatchObject({
      claimed: 5,
      sent: 2,
      skipped: 1,
      failed: 2,
      permanent: 1,
      transient: 1,
      bounced: 1,
      retryable: [throttled.subscriberId],
      notAttempted: [],
      stop: null,
    });
    const states = await deliveryStates(database.db, seed.plan.date);
    expect(states.get(first.subscriberId)?.state).toBe('sent');
    expect(states.get(last.subscriberId)?.state).toBe('sent');
    expect(states.get(refused.subscriberId)?.state).toBe('failed');
    expect(states.get(throttled.subscriberId)?.state).toBe('failed');
    expect(states.get(leaving.subscriberId)).toEqual({ state: 'skipped', reason: 'unsubscribed' });
    expect(await database.store.get(refused.subscriberId)).toMatchObject({ status: 'bounced' });
    expect(await database.store.get(throttled.subscriberId)).toMatchObject({ status: 'active' });
    expect(sink.received.slice(before).map((m) => m.to)).toEqual([
      first.email.toLowerCase(),
      last.email.toLowerCase(),
    ]);
    const history = await readSendHistory(database.db, '2025-11-01', 30);
    expect(Object.keys(history.segments[segment.id] ?? {})).toEqual(
      segment.papers.map((p) => p.paperId),
    );

    // The next try retries only the transient failure; on the last try it strikes (and, at a
    // soft limit of 1, bounces) the address.
    const retry = await workBatch(context(), job('job-1', data, 1, true));
    expect(retry.claimed).toBe(1);
    expect(retry.transient).toBe(1);
    expect(retry.retryable).toEqual([]);
    expect(retry.bounced).toBe(1);
    expect(await database.store.get(throttled.subscriberId)).toMatchObject({ status: 'bounced' });
  });

  it('a fatal failure stops the batch, strikes nobody and gives the rest back', async () => {
    const { recipients, data } = batchOf(4, 1);
    const rest = data.subscriberIds.slice(1);
    const broken: Transport = {
      ...transport,
      async send() {
        throw Object.assign(new Error('Invalid login'), { code: 'EAUTH', responseCode: 535 });
      },
    };
    const result = await workBatch(
      context({ transportFor: async () => broken }),
      job('job-2', data),
    );
    expect(result.stop).toEqual({ kind: 'fatal', response: 'Invalid login' });
    expect(result.notAttempted.sort()).toEqual(rest.sort());
    const states = await deliveryStates(database.db, seed.plan.date);
    for (const id of rest) expect(states.get(id)?.state).toBe('pending');
    expect(states.get(recipients[0]?.subscriberId as string)?.state).toBe('failed');
    const strikes = await database.db.query(
      'SELECT subscriber_id FROM bounce_strikes WHERE subscriber_id = $1',
      [recipients[2]?.subscriberId],
    );
    expect(strikes.rows).toEqual([]);
  });
});
