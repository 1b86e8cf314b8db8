// `paperboy status [--date D] [--json]`: where an issue's sending stands (DATABASE_URL), from any
// machine: planned, sent, failed, skipped and pending, in total and per segment, and the queue.
import { describeDatabaseUrl } from '../db/database.js';
import { connectDatabase } from '../distributed/connect.js';
import {
  type DeliveryCounts,
  type IssueStatus,
  readIssueStatus,
} from '../distributed/issue-status.js';
import { latestIssueDate } from '../distributed/issue-store.js';
import { type QueueSizes, readQueueSizes } from '../distributed/queue.js';
import { PaperboyError } from '../errors.js';
import { checkDate } from './load-issues.js';

export interface StatusFlags {
  date?: string;
  json?: boolean;
}

function reasons(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
}

function row(label: string, count: number, detail = ''): string {
  return `  ${label.padEnd(13)}${String(count).padStart(7)}${detail ? `  ${detail}` : ''}`;
}

function segmentLine(id: string, c: DeliveryCounts): string {
  const cells = [c.planned, c.sent, c.failed, c.skipped, c.pending + c.sending];
  return `  ${id.padEnd(18)}${cells.map((n) => String(n).padStart(9)).join('')}`;
}

/** The text `paperboy status` prints. Pure. */
export function formatStatus(status: IssueStatus, queue: QueueSizes | null): string {
  const { totals } = status;
  const lines = [
    `Issue ${status.date}: planned ${status.plannedAt} by ${status.plannedBy} (plan revision ${status.revision})`,
    row('planned', totals.planned, 'recipients'),
    row('sent', totals.sent),
    row(
      'failed',
      totals.failed,
      totals.failed > 0
        ? `${totals.permanent} permanent, ${totals.failed - totals.permanent} to retry`
        : '',
    ),
    row(
      'skipped',
      totals.skipped,
      reasons(status.skippedBy) && `since the plan: ${reasons(status.skippedBy)}`,
    ),
    row(
      'pending',
      totals.pending + totals.sending,
      totals.sending > 0 ? `${totals.sending} claimed by a worker` : '',
    ),
    row(
      'not planned',
      Object.values(status.notPlanned).reduce((sum, n) => sum + n, 0),
      reasons(status.notPlanned),
    ),
  ];
  if (queue) {
    lines.push(
      `  jobs         ${queue.waiting} waiting, ${queue.unfinished - queue.waiting} active, ${queue.dead} dead-lettered`,
    );
  }
  if (status.segments.length > 0) {
    lines.push(
      '',
      `  ${'segment'.padEnd(18)}${['planned', 'sent', 'failed', 'skipped', 'pending'].map((h) => h.padStart(9)).join('')}`,
    );
    for (const segment of status.segments) lines.push(segmentLine(segment.id, segment));
  }
  return `${lines.join('\n')}\n`;
}

export async function runStatus(flags: StatusFlags, env: NodeJS.ProcessEnv = process.env) {
  const requested = checkDate(flags.date);
  const { url, db } = await connectDatabase(env, { name: 'paperboy-status', max: 2 });
  try {
    const date = requested ?? (await latestIssueDate(db));
    if (!date) {
      throw new PaperboyError('conflict', `no issue is planned in ${describeDatabaseUrl(url)}`, {
        hint: 'plan and queue one with "paperboy send <source>" (or let "paperboy serve" do it)',
      });
    }
    const status = await readIssueStatus(db, date);
    if (!status) {
      throw new PaperboyError(
        'conflict',
        `issue ${date} is not planned in ${describeDatabaseUrl(url)}`,
        {
          hint: 'see "paperboy status" for the latest issue, or plan it with "paperboy send <source>"',
        },
      );
    }
    const queue = await readQueueSizes(db);
    process.stdout.write(
      flags.json
        ? `${JSON.stringify({ ...status, queue }, null, 2)}\n`
        : formatStatus(status, queue),
    );
  } finally {
    await db.end();
  }
}
