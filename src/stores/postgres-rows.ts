// Subscribers and hashed suppressions as rows of the tables in
// migrations/1764201600000_subscribers.sql: the SQL that reads and writes them, and the mapping
// between a row and a Subscriber. Rows are mapped without validation: the table's CHECKs hold
// every rule the file schema checks, except the topic ids (which the config may change), so a
// row is as valid as a file record, and 100,000 of them map in a few milliseconds.
import type pg from 'pg';
import { normalizeEmail } from '../subscribers/email.js';
import type { Frequency, Subscriber, SubscriberStatus, Weekday } from '../types.js';
import type { Suppression } from './subscriber-schema.js';

/** Timestamps as paperboy writes them: UTC, milliseconds, `Z`. */
function isoText(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** The columns of a subscriber, as SubscriberRow names them. */
export const SUBSCRIBER_COLUMNS = `id, email, name, all_topics, topics, keywords_include,
  keywords_exclude, max_papers, frequency, weekday, status,
  ${isoText('subscribed_at')} AS subscribed_at, ${isoText('updated_at')} AS updated_at,
  ${isoText('unsubscribed_at')} AS unsubscribed_at`;

/** The list's order: by address ignoring case, in byte order, like sortSubscribers. */
export const SUBSCRIBER_ORDER = 'ORDER BY email_key';

export interface SubscriberRow {
  id: string;
  email: string;
  name: string | null;
  all_topics: boolean;
  topics: string[];
  keywords_include: string[];
  keywords_exclude: string[];
  max_papers: number | null;
  frequency: string;
  weekday: string | null;
  status: string;
  subscribed_at: string;
  updated_at: string;
  unsubscribed_at: string | null;
}

export function fromRow(row: SubscriberRow): Subscriber {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    topics: row.all_topics ? 'all' : row.topics,
    keywords: { include: row.keywords_include, exclude: row.keywords_exclude },
    maxPapers: row.max_papers,
    // The CHECKs allow only these values.
    frequency: row.frequency as Frequency,
    weekday: row.weekday as Weekday | null,
    status: row.status as SubscriberStatus,
    subscribedAt: row.subscribed_at,
    updatedAt: row.updated_at,
    unsubscribedAt: row.unsubscribed_at,
  };
}

/** A record as the JSON that json_to_recordset reads below (one parameter for many rows). */
function toRow(subscriber: Subscriber) {
  return {
    id: subscriber.id,
    email: subscriber.email,
    email_key: normalizeEmail(subscriber.email),
    name: subscriber.name,
    all_topics: subscriber.topics === 'all',
    topics: subscriber.topics === 'all' ? [] : subscriber.topics,
    keywords_include: subscriber.keywords.include,
    keywords_exclude: subscriber.keywords.exclude,
    max_papers: subscriber.maxPapers,
    frequency: subscriber.frequency,
    weekday: subscriber.weekday,
    status: subscriber.status,
    subscribed_at: subscriber.subscribedAt,
    updated_at: subscriber.updatedAt,
    unsubscribed_at: subscriber.unsubscribedAt,
  };
}

const WRITTEN_COLUMNS = [
  'id',
  'email',
  'email_key',
  'name',
  'all_topics',
  'topics',
  'keywords_include',
  'keywords_exclude',
  'max_papers',
  'frequency',
  'weekday',
  'status',
  'subscribed_at',
  'updated_at',
  'unsubscribed_at',
] as const;

const RECORDSET = `json_to_recordset($1::json) AS r(id text, email text, email_key text,
  name text, all_topics boolean, topics text[], keywords_include text[], keywords_exclude text[],
  max_papers integer, frequency text, weekday text, status text, subscribed_at timestamptz,
  updated_at timestamptz, unsubscribed_at timestamptz)`;

/** Rows per statement: one JSON parameter of a few MB at most. */
const BATCH = 5000;

async function inBatches<T>(items: readonly T[], write: (batch: T[]) => Promise<unknown>) {
  for (let start = 0; start < items.length; start += BATCH) {
    await write(items.slice(start, start + BATCH));
  }
}

/** New records. A taken id or address fails the statement (unique_violation, 23505). */
export async function insertSubscribers(
  client: pg.ClientBase,
  subscribers: readonly Subscriber[],
): Promise<void> {
  await inBatches(subscribers, (batch) =>
    client.query(
      `INSERT INTO subscribers (${WRITTEN_COLUMNS.join(', ')})
       SELECT ${WRITTEN_COLUMNS.map((column) => `r.${column}`).join(', ')} FROM ${RECORDSET}`,
      [JSON.stringify(batch.map(toRow))],
    ),
  );
}

/** Existing records (by id), every column written as the record has it. */
export async function updateSubscribers(
  client: pg.ClientBase,
  subscribers: readonly Subscriber[],
): Promise<void> {
  const assignments = WRITTEN_COLUMNS.filter((column) => column !== 'id')
    .map((column) => `${column} = r.${column}`)
    .join(', ');
  await inBatches(subscribers, (batch) =>
    client.query(`UPDATE subscribers AS s SET ${assignments} FROM ${RECORDSET} WHERE s.id = r.id`, [
      JSON.stringify(batch.map(toRow)),
    ]),
  );
}

export const SUPPRESSION_COLUMNS = `email_sha256, status, ${isoText('suppressed_at')} AS suppressed_at`;

export interface SuppressionRow {
  email_sha256: string;
  status: string;
  suppressed_at: string;
}

export function fromSuppressionRow(row: SuppressionRow): Suppression {
  return {
    emailSha256: row.email_sha256,
    status: row.status as Suppression['status'],
    suppressedAt: row.suppressed_at,
  };
}

/** Hashed suppressions; one already there for the hash takes the new status and time. */
export async function upsertSuppressions(
  client: pg.ClientBase,
  suppressions: readonly Suppression[],
): Promise<void> {
  await inBatches(suppressions, (batch) =>
    client.query(
      `INSERT INTO purged_suppressions (email_sha256, status, suppressed_at)
       SELECT r."emailSha256", r.status, r."suppressedAt"
       FROM json_to_recordset($1::json) AS r("emailSha256" text, status text, "suppressedAt" timestamptz)
       ON CONFLICT (email_sha256) DO UPDATE
         SET status = EXCLUDED.status, suppressed_at = EXCLUDED.suppressed_at`,
      [JSON.stringify(batch)],
    ),
  );
}
