// `paperboy subscribers export`: every subscriber as JSON (the subscriber file's format, which
// `import` reads back) or CSV (one row per subscriber, cells in the flags' syntax).
import { stringify } from 'csv-stringify/sync';
import { formatJson } from '../stores/format-json.js';
import { SUBSCRIBER_FILE_VERSION, toFileRecord } from '../stores/subscriber-file.js';
import type { Subscriber } from '../types.js';
import { CSV_COLUMNS } from './parse-import.js';
import { formatFrequency, formatKeywordList, formatTopicList } from './settings-text.js';

export const EXPORT_FORMATS = ['json', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

function csvRow(subscriber: Subscriber): Record<(typeof CSV_COLUMNS)[number], string> {
  return {
    email: subscriber.email,
    name: subscriber.name ?? '',
    topics: formatTopicList(subscriber.topics, ' '),
    keywords: formatKeywordList(subscriber.keywords),
    frequency: formatFrequency(subscriber),
    maxPapers: subscriber.maxPapers === null ? '' : String(subscriber.maxPapers),
    status: subscriber.status,
    id: subscriber.id,
    subscribedAt: subscriber.subscribedAt,
    updatedAt: subscriber.updatedAt,
    unsubscribedAt: subscriber.unsubscribedAt ?? '',
  };
}

/**
 * The subscribers (all statuses, so a suppression moves with the list) in `format`. Hashed
 * suppressions are not exported: they are not people, and another list could not use them.
 */
export function formatExport(subscribers: readonly Subscriber[], format: ExportFormat): string {
  if (format === 'json') {
    return formatJson({
      version: SUBSCRIBER_FILE_VERSION,
      subscribers: subscribers.map(toFileRecord),
    });
  }
  return stringify(subscribers.map(csvRow), {
    header: true,
    columns: [...CSV_COLUMNS],
    // A cell starting with = + - @ is a formula to a spreadsheet ("-survey", an excluded
    // keyword, would become #NAME?); csv-stringify prefixes it with ', which import removes.
    escape_formulas: true,
  });
}
