// A worker's rendered segments: each segment is rendered once per worker (MJML once per worker,
// Handlebars once per segment), however many of its batches the worker sends, and kept in a
// least-recently-used cache, so memory stays bounded when an issue has thousands of segments.
// Entries are keyed by issue, plan revision and segment, so a re-planned issue renders afresh.
import type { ArchiveWriter } from '../delivery/archive.js';
import {
  createMessageBuilder,
  type MessageBuilder,
  type MessageContext,
} from '../delivery/build-message.js';
import { PaperboyError } from '../errors.js';
import type { Segment } from '../plan/index.js';
import type { RenderedSegment, Renderer } from '../render/index.js';
import type { Topic } from '../types.js';
import { type IssueForSending, loadIssueForSending, loadSegment } from './issue-store.js';
import type { Queryable } from './queue.js';

/** Rendered segments kept per worker: a few MB (an email is under 100 KB, html and text). */
export const CACHED_SEGMENTS = 200;
/** Issues whose papers are kept: today's, and a re-plan or a late batch of another day. */
const CACHED_ISSUES = 4;

export interface PreparedSegment {
  segment: Segment;
  rendered: RenderedSegment;
  /** Builds a recipient's message for this issue. */
  buildMessage: MessageBuilder;
}

export interface SegmentCacheOptions {
  db: Queryable;
  renderer: Renderer;
  topics: readonly Topic[];
  sender: { name: string; postalAddress: string | null | undefined };
  baseUrl: string;
  subject: (values: Record<string, string | number>) => string;
  /** The message context but the issue date. */
  message: Omit<MessageContext, 'date'>;
  /** Keeps each segment's neutral copy for "view in browser" (the archive_pages table). */
  archive?: ArchiveWriter | null;
  onArchiveError?(error: unknown): void;
  maxSegments?: number;
}

export interface SegmentCache {
  get(issue: string, revision: number, segmentId: string): Promise<PreparedSegment>;
}

/** A Map used as an LRU: a hit moves the key to the end, the oldest goes first. */
function lru<V>(max: number) {
  const entries = new Map<string, V>();
  return {
    get(key: string): V | undefined {
      const value = entries.get(key);
      if (value !== undefined) {
        entries.delete(key);
        entries.set(key, value);
      }
      return value;
    },
    set(key: string, value: V): void {
      entries.delete(key);
      entries.set(key, value);
      while (entries.size > max) entries.delete(entries.keys().next().value as string);
    },
    delete(key: string): void {
      entries.delete(key);
    },
  };
}

export function createSegmentCache(options: SegmentCacheOptions): SegmentCache {
  const issues = lru<Promise<IssueForSending & { buildMessage: MessageBuilder }>>(CACHED_ISSUES);
  const segments = lru<Promise<PreparedSegment>>(options.maxSegments ?? CACHED_SEGMENTS);

  function issueData(date: string, revision: number) {
    const key = `${date}#${revision}`;
    let found = issues.get(key);
    if (!found) {
      found = loadIssueForSending(options.db, date).then((issue) => {
        if (!issue) {
          throw new PaperboyError('store', `issue ${date} is not planned in the database`, {
            hint: 'plan and enqueue it again with "paperboy send"',
          });
        }
        return { ...issue, buildMessage: createMessageBuilder({ ...options.message, date }) };
      });
      issues.set(key, found);
      // A failed load is not kept: the next batch tries again.
      found.catch(() => issues.delete(key));
    }
    return found;
  }

  async function prepare(date: string, revision: number, segmentId: string) {
    const issue = await issueData(date, revision);
    const segment = await loadSegment(options.db, date, segmentId);
    if (!segment) {
      throw new PaperboyError('store', `segment ${segmentId} of issue ${date} is not planned`, {
        hint: 'plan and enqueue the issue again with "paperboy send"',
      });
    }
    const rendered = await options.renderer.renderSegment({
      segment,
      papers: issue.papers,
      topics: options.topics,
      date,
      sender: options.sender,
      baseUrl: options.baseUrl,
      subject: options.subject,
    });
    if (options.archive) {
      await options.archive
        .write(date, segment, rendered)
        .catch((error: unknown) => options.onArchiveError?.(error));
    }
    return { segment, rendered, buildMessage: issue.buildMessage };
  }

  return {
    get(issue, revision, segmentId) {
      const key = `${issue}#${revision}#${segmentId}`;
      let found = segments.get(key);
      if (!found) {
        found = prepare(issue, revision, segmentId);
        segments.set(key, found);
        found.catch(() => segments.delete(key));
      }
      return found;
    },
  };
}
