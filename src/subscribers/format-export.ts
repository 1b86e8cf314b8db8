// `paperboy subscribers export`: every subscriber as JSON (the subscriber file, hashed
// suppressions included, which `import` reads back) or CSV (one row per subscriber, cells in the
// flags' syntax).
import { stringify } from 'csv-stringify/sync';
import { formatJson } from '../stores/format-json.js';
import {
  SUBSCRIBER_FILE_VERSION,
  serializeSubscriberFile,
  toFileRecord,
} from '../stores/subscriber-file.js';
import type { Suppression } from '../stores/subscriber-schema.js';
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
 * The subscribers (all statuses, so a suppression moves with the list) in `format`. JSON given
 * the hashed `suppressions` too is the subscriber file itself, byte for byte as the JSON store
 * writes it, which `import --restore` puts back as it is; without them it is the people only.
 * CSV has no place for the hashes: a row is a person.
 */
export function formatExport(
  subscribers: readonly Subscriber[],
  format: ExportFormat,
  suppressions?: readonly Suppression[],
): string {
  if (format === 'json') {
    if (suppressions) {
      return serializeSubscriberFile({
        subscribers: [...subscribers],
        suppressions: [...suppressions],
      });
    }
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
