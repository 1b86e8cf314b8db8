// The shapes of subscriber data, validated with zod: a record in the subscriber file, an entry of
// an import (also what `add` accepts) and a hashed suppression. Messages name the bad value and,
// for a mistyped field, status or topic, suggest the closest one.
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { suggestClosest } from '../topics/suggest.js';
import {
  type Frequency,
  SUBSCRIBER_STATUSES,
  type Subscriber,
  type SubscriberStatus,
  WEEKDAYS,
  type Weekday,
} from '../types.js';

export const SUBSCRIBER_ID_PATTERN = /^sub_[0-9a-f]{8,64}$/;
export const SUPPRESSION_HASH_PATTERN = /^[0-9a-f]{64}$/;
export const MAX_PAPERS_LIMIT = 100;
export const FREQUENCIES = ['daily', 'weekly'] as const satisfies readonly Frequency[];
/** Statuses a purged address can be suppressed with. */
export const SUPPRESSED_STATUSES = ['unsubscribed', 'bounced'] as const;

/** What decides which papers a subscriber gets, with every default filled in. */
export type SubscriberSettings = Pick<
  Subscriber,
  'email' | 'name' | 'topics' | 'keywords' | 'maxPapers' | 'frequency' | 'weekday'
>;

/** An import entry (or an `add`) after validation. */
export interface ValidEntry extends SubscriberSettings {
  status: SubscriberStatus;
}

/** What remains of a purged subscriber: a plain sha256 of the normalized address. */
export interface Suppression {
  emailSha256: string;
  status: (typeof SUPPRESSED_STATUSES)[number];
  suppressedAt: string;
}

/** Marks issues an unknown topic id caused: the config may be what needs fixing. */
export const TOPIC_ISSUE = 'unknownTopic';

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function orList(items: readonly string[]): string {
  return items.length <= 1
    ? (items[0] ?? '')
    : `${items.slice(0, -1).join(', ')} or ${items.at(-1) as string}`;
}

/**
 * A zod error function: `"actve" is not one of active, unsubscribed or bounced; did you mean
 * "active"?`, or `missing; expected ...` for a required field that is not there.
 */
function expecting(what: string, candidates?: readonly string[]) {
  return (issue: { input?: unknown }): string => {
    const expected = candidates ? `one of ${orList(candidates)}` : what;
    if (issue.input === undefined) return `missing; expected ${expected}`;
    const suggestion =
      typeof issue.input === 'string' && candidates
        ? suggestClosest(issue.input, candidates)
        : undefined;
    return `${show(issue.input)} is not ${expected}${suggestion ? `; did you mean "${suggestion}"?` : ''}`;
  };
}

/** z.strictObject whose unknown-key error suggests the closest known key. */
function strictObject<Shape extends z.core.$ZodLooseShape>(shape: Shape, what: string) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') {
        return issue.keys
          .map((key) => {
            const suggestion = suggestClosest(key, known);
            return `unknown field "${key}" (${suggestion ? `did you mean "${suggestion}"?` : `known fields: ${known.join(', ')}`})`;
          })
          .join('; ');
      }
      return expecting(what)(issue);
    },
  });
}

// zod's own patterns for an ISO 8601 timestamp (seconds, Z or an offset) and an address, named so
// that createRecordValidator tests exactly what the schemas below test.
const TIMESTAMP_PATTERN = z.regexes.datetime({ offset: true });
const EMAIL_PATTERN = z.regexes.email;

const timestampError = expecting('an ISO 8601 timestamp (like 2025-10-31T08:00:00.000Z)');
const timestamp = z
  .string({ error: timestampError })
  .regex(TIMESTAMP_PATTERN, { error: timestampError });

const phrase = z
  .string({ error: expecting('a phrase') })
  .trim()
  .min(1, { error: 'expected a non-empty phrase' });
const phrases = z.array(phrase, { error: expecting('a list of phrases') }).default([]);

