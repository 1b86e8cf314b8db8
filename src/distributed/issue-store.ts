// Planned issues in PostgreSQL: what a worker on any machine needs to render a segment (the
// papers, the segment's selection), and the classified issues a weekly digest merges (the file
// path keeps them in <dataDir>/issues). Written once per plan, read (and cached) by workers.
import type { Plan, Segment } from '../plan/index.js';
import { WEEK_DAYS } from '../plan/index.js';
import { addDays } from '../plan/utc-days.js';
import type { Issue, Paper } from '../types.js';
import type { Queryable } from './queue.js';

export interface SavedPlan {
  /** Bumped on every plan of the same issue. */
  revision: number;
}

/** The plan without its segments and subscribers: the summary `paperboy status` shows. */
function planSummary(plan: Plan) {
  return {
    version: plan.version,
    date: plan.date,
    issueDates: plan.issueDates,
    options: plan.options,
    totals: plan.totals,
  };
}

/**
 * Saves the issue, the papers its segments refer to and the segments (without recipients: those
 * are the deliveries rows). Planning again replaces them and bumps the revision.
 */
export async function saveIssuePlan(
  db: Queryable,
  input: { issue: Issue; plan: Plan; papers: ReadonlyMap<string, Paper>; plannedBy: string },
): Promise<SavedPlan> {
  const { issue, plan } = input;
  const referenced = new Map<string, Paper>();
  for (const segment of plan.segments) {
    for (const planned of segment.papers) {
      const paper = input.papers.get(planned.paperId);
      if (paper) referenced.set(paper.id, paper);
    }
  }
  const saved = await db.query(
    `INSERT INTO issues AS i (date, issue, papers, plan, revision, planned_at, planned_by)
     VALUES ($1, $2::jsonb, $3::jsonb, $4::jsonb, 1, now(), $5)
     ON CONFLICT (date) DO UPDATE SET issue = EXCLUDED.issue, papers = EXCLUDED.papers,
       plan = EXCLUDED.plan, revision = i.revision + 1, planned_at = EXCLUDED.planned_at,
       planned_by = EXCLUDED.planned_by
     RETURNING revision`,
    [
      plan.date,
      JSON.stringify(issue),
      JSON.stringify([...referenced.values()]),
      JSON.stringify(planSummary(plan)),
      input.plannedBy,
    ],
  );
  const segments = plan.segments.map((segment) => ({
    id: segment.id,
    recipients: segment.recipients.length,
    segment: { ...segment, recipients: [] },
  }));
  await db.query(
    `INSERT INTO plan_segments AS p (issue, segment_id, segment, recipients)
     SELECT $1, s->>'id', s->'segment', (s->>'recipients')::integer
     FROM jsonb_array_elements($2::jsonb) AS s
     ON CONFLICT (issue, segment_id) DO UPDATE SET segment = EXCLUDED.segment,
       recipients = EXCLUDED.recipients`,
    [plan.date, JSON.stringify(segments)],
  );
  return { revision: (saved.rows[0] as { revision: number }).revision };
}

export interface IssueForSending {
  date: string;
  revision: number;
  /** Every paper the plan's segments refer to, by id. */
  papers: Map<string, Paper>;
}

/** What rendering any segment of the issue needs; null when the issue was never planned. */
export async function loadIssueForSending(
  db: Queryable,
  date: string,
): Promise<IssueForSending | null> {
  const result = await db.query('SELECT revision, papers FROM issues WHERE date = $1', [date]);
  const row = result.rows[0] as { revision: number; papers: Paper[] } | undefined;
  if (!row) return null;
  return { date, revision: row.revision, papers: new Map(row.papers.map((p) => [p.id, p])) };
}

/** A planned segment, as planIssue made it (recipients left out); null when not planned. */
export async function loadSegment(
  db: Queryable,
  date: string,
  segmentId: string,
): Promise<Segment | null> {
  const result = await db.query(
    'SELECT segment FROM plan_segments WHERE issue = $1 AND segment_id = $2',
    [date, segmentId],
  );
  return (result.rows[0] as { segment: Segment } | undefined)?.segment ?? null;
}

/**
 * The issues planned on the six days before `date`, but those in `except` (days at hand): what a
 * weekly digest merges, as loadRecentIssues does with the kept files.
 */
export async function loadRecentIssues(
  db: Queryable,
  date: string,
  except: ReadonlySet<string>,
): Promise<Issue[]> {
  const result = await db.query(
    'SELECT issue FROM issues WHERE date >= $1 AND date < $2 AND NOT (date = ANY($3::text[]))',
    [addDays(date, -(WEEK_DAYS - 1)), date, [...except]],
  );
  return (result.rows as { issue: Issue }[]).map((row) => row.issue);
}

/** The most recently dated planned issue, or null when none was planned. */
export async function latestIssueDate(db: Queryable): Promise<string | null> {
  const result = await db.query('SELECT max(date) AS date FROM issues');
  return (result.rows[0] as { date: string | null } | undefined)?.date ?? null;
}
