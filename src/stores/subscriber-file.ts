// The subscriber file of the JSON store: reading it (every load is validated, with file, line and
// JSON path in each message) and writing it in one stable, diffable layout.
//
//   { "version": 1, "subscribers": [ ...sorted by email ], "suppressions": [ ...hashed ] }
import { PaperboyError } from '../errors.js';
import { formatJsonPath } from '../sources/json-path.js';
import { parseJsonText } from '../sources/parse-json-text.js';
import { hashEmail, normalizeEmail } from '../subscribers/email.js';
import type { Subscriber } from '../types.js';
import { Fingerprints, fingerprint } from './fingerprints.js';
import { formatJson } from './format-json.js';
import { createListScanner } from './json-list-scanner.js';
import { readTextFile, readTextPieces } from './locked-file.js';
import { createJsonLineFinder, formatProblems, type Problem, problemsFromZod } from './problems.js';
import { createFileSchema, createRecordValidator, type Suppression } from './subscriber-schema.js';

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
  const keys = items.map(keyOf);
  // Usually there is none: sorted, equal keys are neighbours. At 100,000 entries that takes a
  // fraction of the memory of the map below, which is only built to name them.
  const sorted = [...keys].sort();
  if (sorted.every((key, index) => index === 0 || key !== sorted[index - 1])) return [];
  const first = new Map<string, number>();
  const problems: Problem[] = [];
  keys.forEach((key, index) => {
    const seen = first.get(key);
    if (seen === undefined) first.set(key, index);
    else problems.push(describe(index, seen));
  });
  return problems;
}

