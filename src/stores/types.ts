// The subscriber store contract. Every driver (the JSON file now, PostgreSQL later) implements
// it and passes the one shared contract suite in test/stores/contract.ts.
import type { KeywordFilter, Subscriber, SubscriberStatus, Weekday, Frequency } from '../types.js';

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

/** Fields a caller may change; id, email and timestamps are the store's. */
export type SubscriberPatch = Partial<Pick<Subscriber, 'name' | 'topics' | 'keywords' | 'maxPapers' | 'frequency' | 'weekday'>>;

export interface ListFilter {
  status?: SubscriberStatus;
  /** Subscribers who get this topic (including those with `all`). */
  topic?: string;
}

export interface AddOptions {
  /** Re-activate an unsubscribed or bounced address (a suppression) instead of refusing. */
  resubscribe?: boolean;
}

export interface RemoveOptions {
  /** Delete the personal data too, keeping only a hashed suppression entry. */
  purge?: boolean;
}

export interface ImportOptions extends AddOptions {
  /** Replace the settings of subscribers who already exist (default: leave them as they are). */
  overwrite?: boolean;
}

/** What an import did, address by address. */
export interface ImportReport {
  added: string[];
  updated: string[];
  /** Already subscribed, left as they were. */
  unchanged: string[];
  /** Unsubscribed, bounced or purged addresses that were not re-activated. */
  suppressed: string[];
}

/** A subscriber is named by id or by email (case-insensitive). */
export type SubscriberRef = string;

export interface SubscriberStore {
  /** Sorted by email. */
  list(filter?: ListFilter): Promise<Subscriber[]>;
  get(ref: SubscriberRef): Promise<Subscriber | null>;
  /** Throws PaperboyError('conflict') for an existing address, ('suppressed') for a suppressed one. */
  add(input: NewSubscriber, options?: AddOptions): Promise<Subscriber>;
  update(ref: SubscriberRef, patch: SubscriberPatch): Promise<Subscriber>;
  setStatus(ref: SubscriberRef, status: SubscriberStatus): Promise<Subscriber>;
  /** Marks unsubscribed; with purge, deletes the record and keeps a hashed suppression. */
  remove(ref: SubscriberRef, options?: RemoveOptions): Promise<void>;
  /** All or nothing: every entry is validated before anything is written. */
  import(entries: NewSubscriber[], options?: ImportOptions): Promise<ImportReport>;
  /** True when the address is suppressed (unsubscribed, bounced, or purged). */
  isSuppressed(email: string): Promise<boolean>;
  close(): Promise<void>;
}
