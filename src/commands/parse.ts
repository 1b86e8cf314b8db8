import type { Issue } from '../types.js';
import { loadClassifiedIssues, type SourceFlags } from './load-issues.js';

/** The data contract: `{ issues: [ { date, papers, warnings } ] }`, pretty-printed JSON. */
export function formatParseOutput(issues: readonly Issue[]): string {
  return `${JSON.stringify({ issues }, null, 2)}\n`;
}

export async function runParse(source: string, flags: SourceFlags): Promise<void> {
  const { issues } = await loadClassifiedIssues(source, flags);
  process.stdout.write(formatParseOutput(issues));
}