/** What the schema cannot see: the same address, id or hash twice, a purged address back. */
function checkConsistency(
  data: {
    subscribers: readonly Pick<Subscriber, 'id' | 'email'>[];
    suppressions: SubscriberFileData['suppressions'];
  },
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
    // Hashing every address costs a second at 100,000; with no suppression nothing can match.
    ...(purged.size === 0 ? [] : subscribers).flatMap((subscriber, index): Problem[] => {
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
 * Reads a plainly valid file fast: each record is parsed and validated on its own as the scanner
 * finds it (json-list-scanner.ts, createRecordValidator), rather than the whole list by JSON.parse
 * and one zod parse, which would hold every parsed record, and zod's intermediate results for each,
 * until the last one. `end` gives the same data as createFileSchema would, or null when anything is
 * wrong or unusual: the caller then reads the file the slow way, which says what.
 */
function createFastReader(
  topicIds: readonly string[],
  /** Given each record instead of keeping it (then `end` has no subscribers). */
  onRecord?: (subscriber: Subscriber) => void,
) {
  const validate = createRecordValidator(topicIds);
  const subscribers: Subscriber[] = [];
  const scanner = createListScanner('subscribers', (item) => {
    let record: unknown;
    try {
      record = JSON.parse(item);
    } catch {
      return false;
    }
    const subscriber = validate(record);
    if (subscriber === null) return false;
    if (onRecord) onRecord(subscriber);
    else subscribers.push(subscriber);
    return true;
  });
  return {
    push: (piece: string) => scanner.push(piece),
    end(): SubscriberFileData | null {
      const outer = scanner.end();
      if (outer === null) return null;
      let value: unknown;
      try {
        value = JSON.parse(outer);
      } catch {
        return null;
      }
      // The rest of the file (version, suppressions, no unknown field) as the file schema sees it.
      const file = createFileSchema(topicIds).safeParse(value);
      return file.success ? { subscribers, suppressions: file.data.suppressions } : null;
    },
  };
}

/**
 * Every problem, with lines, by zod on the whole parsed file: slow and memory-hungry for a large
 * list, so only when the fast reader found something wrong, or something it does not handle.
 */
function readSlowly(text: string, label: string, topicIds: readonly string[]): SubscriberFileData {
  const lineOf = createJsonLineFinder(text);
  const located = (problems: Problem[]) =>
    problems.map((problem) => ({ ...problem, line: lineOf(problem.path) }));
  let value: unknown;
  try {
    value = parseJsonText(text, label);
  } catch (error) {
    throw new PaperboyError('store', (error as Error).message, {
      hint: `fix ${label} by hand and run the command again; paperboy left the file as it was`,
    });
  }
  const result = createFileSchema(topicIds).safeParse(value);
  if (!result.success) throw brokenFile(label, located(problemsFromZod(result.error)));
  const data = { subscribers: result.data.subscribers, suppressions: result.data.suppressions };
  const problems = checkConsistency(data, lineOf);
  if (problems.length > 0) throw brokenFile(label, located(problems));
  return data;
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
  const reader = createFastReader(topicIds);
  const data = reader.push(text) ? reader.end() : null;
  if (data !== null && checkConsistency(data, () => null).length === 0) return data;
  return readSlowly(text, label, topicIds);
}

/**
 * readSubscriberFile for the file at `path`, read a piece at a time so that its text is never
 * whole in memory next to the records; only a file with a problem is then read whole, to name
 * the problems with their lines.
 */
export async function readSubscriberFileAt(
  path: string,
  label: string,
  topicIds: readonly string[],
): Promise<SubscriberFileData> {
  const reader = createFastReader(topicIds);
  const read = await readTextPieces(path, label, (piece) => reader.push(piece));
  if (read === null) return emptySubscriberFile();
  const data = read ? reader.end() : null;
  if (data !== null && checkConsistency(data, () => null).length === 0) return data;
  return readSubscriberFile(await readTextFile(path, label), label, topicIds);
}

/**
 * The subscribers of the file at `path`, in file order, handed to `visit` as they are read and
 * not kept: planning a large list then never holds the whole list. For the checks that need the
 * whole file (the same address or id twice) only a fingerprint of each one's id and address is
 * kept (fingerprints.ts); a file with a problem throws what readSubscriberFileAt throws, after
 * some subscribers may have been visited.
 */
export async function scanSubscriberFileAt(
  path: string,
  label: string,
  topicIds: readonly string[],
  visit: (subscriber: Subscriber) => void,
): Promise<void> {
  const ids = new Fingerprints();
  const emails = new Fingerprints();
  const reader = createFastReader(topicIds, (subscriber) => {
    ids.add(subscriber.id);
    emails.add(normalizeEmail(subscriber.email));
    visit(subscriber);
  });
  const read = await readTextPieces(path, label, (piece) => reader.push(piece));
  if (read === null) return;
  const data = read ? reader.end() : null;
  if (
    data !== null &&
    !ids.mayRepeat() &&
    !emails.mayRepeat() &&
    checkConsistency({ subscribers: [], suppressions: data.suppressions }, () => null).length ===
      0 &&
    !(await mayHavePurged(path, label, topicIds, data.suppressions, ids))
  ) {
    return;
  }
  // Something is wrong, unusual, or maybe repeated: the whole file the slow way, which names any
  // problem, or gives the subscribers the fast reader stopped at.
  const slow = readSubscriberFile(await readTextFile(path, label), label, topicIds);
  if (!sameIds(slow.subscribers, ids)) {
    // Replaced (by an atomic rename) between the two reads: what was visited is another list.
    throw changedWhileRead(label);
  }
  for (let index = ids.count; index < slow.subscribers.length; index++) {
    visit(slow.subscribers[index] as Subscriber);
  }
}

function changedWhileRead(label: string): PaperboyError {
  return new PaperboyError('store', `${label} changed while it was being read`, {
    hint: 'run the command again',
  });
}

/** Whether the first `ids.count` subscribers have the ids fingerprinted, in order. */
function sameIds(subscribers: readonly Subscriber[], ids: Fingerprints): boolean {
  for (let index = 0; index < ids.count; index++) {
    const subscriber = subscribers[index];
    if (!subscriber || fingerprint(subscriber.id) !== ids.at(index)) return false;
  }
  return true;
}

/**
 * Whether a purged address may be on the list: the suppressions come after the subscribers in
 * the file, so with any, the file is read a second time, hashing each address (sha256, so not on
 * every scan). True as well when the file is not the one first read: the slow read then says so.
 */
async function mayHavePurged(
  path: string,
  label: string,
  topicIds: readonly string[],
  suppressions: readonly Suppression[],
  ids: Fingerprints,
): Promise<boolean> {
  if (suppressions.length === 0) return false;
  const purged = new Set(suppressions.map((entry) => entry.emailSha256));
  let index = 0;
  let found = false;
  const reader = createFastReader(topicIds, (subscriber) => {
    if (fingerprint(subscriber.id) !== ids.at(index++)) found = true;
    else if (purged.has(hashEmail(subscriber.email))) found = true;
  });
  const read = await readTextPieces(path, label, (piece) => reader.push(piece));
  return found || !read || reader.end() === null || index !== ids.count;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * By address (ignoring case), then as written, then by id: one order, whatever the input. Each
 * address is normalized once, not at every comparison, and a list already in order (the file as
 * paperboy writes it) is only checked.
 */
export function sortSubscribers(subscribers: readonly Subscriber[]): Subscriber[] {
  const keys = subscribers.map((subscriber) => normalizeEmail(subscriber.email));
  const compare = (i: number, j: number): number => {
    const a = subscribers[i] as Subscriber;
    const b = subscribers[j] as Subscriber;
    return (
      compareText(keys[i] as string, keys[j] as string) ||
      compareText(a.email, b.email) ||
      compareText(a.id, b.id)
    );
  };
  let inOrder = true;
  for (let index = 1; inOrder && index < subscribers.length; index++) {
    inOrder = compare(index - 1, index) <= 0;
  }
  if (inOrder) return [...subscribers];
  const order = keys.map((_, index) => index).sort(compare);
  return order.map((index) => subscribers[index] as Subscriber);
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
    subscribers: sortSubscribers(data.subscribers).map(toFileRecord),
    suppressions: suppressions.map(({ emailSha256, status, suppressedAt }) => ({
      emailSha256,
      status,
      suppressedAt,
    })),
  });
}
