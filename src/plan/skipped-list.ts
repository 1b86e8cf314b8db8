// The plan's skipped subscribers, packed as its recipients are (recipient-book.ts): each is the
// offset of their record in the plan's book, a reason, and an index into the plan's few distinct
// detail texts and segment ids.
//
// Why not an object per skipped subscriber: a list of 100,000 had 27,000 of them (unsubscribed,
// weekly on another day, nothing on their topics), and an object with its two strings each held
// about 4 MB in the heap from the scan to the end of the send (issue 7). Packed, one costs its
// record plus 13 bytes, outside the collected heap.
import { NumberColumn } from '../number-column.js';
import { NumberedTexts } from './numbered-texts.js';
import type { RecipientBook } from './recipient-book.js';
import { SKIP_REASONS, type SkippedSubscriber, type SkipReason } from './types.js';

/** What reads a plan's skipped subscribers: a plain array is one too (tests, a stored plan). */
export interface SkippedList extends Iterable<SkippedSubscriber> {
  readonly length: number;
}

/** The skipped subscriber with this id, if the plan skipped them. */
export function findSkipped(
  list: SkippedList,
  subscriberId: string,
): SkippedSubscriber | undefined {
  for (const entry of list) if (entry.subscriberId === subscriberId) return entry;
  return undefined;
}

/** A skip's segment number when it has none. */
const NO_SEGMENT = 0xffffffff;

/** Gathers a plan's skips as the planner meets them; `pack` lays them out in the plan's order. */
export class SkipRecorder {
  /** Per skip, in the order met: record offset, reason, detail and segment (NO_SEGMENT: none). */
  private readonly starts = new NumberColumn();
  private readonly reasons = new NumberColumn();
  private readonly details = new NumberColumn();
  private readonly segments = new NumberColumn();
  private readonly detailTexts = new NumberedTexts();
  private readonly segmentIds = new NumberedTexts();

  constructor(private readonly book: RecipientBook) {}

  /** Skips the subscriber whose record starts at `start` in the book. */
  add(start: number, reason: SkipReason, detail: string, segmentId: string | null): void {
    this.starts.push(start);
    this.reasons.push(SKIP_REASONS.indexOf(reason));
    this.details.push(this.detailTexts.numberOf(detail));
    this.segments.push(segmentId === null ? NO_SEGMENT : this.segmentIds.numberOf(segmentId));
  }

  get length(): number {
    return this.starts.length;
  }

  /** Where the n-th skip's record starts in the book. */
  startAt(n: number): number {
    return this.starts.at(n);
  }

  /** The n-th skip's reason, as its place in SKIP_REASONS. */
  rankAt(n: number): number {
    return this.reasons.at(n);
  }

  /** The skips in `order` (each a number as `add` was called, from 0). */
  pack(order: ArrayLike<number>): PackedSkips {
    const starts = new Uint32Array(order.length);
    const reasons = new Uint8Array(order.length);
    const details = new Uint32Array(order.length);
    const segments = new Uint32Array(order.length);
    for (let at = 0; at < order.length; at++) {
      const n = order[at] as number;
      starts[at] = this.starts.at(n);
      reasons[at] = this.reasons.at(n);
      details[at] = this.details.at(n);
      segments[at] = this.segments.at(n);
    }
    return new PackedSkips(this.book, {
      starts,
      reasons,
      details,
      segments,
      detailTexts: this.detailTexts.list,
      segmentIds: this.segmentIds.list,
    });
  }
}

interface SkipColumns {
  starts: Uint32Array;
  reasons: Uint8Array;
  details: Uint32Array;
  segments: Uint32Array;
  detailTexts: readonly string[];
  segmentIds: readonly string[];
}

/** A plan's skipped subscribers; each is an object only while it is read. */
export class PackedSkips implements SkippedList {
  constructor(
    private readonly book: RecipientBook,
    private readonly columns: SkipColumns,
  ) {}

  get length(): number {
    return this.columns.starts.length;
  }

  *[Symbol.iterator](): Iterator<SkippedSubscriber> {
    const { starts, reasons, details, segments, detailTexts, segmentIds } = this.columns;
    for (let at = 0; at < starts.length; at++) {
      const start = starts[at] as number;
      const segment = segments[at] as number;
      yield {
        subscriberId: this.book.subscriberIdAt(start),
        email: this.book.emailAt(start),
        reason: SKIP_REASONS[reasons[at] as number] as SkipReason,
        detail: detailTexts[details[at] as number] as string,
        segmentId: segment === NO_SEGMENT ? null : (segmentIds[segment] as string),
      };
    }
  }

  /** As a plain array, so a plan written with JSON.stringify lists them. */
  toJSON(): SkippedSubscriber[] {
    return [...this];
  }
}
