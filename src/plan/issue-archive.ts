// The issues a run has seen, kept in <dataDir>/issues/<date>.json, so that a weekly digest can
// merge the past week even when each run fetches only its own day (`hf:latest`).
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { Issue } from '../types.js';
import { WEEK_DAYS } from './plan-issue.js';

function issuePath(dataDir: string, date: string): string {
  return join(dataDir, 'issues', `${date}.json`);
}

function daysBefore(date: string, days: number): string {
  const time = Date.parse(`${date}T00:00:00Z`) - days * 86_400_000;
  return new Date(time).toISOString().slice(0, 10);
}

/** Keeps a classified issue for later weekly digests (atomic; the folder is created). */
export async function saveIssue(dataDir: string, issue: Issue): Promise<void> {
  await mkdir(join(dataDir, 'issues'), { recursive: true });
  await writeFileAtomic(issuePath(dataDir, issue.date), `${JSON.stringify(issue)}\n`);
}

/**
 * The kept issues of the six days before `date`, skipping `except` (dates already at hand).
 * A missing or unreadable day is simply not there: a weekly digest then has fewer days.
 */
export async function loadRecentIssues(
  dataDir: string,
  date: string,
  except: ReadonlySet<string>,
): Promise<Issue[]> {
  const issues: Issue[] = [];
  for (let back = 1; back < WEEK_DAYS; back++) {
    const day = daysBefore(date, back);
    if (except.has(day)) continue;
    try {
      const issue = JSON.parse(await readFile(issuePath(dataDir, day), 'utf8')) as Issue;
      if (issue.date === day && Array.isArray(issue.papers)) issues.push(issue);
    } catch {
      // Not kept (no run that day, or a fresh data folder).
    }
  }
  return issues;
}