const keywordsSchema = strictObject(
  { include: phrases, exclude: phrases },
  'an object with "include" and "exclude" phrase lists',
);

/** Empty and blank names mean no name. */
const nameSchema = z
  .string({ error: expecting('a name') })
  .trim()
  .transform((name) => name || null)
  .nullish()
  .transform((name) => name ?? null);

const emailSchema = z
  .string({ error: expecting('an email address') })
  .trim()
  .pipe(
    z.email({
      pattern: EMAIL_PATTERN,
      error: (issue) => `invalid email address ${show(issue.input)}`,
    }),
  );

function topicsSchema(topicIds: readonly string[]) {
  return z
    .union([z.literal('all'), z.array(z.string())], {
      error: expecting('"all" or a list of topic ids'),
    })
    .superRefine((topics, context) => {
      if (topics === 'all') return;
      if (topics.length === 0) {
        context.addIssue({ code: 'custom', message: 'expected at least one topic id, or "all"' });
      }
      topics.forEach((id, index) => {
        if (topicIds.includes(id)) return;
        const suggestion = suggestClosest(id, topicIds);
        context.addIssue({
          code: 'custom',
          path: [index],
          message: `unknown topic "${id}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`,
          params: { [TOPIC_ISSUE]: true },
        });
      });
    })
    .transform((topics) => (topics === 'all' ? topics : [...new Set(topics)]));
}

const paperCount = expecting(`a whole number of papers from 1 to ${MAX_PAPERS_LIMIT}`);

function settingsShape(topicIds: readonly string[]) {
  return {
    email: emailSchema,
    name: nameSchema,
    topics: topicsSchema(topicIds),
    keywords: keywordsSchema.optional().transform((keywords) => ({
      include: keywords?.include ?? [],
      exclude: keywords?.exclude ?? [],
    })),
    maxPapers: z
      .int({ error: paperCount })
      .min(1, { error: paperCount })
      .max(MAX_PAPERS_LIMIT, { error: paperCount })
      .nullish()
      .transform((value) => value ?? null),
    frequency: z
      .enum(FREQUENCIES, { error: expecting('a frequency', FREQUENCIES) })
      .default('daily'),
    weekday: z
      .enum(WEEKDAYS, { error: expecting('a weekday', WEEKDAYS) })
      .nullish()
      .transform((value) => value ?? null),
  };
}

/** Weekly needs a weekday; daily must not have one (it would silently mean nothing). */
function checkSchedule(
  value: { frequency: Frequency; weekday: Weekday | null },
  context: z.RefinementCtx,
): void {
  if (value.frequency === 'weekly' && value.weekday === null) {
    context.addIssue({
      code: 'custom',
      // The missing weekday has no line of its own; its frequency does.
      path: ['frequency'],
      message: `weekly needs a weekday ("weekday": one of ${orList(WEEKDAYS)})`,
    });
  }
  if (value.frequency === 'daily' && value.weekday !== null) {
    context.addIssue({
      code: 'custom',
      path: ['weekday'],
      message: 'a weekday is only for weekly subscribers (set "frequency": "weekly" or remove it)',
    });
  }
}

const statusSchema = z.enum(SUBSCRIBER_STATUSES, {
  error: expecting('a status', SUBSCRIBER_STATUSES),
});

const idSchema = z.string({ error: expecting('an id') }).regex(SUBSCRIBER_ID_PATTERN, {
  error: expecting('an id ("sub_" and 8 to 64 hex digits)'),
});

const unsubscribedAtSchema = timestamp.nullish().transform((value) => value ?? null);

