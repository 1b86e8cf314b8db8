// The subscriber store contract. Every driver (the JSON file now, PostgreSQL later) implements
// it and passes the one shared contract suite in test/stores/contract.ts.
import type { Frequency, KeywordFilter, Subscriber, SubscriberStatus, Weekday } from '../types.js';

/** What a caller gives to add a subscriber; the store fills in id, status and timestamps. */
export interface NewSubscriber {
  email: string;
  name?: string | null;
  topics: string[] | 'all';
  keywords?: Partial<KeywordFilter>;
  maxPapers?: number | null;
  frequency?: Frequency;
  weekday?: Weekday | null;
}

/**
 * One entry of an import. `status` (default `active`) carries another list's suppressions over:
 * an unsubscribed or bounced entry for an address this store does not know is kept as a
 * suppression record, so moving lists never re-subscribes anyone.
 */
export interface ImportEntry extends NewSubscriber {
  status?: SubscriberStatus;
}

/** Fields a caller may change; id, email and timestamps are the store's. */
export type SubscriberPatch = Partial<
  Pick<Subscriber, 'name' | 'topics' | 'keywords' | 'maxPapers' | 'frequency' | 'weekday'>
>;

export interface ListFilter {
  status?: SubscriberStatus;
  /** Subscribers who get this topic (including those with `all`). */
  topic?: string;
}

export interface AddOptions {
  /** Re-activate an unsubscribed, bounced or purged address (a suppression) instead of refusing. */
  resubscribe?: boolean;
}

export interface RemoveOptions {
  /** Delete the personal data too, keeping only a hashed suppression entry. */
  purge?: boolean;
}

export interface RemoveResult {
  /**
   * `unsubscribed`: the record is kept as a suppression. `purged`: the record is gone, a hashed
   * suppression is kept. `unchanged`: it was already unsubscribed/bounced (or purged).
   */
  outcome: 'unsubscribed' | 'purged' | 'unchanged';
  /** The record as it is now; for `purged`, as it was just before; null when already purged. */
  subscriber: Subscriber | null;
}

export interface ImportOptions extends AddOptions {
  /** Replace the settings of subscribers who already exist (default: leave them as they are). */
  overwrite?: boolean;
}

/**
 * - `added`: a new record (active, or a suppression record for an unsubscribed/bounced entry);
 * - `updated`: an existing subscriber's settings replaced (`overwrite`);
 * - `resubscribed`: a suppressed address re-activated (`resubscribe`);
 * - `unchanged`: already there with these settings, or left as it was (no `overwrite`);
 * - `suppressed`: unsubscribed, bounced or purged here, and not re-activated.
 */
export type ImportOutcome = 'added' | 'updated' | 'resubscribed' | 'unchanged' | 'suppressed';

export interface ImportResult {
  /** As given in the import (trimmed). */
  email: string;
  outcome: ImportOutcome;
  /** The record's id, or null when the address is only a hashed (purged) suppression. */
  id: string | null;
  /** The record's status after the import, or null for a purged address. */
  status: SubscriberStatus | null;
}

/** What an import did, entry by entry, in the order of the entries. */
export interface ImportReport {
  results: ImportResult[];
}

/** A subscriber is named by id or by email (case-insensitive). */
export type SubscriberRef = string;

/**
 * Errors are PaperboyErrors: 'store' (exit 6) for a broken, unlockable or unwritable store;
 * 'conflict' (exit 7) for an unknown ref, an address already subscribed, or a suppressed address
 * without `resubscribe`; 'config' (exit 5) for unknown topic ids; 'invalidInput' (exit 4) for
 * any other invalid input (a bad address, weekly without a weekday...). A failed call changes
 * nothing.
 */
export interface SubscriberStore {
  /** Sorted by email (case-insensitively). */
  list(filter?: ListFilter): Promise<Subscriber[]>;
  /**
   * Hands every subscriber to `visit` once, in no particular order, as they are read: planning
   * a large list then never holds the whole list (list() does, and sorts it). A broken store
   * throws as list() does, possibly after some subscribers were visited: a caller keeps nothing
   * it built from a scan that threw.
   */
  scan(visit: (subscriber: Subscriber) => void): Promise<void>;
  /** By id, or by email compared case-insensitively after trimming. */
  get(ref: SubscriberRef): Promise<Subscriber | null>;
  /**
   * Refuses ('conflict') an address already on the list, and a suppressed one unless
   * `resubscribe`: then an unsubscribed/bounced record is re-activated (same id, new settings,
   * subscribedAt now) and a purged address gets a new record (new id).
   */
  add(input: NewSubscriber, options?: AddOptions): Promise<Subscriber>;
  /**
   * Bumps updatedAt when something changed; returns the record as is otherwise. A function
   * patch is given the current record under the store's lock (or transaction), so a change
   * computed from it (add a topic) cannot lose a concurrent one; what it throws is passed on
   * and nothing is written.
   */
  update(
    ref: SubscriberRef,
    patch: SubscriberPatch | ((current: Subscriber) => SubscriberPatch),
  ): Promise<Subscriber>;
  /**
   * `unsubscribed` sets unsubscribedAt, `active` clears it; bumps updatedAt when the status
   * changes. Setting `active` is an explicit re-activation.
   */
  setStatus(ref: SubscriberRef, status: SubscriberStatus): Promise<Subscriber>;
  /** Marks unsubscribed; with purge, deletes the record and keeps a hashed suppression. */
  remove(ref: SubscriberRef, options?: RemoveOptions): Promise<RemoveResult>;
  /** All or nothing: every entry is validated (and checked for duplicates) before anything is written. */
  import(entries: ImportEntry[], options?: ImportOptions): Promise<ImportReport>;
  /** True when the address is suppressed (unsubscribed, bounced, or purged). */
  isSuppressed(email: string): Promise<boolean>;
  /**
   * A cheap token that changes whenever the list may have changed (the JSON file's identity and
   * time; a database's change counter): a long send re-reads the list only when it moved.
   */
  changeToken(): Promise<string>;
  close(): Promise<void>;
}
