// The delivery loop on its own, with an in-memory transport: what it renders, sends, skips and
// records. (The tests against a real SMTP server are smtp-failures, crash-resume and cli/send.)
import { describe, expect, it } from 'vitest';
import {
  type DeliverIssueInput,
  type DeliveryReport,
  deliverIssue,
} from '../../src/delivery/deliver-issue.js';
import type { LedgerEntry, PriorDelivery } from '../../src/delivery/ledger.js';
import {
  type OutgoingMessage,
  outgoingMessage,
  type Transport,
} from '../../src/delivery/transport.js';
import type { Plan, Segment } from '../../src/plan/index.js';
import type { RenderedSegment } from '../../src/render/index.js';

/** A plan with these segments (segment id -> subscriber ids). */
function planOf(segments: Record<string, string[]>): Plan {
  return {
    date: '2025-10-31',
    segments: Object.entries(segments).map(
      ([id, ids]) =>
        ({
          id,
          recipients: ids.map((subscriberId) => ({
            subscriberId,
            email: `${subscriberId}@example.org`,
            name: null,
          })),
          papers: [],
        }) as unknown as Segment,
    ),
    skipped: [],
  } as unknown as Plan;
}

interface Harness {
  input: DeliverIssueInput;
  rendered: string[];
  sent: string[];
  ledger: LedgerEntry[];
  strikes: string[];
  maxInFlight: number;
}

function harness(
  plan: Plan,
  overrides: Partial<DeliverIssueInput> = {},
  send: (message: OutgoingMessage) => Promise<void> = async () => {},
): Harness {
  const h: Harness = {
    rendered: [],
    sent: [],
    ledger: [],
    strikes: [],
    maxInFlight: 0,
  } as unknown as Harness;
  let inFlight = 0;
  const transport: Transport = {
    kind: 'smtp',
    label: 'memory',
    async verify() {},
    async send(message) {
      inFlight++;
      h.maxInFlight = Math.max(h.maxInFlight, inFlight);
      try {
        await send(message);
        h.sent.push(message.subscriberId);
      } finally {
        inFlight--;
      }
    },
    close() {},
  };
  h.input = {
    plan,
    prior: new Map(),
    options: {
      concurrency: 3,
      retries: 2,
      backoffMs: 1,
      pauseFailureRate: 1,
      pauseMinAttempts: 1000,
      force: false,
    },
    renderSegment: async (segment) => {
      h.rendered.push(segment.id);
      return { segmentId: segment.id } as RenderedSegment;
    },
    buildMessage: async (_rendered, recipient) =>
      outgoingMessage(
        {
          subscriberId: recipient.subscriberId,
          envelope: { from: 'papers@example.org', to: recipient.email },
          messageId: `<2025-10-31.${recipient.subscriberId}@example.org>`,
        },
        [Buffer.from('message')],
      ),
    transport,
    checkRecipient: async () => ({ status: 'active', name: null }),
    ledger: {
      append: (entry) => h.ledger.push(entry),
      commit() {},
      committed: async () => {},
      flush() {},
      close() {},
    },
    strike: async (subscriberId) => {
      h.strikes.push(subscriberId);
      return false;
    },
    delivered: async () => {},
    ...overrides,
  };
  return h;
}

const states = (report: DeliveryReport) => ({
  pending: report.pending,
  sent: report.sent,
  alreadySent: report.alreadySent,
  failed: report.failed,
  notAttempted: report.notAttempted,
});