/** A subscriber as the file holds it -> a full Subscriber, keys in the order of the type. */
export function createRecordSchema(topicIds: readonly string[]) {
  return strictObject(
    {
      id: idSchema,
      ...settingsShape(topicIds),
      status: statusSchema,
      subscribedAt: timestamp,
      updatedAt: timestamp,
      unsubscribedAt: unsubscribedAtSchema,
    },
    'a subscriber (an object)',
  )
    .superRefine(checkSchedule)
    .transform(
      (record): Subscriber => ({
        id: record.id,
        email: record.email,
        name: record.name,
        topics: record.topics,
        keywords: record.keywords,
        maxPapers: record.maxPapers,
        frequency: record.frequency,
        weekday: record.weekday,
        status: record.status,
        subscribedAt: record.subscribedAt,
        updatedAt: record.updatedAt,
        unsubscribedAt: record.unsubscribedAt,
      }),
    );
}

/** False for the numbers JSON.stringify prints like others: -0 (as 0) and ±Infinity (as null). */
function printsExactly(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (typeof value !== 'object' || value === null) return true;
  return (Array.isArray(value) ? value : Object.values(value)).every(printsExactly);
}

function isTimestamp(value: unknown): value is string {
  return typeof value === 'string' && TIMESTAMP_PATTERN.test(value);
}

/**
 * Distinct settings a record validator remembers: the 4,096 used most recently. Keeping every one
 * held megabytes at 100,000 subscribers (19,000 distinct, two thirds used once), growing with the
 * list; bounded, about 6,000 more records go to zod on that list, with no measurable difference to
 * the scan's time (see SEGMENTER_RECENT_KEYS, measured together).
 */
export const VALIDATOR_RECENT_SETTINGS = 4096;

/**
 * createRecordSchema's verdict on one record, made fast for files of 100,000 subscribers: the
 * Subscriber, or null when the record is invalid (createRecordSchema then says why; this gives
 * no messages).
 *
 * Such a file holds a few thousand distinct settings (topics, keywords, cap, schedule, status)
 * and one person's own fields (id, address, name, timestamps) per record. The settings are checked
 * by zod once per distinct value while it is in use (the VALIDATOR_RECENT_SETTINGS used most
 * recently are kept), keyed by their JSON text, and copied into each record; JSON text
 * tells parsed values apart, except numbers it prints like others, which skip the cache. The own
 * fields are plain strings checked on every record, with the tests their schemas make (the same
 * patterns, trimming and defaults) written out, as a zod parse per field would cost more than all
 * the rest. No rule relates an own field to a setting (checkSchedule reads frequency and weekday
 * only), so the parts together give exactly createRecordSchema's result.
 */
