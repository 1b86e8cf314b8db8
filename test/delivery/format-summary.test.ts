import { describe, expect, it } from 'vitest';
import type { DeliveryReport } from '../../src/delivery/deliver-issue.js';
import { formatSummary, type SummaryInput } from '../../src/delivery/format-summary.js';

function report(overrides: Partial<DeliveryReport> = {}): DeliveryReport {
  return {
    pending: 10,
    sent: 10,
    alreadySent: 0,
    skipped: {},
    failed: 0,
    failures: [],
    bounced: 0,
    retried: 0,
    attempts: 10,
    notAttempted: 0,
    stop: null,
    sentSegmentIds: new Set(),
    ...overrides,
  };
}

function input(overrides: Partial<SummaryInput> = {}): SummaryInput {
  return {
    date: '2025-10-31',
    transport: { kind: 'smtp', label: 'smtps://smtp.example.org:465' },
    report: report(),
    planSkipped: [
      { reason: 'unsubscribed' },
      { reason: 'weekly-not-today' },
      { reason: 'unsubscribed' },
    ],
    durationMs: 12_345,
    ledgerPath: 'data/ledger/2025-10-31.jsonl',
    pauseFailureRate: 0.2,
    ...overrides,
  };
}

describe('formatSummary', () => {
  it('says what was sent, skipped and why, how long it took and where the ledger is', () => {
    expect(formatSummary(input())).toBe(
      [
        'Issue 2025-10-31, sent through smtps://smtp.example.org:465, in 12 s',
        '  sent             10',
        '  skipped           3  unsubscribed 2, weekly-not-today 1',
        '  failed            0',
        '  retried           0',
        '  ledger       data/ledger/2025-10-31.jsonl',
        '',
      ].join('\n'),
    );
  });

  it('lists the first failures with their replies, and counts the rest', () => {
    const failures = Array.from({ length: 10 }, (_, i) => ({
      subscriberId: `sub_${i}`,
      email: `r${i}@example.org`,
      kind: 'permanent' as const,
      code: 550,
      response: '550 5.1.1 No such user',
      bounced: true,
    }));
    const text = formatSummary(
      input({
        report: report({
          sent: 0,
          failed: 12,
          failures,
          bounced: 12,
          skipped: { unsubscribed: 1 },
        }),
      }),
    );
    expect(text).toContain('  failed           12  12 addresses now bounced');
    expect(text).toContain('      r0@example.org: 550 5.1.1 No such user (permanent; now bounced)');
    expect(text).toContain('      ... and 2 more (see the ledger)');
    expect(text).toContain('unsubscribed 2, weekly-not-today 1, unsubscribed since the plan 1');
  });

  it('explains a pause and what to do', () => {
    const text = formatSummary(
      input({
        report: report({
          sent: 3,
          notAttempted: 7,
          stop: { kind: 'paused', failed: 20, attempts: 100 },
        }),
      }),
    );
    expect(text).toContain('  not sent yet      7  the run stopped before them');
    expect(text).toMatch(/^Paused: 20 of the last 100 attempts failed \(the limit is 20%\)/m);
  });

  it('labels a dry run as such, without a ledger', () => {
    const text = formatSummary(
      input({ transport: { kind: 'dry-run', label: 'nowhere' }, ledgerPath: null }),
    );
    expect(text).toMatch(/^Issue 2025-10-31, dry run: built, nothing sent, no ledger written/);
    expect(text).toContain('  would send       10');
    expect(text).not.toMatch(/^ {2}ledger/m);
  });
});
