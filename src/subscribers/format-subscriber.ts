// Subscribers as the CLI prints them: a one-line summary for "what changed", a table for
// `list`, and every field for `show`.
import type { Subscriber } from '../types.js';
import { formatFrequency, formatKeywordList, formatTopicList } from './settings-text.js';

/** `ada@example.org (sub_9f2c1a7e5b03d861)` */
export function formatWho(subscriber: Pick<Subscriber, 'email' | 'id'>): string {
  return `${subscriber.email} (${subscriber.id})`;
}

/** `topics: graphs, time-series; weekly:monday; max 5 papers; keywords: yolo, -survey` */
export function formatSettings(subscriber: Subscriber): string {
  const keywords = formatKeywordList(subscriber.keywords);
  return [
    `topics: ${formatTopicList(subscriber.topics)}`,
    subscriber.frequency === 'weekly' ? formatFrequency(subscriber) : null,
    subscriber.maxPapers === null ? null : `max ${subscriber.maxPapers} papers`,
    keywords ? `keywords: ${keywords}` : null,
  ]
    .filter((part) => part !== null)
    .join('; ');
}

function formatTable(rows: readonly string[][]): string {
  const widths = rows[0]?.map((_, column) =>
    Math.max(...rows.map((row) => row[column]?.length ?? 0)),
  );
  return rows
    .map((row) =>
      row
        .map((cell, column) =>
          column === row.length - 1 ? cell : cell.padEnd(widths?.[column] ?? 0),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** A header row, then one row per subscriber. */
export function formatSubscriberTable(subscribers: readonly Subscriber[]): string {
  const rows = [
    ['EMAIL', 'NAME', 'STATUS', 'FREQUENCY', 'ID', 'TOPICS'],
    ...subscribers.map((subscriber) => [
      subscriber.email,
      subscriber.name ?? '-',
      subscriber.status,
      formatFrequency(subscriber),
      subscriber.id,
      formatTopicList(subscriber.topics),
    ]),
  ];
  return `${formatTable(rows)}\n`;
}

/** Every field, one per line. */
export function formatSubscriberDetails(subscriber: Subscriber): string {
  const { keywords } = subscriber;
  const rows = [
    ['email', subscriber.email],
    ['id', subscriber.id],
    ['name', subscriber.name ?? '-'],
    ['status', subscriber.status],
    ['topics', formatTopicList(subscriber.topics)],
    ['keywords', keywords.include.length > 0 ? keywords.include.join(', ') : '-'],
    ['excluded', keywords.exclude.length > 0 ? keywords.exclude.join(', ') : '-'],
    ['max papers', subscriber.maxPapers === null ? 'default' : String(subscriber.maxPapers)],
    ['frequency', formatFrequency(subscriber)],
    ['subscribed', subscriber.subscribedAt],
    ['updated', subscriber.updatedAt],
    ['unsubscribed', subscriber.unsubscribedAt ?? '-'],
  ];
  return `${formatTable(rows.map(([label, value]) => [`${label}:`, value ?? '']))}\n`;
}
