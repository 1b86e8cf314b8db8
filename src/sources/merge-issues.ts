import type { ParsedIssue } from '../types.js';

/**
 * Joins issues of the same date (a file may hold the same day twice) and keeps each paper once
 * per issue, first occurrence first. Warnings stay in line order.
 */
export function mergeIssues(issues: readonly ParsedIssue[]): ParsedIssue[] {
  const byDate = new Map<string, ParsedIssue>();
  for (const issue of issues) {
    const target = byDate.get(issue.date);
    if (target) {
      // Loops, not push(...): a spread of 100,000+ items exceeds the argument limit.
      for (const paper of issue.papers) target.papers.push(paper);
      for (const warning of issue.warnings) target.warnings.push(warning);
    } else {
      byDate.set(issue.date, {
        date: issue.date,
        papers: [...issue.papers],
        warnings: [...issue.warnings],
      });
    }
  }
  const merged = [...byDate.values()];
  for (const issue of merged) {
    const seen = new Set<string>();
    issue.papers = issue.papers.filter((paper) => {
      if (!seen.has(paper.id)) {
        seen.add(paper.id);
        return true;
      }
      issue.warnings.push({
        line: null,
        message: `paper "${paper.title}" (${paper.id}) appears more than once on ${issue.date}; kept the first`,
      });
      return false;
    });
    issue.warnings.sort(
      (a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER),
    );
  }
  return merged;
}
