// The plan's data: what `planIssue` returns, what `paperboy plan --json` prints and what the send
// step will persist. Data only.
import type { Issue, SelectionSettings } from '../types.js';
import type { RecipientList } from './recipient-book.js';
import type { SkippedList } from './skipped-list.js';

/** The `plan` section of the config. */
export interface PlanOptions {
  /** Papers per email when a subscriber sets no cap. */
  maxPapers: number;
  /** A paper a segment received within this many days before the issue date is not sent again. */
  historyDays: number;
  /** Keep segments with no papers in the plan (`empty: true`) instead of skipping their people. */
  sendEmpty: boolean;
}

export interface PlanInput {
  /** The issue being planned; its date is the plan's date. */
  issue: Issue;
  /**
   * Other issues at hand. Weekly segments use those dated within the 6 days before the issue
   * date; the rest are ignored, so a caller may pass whatever it has loaded.
   */
  recent?: readonly Issue[];
}

/** Why a paper is in a segment's selection: what an email shows under "why you got this". */
export interface PaperReasons {
  /** Topic id -> the matched terms, for the segment's topics the paper has (every topic for `all`). */
  topics: Record<string, string[]>;
  /** The segment's keyword includes the paper matches, as normalized (lower case). */
  keywords: string[];
}

/** One paper of a segment's selection, with the values it was ranked by. */
export interface PlannedPaper {
  paperId: string;
  /** The issue the paper was taken from (for weekly digests, the newest issue that had it). */
  issueDate: string;
  title: string;
  upvotes: number | null;
  /** Distinct matched terms of the segment's topics plus keyword includes matched (see rank-papers). */
  strength: number;
  publishedAt: string | null;
  reasons: PaperReasons;
}

/** Why a segment has no papers. */
export type EmptyReason = 'nothing-matched' | 'all-already-sent';

/** Subscribers who get the same papers, because their selection settings are identical. */
export interface Segment {
  /** `seg_` + 12 hex: the same for the same settings in every run and on every day. */
  id: string;
  settings: SelectionSettings;
  /** Sorted by email. Packed by the planner (recipient-book.ts): read it by iterating. */
  recipients: RecipientList;
  /** The issue dates the selection drew from, oldest first: [date], or the week for weekly. */
  issueDates: string[];
  /** Best first, at most `settings.maxPapers`. */
  papers: PlannedPaper[];
  /** Papers that matched the settings, before the history and the cap. */
  matched: number;
  /** Matching papers left out because this segment received them within `historyDays`. */
  alreadySent: number;
  /** True when the segment has no papers (only kept with `sendEmpty`). */
  empty: boolean;
  emptyReason: EmptyReason | null;
}

export interface Recipient {
  subscriberId: string;
  email: string;
  /** As the list had it when the plan was made; the send-time check sees a later change. */
  name: string | null;
}

export const SKIP_REASONS = [
  'unsubscribed',
  'bounced',
  'weekly-not-today',
  'nothing-matched',
  'all-already-sent',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export interface SkippedSubscriber {
  subscriberId: string;
  email: string;
  reason: SkipReason;
  /** One line for a person: `weekly on monday; next digest 2025-11-03`. */
  detail: string;
  /** The segment the subscriber belongs to; null for unsubscribed and bounced addresses. */
  segmentId: string | null;
}

export interface PlanTotals {
  /** Everyone given to the planner, whatever their status. */
  subscribers: number;
  /** Emails the plan will send: the recipients of every segment. */
  recipients: number;
  skipped: number;
  segments: number;
  /** Distinct papers selected across all segments. */
  papers: number;
}

export interface Plan {
  version: 1;
  /** The issue date, YYYY-MM-DD. */
  date: string;
  /** Every issue date any segment drew from, oldest first. */
  issueDates: string[];
  options: PlanOptions;
  /** Most recipients first, then by id. */
  segments: Segment[];
  /** In SKIP_REASONS order, then by email. Packed by the planner (skipped-list.ts): iterate it. */
  skipped: SkippedList;
  totals: PlanTotals;
}

/**
 * Which papers each segment received and when: per segment, not per subscriber, so it stays small
 * however long the list grows. Segment id -> paper id -> the plan date it was sent (YYYY-MM-DD).
 */
export interface SendHistory {
  version: 1;
  segments: Record<string, Record<string, string>>;
}
