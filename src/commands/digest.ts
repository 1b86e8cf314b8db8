// The main job until sending exists: the issue's papers grouped by topic, as a reader would
// scan them. A paper appears under each of its topics, as it would for a subscriber to any one.
// Per-function entry points: the package root loads all of date-fns (~200 ms per process).
import { format } from 'date-fns/format';
import { parseISO } from 'date-fns/parseISO';
import { assertKnownTopicIds } from '../topics/resolve-topics.js';
import type { Issue, Paper, Topic } from '../types.js';
import { loadClassifiedIssues, type SourceFlags } from './load-issues.js';

export interface DigestFlags extends SourceFlags {
  topic?: string;
}

function formatPaper(paper: Paper, topicId: string): string {
  const why = paper.matched[topicId]?.join(', ');
  const meta = [
    paper.organization ?? (paper.authorsCount === null ? null : `${paper.authorsCount} authors`),
    paper.publishedAt ? format(parseISO(paper.publishedAt), 'MMM d, yyyy') : null,
    paper.upvotes === null ? null : `${paper.upvotes} upvotes`,
    paper.links.code ? `code: ${paper.links.code}` : null,
  ].filter(Boolean);
  return [`  • ${paper.title}`, `      ${meta.join(' · ')}`, why ? `      why: ${why}` : null]
    .filter((line) => line !== null)
    .join('\n');
}

/** Plain text: a heading for the issue, then each topic with its papers. */
export function formatDigest(
  issue: Issue,
  topics: readonly Topic[],
  only?: readonly string[],
): string {
  const day = format(parseISO(issue.date), 'EEEE, MMMM d, yyyy');
  const count = issue.papers.length;
  const lines = [`Trending papers · ${day} · ${count} paper${count === 1 ? '' : 's'}`];
  const shown = only ? topics.filter((topic) => only.includes(topic.id)) : topics;
  for (const topic of shown) {
    const papers = issue.papers.filter((paper) => paper.topics.includes(topic.id));
    if (papers.length === 0) continue;
    lines.push('', `${topic.name} [${topic.id}] · ${papers.length}`);
    for (const paper of papers) lines.push(formatPaper(paper, topic.id));
  }
  if (!only) {
    const untagged = issue.papers.filter((paper) => paper.topics.length === 0);
    if (untagged.length > 0) {
      lines.push('', `No topic · ${untagged.length}`);
      for (const paper of untagged) lines.push(`  • ${paper.title}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export async function runDigest(source: string | undefined, flags: DigestFlags): Promise<void> {
  const { topics, issues } = await loadClassifiedIssues(source, flags);
  const only = flags.topic
    ?.split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  if (only) assertKnownTopicIds(only, topics, '--topic');
  process.stdout.write(issues.map((issue) => formatDigest(issue, topics, only)).join('\n'));
}
