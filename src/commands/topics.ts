import type { Issue, Topic } from '../types.js';
import { loadContext } from './context.js';
import { loadClassifiedIssues, type SourceFlags } from './load-issues.js';

export interface TopicsFlags extends SourceFlags {
  json?: boolean;
}

interface TopicRow {
  id: string;
  name: string;
  description: string;
  papers?: number;
}

function countPapers(topics: readonly Topic[], issues: readonly Issue[]): Map<string, number> {
  const counts = new Map(topics.map((topic) => [topic.id, 0]));
  for (const issue of issues) {
    for (const paper of issue.papers) {
      for (const id of paper.topics) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  }
  return counts;
}

export function formatTopicsTable(rows: readonly TopicRow[], untagged: number | null): string {
  const idWidth = Math.max(...rows.map((row) => row.id.length), 2);
  const countWidth = Math.max(...rows.map((row) => String(row.papers ?? '').length), 0);
  const lines = rows.map((row) => {
    const count = row.papers === undefined ? '' : `${String(row.papers).padStart(countWidth)}  `;
    return `${row.id.padEnd(idWidth)}  ${count}${row.name}: ${row.description}`;
  });
  if (untagged !== null) {
    lines.push(
      `${'(none)'.padEnd(idWidth)}  ${String(untagged).padStart(countWidth)}  papers with no topic`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export async function runTopics(source: string | undefined, flags: TopicsFlags): Promise<void> {
  let rows: TopicRow[];
  let untagged: number | null = null;
  if (source === undefined) {
    rows = loadContext(flags.config).topics.map(({ id, name, description }) => ({
      id,
      name,
      description,
    }));
  } else {
    const { topics, issues } = await loadClassifiedIssues(source, flags);
    const counts = countPapers(topics, issues);
    rows = topics.map(({ id, name, description }) => ({
      id,
      name,
      description,
      papers: counts.get(id) ?? 0,
    }));
    untagged = issues.reduce(
      (sum, issue) => sum + issue.papers.filter((p) => p.topics.length === 0).length,
      0,
    );
  }
  process.stdout.write(
    flags.json
      ? `${JSON.stringify({ topics: rows, untagged }, null, 2)}\n`
      : formatTopicsTable(rows, untagged),
  );
}
