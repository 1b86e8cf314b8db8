// `paperboy plan`: who gets which papers for one issue, before anything is rendered or sent.

import { PaperboyError } from '../errors.js';
import {
  createPlanner,
  formatPlan,
  HISTORY_FILE,
  type Plan,
  planToJson,
  readHistory,
} from '../plan/index.js';
import { loadRecentIssues } from '../plan/issue-archive.js';
import type { Issue, Paper } from '../types.js';
import { type Context, historyPath, loadContext, openSubscriberStore } from './context.js';
import { loadClassifiedIssues, type SourceFlags } from './load-issues.js';

export interface PlanFlags extends SourceFlags {
  subscribers?: string;
  json?: boolean;
}

/**
 * The issue to plan: the one dated --date when the source holds several days, else the newest.
 * The others are the "recent" issues a weekly digest merges.
 */
export function pickIssue(
  issues: readonly Issue[],
  date: string | undefined,
): { issue: Issue; recent: Issue[] } {
  const sorted = [...issues].sort((a, b) => b.date.localeCompare(a.date));
  const issue =
    (date ? sorted.find((candidate) => candidate.date === date) : undefined) ?? sorted[0];
  if (!issue) throw new PaperboyError('invalidInput', 'the source holds no issue');
  return { issue, recent: sorted.filter((other) => other !== issue) };
}

export interface PlannedRun {
  plan: Plan;
  subscribersLabel: string;
  /**
   * Every paper of the source's issues by id, the newest issue's copy winning as in a weekly
   * plan: what rendering a segment needs, so the source is not loaded twice.
   */
  papers: Map<string, Paper>;
  /** The issue planned (send keeps it for later weekly digests). */
  issue: Issue;
  /**
   * The subscriber store's change token from before this plan read the list: send's suppression
   * check takes planned recipients as planned until it moves.
   */
  listToken: string;
}

/** Every paper by id, the newest issue's copy winning: what rendering a plan's segments needs. */
export function indexPapers(issues: readonly Issue[]): Map<string, Paper> {
  const byId = new Map<string, Paper>();
  const oldestFirst = [...issues].sort((a, b) => a.date.localeCompare(b.date));
  for (const issue of oldestFirst) for (const paper of issue.papers) byId.set(paper.id, paper);
  return byId;
}

/** Source + subscribers + history -> the plan. Shared by `plan` and, later, preview and send. */
export async function buildPlan(
  source: string,
  flags: PlanFlags,
  context: Context = loadContext(flags.config),
): Promise<PlannedRun> {
  const { issues } = await loadClassifiedIssues(source, flags, context);
  const { store, label } = openSubscriberStore(context, flags.subscribers);
  try {
    const history = await readHistory(historyPath(context, HISTORY_FILE));
    const { issue, recent } = pickIssue(issues, flags.date);
    // Weekly digests merge the week: add the days earlier runs kept (see saveIssue in send).
    const kept = await loadRecentIssues(
      context.config.dataDir,
      issue.date,
      new Set(issues.map((i) => i.date)),
    );
    const planner = createPlanner(
      { issue, recent: [...recent, ...kept] },
      history,
      context.config.plan,
    );
    // The token first: a change made while the list is read moves it, and the check reads again.
    const listToken = await store.changeToken();
    // Each subscriber is planned as it is read: the whole list is never held (100,000 records
    // are about 50 MB), only what the plan keeps of each (recipient-book.ts).
    await store.scan((subscriber) => planner.add(subscriber));
    return {
      plan: planner.finish(),
      subscribersLabel: label,
      papers: indexPapers([...kept, ...issues]),
      issue,
      listToken,
    };
  } finally {
    await store.close();
  }
}

export async function runPlan(source: string, flags: PlanFlags): Promise<void> {
  const context = loadContext(flags.config);
  const { plan, subscribersLabel } = await buildPlan(source, flags, context);
  if (plan.totals.subscribers === 0) {
    process.stderr.write(
      `paperboy: ${subscribersLabel} has no subscribers; add one with "paperboy subscribers add EMAIL --topics ..."\n`,
    );
  }
  process.stdout.write(flags.json ? planToJson(plan) : formatPlan(plan, context.topics));
}
