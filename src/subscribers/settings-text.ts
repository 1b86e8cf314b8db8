// Subscriber settings as people type them: in CLI flags (--topics, --keywords, --frequency,
// --max-papers) and in CSV cells. One syntax for both, so an exported CSV reads like the flags.
import { MAX_PAPERS_LIMIT } from '../stores/subscriber-schema.js';
import { suggestClosest } from '../topics/suggest.js';
import { type Frequency, type KeywordFilter, WEEKDAYS, type Weekday } from '../types.js';

/** A setting that cannot be read; the caller adds where it came from (a flag, a CSV line). */
export class InvalidSettingError extends Error {
  override name = 'InvalidSettingError';
}

/** `graphs, time-series` / `graphs;time-series` / `graphs time-series` / `all`. */
export function parseTopicList(text: string): string[] | 'all' {
  const ids = [
    ...new Set(
      text
        .split(/[\s,;]+/)
        .map((id) => id.trim())
        .filter(Boolean),
    ),
  ];
  if (ids.some((id) => id.toLowerCase() === 'all')) {
    if (ids.length > 1) {
      throw new InvalidSettingError(`"all" already means every topic; give "all" or topic ids`);
    }
    return 'all';
  }
  return ids;
}

export function formatTopicList(topics: readonly string[] | 'all', separator = ', '): string {
  return topics === 'all' ? 'all' : topics.join(separator);
}

/** `phrase, other phrase, -excluded phrase`: comma-separated, `-` marks an exclusion. */
export function parseKeywordList(text: string): KeywordFilter {
  const keywords: KeywordFilter = { include: [], exclude: [] };
  for (const item of text.split(',')) {
    const phrase = item.trim();
    if (phrase === '') continue;
    const excluded = phrase.startsWith('-');
    const bare = phrase.replace(/^[-+]\s*/, '');
    if (bare === '') throw new InvalidSettingError(`"${phrase}" is not a phrase`);
    const list = excluded ? keywords.exclude : keywords.include;
    if (!list.includes(bare)) list.push(bare);
  }
  return keywords;
}

export function formatKeywordList(keywords: KeywordFilter): string {
  return [...keywords.include, ...keywords.exclude.map((phrase) => `-${phrase}`)].join(', ');
}

export interface FrequencySetting {
  frequency: Frequency;
  weekday: Weekday | null;
}

function parseWeekday(text: string): Weekday {
  const wanted = text.trim().toLowerCase();
  // "mon", "tues", "thu": a unique start of at least 3 letters is unambiguous.
  const matches = WEEKDAYS.filter((day) => wanted.length >= 3 && day.startsWith(wanted));
  if (matches.length === 1) return matches[0] as Weekday;
  const suggestion = suggestClosest(wanted, WEEKDAYS);
  throw new InvalidSettingError(
    `unknown weekday "${text}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`,
  );
}

/** `daily`, or `weekly:monday` (also `weekly monday`, `weekly:mon`). */
export function parseFrequency(text: string): FrequencySetting {
  const [kind = '', day, ...rest] = text
    .trim()
    .toLowerCase()
    .split(/\s*[:\s]\s*/);
  if (kind === 'daily' && day === undefined) return { frequency: 'daily', weekday: null };
  if (kind === 'weekly' && day !== undefined && rest.length === 0) {
    return { frequency: 'weekly', weekday: parseWeekday(day) };
  }
  if (kind === 'weekly') {
    throw new InvalidSettingError('weekly needs a weekday, e.g. weekly:monday');
  }
  throw new InvalidSettingError(`"${text}" is not daily or weekly:<weekday> (e.g. weekly:monday)`);
}

export function formatFrequency(setting: FrequencySetting): string {
  return setting.frequency === 'weekly' ? `weekly:${setting.weekday}` : 'daily';
}

/** A whole number of papers per email, 1 to 100. */
export function parseMaxPapers(text: string): number {
  const value = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || value < 1 || value > MAX_PAPERS_LIMIT) {
    throw new InvalidSettingError(
      `"${text}" is not a whole number of papers from 1 to ${MAX_PAPERS_LIMIT}`,
    );
  }
  return value;
}
