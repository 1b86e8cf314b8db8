// Validation of what callers hand a store (add, update, import), shared by every driver so that
// they all accept and refuse the same things with the same messages.
import { PaperboyError } from '../errors.js';
import { formatJsonPath } from '../sources/json-path.js';
import { normalizeEmail } from '../subscribers/email.js';
import type { Subscriber } from '../types.js';
import { formatProblems, type Problem, problemsFromZod } from './problems.js';
import {
  createEntrySchema,
  type SubscriberSettings,
  type ValidEntry,
} from './subscriber-schema.js';
import type { ImportEntry, SubscriberPatch } from './types.js';

/**
 * The error for invalid input: 'config' (exit 5) when every problem is an unknown topic id (the
 * topic may be defined in a config that was not given), else 'invalidInput' (exit 4).
 */
export function invalidEntriesError(
  label: string,
  problems: readonly Problem[],
  topicIds: readonly string[],
): PaperboyError {
  const topicsOnly = problems.every((problem) => problem.topic);
  return new PaperboyError(
    topicsOnly ? 'config' : 'invalidInput',
    formatProblems(label, problems),
    {
      hint: problems.some((problem) => problem.topic)
        ? `known topics: ${topicIds.join(', ')}`
        : undefined,
    },
  );
}

/** Validates one entry (a new subscriber, or one of an import). `label` names it in messages. */
export function checkEntry(
  input: ImportEntry,
  topicIds: readonly string[],
  label = 'new subscriber',
): ValidEntry {
  const result = createEntrySchema(topicIds).safeParse(input);
  if (!result.success) throw invalidEntriesError(label, problemsFromZod(result.error), topicIds);
  return result.data;
}

/** Where entry `index`'s field `path` is, as a path and line of the file it came from. */
export type LocateEntry = (
  index: number,
  path: readonly PropertyKey[],
) => { path: PropertyKey[]; line: number | null };

const locateInList: LocateEntry = (index, path) => ({ path: [index, ...path], line: null });

/**
 * Validates every entry and refuses the same address twice, naming both entries. Returns every
 * problem (nothing thrown) so a caller can add its own; `valid` holds null for invalid entries.
 */
export function validateEntries(
  inputs: readonly unknown[],
  topicIds: readonly string[],
  locate: LocateEntry = locateInList,
): { valid: (ValidEntry | null)[]; problems: Problem[] } {
  const schema = createEntrySchema(topicIds);
  const problems: Problem[] = [];
  const seen = new Map<string, number>();
  const valid = inputs.map((input, index) => {
    const result = schema.safeParse(input);
    if (!result.success) {
      for (const problem of problemsFromZod(result.error)) {
        problems.push({ ...problem, ...locate(index, problem.path) });
      }
      return null;
    }
    const key = normalizeEmail(result.data.email);
    const first = seen.get(key);
    if (first === undefined) seen.set(key, index);
    else {
      const other = locate(first, []);
      const where = [
        other.path.length > 0 ? formatJsonPath(other.path) : null,
        other.line ? `line ${other.line}` : null,
      ].filter((part) => part !== null);
      problems.push({
        ...locate(index, ['email']),
        message: `"${result.data.email}" duplicates ${where.join(' on ')} (addresses are compared ignoring case)`,
      });
    }
    return result.data;
  });
  return { valid, problems };
}

/** validateEntries, throwing every problem at once. `label` names the import in messages. */
export function checkEntries(
  inputs: readonly ImportEntry[],
  topicIds: readonly string[],
  label = 'import',
): ValidEntry[] {
  const { valid, problems } = validateEntries(inputs, topicIds);
  if (problems.length > 0) throw invalidEntriesError(label, problems, topicIds);
  return valid as ValidEntry[];
}

export function settingsOf(subscriber: Subscriber): SubscriberSettings {
  const { email, name, topics, keywords, maxPapers, frequency, weekday } = subscriber;
  return { email, name, topics, keywords, maxPapers, frequency, weekday };
}

/**
 * The subscriber's settings with `patch` applied, validated. Switching to daily drops the
 * weekday, so `{ frequency: 'daily' }` alone is a valid patch.
 */
export function applyPatch(
  subscriber: Subscriber,
  patch: SubscriberPatch,
  topicIds: readonly string[],
): SubscriberSettings {
  const merged: ImportEntry = { ...settingsOf(subscriber) };
  for (const [key, value] of Object.entries(patch)) {
    if (value !== undefined) Object.assign(merged, { [key]: value });
  }
  if (patch.frequency === 'daily' && patch.weekday === undefined) merged.weekday = null;
  const { status: _status, ...settings } = checkEntry(merged, topicIds, subscriber.email);
  return settings;
}

const COMPARED_SETTINGS = [
  'name',
  'topics',
  'keywords',
  'maxPapers',
  'frequency',
  'weekday',
] as const satisfies readonly (keyof SubscriberSettings)[];

/** Whether two settings would select the same papers and greet the same way (email aside). */
export function sameSettings(a: SubscriberSettings, b: SubscriberSettings): boolean {
  return COMPARED_SETTINGS.every((key) => JSON.stringify(a[key]) === JSON.stringify(b[key]));
}
