// The summary a send ends with: what was sent, skipped (why), failed (why), retried, how long it
// took and where the ledger is. Pure: the report and the facts of the run in, text out.
import type { SkippedSubscriber } from '../plan/index.js';
import type { DeliveryReport, FailureNote } from './deliver-issue.js';
import type { TransportKind } from './transport.js';

export interface SummaryInput {
  date: string;
  transport: { kind: TransportKind; label: string };
  report: DeliveryReport;
  /** Who the plan left out (with --only: nobody). */
  planSkipped: Iterable<Pick<SkippedSubscriber, 'reason'>>;
  durationMs: number;
  /** Null for a dry run. */
  ledgerPath: string | null;
  /** The limits in effect, to explain a pause. */
  pauseFailureRate: number;
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function describeFailure(note: FailureNote): string {
  const tail =
    note.kind === 'permanent'
      ? `permanent${note.bounced ? '; now bounced' : ''}`
      : note.kind === 'transient'
        ? `gave up after the retries${note.bounced ? '; now bounced' : ''}`
        : note.kind === 'fatal'
          ? 'stopped the run'
          : 'not retried: the run stopped';
  // An SMTP reply starts with its code; an error without a reply is its message.
  return `${note.email}: ${note.response} (${tail})`;
}

function row(label: string, count: number, detail = ''): string {
  return `  ${label.padEnd(13)}${String(count).padStart(6)}${detail ? `  ${detail}` : ''}`;
}

function describeStop(input: SummaryInput): string | null {
  const stop = input.report.stop;
  if (!stop) return null;
  switch (stop.kind) {
    case 'paused':
      return `Paused: ${stop.failed} of the last ${stop.attempts} attempts failed (the limit is ${Math.round(input.pauseFailureRate * 100)}%). Look at the replies above and the sender's standing with the provider, then run the same command to resume.`;
    case 'signal':
      return `Stopped by ${stop.signal}: the messages in flight were finished or recorded. Run the same command to send the rest.`;
    case 'fatal':
      return `Stopped: ${stop.failure.response}. This is about the sending side, so no recipient got a strike; fix it and run the same command to resume.`;
    case 'error':
      return 'Stopped by an error (below). Run the same command to resume once it is fixed.';
  }
}

export function formatSummary(input: SummaryInput): string {
  const { report, transport } = input;
  const dryRun = transport.kind === 'dry-run';
  const where =
    transport.kind === 'smtp'
      ? `sent through ${transport.label}`
      : transport.kind === 'outbox'
        ? `written to the outbox ${transport.label}`
        : 'dry run: built, nothing sent, no ledger written';
  const lines = [`Issue ${input.date}, ${where}, in ${seconds(input.durationMs)}`];

  lines.push(row(dryRun ? 'would send' : 'sent', report.sent));
  if (report.alreadySent > 0) {
    lines.push(row('already sent', report.alreadySent, 'by an earlier run, not sent again'));
  }
  const skipped = new Map<string, number>();
  for (const { reason } of input.planSkipped) skipped.set(reason, (skipped.get(reason) ?? 0) + 1);
  for (const [status, n] of Object.entries(report.skipped)) {
    const reason = `${status} since the plan`;
    skipped.set(reason, (skipped.get(reason) ?? 0) + n);
  }
  const skippedTotal = [...skipped.values()].reduce((sum, n) => sum + n, 0);
  lines.push(
    row('skipped', skippedTotal, [...skipped].map(([reason, n]) => `${reason} ${n}`).join(', ')),
  );
  lines.push(
    row(
      'failed',
      report.failed,
      report.bounced > 0 ? `${plural(report.bounced, 'address', 'addresses')} now bounced` : '',
    ),
  );
  for (const note of report.failures) lines.push(`      ${describeFailure(note)}`);
  if (report.failed > report.failures.length) {
    lines.push(`      ... and ${report.failed - report.failures.length} more (see the ledger)`);
  }
  lines.push(
    row('retried', report.retried, report.retried > 0 ? 'attempts after a transient failure' : ''),
  );
  if (report.notAttempted > 0) {
    lines.push(row('not sent yet', report.notAttempted, 'the run stopped before them'));
  }
  if (input.ledgerPath) lines.push(`  ledger       ${input.ledgerPath}`);
  const stop = describeStop(input);
  if (stop) lines.push('', stop);
  else if (report.failed > report.bounced && !dryRun) {
    lines.push(
      '',
      'Run the same command again to retry the failed messages (not the bounced); the sent ones are not sent again.',
    );
  }
  return `${lines.join('\n')}\n`;
}
