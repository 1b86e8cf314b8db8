// The subscriber file of the JSON store: reading it (every load is validated, with file, line and
// JSON path in each message) and writing it in one stable, diffable layout.
//
//   { "version": 1, "subscribers": [ ...sorted by email ], "suppressions": [ ...hashed ] }
import { PaperboyError } from '../errors.js';
import { formatJsonPath } from '../sources/json-path.js';
import { parseJsonText } from '../sources/parse-json-text.js';
import { hashEmail, normalizeEmail } from '../subscribers/email.js';
import type { Subscriber } from '../types.js';
import { formatJson } from './format-json.js';
import { createJsonLineFinder, formatProblems, type Problem, problemsFromZod } from './problems.js';
import { createFileSchema, type Suppression } from './subscriber-schema.js';

export const SUBSCRIBER_FILE_VERSION = 1;

export interface SubscriberFileData {
  subscribers: Subscriber[];
  suppressions: Suppression[];
}

export function emptySubscriberFile(): SubscriberFileData {
  return { subscribers: [], suppressions: [] };
}

/** Two entries that must not share a key (an address, an id, a hash): name both. */
function findDuplicates<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  describe: (index: number, firstIndex: number) => Problem,
): Problem[] {
  const first = new Map<string, number>();
  const problems: Problem[] = [];
  items.forEach((item, index) => {
    const key = keyOf(item);
    const seen = first.get(key);
    if (seen === undefined) first.set(key, index);
    else problems.push(describe(index, seen));
  });
  return problems;
}

/** What the schema cannot see: the same address, id or hash twice, a purged address back. */
function checkConsistency(
  data: SubscriberFileData,
  lineOf: (path: readonly PropertyKey[]) => number | null,
): Problem[] {
  const at = (path: PropertyKey[]) => `${formatJsonPath(path)} (line ${lineOf(path) ?? '?'})`;
  const { subscribers, suppressions } = data;
  const purged = new Map(suppressions.map((entry, index) => [entry.emailSha256, index]));
  return [
    ...findDuplicates(
      subscribers,
      (subscriber) => normalizeEmail(subscriber.email),
      (index, firstIndex) => ({
        path: ['subscribers', index, 'email'],
        message: `"${subscribers[index]?.email}" is already in ${at(['subscribers', firstIndex])} as "${subscribers[firstIndex]?.email}" (addresses are compared ignoring case); keep one of them`,
      }),
    ),
    ...findDuplicates(
      subscribers,
      (subscriber) => subscriber.id,
      (index, firstIndex) => ({
        path: ['subscribers', index, 'id'],
        message: `id "${subscribers[index]?.id}" is also the id of ${at(['subscribers', firstIndex])}; ids must be unique`,
      }),
    ),
    ...findDuplicates(
      suppressions,
      (entry) => entry.emailSha256,
      (index, firstIndex) => ({
        path: ['suppressions', index, 'emailSha256'],
        message: `the same hash as ${at(['suppressions', firstIndex])}; keep one of them`,
      }),
    ),
    ...subscribers.flatMap((subscriber, index): Problem[] => {
      const suppression = purged.get(hashEmail(subscriber.email));
      return suppression === undefined
        ? []
        : [
            {
              path: ['subscribers', index, 'email'],
              message: `"${subscriber.email}" was purged (${at(['suppressions', suppression])}); remove the subscriber, or the suppression if they asked to come back`,
            },
          ];
    }),
  ];
}

function brokenFile(label: string, problems: Problem[]): PaperboyError {
  const topicsOnly = problems.length > 0 && problems.every((problem) => problem.topic);
  return new PaperboyError('store', formatProblems(label, problems), {
    hint: topicsOnly
      ? `fix the topics in ${label}, or define them in the config (--config); paperboy left the file as it was`
      : `fix ${label} by hand and run the command again; paperboy left the file as it was`,
  });
}

/**
 * Parses and validates the subscriber file. `text` null (no file) or blank is an empty list.
 * Throws PaperboyError('store') naming every problem with its line and JSON path.
 */
export function readSubscriberFile(
  text: string | null,
  label: string,
  topicIds: readonly string[],
): SubscriberFileData {
  if (text === null || text.trim() === '') return emptySubscriberFile();
  let value: unknown;
  try {
    value = parseJsonText(text, label);
  } catch (error) {
    throw new PaperboyError('store', (error as Error).message, {
      hint: `fix ${label} by hand and run the command again; paperboy left the file as it was`,
    });
  }
  const lineOf = createJsonLineFinder(text);
  const located = (problems: Problem[]) =>
    problems.map((problem) => ({ ...problem, line: lineOf(problem.path) }));
  const result = createFileSchema(topicIds).safeParse(value);
  if (!result.success) throw brokenFile(label, located(problemsFromZod(result.error)));
  const data = { subscribers: result.data.subscribers, suppressions: result.data.suppressions };
  const problems = checkConsistency(data, lineOf);
  if (problems.length > 0) throw brokenFile(label, located(problems));
  return data;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** By address (ignoring case), then as written, then by id: one order, whatever the input. */
export function compareSubscribers(a: Subscriber, b: Subscriber): number {
  return (
    compareText(normalizeEmail(a.email), normalizeEmail(b.email)) ||
    compareText(a.email, b.email) ||
    compareText(a.id, b.id)
  );
}

/** A record as the file holds it: fixed key order, empty optional fields left out. */
export function toFileRecord(subscriber: Subscriber): Record<string, unknown> {
  const { keywords } = subscriber;
  const hasKeywords = keywords.include.length > 0 || keywords.exclude.length > 0;
  return {
    id: subscriber.id,
    email: subscriber.email,
    name: subscriber.name ?? undefined,
    topics: subscriber.topics,
    keywords: hasKeywords
      ? {
          include: keywords.include.length > 0 ? keywords.include : undefined,
          exclude: keywords.exclude.length > 0 ? keywords.exclude : undefined,
        }
      : undefined,
    maxPapers: subscriber.maxPapers ?? undefined,
    frequency: subscriber.frequency,
    weekday: subscriber.weekday ?? undefined,
    status: subscriber.status,
    subscribedAt: subscriber.subscribedAt,
    updatedAt: subscriber.updatedAt,
    unsubscribedAt: subscriber.unsubscribedAt ?? undefined,
  };
}

/** The file's text: sorted, 2-space JSON, one field per line, trailing newline. */
export function serializeSubscriberFile(data: SubscriberFileData): string {
  const suppressions = [...data.suppressions].sort(
    (a, b) =>
      compareText(a.suppressedAt, b.suppressedAt) || compareText(a.emailSha256, b.emailSha256),
  );
  return formatJson({
    version: SUBSCRIBER_FILE_VERSION,
    subscribers: [...data.subscribers].sort(compareSubscribers).map(toFileRecord),
    suppressions: suppressions.map(({ emailSha256, status, suppressedAt }) => ({
      emailSha256,
      status,
      suppressedAt,
    })),
  });
}
