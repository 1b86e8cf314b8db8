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
 * Raw settings remembered by a segmenter. A list of 100,000 had 19,000 distinct sets of fields, two
 * thirds of them used once; keeping every one held about 6 MB for the length of the scan, growing
 * with the list. The 4,096 used most recently miss a quarter more often than an unbounded cache on
 * that list (about 6,000 more canonical forms and hashes, some 30 ms) and hold under 1 MB.
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
        segment = { settings, id };
        byId.set(id, segment);
      }
      recent.set(key, segment);
    }
    return segment;
  };
}