export function createRecordValidator(
  topicIds: readonly string[],
): (input: unknown) => Subscriber | null {
  const { email: _email, name: _name, ...settings } = settingsShape(topicIds);
  const settingsSchema = z
    .strictObject({ ...settings, status: statusSchema })
    .superRefine(checkSchedule);
  type Settings = z.output<typeof settingsSchema>;
  const ownKeys = ['id', 'email', 'name', 'subscribedAt', 'updatedAt', 'unsubscribedAt'];
  const knownKeys = new Set([...ownKeys, ...Object.keys(settingsSchema.shape)]);
  const checked = new LRUCache<string, { settings: Settings | null }>({
    max: VALIDATOR_RECENT_SETTINGS,
  });

  function checkSettings(record: Record<string, unknown>): Settings | null {
    // Every setting, in one order for every record (a missing one is undefined, which JSON leaves
    // out as the schema does): one text per value. The type makes this list complete.
    const input: { [Key in keyof z.input<typeof settingsSchema>]-?: unknown } = {
      topics: record.topics,
      keywords: record.keywords,
      maxPapers: record.maxPapers,
      frequency: record.frequency,
      weekday: record.weekday,
      status: record.status,
    };
    const key = printsExactly(input) ? JSON.stringify(input) : null;
    const known = key === null ? undefined : checked.get(key);
    if (known !== undefined) return known.settings;
    // zod tells a missing field from an undefined one; JSON has no undefined, so the text above
    // does not need to, but zod is given only the fields the record has.
    const present = Object.fromEntries(Object.entries(input).filter(([field]) => field in record));
    const result = settingsSchema.safeParse(present);
    const valid = result.success ? result.data : null;
    if (key !== null) checked.set(key, { settings: valid });
    return valid;
  }

  return (input) => {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) return null;
    const record = input as Record<string, unknown>;
    // An unknown field: the record schema refuses it, and says which.
    for (const key in record) if (!knownKeys.has(key)) return null;
    const { id, email, name, subscribedAt, updatedAt, unsubscribedAt } = record;
    // idSchema, emailSchema, nameSchema, timestamp and unsubscribedAtSchema, in that order.
    if (typeof id !== 'string' || !SUBSCRIBER_ID_PATTERN.test(id)) return null;
    if (typeof email !== 'string' || !EMAIL_PATTERN.test(email.trim())) return null;
    if (name !== undefined && name !== null && typeof name !== 'string') return null;
    if (!isTimestamp(subscribedAt) || !isTimestamp(updatedAt)) return null;
    if (unsubscribedAt !== undefined && unsubscribedAt !== null && !isTimestamp(unsubscribedAt)) {
      return null;
    }
    const shared = checkSettings(record);
    if (shared === null) return null;
    // Fresh lists in every record, as the schema gives: records share nothing a caller may change.
    return {
      id,
      email: email.trim(),
      name: typeof name === 'string' ? name.trim() || null : null,
      topics: shared.topics === 'all' ? 'all' : [...shared.topics],
      keywords: { include: [...shared.keywords.include], exclude: [...shared.keywords.exclude] },
      maxPapers: shared.maxPapers,
      frequency: shared.frequency,
      weekday: shared.weekday,
      status: shared.status,
      subscribedAt,
      updatedAt,
      unsubscribedAt: unsubscribedAt ?? null,
    };
  };
}

/**
 * An import entry, or what `add` is given. It may be a record of another list (an export):
 * its id and timestamps are accepted and ignored (this list keeps its own), its status kept.
 */
export function createEntrySchema(topicIds: readonly string[]) {
  const ignored = z.unknown().optional();
  return strictObject(
    {
      ...settingsShape(topicIds),
      status: statusSchema.default('active'),
      id: ignored,
      subscribedAt: ignored,
      updatedAt: ignored,
      unsubscribedAt: ignored,
    },
    'a subscriber (an object)',
  )
    .superRefine(checkSchedule)
    .transform(
      (entry): ValidEntry => ({
        email: entry.email,
        name: entry.name,
        topics: entry.topics,
        keywords: entry.keywords,
        maxPapers: entry.maxPapers,
        frequency: entry.frequency,
        weekday: entry.weekday,
        status: entry.status,
      }),
    );
}

export const suppressionSchema = strictObject(
  {
    emailSha256: z
      .string({ error: expecting('a sha256 hex digest') })
      .regex(SUPPRESSION_HASH_PATTERN, {
        error: expecting('a sha256 hex digest (64 hex digits)'),
      }),
    status: z.enum(SUPPRESSED_STATUSES, {
      error: expecting('a status', SUPPRESSED_STATUSES),
    }),
    suppressedAt: timestamp,
  },
  'a suppression (an object)',
);

/** The whole subscriber file; item checks come from `record`. */
export function createFileSchema(topicIds: readonly string[]) {
  return strictObject(
    {
      version: z.literal(1, { error: expecting('1 (the only version so far)') }).optional(),
      subscribers: z
        .array(createRecordSchema(topicIds), { error: expecting('a list of subscribers') })
        .default([]),
      suppressions: z
        .array(suppressionSchema, { error: expecting('a list of suppressions') })
        .default([]),
    },
    'an object with "subscribers" and "suppressions" lists',
  );
}

/** True when the issue is an unknown topic id. */
export function isTopicIssue(issue: z.core.$ZodIssue): boolean {
  return issue.code === 'custom' && issue.params?.[TOPIC_ISSUE] === true;
}