describe('deliverIssue', () => {
  it('renders a segment once, only when someone in it is left, and keeps at most `concurrency` in flight', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `sub_${i}`);
    const plan = planOf({ seg_done: ['sub_a', 'sub_b'], seg_big: ids, seg_one: ['sub_c'] });
    const prior = new Map<string, PriorDelivery>([
      ['sub_a', { state: 'sent', segmentId: 'seg_done' }],
      ['sub_b', { state: 'sent', segmentId: 'seg_done' }],
    ]);
    const h = harness(plan, { prior }, () => new Promise((resolve) => setTimeout(resolve, 1)));
    const report = await deliverIssue(h.input);
    expect(h.rendered).toEqual(['seg_big', 'seg_one']);
    expect(states(report)).toEqual({
      pending: 41,
      sent: 41,
      alreadySent: 2,
      failed: 0,
      notAttempted: 0,
    });
    expect(h.maxInFlight).toBe(3);
    expect([...report.sentSegmentIds].sort()).toEqual(['seg_big', 'seg_one']);
    // Every attempt is announced before it starts, then resolved.
    const sub0 = h.ledger.filter((e) => e.subscriberId === 'sub_0').map((e) => e.state);
    expect(sub0).toEqual(['sending', 'sent']);
  });

  it('resends what a crash left as `sending` and what failed; --force resends everyone', async () => {
    const plan = planOf({ seg: ['sub_a', 'sub_b', 'sub_c'] });
    const prior = new Map<string, PriorDelivery>([
      ['sub_a', { state: 'sent' }],
      ['sub_b', { state: 'sending' }],
      ['sub_c', { state: 'failed' }],
    ]);
    const resumed = harness(plan, { prior });
    await deliverIssue(resumed.input);
    expect(resumed.sent.sort()).toEqual(['sub_b', 'sub_c']);
    const forced = harness(plan, { prior });
    forced.input.options.force = true;
    await deliverIssue(forced.input);
    expect(forced.sent.sort()).toEqual(['sub_a', 'sub_b', 'sub_c']);
  });

  it('skips whoever unsubscribed or bounced since the plan, checked right before sending', async () => {
    const plan = planOf({ seg: ['sub_a', 'sub_b', 'sub_c'] });
    const h = harness(plan, {
      checkRecipient: async ({ subscriberId: id }) => ({
        status: id === 'sub_b' ? 'unsubscribed' : id === 'sub_c' ? 'removed' : 'active',
        name: null,
      }),
    });
    const report = await deliverIssue(h.input);
    expect(h.sent).toEqual(['sub_a']);
    expect(report.skipped).toEqual({ unsubscribed: 1, removed: 1 });
    expect(
      h.ledger
        .filter((e) => e.state === 'skipped')
        .map((e) => e.reason)
        .sort(),
    ).toEqual(['removed', 'unsubscribed']);
  });

  it('delivers only to --only', async () => {
    const plan = planOf({ seg1: ['sub_a', 'sub_b'], seg2: ['sub_c'] });
    const h = harness(plan, { only: new Set(['sub_c']) });
    const report = await deliverIssue(h.input);
    expect(h.sent).toEqual(['sub_c']);
    expect(h.rendered).toEqual(['seg2']);
    expect(report.pending).toBe(1);
  });

  it('on a stop signal finishes what is in flight and starts nothing new', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `sub_${i}`);
    const stop = new AbortController();
    let started = 0;
    const h = harness(planOf({ seg: ids }), { signal: stop.signal }, async () => {
      started++;
      if (started === 4) stop.abort('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 5));
    });
    const report = await deliverIssue(h.input);
    expect(report.stop).toEqual({ kind: 'signal', signal: 'SIGTERM' });
    expect(report.sent).toBe(started);
    expect(report.sent).toBeLessThanOrEqual(6);
    expect(report.notAttempted).toBe(20 - report.sent);
    const latest = new Map(h.ledger.map((e) => [e.subscriberId, e.state]));
    expect([...latest.values()].every((state) => state === 'sent')).toBe(true);
  });

  it('records a message waiting for its retry as not sent when the run stops, without a strike', async () => {
    const stop = new AbortController();
    const h = harness(planOf({ seg: ['sub_a'] }), { signal: stop.signal }, async () => {
      setTimeout(() => stop.abort('SIGINT'), 5);
      throw Object.assign(new Error('greylisted'), { responseCode: 451, response: '451 later' });
    });
    h.input.options.backoffMs = 60_000;
    const report = await deliverIssue(h.input);
    expect(report.failures).toEqual([
      expect.objectContaining({ kind: 'interrupted', code: 451, bounced: false }),
    ]);
    expect(h.strikes).toEqual([]);
    expect(h.ledger.at(-1)).toMatchObject({ state: 'failed', permanent: false });
  });

  it('gives up on a transient failure after the retries, with a soft strike', async () => {
    const h = harness(planOf({ seg: ['sub_a'] }), {}, async () => {
      throw Object.assign(new Error('greylisted'), { responseCode: 451, response: '451 later' });
    });
    const report = await deliverIssue(h.input);
    expect(report.attempts).toBe(3);
    expect(report.retried).toBe(2);
    expect(report.failures[0]).toMatchObject({ kind: 'transient', code: 451 });
    expect(h.strikes).toEqual(['sub_a']);
  });

  it('stops the run at a problem on the sending side, striking nobody', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `sub_${i}`);
    const h = harness(planOf({ seg: ids }), {}, async () => {
      throw Object.assign(new Error('Invalid login'), { code: 'EAUTH', responseCode: 535 });
    });
    const report = await deliverIssue(h.input);
    expect(report.stop).toMatchObject({ kind: 'fatal' });
    expect(report.attempts).toBeLessThanOrEqual(3);
    expect(h.strikes).toEqual([]);
    expect(report.notAttempted).toBe(10 - report.failed);
  });
});
