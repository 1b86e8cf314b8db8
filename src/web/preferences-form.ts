// The preference form's fields, both ways: a subscriber's settings as the form shows them, and a
// submitted form checked into a store patch (or messages to show next to the fields).
import { MAX_PAPERS_LIMIT } from '../stores/subscriber-schema.js';
import type { SubscriberPatch } from '../stores/types.js';
import { type Frequency, type Subscriber, WEEKDAYS, type Weekday } from '../types.js';

/** Phrases per list, and characters per phrase: a form is not an import. */
export const MAX_PHRASES = 30;
export const MAX_PHRASE_LENGTH = 100;

/** What the form shows: strings as typed, so a rejected value comes back as it was. */
export interface PreferenceValues {
  allTopics: boolean;
  topics: string[];
  include: string;
  exclude: string;
  frequency: Frequency;
  weekday: Weekday | '';
  maxPapers: string;
  unsubscribeAll: boolean;
}

export type PreferenceField = 'topics' | 'include' | 'exclude' | 'frequency' | 'maxPapers';

export type PreferenceErrors = Partial<Record<PreferenceField, string>>;

export function valuesOf(subscriber: Subscriber): PreferenceValues {
  return {
    allTopics: subscriber.topics === 'all',
    topics: subscriber.topics === 'all' ? [] : [...subscriber.topics],
    include: subscriber.keywords.include.join('\n'),
    exclude: subscriber.keywords.exclude.join('\n'),
    frequency: subscriber.frequency,
    weekday: subscriber.weekday ?? '',
    maxPapers: subscriber.maxPapers === null ? '' : String(subscriber.maxPapers),
    unsubscribeAll: subscriber.status === 'unsubscribed',
  };
}

type FormBody = Record<string, string | File | (string | File)[]>;

function strings(body: FormBody, name: string): string[] {
  const value = body[name] ?? body[`${name}[]`];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter(
    (item): item is string => typeof item === 'string',
  );
}

function first(body: FormBody, name: string): string {
  return strings(body, name)[0] ?? '';
}

/** Phrases separated by new lines or commas, trimmed, without blanks or repeats. */
export function splitPhrases(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of text.split(/[\n,]/)) {
    const phrase = raw.replace(/\s+/g, ' ').trim();
    if (!phrase || seen.has(phrase.toLowerCase())) continue;
    seen.add(phrase.toLowerCase());
    out.push(phrase);
  }
  return out;
}

function checkPhrases(phrases: string[]): string | null {
  if (phrases.length > MAX_PHRASES) return `At most ${MAX_PHRASES} phrases, please.`;
  const long = phrases.find((p) => p.length > MAX_PHRASE_LENGTH);
  if (long) return `Each phrase can be at most ${MAX_PHRASE_LENGTH} characters long.`;
  return null;
}

export interface ParsedPreferences {
  values: PreferenceValues;
  errors: PreferenceErrors;
  /** Only when there are no errors. */
  patch: SubscriberPatch | null;
}

export function parsePreferences(body: FormBody, topicIds: readonly string[]): ParsedPreferences {
  const submitted = new Set(strings(body, 'topics'));
  const frequencyText = first(body, 'frequency');
  const weekdayText = first(body, 'weekday');
  const values: PreferenceValues = {
    allTopics: first(body, 'allTopics') !== '',
    topics: topicIds.filter((id) => submitted.has(id)),
    include: first(body, 'include').slice(0, 10_000),
    exclude: first(body, 'exclude').slice(0, 10_000),
    frequency: frequencyText === 'weekly' ? 'weekly' : 'daily',
    weekday: (WEEKDAYS as readonly string[]).includes(weekdayText) ? (weekdayText as Weekday) : '',
    maxPapers: first(body, 'maxPapers').trim().slice(0, 20),
    unsubscribeAll: first(body, 'unsubscribeAll') !== '',
  };
  const errors: PreferenceErrors = {};
  const unsubscribing = values.unsubscribeAll;

  if (!values.allTopics && values.topics.length === 0 && !unsubscribing) {
    errors.topics = 'Choose at least one topic, or “Every topic”.';
  }
  const include = splitPhrases(values.include);
  const exclude = splitPhrases(values.exclude);
  const includeProblem = checkPhrases(include);
  if (includeProblem) errors.include = includeProblem;
  const excludeProblem = checkPhrases(exclude);
  if (excludeProblem) errors.exclude = excludeProblem;

  if (frequencyText !== 'daily' && frequencyText !== 'weekly') {
    errors.frequency = 'Choose daily or weekly.';
  } else if (values.frequency === 'weekly' && values.weekday === '') {
    errors.frequency = 'Choose the day of your weekly email.';
  }

  let maxPapers: number | null = null;
  if (values.maxPapers !== '') {
    const n = Number(values.maxPapers);
    if (!/^\d+$/.test(values.maxPapers) || !Number.isInteger(n) || n < 1 || n > MAX_PAPERS_LIMIT) {
      errors.maxPapers = `Enter a whole number from 1 to ${MAX_PAPERS_LIMIT}, or leave it empty.`;
    } else {
      maxPapers = n;
    }
  }

  if (Object.keys(errors).length > 0) return { values, errors, patch: null };
  const patch: SubscriberPatch = {
    keywords: { include, exclude },
    maxPapers,
    frequency: values.frequency,
    weekday: values.frequency === 'weekly' ? (values.weekday as Weekday) : null,
  };
  // Unsubscribing with no topic ticked keeps the topics they had.
  if (values.allTopics) patch.topics = 'all';
  else if (values.topics.length > 0) patch.topics = values.topics;
  return { values, errors, patch };
}
