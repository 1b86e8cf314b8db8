// A subscriber's selection settings in canonical form, and the segment id derived from them.
//
// Two subscribers are in the same segment exactly when their canonical settings are equal, so the
// canonical form erases every difference that cannot change which papers are chosen: topic order,
// duplicate topics, keyword case, spacing and order, and the weekday of a daily subscriber.
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { KeywordFilter, SelectionSettings, Subscriber } from '../types.js';

function sortedUnique(items: readonly string[]): string[] {
  return [...new Set(items)].sort();
}

/** Trimmed, lower-cased, inner whitespace collapsed, empty phrases dropped, sorted, unique. */
export function normalizeKeywords(phrases: readonly string[]): string[] {
  return sortedUnique(
    phrases
      .map((phrase) => phrase.trim().replace(/\s+/g, ' ').toLowerCase())
      .filter((phrase) => phrase.length > 0),
  );
}

/** The settings that decide a subscriber's papers; a null cap becomes `defaultMaxPapers`. */
export function selectionSettings(
  subscriber: Pick<Subscriber, 'topics' | 'keywords' | 'maxPapers' | 'frequency' | 'weekday'>,
  defaultMaxPapers: number,
): SelectionSettings {
  const topics =
    subscriber.topics === 'all'
      ? 'all'
      : sortedUnique(subscriber.topics.map((id) => id.trim()).filter((id) => id.length > 0));
  const keywords: KeywordFilter = {
    include: normalizeKeywords(subscriber.keywords.include),
    exclude: normalizeKeywords(subscriber.keywords.exclude),
  };
  return {
    topics,
    keywords,
    maxPapers: subscriber.maxPapers ?? defaultMaxPapers,
    frequency: subscriber.frequency,
    weekday: subscriber.frequency === 'weekly' ? subscriber.weekday : null,
  };
}

/**
 * `seg_` + the first 12 hex digits of the SHA-256 of the canonical settings as JSON with a fixed
 * key order. The send history is keyed by this id, so the canonical form must not change: a new
 * form would give every segment a new id and forget what each was sent.
 *
 * The cap is part of the id on purpose: segments that differ only in their cap receive different
 * papers, so they cannot share a history. The price is that changing the configured default cap
 * starts a fresh history for the subscribers who use it.
 */
export function segmentId(settings: SelectionSettings): string {
  const canonical = JSON.stringify({
    topics: settings.topics,
    include: settings.keywords.include,
    exclude: settings.keywords.exclude,
    maxPapers: settings.maxPapers,
    frequency: settings.frequency,
    weekday: settings.weekday,
  });
  return `seg_${createHash('sha256').update(canonical).digest('hex').slice(0, 12)}`;
}

export interface SubscriberSegment {
  settings: SelectionSettings;
  id: string;
}

/**
 * Raw settings remembered by a segmenter. The benchmark's list of 100,000 has 19,000 distinct sets
 * of fields, two thirds of them used once, and keeping every one held megabytes for the length of
 * the scan, growing with the list. Keeping the 4,096 used most recently works them out about 6,000
 * more times on that list, which made no measurable difference to the scan (3.0-3.8 s either way,
 * five runs each). With the validator's cache bounded too, the live heap at the end of that
 * scan fell from 42 to 30 MB.
 */
export const SEGMENTER_RECENT_KEYS = 4096;

/**
 * selectionSettings and segmentId for every subscriber of a plan, worked out once per distinct
 * set of the fields they are made from while that set is in use, rather than once per subscriber.
 * Subscribers in the same segment share the returned object, whatever their raw fields: treat it
 * as read-only.
 */
export function createSegmenter(
  defaultMaxPapers: number,
): (
  subscriber: Pick<Subscriber, 'topics' | 'keywords' | 'maxPapers' | 'frequency' | 'weekday'>,
) => SubscriberSegment {
  const recent = new LRUCache<string, SubscriberSegment>({ max: SEGMENTER_RECENT_KEYS });
  // One object per segment: the plan holds each segment's settings anyway, so this costs nothing
  // more, and fields that differ only in case or order share one.
  const byId = new Map<string, SubscriberSegment>();
  // And one array per distinct list of topics or keywords: thousands of segments have no excluded
  // keyword, and a few hundred lists of topics between them.
  const lists = new Map<string, string[]>();
  const sharedList = (list: string[]): string[] => {
    const key = JSON.stringify(list);
    const found = lists.get(key);
    if (found) return found;
    lists.set(key, list);
    return list;
  };
  return (subscriber) => {
    const key = JSON.stringify([
      subscriber.topics,
      subscriber.keywords.include,
      subscriber.keywords.exclude,
      subscriber.maxPapers,
      subscriber.frequency,
      subscriber.weekday,
    ]);
    let segment = recent.get(key);
    if (!segment) {
      const settings = selectionSettings(subscriber, defaultMaxPapers);
      const id = segmentId(settings);
      segment = byId.get(id);
      if (!segment) {
        const { topics, keywords } = settings;
        segment = {
          settings: {
            ...settings,
            topics: topics === 'all' ? topics : sharedList(topics),
            keywords: {
              include: sharedList(keywords.include),
              exclude: sharedList(keywords.exclude),
            },
          },
          id,
        };
        byId.set(id, segment);
      }
      recent.set(key, segment);
    }
    return segment;
  };
}
